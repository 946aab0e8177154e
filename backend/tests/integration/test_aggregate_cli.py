"""The seed's commands, run exactly as the quickstart writes them (steps 3 and 8), from backend/
with PYTHONPATH=src and DATABASE_URL set, as subprocesses:

    python -m scripts.aggregate_hourly --hour="2025-12-05 07:00:00"
    python -m scripts.backfill_hourly_stats --days=7

on the SQLite file and the throwaway MariaDB database of the ``engine`` fixture.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from tests import reference as ref
from tests import scenarios as scen
from tests.factories import ingest, make_park, series
from themepark_tracker.db import migrate
from themepark_tracker.db import tables as t
from themepark_tracker.db.engine import make_engine
from themepark_tracker.timeutil import floor_hour, utcnow

FIRST, NEWEST = datetime(2025, 11, 28, 8), datetime(2025, 12, 5, 8)
LOG_LINE = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO "


def seed_week(engine: Engine) -> None:
    """Two parks of three rides, a cycle every 30 minutes from 2025-11-28 08:00 to 2025-12-05
    08:00 (both included): the quickstart's mirrored week, small."""
    scen.at_head(engine)
    for park_id, zone in ((1, "UTC"), (2, "Europe/Paris")):
        ids = make_park(engine, park_id, tiers=(1, 2, 3), timezone=zone)
        n = int((NEWEST - FIRST) / timedelta(minutes=30)) + 1
        ingest(engine, series(park_id, FIRST, ["OOO" if k % 5 else "ODO" for k in range(n)],
                              ids, timedelta(minutes=30)))


def no_traceback(done: object) -> None:
    assert "Traceback" not in done.stderr, done.stderr  # type: ignore[attr-defined]


def test_aggregate_hourly_twice_keeps_one_row_per_park(engine: Engine) -> None:
    seed_week(engine)
    for _ in range(2):
        done = scen.run_module(engine, "scripts.aggregate_hourly", "--hour=2025-12-05 07:00:00")
        no_traceback(done)
        assert done.returncode == 0, done.stderr
        # The jobs log to stdout, as the quickstart says; the summary line comes last.
        lines = done.stdout.strip().splitlines()
        assert lines[-1] == "Aggregated 1 hour(s): 2 park rows, 6 ride rows"
        assert re.fullmatch(LOG_LINE + r"Hour 2025-12-05 07:00:00: 2 parks, 6 rides processed",
                            lines[-2])
    with engine.connect() as conn:
        rows_for_hour = conn.execute(text(  # the quickstart's own check
            "SELECT COUNT(*) as rows_for_hour FROM park_hourly_stats "
            "WHERE hour_start_utc = '2025-12-05 07:00:00'")).scalar()
        log = conn.execute(text(
            "SELECT aggregation_type, target_period, status, parks_processed, rides_processed "
            "FROM aggregation_log WHERE aggregation_type = 'hourly' "
            "ORDER BY created_at DESC, id DESC"
        )).all()
    assert rows_for_hour == 2  # one per park, not doubled
    assert [tuple(r) for r in log] == [("hourly", "2025-12-05 07:00:00", "success", 2, 6)] * 2
    ref.assert_hourly_match_reference(engine, NEWEST - timedelta(hours=1), NEWEST, 5)


def test_backfill_days_7_prints_the_seed_lines(engine: Engine) -> None:
    seed_week(engine)
    done = scen.run_module(engine, "scripts.backfill_hourly_stats", "--days=7")
    no_traceback(done)
    assert done.returncode == 0, done.stderr
    # The log goes to stdout ("the script logs to stdout"); on SQLite a first line on stderr
    # says which database file is used.
    log = [line for line in done.stdout.splitlines() if re.match(LOG_LINE, line)]
    assert len(log) == len(done.stdout.strip().splitlines()), "nothing but log lines"
    assert re.fullmatch(LOG_LINE + "Starting hourly backfill for last 7 days", log[0])
    assert re.fullmatch(LOG_LINE + "Backfilling hours 2025-12-05 00:00:00 to 2025-12-05 08:00:00",
                        log[1])
    hours = [line for line in log if " INFO Hour " in line]
    assert len(hours) == 168
    assert re.fullmatch(LOG_LINE + r"Hour 2025-12-05 07:00:00: 2 parks, 6 rides processed",
                        hours[0])
    assert any(re.fullmatch(LOG_LINE + r"Hour 2025-12-04 23:00:00: 2 parks, 6 rides processed",
                            line) for line in hours)
    assert re.fullmatch(LOG_LINE + r"Hour 2025-11-28 08:00:00: 2 parks, 6 rides processed",
                        hours[-1])
    closing = "Backfill complete: 336 park hours, 1,008 ride hours"
    assert re.fullmatch(LOG_LINE + closing, log[-1])
    with engine.connect() as conn:
        total, earliest, latest, avg = conn.execute(text(
            "SELECT COUNT(*), MIN(hour_start_utc), MAX(hour_start_utc), AVG(snapshot_count) "
            "FROM park_hourly_stats")).one()
    assert (total, str(earliest), str(latest), float(avg)) == (
        336, "2025-11-28 08:00:00", "2025-12-05 07:00:00", 2.0)


