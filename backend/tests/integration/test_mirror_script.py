"""The quickstart's step 1 as written: ``deployment/scripts/mirror-production-db.sh``.

The "production" database and the targets are described in test_mirror_support.py.
The seed's verification query names a column ``rows``, a reserved word in MariaDB 10.11 (error
1064 as written, see README); it is run here with the alias quoted, and as written to show it
fails.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from tests import reference as ref
from tests.integration.test_mirror_support import (
    BACKEND,
    DATE_7,
    IN_WINDOW,
    NEWEST,
    SCRIPT,
    START_7,
    Source,
    assert_all_match,
    assert_target_untouched,
    database_exists,
    direct,
    make_existing_target,
    mysql_client,
    run_script,
    url_of,
)
from tests.revisions import diffs_at_012
from tests.scenarios import run_module
from themepark_tracker.db import migrate
from themepark_tracker.db.engine import make_engine
from themepark_tracker.mirror import SCHEMA_ONLY, TABLE_BOUNDS, WHOLE

SQL_012 = BACKEND / "src" / "database" / "migrations" / "012_add_hourly_stats.sql"


SEED_QUERY = """
SELECT
    'snapshots' as tbl,
    COUNT(*) as {rows},
    MIN(recorded_at) as earliest,
    MAX(recorded_at) as latest
FROM park_activity_snapshots
UNION ALL
SELECT
    'daily_stats',
    COUNT(*),
    MIN(stat_date),
    MAX(stat_date)
FROM park_daily_stats;"""




def seed_query_rows(database: str) -> list[list[str]]:
    done = mysql_client(database, SEED_QUERY.format(rows="`rows`"))
    assert done.returncode == 0, done.stderr
    header, *rows = [line.split("\t") for line in done.stdout.strip().splitlines()]
    assert header == ["tbl", "rows", "earliest", "latest"]
    return rows


def expected_seed_rows(source: Source, since: str | None, since_date: str | None
                       ) -> list[list[str]]:
    """The seed query's answer, counted on the source within the hand-worked window."""
    snap = source.count("SELECT COUNT(*), MIN(recorded_at), MAX(recorded_at) FROM "
                        "park_activity_snapshots" + (f" WHERE recorded_at >= '{since}'"
                                                     if since else ""))
    daily = source.count("SELECT COUNT(*), MIN(stat_date), MAX(stat_date) FROM park_daily_stats"
                         + (f" WHERE stat_date >= '{since_date}'" if since_date else ""))
    # UNION ALL gives the second and third columns the type DATETIME, so MariaDB prints the
    # dates of the second row with a time (the quickstart's expected output shows none).
    return [["snapshots", *map(str, snap)],
            ["daily_stats", str(daily[0]), f"{daily[1]} 00:00:00", f"{daily[2]} 00:00:00"]]


# --- the shell script ------------------------------------------------------------------------


