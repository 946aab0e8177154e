"""Settings from the environment (SPEC §9) and the CLI's own option lists."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from themepark_tracker import cli
from themepark_tracker.config import ConfigError, Settings
from themepark_tracker.queries.periods import PERIODS
from themepark_tracker.queries.rankings import FILTERS


def test_database_url_wins_over_database_name() -> None:
    s = Settings.from_env({"DATABASE_URL": "sqlite:////tmp/x.db", "DATABASE_NAME": "other"})
    assert s.database_url == "sqlite:////tmp/x.db" and s.database_is_embedded


def test_database_name_builds_a_mariadb_url_with_spec_defaults() -> None:
    s = Settings.from_env({"DATABASE_NAME": "themepark_tracker_dev"})
    assert s.database_url == (
        "mysql+pymysql://root@127.0.0.1:3306/themepark_tracker_dev?charset=utf8mb4")
    assert not s.database_is_embedded


def test_database_name_with_password_port_and_socket() -> None:
    s = Settings.from_env({"DATABASE_NAME": "d", "DB_USER": "u", "DB_PASSWORD": "p@ss",
                           "DB_HOST": "db", "DB_PORT": "3307"})
    assert s.database_url == "mysql+pymysql://u:p%40ss@db:3307/d?charset=utf8mb4"
    sock = Settings.from_env({"DATABASE_NAME": "d", "DB_SOCKET": "/run/mysqld/mysqld.sock"})
    assert "unix_socket=/run/mysqld/mysqld.sock" in sock.database_url


def test_neither_gives_the_embedded_sqlite_file() -> None:
    s = Settings.from_env({"THEMEPARK_DATA_DIR": "/tmp/tpt-data"})
    assert s.database_url == "sqlite:////tmp/tpt-data/themepark.sqlite3"
    assert s.database_is_embedded
    assert s.collection_interval_minutes == 5 and s.raw_retention_days == 90
    assert s.use_hourly_tables is True


@pytest.mark.parametrize(("name", "value", "problem"), [
    ("COLLECTION_INTERVAL_MINUTES", "five", "must be a whole number"),
    ("COLLECTION_INTERVAL_MINUTES", "0", "must be at least 1"),
    ("USE_HOURLY_TABLES", "maybe", "must be true or false"),
    ("DB_PORT", "x", "must be a whole number"),
])
def test_bad_settings_name_the_variable(name: str, value: str, problem: str) -> None:
    env = {name: value, "DATABASE_NAME": "d"}
    with pytest.raises(ConfigError, match=f"{name} {problem}"):
        Settings.from_env(env)


def test_bad_setting_is_a_clean_cli_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLLECTION_INTERVAL_MINUTES", "soon")
    result = CliRunner().invoke(cli.main, ["aggregate-hourly"])
    assert result.exit_code == 1
    assert "COLLECTION_INTERVAL_MINUTES must be a whole number" in result.output
    assert "Traceback" not in result.output


def test_cli_filter_choices_are_the_library_definition() -> None:
    assert cli.FILTER_CHOICES == FILTERS


def test_rankings_period_choices_are_the_library_definition() -> None:
    period = next(p for p in cli.main.commands["rankings"].params if p.name == "period")
    assert isinstance(period.type, click.Choice)
    assert tuple(period.type.choices) == PERIODS
