"""Shared by the mirror tests (test_mirror_script.py, test_mirror_command.py,
test_mirror_safety.py): a simulated "production" database, throwaway targets, and running the
shell script or ``themepark mirror`` as a user would. No tests here.

A "production" database is simulated into a throwaway MariaDB database ``tpt_test_src_*``
(two parks, nine days ending 2025-12-05 08:00, daily stats aggregated; at revision 011, before
the hourly tables, or at head with them filled) and mirrored into throwaway ``tpt_test_dst_*``
databases (passed as DATABASE_NAME) or SQLite files. Expected contents are counted on the
source with plain SQL over the hand-worked window: --days=7 ending at the newest snapshot
2025-12-05 08:00:00 starts at 2025-11-28 08:00:00 (dates from 2025-11-28).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from tests.conftest import (
    MARIADB_SERVER_URL,
    create_throwaway_mariadb,
    drop_throwaway_mariadb,
    mariadb_reachable_or_skip,
)
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.db import migrate
from themepark_tracker.db.engine import make_engine
from themepark_tracker.simulate import simulate

BACKEND = Path(__file__).resolve().parents[2]
SCRIPT = BACKEND.parent / "deployment" / "scripts" / "mirror-production-db.sh"

NEWEST = datetime(2025, 12, 5, 8)
START_7 = "2025-11-28 08:00:00"  # whole hour of NEWEST, minus 7 days
DATE_7 = "2025-11-28"
IN_WINDOW, BEFORE_WINDOW = datetime(2025, 12, 1, 10), datetime(2025, 11, 27, 10)
HELPER_SUFFIXES = ("__mirror_new", "__mirror_old")


# --- the "production" database -------------------------------------------------------------


def fill_production(engine: Engine, revision: str) -> None:
    """Simulated parks and nine days of snapshots, daily stats, and rows that test the bounds:
    data-quality issues and stale-day marks inside and before the window, a held job lock.
    Ingest writes columns of revision 012, so a production at 011 is simulated at the head and
    taken down to 011 (which drops them and the hourly tables), as an older release left it."""
    migrate.upgrade(engine)
    simulate(engine, parks=2, rides=8, days=9, seed=7, end=NEWEST)
    run_daily(engine, 5)
    if revision >= "012":
        backfill(engine, 5, days=9)
    migrate.downgrade(engine, revision)
    with engine.begin() as conn:
        for n, at in enumerate((IN_WINDOW, BEFORE_WINDOW)):
            conn.execute(text(
                "INSERT INTO data_quality_issues (park_id, ride_id, recorded_at, issue_type) "
                "VALUES (1, NULL, :at, 'STALE_DATA')"), {"at": at})
            conn.execute(text("INSERT INTO stale_days (park_id, local_date, version, marked_at) "
                              "VALUES (:p, :d, 1, :at)"), {"p": n + 1, "d": at.date(), "at": at})
        conn.execute(text("INSERT INTO job_locks (name, owner, acquired_at, expires_at) VALUES "
                          "('hourly', 'prod-host:1', '2025-12-05 08:05:00', '2099-01-01')"))
        newest = conn.execute(text("SELECT MAX(recorded_at) FROM park_activity_snapshots")
                              ).scalar()
    assert newest == NEWEST, "the seeded simulation no longer ends on its last cycle"


@dataclass
class Source:
    name: str
    url: str
    engine: Engine
    revision: str

    def count(self, sql: str) -> tuple[object, ...]:
        with self.engine.connect() as conn:
            return tuple(conn.execute(text(sql)).one())

    def tables(self) -> set[str]:
        return set(inspect(self.engine).get_table_names())


def production(revision: str) -> Iterator[Source]:
    mariadb_reachable_or_skip()
    for tool in ("mysql", "mysqldump"):
        if shutil.which(tool) is None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"the {tool} client is not installed (CI=true)")
            pytest.skip(f"the {tool} client is not installed")
    url = create_throwaway_mariadb("tpt_test_src")
    engine = make_engine(url)
    try:
        fill_production(engine, revision)
        yield Source(engine.url.database or "", url, engine, revision)
    finally:
        engine.dispose()
        drop_throwaway_mariadb(url)


def database_exists(name: str) -> bool:
    server = make_engine(MARIADB_SERVER_URL)
    try:
        with server.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM information_schema.SCHEMATA "
                                     "WHERE SCHEMA_NAME = :n"), {"n": name}).scalar() == 1
    finally:
        server.dispose()


def url_of(name: str) -> str:
    return MARIADB_SERVER_URL.replace("/?", f"/{name}?")


def dev_database() -> Iterator[str]:
    """A name for the dev database a mirror creates (and its helper schemas); dropped after."""
    name = f"tpt_test_dst_{os.getpid()}_{secrets.token_hex(3)}"
    yield name
    for leftover in (name, *(name + suffix for suffix in HELPER_SUFFIXES)):
        drop_throwaway_mariadb(url_of(leftover))


# --- running things ------------------------------------------------------------------------


def run_script(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """``./mirror-production-db.sh ARGS`` from deployment/scripts (as the quickstart runs it),
    with only the given PROD_*/DATABASE_*/DB_* variables set, stdin not a terminal."""
    full = {k: v for k, v in os.environ.items()
            if not k.startswith(("PROD_", "DATABASE_", "DB_"))}
    full.update(env)
    return subprocess.run(["./" + SCRIPT.name, *args], cwd=SCRIPT.parent, env=full,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=300, check=False)


def direct(source: Source, target: str) -> dict[str, str]:
    return {"PROD_DB_HOST": "127.0.0.1", "PROD_DB_PORT": "3306", "PROD_DB_USER": "root",
            "PROD_DB_NAME": source.name, "DATABASE_NAME": target}


def mysql_client(database: str, sql: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mysql", "-h", "127.0.0.1", "-u", "root", database, "-e", sql],
                          capture_output=True, text=True, timeout=60, check=False)


def audit_results(stdout: str) -> dict[str, str]:
    """table -> MATCH / MISMATCH..., from the audit the script or the command prints."""
    lines = stdout.split("Audit (", 1)[1].splitlines()[2:]
    out = {}
    for line in lines:
        found = re.match(r"  (\w+) .*? (MATCH|MISMATCH.*)$", line)
        if found:
            out[found.group(1)] = found.group(2)
    return out


def assert_all_match(done: subprocess.CompletedProcess[str], source: Source) -> None:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    results = audit_results(done.stdout)
    assert results == {name: "MATCH" for name in source.tables()}, done.stdout
    assert re.search(rf"Audit: all {len(results)} tables MATCH\..*Elapsed", done.stdout)


def make_existing_target(name: str) -> None:
    server = make_engine(MARIADB_SERVER_URL)
    with server.begin() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}`"))
        conn.execute(text(f"CREATE TABLE `{name}`.marker (n INT)"))
        conn.execute(text(f"INSERT INTO `{name}`.marker VALUES (41)"))
    server.dispose()


def assert_target_untouched(name: str) -> None:
    engine = make_engine(url_of(name))
    try:
        assert inspect(engine).get_table_names() == ["marker"]
        with engine.connect() as conn:
            assert conn.execute(text("SELECT n FROM marker")).all() == [(41,)]
    finally:
        engine.dispose()
    for suffix in HELPER_SUFFIXES:
        assert not database_exists(name + suffix), suffix


def run_cli(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DATABASE_NAME", "COLLECTION_INTERVAL_MINUTES")}
    full.update(env)
    return subprocess.run([sys.executable, "-m", "themepark_tracker", *args], cwd=BACKEND,
                          env=full, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=300, check=False)
