"""Settings from the environment (SPEC §9), the CLI's own option lists, and the CLI's
contract: every command has help with an example and a row in the README."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from themepark_tracker import cli
from themepark_tracker.config import DEFAULT_PORT, ConfigError, Settings
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


# --- the command-line contract (code review §5, sqlite-utils' test_commands_have_help) -------


def _commands(group: click.Group, prefix: tuple[str, ...] = ()
              ) -> list[tuple[tuple[str, ...], click.Command]]:
    """Every command and subcommand, by the words that run it (``("db", "upgrade")``)."""
    found = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        found.append((path, command))
        if isinstance(command, click.Group):
            found += _commands(command, path)
    return found


COMMANDS = _commands(cli.main)
README = Path(__file__).parents[3] / "README.md"


def test_every_command_is_collected() -> None:
    # a floor, so that a broken walk cannot make the tests below pass by finding nothing
    paths = {" ".join(path) for path, _ in COMMANDS}
    assert {"db", "db upgrade", "db downgrade", "import", "export", "mirror", "serve",
            "aggregate-hourly", "status"} <= paths
    # + recovery, recovery fit, outages, outages rebuild, backfill-upstream, export-stats,
    # coverage, crosscheck, webhooks (4)
    assert len(paths) == 31


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_help_has_text_and_an_example(path: tuple[str, ...], command: click.Command
                                              ) -> None:
    result = CliRunner().invoke(cli.main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert command.help and command.help.strip()
    assert "Example:" in result.output
    example = result.output.split("Example:", 1)[1]
    assert f"themepark {path[0]}" in example  # the example runs this very command


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_is_in_the_readme_table(path: tuple[str, ...]) -> None:
    table = [line for line in README.read_text(encoding="utf-8").splitlines()
             if line.startswith("| `themepark ")]
    row = re.compile(rf"\| `themepark {re.escape(' '.join(path))}[ `]")
    assert any(row.match(line) for line in table)


def test_help_does_not_import_sqlalchemy() -> None:
    """The literal FILTER_CHOICES copy exists to keep ``--help`` fast; that only holds while
    the cli package imports no SQLAlchemy at the top."""
    code = ("import sys; from click.testing import CliRunner; "
            "from themepark_tracker.cli import main; "
            "r = CliRunner().invoke(main, ['rankings', '--help']); "
            "assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sqlalchemy', 'pymysql', 'alembic')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_dates_are_checked_by_click() -> None:
    result = CliRunner().invoke(cli.main, ["aggregate-daily", "--date", "2025-02-30"])
    assert result.exit_code == 2
    assert "'2025-02-30' does not match the format '%Y-%m-%d'" in result.output
    assert cli.DateType().convert("2025-12-04", None, None) == date(2025, 12, 4)


def test_days_bounds_are_deliberate() -> None:
    bounds = {" ".join(path): (p.type.min, p.type.max) for path, c in COMMANDS
              for p in c.params if p.name == "days" and isinstance(p.type, click.IntRange)}
    assert bounds == {"backfill-hourly": (1, 3650), "verify": (1, 3650), "mirror": (1, 3650),
                      "simulate": (1, 400), "demo": (1, 60), "backfill-upstream": (1, 3650)}


def test_serve_and_demo_default_to_the_configured_port() -> None:
    for name in ("serve", "demo"):
        port = next(p for p in cli.main.commands[name].params if p.name == "port")
        assert port.default == DEFAULT_PORT == 5001