@pytest.mark.mariadb_only
def test_days_7_then_full_then_the_seed_steps_2_and_3(prod_011: Source, dev_name: str) -> None:
    env = direct(prod_011, dev_name)
    done = run_script("--days=7", "--yes", env=env)
    assert_all_match(done, prod_011)
    assert f"Window: {START_7} to 2025-12-05 08:00:00 UTC" in done.stdout
    assert re.search(r"park_activity_snapshots +\d+s \(total \d+s\)", done.stdout), "progress"

    # Step 1's check reports what the source holds in those 7 days. Two parks, cycles every
    # 5 minutes with a few missed by the simulated feed: at most 2 × (7 × 288 + 1) snapshots.
    rows = seed_query_rows(dev_name)
    assert rows == expected_seed_rows(prod_011, START_7, DATE_7)
    assert rows[0][2:] == [START_7, "2025-12-05 08:00:00"]
    assert 3000 < int(rows[0][1]) <= 2 * (7 * 288 + 1)
    assert int(rows[1][1]) < prod_011.count("SELECT COUNT(*) FROM park_daily_stats")[0]
    # As written, the query stops at the reserved word.
    as_written = mysql_client(dev_name, SEED_QUERY.format(rows="rows"))
    assert as_written.returncode != 0 and "1064" in as_written.stderr

    dev = make_engine(url_of(dev_name))
    try:
        with dev.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [("011",)]
            issues = conn.execute(text("SELECT recorded_at FROM data_quality_issues")).all()
            assert issues == [(IN_WINDOW,)]  # the one before the window stays behind
            assert conn.execute(text("SELECT park_id FROM stale_days")).all() == [(1,)]
            assert conn.execute(text("SELECT COUNT(*) FROM job_locks")).scalar() == 0
        assert not {"park_hourly_stats", "ride_hourly_stats"} & set(inspect(dev).get_table_names())

        # --full replaces it with everything the source holds.
        done = run_script("--full", "--yes", env=env)
        assert_all_match(done, prod_011)
        assert seed_query_rows(dev_name) == expected_seed_rows(prod_011, None, None)
        dev.dispose()

        # Step 2, the mysql client and the 012 file, as the quickstart writes it (over TCP).
        with SQL_012.open("rb") as sql:
            step2 = subprocess.run(["mysql", "-h", "127.0.0.1", "-u", "root", dev_name],
                                   stdin=sql, cwd=BACKEND, capture_output=True, timeout=60,
                                   check=False)
        assert step2.returncode == 0, step2.stderr.decode()
        assert migrate.current_revision(dev) == "012"
        assert diffs_at_012(dev) == []

        # Step 3, the backfill, on the mirrored snapshots.
        step3 = run_module(None, "scripts.backfill_hourly_stats", "--days=7",
                           env={"DATABASE_NAME": dev_name})
        assert step3.returncode == 0, step3.stderr
        assert "Traceback" not in step3.stderr
        with dev.connect() as conn:
            park_hours = conn.execute(text(
                "SELECT COUNT(DISTINCT park_id, DATE_FORMAT(recorded_at, '%Y-%m-%d %H')) "
                "FROM park_activity_snapshots WHERE recorded_at >= '2025-11-28 08:00:00' "
                "AND recorded_at < '2025-12-05 08:00:00'")).scalar()
            stored = conn.execute(text(
                "SELECT COUNT(*), MIN(hour_start_utc), MAX(hour_start_utc) FROM park_hourly_stats"
            )).one()
        assert tuple(stored) == (park_hours, datetime(2025, 11, 28, 8), datetime(2025, 12, 5, 7))
        ref.assert_hourly_match_reference(dev, datetime(2025, 11, 28, 8), NEWEST, 5)
    finally:
        dev.dispose()


FAKE_SSH = """#!/bin/sh
# Stands in for ssh: skips its options, logs the host and the remote command, then runs the
# command as the remote login shell would (ssh joins its arguments with spaces).
while [ "${1#-}" != "$1" ]; do
    case $1 in -o|-p|-i|-l|-F|-J) shift 2 ;; *) shift ;; esac
done
host=$1; shift
printf '%s\\t%s\\n' "$host" "$*" >> "$FAKE_SSH_LOG"
case "$*" in *"$FAKE_SSH_FAIL_ON"*) [ -n "$FAKE_SSH_FAIL_ON" ] && exit 42 ;; esac
exec sh -c "$*"
"""


@pytest.fixture
def fake_ssh(tmp_path: Path) -> tuple[Path, Path]:
    shim = tmp_path / "fake-ssh"
    shim.write_text(FAKE_SSH)
    shim.chmod(0o755)
    return shim, tmp_path / "ssh.log"


def ssh_env(source: Source, target: str, fake: tuple[Path, Path], fail_on: str = ""
            ) -> dict[str, str]:
    shim, log = fake
    return {"PROD_SSH_HOST": "tracker.example.org", "PROD_SSH_CMD": f"{shim} -o BatchMode=yes",
            "PROD_DB_NAME": source.name, "DATABASE_NAME": target,
            "FAKE_SSH_LOG": str(log), "FAKE_SSH_FAIL_ON": fail_on}


