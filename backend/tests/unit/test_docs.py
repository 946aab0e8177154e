"""The README tells the truth about configuration: every variable the settings read from the
environment is named in its Configuration section (datasette's test_settings_are_documented)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from themepark_tracker.config import Settings

README = Path(__file__).resolve().parents[3] / "README.md"


class RecordingEnv(dict[str, str]):
    """An empty environment that remembers every name asked of it."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return super().__contains__(key)


def configuration_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Configuration")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def test_every_setting_read_from_the_environment_is_documented() -> None:
    env = RecordingEnv()
    Settings.from_env(env)
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", configuration_section()))
    assert {"DATABASE_URL", "CACHE_URL", "API_RATE_LIMIT"} <= env.asked  # the recorder works
    assert env.asked - documented == set()


def test_the_variables_of_a_database_on_a_server_are_documented_too() -> None:
    env = RecordingEnv()
    env["DATABASE_NAME"] = "x"
    env["DB_SOCKET"] = "/run/mysqld/mysqld.sock"
    Settings.from_env(env)
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", configuration_section()))
    assert {"DB_USER", "DB_PASSWORD", "DB_SOCKET"} <= env.asked
    assert env.asked - documented == set()
