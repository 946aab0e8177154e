"""``themepark mirror``: the quickstart's step 1 between any two SQLAlchemy URLs.

The "production" database and the targets are described in test_mirror_support.py; the
refusals and the staging of the copy are tested in test_mirror_safety.py.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from tests import reference as ref
from tests.integration.test_mirror_support import (
    NEWEST,
    START_7,
    Source,
    assert_all_match,
    assert_target_untouched,
    make_existing_target,
    run_cli,
    url_of,
)
from themepark_tracker.db import migrate
from themepark_tracker.db.engine import make_engine
from themepark_tracker.mirror import audit, plan_mirror


@pytest.mark.mariadb_only
def test_cli_mariadb_at_011_to_sqlite_then_upgrade_and_backfill(
    prod_011: Source, tmp_path: Path,
) -> None:
    laptop = f"sqlite:///{tmp_path / 'laptop.sqlite3'}"
    done = run_cli("mirror", "--from", prod_011.url, "--days", "7", env={"DATABASE_URL": laptop})
    assert_all_match(done, prod_011)
    assert re.search(r"\[\d+/\d+\] ride_status_snapshots: [\d,]+ rows in", done.stdout)

    dev = make_engine(laptop)
    try:
        assert migrate.current_revision(dev) == "011"
        with dev.connect() as conn:
            snap = conn.execute(text("SELECT COUNT(*), MIN(recorded_at), MAX(recorded_at) "
                                     "FROM park_activity_snapshots")).one()
            issues = conn.execute(text("SELECT COUNT(*) FROM data_quality_issues")).scalar()
            locks = conn.execute(text("SELECT COUNT(*) FROM job_locks")).scalar()
        expected = prod_011.count("SELECT COUNT(*), MIN(recorded_at), MAX(recorded_at) FROM "
                                  f"park_activity_snapshots WHERE recorded_at >= '{START_7}'")
        assert (snap[0], str(snap[1]), str(snap[2])) == (expected[0], START_7,
                                                         "2025-12-05 08:00:00")
        assert (issues, locks) == (1, 0)

        # Seed step 2 on a laptop: `themepark db upgrade`; step 3 the backfill.
        upgraded = run_cli("db", "upgrade", env={"DATABASE_URL": laptop})
        assert upgraded.returncode == 0
        assert f"at revision {migrate.head_revision()}" in upgraded.stdout
        filled = run_cli("backfill-hourly", "--days", "7", env={"DATABASE_URL": laptop})
        assert filled.returncode == 0, filled.stderr
        parks, _ = ref.assert_hourly_match_reference(dev, datetime(2025, 11, 28, 8), NEWEST, 5)
        assert parks > 0
    finally:
        dev.dispose()


@pytest.mark.mariadb_only
def test_cli_sqlite_to_mariadb_full_and_a_mismatch_is_caught(
    prod_head: Source, tmp_path: Path, dev_name: str,
) -> None:
    # A SQLite copy of production (made by the command itself) is the source this time.
    laptop = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    first = run_cli("mirror", "--from", prod_head.url, env={"DATABASE_URL": laptop})
    assert_all_match(first, prod_head)

    make_existing_target(dev_name)
    unasked = run_cli("mirror", "--from", laptop, env={"DATABASE_NAME": dev_name})
    assert unasked.returncode == 1 and "Aborted" in unasked.stderr
    assert_target_untouched(dev_name)

    done = run_cli("mirror", "--from", laptop, "--yes", env={"DATABASE_NAME": dev_name})
    assert_all_match(done, prod_head)
    dev = make_engine(url_of(dev_name))
    src = make_engine(laptop)
    try:
        assert migrate.current_revision(dev) == prod_head.revision
        assert migrate.schema_diffs(dev) == []
        with dev.connect() as conn:
            hours = conn.execute(text("SELECT COUNT(*) FROM ride_hourly_stats")).scalar()
        assert hours == prod_head.count("SELECT COUNT(*) FROM ride_hourly_stats")[0]

        # The audit can fail: a row lost on the target is named.
        with dev.begin() as conn:
            conn.execute(text("DELETE FROM park_hourly_stats ORDER BY hour_start_utc LIMIT 1"))
        lines = {line.table: line for line in audit(src, dev, plan_mirror(src, dev, None))}
        assert not lines["park_hourly_stats"].ok
        assert lines["park_hourly_stats"].source[0] == lines["park_hourly_stats"].target[0] + 1
        assert "MISMATCH" in lines["park_hourly_stats"].describe()
        assert all(line.ok for name, line in lines.items() if name != "park_hourly_stats")
    finally:
        dev.dispose()
        src.dispose()


@pytest.mark.mariadb_only
def test_cli_refuses_prod_targets_and_a_dry_run_changes_nothing(
    prod_011: Source, tmp_path: Path,
) -> None:
    target = tmp_path / "themepark_production.sqlite3"
    refused = run_cli("mirror", "--from", prod_011.url, "--yes",
                      env={"DATABASE_URL": f"sqlite:///{target}"})
    assert refused.returncode == 1 and "contains 'prod'" in refused.stderr
    assert not target.exists()

    dev_url = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    dry = run_cli("mirror", "--from", prod_011.url, "--days", "7", "--dry-run",
                  env={"DATABASE_URL": dev_url})
    assert dry.returncode == 0, dry.stderr
    assert f"rows where recorded_at >= {START_7}" in dry.stdout
    assert "Dry run: nothing was changed." in dry.stdout
    dev = make_engine(dev_url)
    try:
        assert inspect(dev).get_table_names() == []
    finally:
        dev.dispose()

    same = run_cli("mirror", "--from", dev_url.replace("dev.sqlite3", "./dev.sqlite3"),
                   env={"DATABASE_URL": dev_url})
    assert same.returncode == 1 and "the same database" in same.stderr


@pytest.mark.mariadb_only
def test_cli_refuses_to_copy_a_database_onto_itself(prod_011: Source) -> None:
    done = run_cli("mirror", "--from", prod_011.url, "--yes",
                   env={"DATABASE_URL": prod_011.url})
    assert done.returncode == 1 and "the same database" in done.stderr
    assert prod_011.count("SELECT COUNT(*) FROM parks") == (2,)


def test_window_starts_on_the_whole_hour_n_days_back() -> None:
    from themepark_tracker.mirror import window_for

    as_of = datetime(2026, 1, 1)
    window = window_for(datetime(2025, 12, 5, 8, 35), 7, as_of)
    assert window.start == datetime(2025, 11, 28, 8)
    assert window.newest == datetime(2025, 12, 5, 8, 35)
    assert window.bounds("date") == (datetime(2025, 11, 28).date(), datetime(2025, 12, 5).date())
    assert window.bounds("run") == (datetime(2025, 11, 28, 8), as_of)
    assert window_for(datetime(2025, 12, 5, 8), None, as_of).bounds("datetime") == (
        None, datetime(2025, 12, 5, 8))
    assert timedelta(days=7) < window.newest - window.start < timedelta(days=7, hours=1)


@pytest.mark.parametrize(("args", "message"), [
    ((), "Missing option '--from'"),
    (("--from", "sqlite:////nonexistent/x.sqlite3", "--days", "0"), "0 is not in the range"),
    (("--from", "nonsense"), "is not a database URL"),
])
def test_cli_bad_input_gets_a_message(args: tuple[str, ...], message: str, tmp_path: Path
                                      ) -> None:
    from click.testing import CliRunner

    from themepark_tracker.cli import main

    done = CliRunner().invoke(main, ["mirror", *args],
                              env={"DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"})
    assert done.exit_code in (1, 2)
    assert message in done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)  # no traceback