@pytest.mark.mariadb_only
def test_full_over_ssh_keeps_the_hourly_tables_and_explicit_defaults(
    prod_head: Source, dev_name: str, fake_ssh: tuple[Path, Path],
) -> None:
    done = run_script("--full", env=ssh_env(prod_head, dev_name, fake_ssh))
    assert_all_match(done, prod_head)
    calls = fake_ssh[1].read_text().splitlines()
    assert {line.split("\t")[0] for line in calls} == {"tracker.example.org"}
    dumps = [line for line in calls if "mysqldump" in line]
    assert len(dumps) == len(prod_head.tables())  # the schema, then each table but job_locks
    assert all("--tz-utc" in line and "--single-transaction" in line for line in dumps)
    assert any(line.split("\t")[-1].startswith("mysql ") for line in calls)

    dev = make_engine(url_of(dev_name))
    try:
        assert migrate.current_revision(dev) == prod_head.revision
        assert migrate.schema_diffs(dev) == []  # types, defaults, keys exactly as defined
        with dev.connect() as conn:
            created = conn.execute(text("SHOW CREATE TABLE park_activity_snapshots")).one()[1]
            for table in ("park_activity_snapshots", "park_hourly_stats", "ride_hourly_stats",
                          "ride_status_snapshots", "aggregation_log"):
                got = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
                assert got == prod_head.count(f"SELECT COUNT(*) FROM {table}")[0], table
        assert "on update" not in created.lower()
        # With the hourly tables already there, upgrading has nothing to do.
        upgraded = run_module(None, "themepark_tracker", "db", "upgrade",
                              env={"DATABASE_NAME": dev_name})
        assert upgraded.returncode == 0
        assert f"at revision {migrate.head_revision()}" in upgraded.stdout
    finally:
        dev.dispose()