# --- arguments and refusals (one database is enough: they fail before or without SQL) -----------


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Engine:
    from themepark_tracker.db import tables

    engine = make_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    tables.metadata.create_all(engine)
    scen.at_head(engine)
    yield engine  # type: ignore[misc]
    engine.dispose()


def test_the_iso_form_with_z_is_accepted(sqlite_db: Engine) -> None:
    seed_week(sqlite_db)
    done = scen.run_module(sqlite_db, "scripts.aggregate_hourly", "--hour=2025-12-05T07:00:00Z")
    no_traceback(done)
    assert done.returncode == 0, done.stderr
    with sqlite_db.connect() as conn:
        hours = conn.execute(select(t.park_hourly_stats.c.hour_start_utc).distinct()).scalars()
        assert list(hours) == [datetime(2025, 12, 5, 7)]


@pytest.mark.parametrize(
    ("hour", "problem"),
    [("nonsense", "'nonsense' is not a time like '2025-12-05 07:00:00' or "
                  "'2025-12-05T07:00:00Z'"),
     ("2025-12-05 07:30:00", "'2025-12-05 07:30:00' is not the start of an hour")],
)
def test_a_bad_hour_exits_2_naming_the_problem(tmp_path: Path, hour: str, problem: str) -> None:
    db = tmp_path / "never-opened.sqlite3"
    done = scen.run_module(None, "scripts.aggregate_hourly", f"--hour={hour}",
                          env={"DATABASE_URL": f"sqlite:///{db}"})
    no_traceback(done)
    assert done.returncode == 2
    assert "Invalid value for '--hour'" in done.stderr
    assert problem in done.stderr
    assert not db.exists()  # refused before touching any database


def test_an_unfinished_hour_exits_1_with_a_clear_message(sqlite_db: Engine) -> None:
    hour = floor_hour(utcnow() + timedelta(minutes=2))  # the current (or next) hour
    done = scen.run_module(sqlite_db, "scripts.aggregate_hourly",
                          f"--hour={hour:%Y-%m-%d %H:%M:%S}")
    no_traceback(done)
    assert done.returncode == 1
    assert f"Error: hour {hour:%Y-%m-%d %H:%M:%S} has not finished yet (it ends at " in done.stderr
    assert "use --force to aggregate the partial hour anyway" in done.stderr
    with sqlite_db.connect() as conn:
        assert conn.execute(select(t.aggregation_log)).all() == []


def test_a_database_taken_back_to_011_refuses_new_snapshots_clearly(engine: Engine) -> None:
    """The README's way to build "production before the hourly tables": simulate at the head,
    then `themepark db downgrade --revision 011`. Ingest needs revision 012's columns, so
    simulating into the 011 database is refused by name, not by a SQL error."""
    done = scen.run_module(engine, "themepark_tracker", "simulate", "--parks", "1",
                           "--rides", "3", "--days", "1", "--end", "2025-12-05 08:00")
    no_traceback(done)
    assert done.returncode == 0, done.stderr
    count = text("SELECT COUNT(*) FROM park_activity_snapshots")
    with engine.connect() as conn:
        stored = conn.scalar(count)
    assert stored and stored > 200  # a day of 5-minute cycles, less the simulated misses
    done = scen.run_module(engine, "themepark_tracker", "db", "downgrade", "--revision", "011")
    no_traceback(done)
    assert done.returncode == 0, done.stderr
    assert "is at revision 011" in done.stdout
    with engine.connect() as conn:
        tables = set(conn.dialect.get_table_names(conn))
        columns = {c["name"] for c in conn.dialect.get_columns(conn, "park_activity_snapshots")}
        assert conn.scalar(count) == stored
    assert not {"park_hourly_stats", "ride_hourly_stats"} & tables
    assert "rides_operated_today" not in columns and "local_date" in columns

    done = scen.run_module(engine, "themepark_tracker", "simulate", "--parks", "1",
                           "--rides", "3", "--days", "1", "--end", "2025-12-06 08:00")
    no_traceback(done)
    assert done.returncode == 1
    assert "storing snapshots needs schema revision 013, but the database is at 011" \
        in done.stderr
    # At 012 (the quickstart's SQL file) too: ingest also keeps the outages 013 adds.
    assert migrate.upgrade(engine, "012") == "012"
    done = scen.run_module(engine, "themepark_tracker", "simulate", "--parks", "1",
                           "--rides", "3", "--days", "1", "--end", "2025-12-06 08:00")
    no_traceback(done)
    assert done.returncode == 1
    assert "storing snapshots needs schema revision 013, but the database is at 012" \
        in done.stderr
    assert "themepark db upgrade" in done.stderr

    # Back up again: revision 012 computes the dropped columns anew from the ride snapshots,
    # and they agree with the reference derivation.
    assert migrate.upgrade(engine) == migrate.head_revision()
    with engine.connect() as conn:
        assert conn.scalar(count) == stored
        assert ref.derived_mismatches(conn) == []
