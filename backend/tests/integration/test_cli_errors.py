"""Bad input on the command line ends in one ``Error: …`` line and a non-zero exit, never a
traceback (security probe D13 and its table §4), and never shows a database password."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from themepark_tracker.cli import main
from themepark_tracker.db import tables as t
from themepark_tracker.db.engine import make_engine

PASSWORD = "s3cretPw"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database with one simulated day (backfill needs a snapshot to get going)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.sqlite3'}"
    result = CliRunner().invoke(main, ["simulate", "--parks", "1", "--rides", "5", "--days",
                                       "1", "--end", "2025-12-05 08:00"],
                                env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return url


# (arguments, environment (None: the simulated database), words the message must hold)
CASES = [
    pytest.param(["aggregate-hourly", "--hour", "9999-12-31 23:00:00", "--force"], None,
                 "close to year 1 or year 9999", id="aggregate-hourly-9999"),
    pytest.param(["backfill-hourly", "--start", "9999-12-31 23:00:00", "--end",
                  "9999-12-31 23:00:00"], None, "close to year 1 or year 9999",
                 id="backfill-hourly-9999"),
    pytest.param(["simulate", "--parks", "1", "--rides", "5", "--days", "1", "--end",
                  "0001-01-01 00:00"], None, "outside the years 2000 to 9998",
                 id="simulate-end-0001"),
    pytest.param(["simulate", "--parks", "1", "--rides", "5", "--days", "1", "--end",
                  "9999-12-31 23:00"], None, "outside the years 2000 to 9998",
                 id="simulate-end-9999"),
    pytest.param(["export", "/proc/probe-export"], None,
                 "cannot use /proc/probe-export: No such file or directory", id="export-proc"),
    pytest.param(["db", "upgrade", "--revision", "bogus"], None,
                 "Can't locate revision identified by 'bogus'", id="db-upgrade-bogus"),
    pytest.param(["db", "downgrade", "--revision", "999"], None,
                 "Can't locate revision identified by '999'", id="db-downgrade-999"),
    pytest.param(["rankings"], {"DATABASE_URL": "not a url"},
                 "the database URL cannot be parsed", id="url-not-a-url"),
    pytest.param(["rankings"], {"DATABASE_URL": f"postgresql://u:{PASSWORD}@127.0.0.1:5999/db"},
                 "driver is not installed", id="url-postgresql"),
    pytest.param(["rankings"],
                 {"DATABASE_URL": f"mysql+pymysql://u:{PASSWORD}@127.0.0.1:notaport/db"},
                 "port 'notaport' is not a whole number", id="url-port-not-a-number"),
    pytest.param(["rankings"], {"DATABASE_URL": f"oracle://u:{PASSWORD}@127.0.0.1/db"},
                 "driver is not installed", id="url-oracle"),
    pytest.param(["rankings"], {"DATABASE_URL": f"mysql+nodriver://u:{PASSWORD}@127.0.0.1/db"},
                 "unknown database dialect or driver", id="url-unknown-driver"),
    pytest.param(["rankings"], {"DATABASE_URL": "[::1"}, "the database URL cannot be parsed",
                 id="url-open-bracket"),
    pytest.param(["rankings"],
                 {"DATABASE_URL": f"mysql+pymysql://u:{PASSWORD}@127.0.0.1/db?charset=bogus"},
                 "charset 'bogus' is not one MySQL knows", id="url-charset"),
    pytest.param(["rankings"], {"THEMEPARK_DATA_DIR": "/proc/probe", "DATABASE_URL": "",
                                "DATABASE_NAME": ""},
                 "cannot create the folder /proc/probe", id="data-dir-proc"),
    pytest.param(["status"], {"DATABASE_URL": f"mysql+nodriver://u:{PASSWORD}@127.0.0.1/db"},
                 "unknown database dialect or driver", id="status-unknown-driver"),
]


@pytest.mark.parametrize(("args", "env", "problem"), CASES)
def test_bad_input_is_one_clean_line(simulated: str, args: list[str],
                                     env: dict[str, str] | None, problem: str) -> None:
    result = CliRunner().invoke(main, args, env=env or {"DATABASE_URL": simulated})
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception  # not an escaped error
    assert "Traceback" not in result.output
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(error_lines) == 1, result.output
    assert problem in error_lines[0]
    assert PASSWORD not in result.output


def test_a_refused_simulation_end_writes_nothing(tmp_path: Path) -> None:
    """Year 9999 used to fail after the first simulated day was stored."""
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    result = CliRunner().invoke(main, ["simulate", "--parks", "1", "--rides", "5", "--days",
                                       "1", "--end", "9999-12-31 23:00"],
                                env={"DATABASE_URL": url})
    assert result.exit_code == 1
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            for table in (t.parks, t.rides, t.ride_status_snapshots):
                assert conn.scalar(select(func.count()).select_from(table)) == 0, table.name
    finally:
        engine.dispose()