@pytest.mark.mariadb_only
def test_dry_run_and_unconfirmed_runs_change_nothing(prod_011: Source, dev_name: str) -> None:
    make_existing_target(dev_name)
    env = direct(prod_011, dev_name)

    dry = run_script("--days=7", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert f"rows where `recorded_at` >= '{START_7}'" in dry.stdout
    assert "job_locks                  table only, no rows" in dry.stdout
    assert "Dry run: nothing was changed." in dry.stdout
    assert_target_untouched(dev_name)

    # Without --yes and without a terminal to ask on, an existing target is not replaced.
    unasked = run_script("--days=7", env=env)
    assert unasked.returncode == 1
    assert "pass --yes" in unasked.stderr and "Traceback" not in unasked.stderr
    assert_target_untouched(dev_name)


@pytest.mark.mariadb_only
def test_schema_only_copies_tables_and_revision_without_rows(prod_011: Source, dev_name: str
                                                              ) -> None:
    done = run_script("--schema-only", "--yes", env=direct(prod_011, dev_name))
    assert_all_match(done, prod_011)
    dev = make_engine(url_of(dev_name))
    try:
        assert set(inspect(dev).get_table_names()) == prod_011.tables()
        assert migrate.current_revision(dev) == "011"
        with dev.connect() as conn:
            for table in prod_011.tables() - {"alembic_version"}:
                assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() == 0, table
    finally:
        dev.dispose()


@pytest.mark.mariadb_only
def test_a_failed_copy_leaves_the_target_as_it_was(
    prod_011: Source, dev_name: str, fake_ssh: tuple[Path, Path],
) -> None:
    make_existing_target(dev_name)
    env = ssh_env(prod_011, dev_name, fake_ssh, fail_on="ride_status_snapshots")
    done = run_script("--days=7", "--yes", env=env)
    assert done.returncode == 1
    assert "copying" in done.stderr and "ride_status_snapshots" in done.stderr
    assert f"the target {dev_name} is unchanged" in done.stderr
    assert_target_untouched(dev_name)


FAILING_RENAME = """#!/usr/bin/env bash
# Stands in for the mysql client: a statement list holding RENAME TABLE runs up to it, then
# fails, as the client stops at a statement that fails.
args=() cut=0
for arg in "$@"; do
    if [[ "$arg" == *"RENAME TABLE"* ]]; then arg=${arg%%RENAME TABLE*} cut=1; fi
    args+=("$arg")
done
"$REAL_MYSQL" "${args[@]}" || exit
if (( cut )); then echo "ERROR 1025 (HY000): injected RENAME failure" >&2; exit 1; fi
"""


@pytest.mark.mariadb_only
def test_a_failed_swap_leaves_the_target_as_it_was(
    prod_011: Source, dev_name: str, tmp_path: Path,
) -> None:
    """The copy is complete, the swap's RENAME TABLE fails: the target must still be whole
    (it was dropped before the rename until the swap moved its tables aside instead)."""
    make_existing_target(dev_name)
    shim = tmp_path / "mysql"
    shim.write_text(FAILING_RENAME)
    shim.chmod(0o755)
    env = {**direct(prod_011, dev_name), "PATH": f"{tmp_path}:{os.environ['PATH']}",
           "REAL_MYSQL": shutil.which("mysql") or "mysql"}
    done = run_script("--days=7", "--yes", env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "injected RENAME failure" in done.stderr
    assert_target_untouched(dev_name)


@pytest.mark.mariadb_only
def test_a_prod_target_is_refused(prod_011: Source) -> None:
    name = f"tpt_test_Prod_{secrets.token_hex(3)}"
    done = run_script("--days=7", "--yes", env=direct(prod_011, name))
    assert done.returncode == 1
    assert f"refusing to write to '{name}'" in done.stderr and "contains 'prod'" in done.stderr
    assert not database_exists(name) and not database_exists(f"{name}__mirror_new")


@pytest.mark.parametrize(("args", "message"), [
    ((), "give one of --days=N, --full or --schema-only"),
    (("--days=0",), "--days must be a whole number of days from 1, got '0'"),
    (("--days=seven",), "got 'seven'"),
    (("--days", "7"), "write --days=N"),
    (("--days=7", "--full"), "give only one of"),
    (("--full", "--force"), "unknown option '--force'"),
])
def test_bad_flags_get_a_message_and_exit_2(args: tuple[str, ...], message: str) -> None:
    done = run_script(*args, env={"PROD_DB_HOST": "127.0.0.1"})
    assert done.returncode == 2
    assert message in done.stderr and "--help" in done.stderr


def test_no_source_configured_is_named() -> None:
    done = run_script("--days=7", env={})
    assert done.returncode == 1
    assert "set PROD_SSH_HOST" in done.stderr and "PROD_DB_HOST" in done.stderr


def test_help_documents_flags_and_environment() -> None:
    done = run_script("--help", env={})
    assert done.returncode == 0
    for word in ("--days=N", "--full", "--schema-only", "--dry-run", "--yes", "PROD_SSH_HOST",
                 "PROD_SSH_CMD", "PROD_DB_HOST", "PROD_DB_NAME", "DATABASE_NAME", "MATCH"):
        assert word in done.stdout


def test_the_script_and_the_module_bound_the_same_tables() -> None:
    script = SCRIPT.read_text()
    bounds = dict(re.findall(r'^\s+\[(\w+)\]="(\w+ \w+)"$', script, flags=re.M))
    assert bounds == {table: f"{col} {kind}" for table, (col, kind) in TABLE_BOUNDS.items()}
    whole = re.search(r'^WHOLE_TABLES=" (.*) "$', script, flags=re.M)
    schema_only = re.search(r'^SCHEMA_ONLY_TABLES=" (.*) "$', script, flags=re.M)
    assert whole and whole.group(1).split() == list(WHOLE)
    assert schema_only and schema_only.group(1).split() == list(SCHEMA_ONLY)


def test_the_script_is_shellcheck_clean() -> None:
    if shutil.which("shellcheck") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("shellcheck is not installed (CI=true; .ci/run installs it)")
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    done = subprocess.run(["shellcheck", str(SCRIPT)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stdout
