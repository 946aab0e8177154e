"""Backfill (seed quickstart step 3) on SQLite and MariaDB: the range it takes, its rows (the
same as hour-by-hour runs give), its log lines, refusals, and a failing hour."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, Engine, delete, select, text

from tests import reference as ref
from tests import scenarios as scen
from tests.factories import cycle, ingest, make_park, series
from themepark_tracker.aggregate import backfill as backfill_module
from themepark_tracker.aggregate.backfill import (
    BackfillFailed,
    backfill,
    day_chunks,
    resolve_range,
)
from themepark_tracker.aggregate.hourly import aggregate_hour, run_hourly
from themepark_tracker.cli import main
from themepark_tracker.db import tables as t
from themepark_tracker.errors import UserError
from themepark_tracker.timeutil import floor_hour, utcnow

H = timedelta(hours=1)
FIRST, NEWEST = datetime(2025, 11, 28, 8), datetime(2025, 12, 5, 8)  # the seed's mirror
NOW = datetime(2025, 12, 5, 8, 5, 12)  # when the seed's example ran


@pytest.fixture(autouse=True)
def _schema_at_head(engine: Engine) -> None:
    scen.at_head(engine)


def later() -> datetime:
    return utcnow() + timedelta(minutes=1)


def seed_week(engine: Engine, every: timedelta = timedelta(hours=1)) -> list[int]:
    """One park, two rides, a cycle every ``every`` from 2025-11-28 08:00 to 2025-12-05 08:00
    (both included), like the quickstart's mirrored week."""
    ids = make_park(engine, 1, tiers=(1, 2))
    n = int((NEWEST - FIRST) / every) + 1
    ingest(engine, series(1, FIRST, ["OO" if k % 7 else "OD" for k in range(n)], ids, every))
    return ids


# --- resolve_range ------------------------------------------------------------------------------


def test_days_7_ends_before_the_hour_of_the_newest_snapshot(engine: Engine) -> None:
    seed_week(engine)
    first, stop = resolve_range(engine, days=7, start=None, end=None, now=NOW)
    assert (first, stop) == (FIRST, NEWEST)
    assert (stop - first) / H == 168
    assert sum((e - s) / H for s, e in day_chunks(first, stop)) == 168
    # the newest snapshot's hour is still collecting: it is left to aggregate-hourly
    assert resolve_range(engine, days=1, start=None, end=None, now=NOW) == (
        NEWEST - timedelta(days=1), NEWEST)
    # never past the current hour, even if the newest snapshot lies ahead of the clock
    assert resolve_range(engine, days=1, start=None, end=None, now=datetime(2025, 12, 5, 6, 59)
                         ) == (datetime(2025, 12, 4, 6), datetime(2025, 12, 5, 6))


def test_start_and_end_are_both_included(engine: Engine) -> None:
    seed_week(engine)
    assert resolve_range(engine, days=None, start=datetime(2025, 12, 1, 3),
                         end=datetime(2025, 12, 1, 5), now=NOW) == (
        datetime(2025, 12, 1, 3), datetime(2025, 12, 1, 6))
    # --start alone runs to the current hour; --end alone from the oldest snapshot
    assert resolve_range(engine, days=None, start=datetime(2025, 12, 5, 1), end=None, now=NOW
                         ) == (datetime(2025, 12, 5, 1), NEWEST)
    assert resolve_range(engine, days=None, start=None, end=datetime(2025, 11, 28, 9), now=NOW
                         ) == (FIRST, datetime(2025, 11, 28, 10))


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (None, datetime(2025, 12, 5, 8), "--end 2025-12-05 08:00:00 has not finished yet"),
        (datetime(2025, 12, 2), datetime(2025, 12, 1), "empty range"),
        (datetime(2025, 12, 1, 3), datetime(2025, 12, 1, 5),
         "No snapshots found between 2025-12-01 03:00:00 and 2025-12-01 06:00:00 UTC (the "
         "database holds 2025-11-28 08:00:00 to 2025-12-05 08:00:00)"),
    ],
)
def test_ranges_that_cannot_be_backfilled_are_refused(
    engine: Engine, start: datetime | None, end: datetime | None, message: str,
) -> None:
    ids = make_park(engine, 1, tiers=(1, 2))
    ingest(engine, [cycle(1, FIRST, "OO", ids), cycle(1, NEWEST, "OO", ids)])
    with pytest.raises(UserError) as err:
        resolve_range(engine, days=None, start=start, end=end, now=NOW)
    assert message in str(err.value)


def test_an_empty_database_says_no_snapshots_found(engine: Engine) -> None:
    with pytest.raises(UserError) as err:
        backfill(engine, 5, days=7, now=NOW)
    assert str(err.value).startswith("No snapshots found")
    with engine.connect() as conn:  # refused before anything was logged or locked
        assert conn.execute(select(t.aggregation_log)).all() == []
        assert conn.execute(select(t.job_locks)).all() == []


# --- the rows: backfill == hour by hour ---------------------------------------------------------


def contents(conn: Connection) -> dict[str, list[tuple[object, ...]]]:
    ignore = ("id", "created_at", "updated_at")
    return {tb.name: ref.table_contents(conn, tb, ignore)
            for tb in (t.park_hourly_stats, t.ride_hourly_stats)}


def test_backfill_rows_are_identical_to_hour_by_hour_runs(engine: Engine) -> None:
    start, end = datetime(2025, 11, 1, 19), datetime(2025, 11, 2, 7)  # crosses a UTC midnight
    parks = (scen.WORLD_PARKS[2], scen.WORLD_PARKS[3])  # New York (DST night), Kolkata
    scen.build_world(engine, parks=parks, start=start, end=end, every=10)
    summary = backfill(engine, 5, start=start, end=end - H, now=later())
    assert (summary.start, summary.end, summary.failed_hours) == (start, end, [])
    with engine.connect() as conn:
        by_backfill = contents(conn)
    with engine.begin() as conn:
        conn.execute(delete(t.park_hourly_stats))
        conn.execute(delete(t.ride_hourly_stats))
    hour = start
    while hour < end:
        aggregate_hour(engine, hour, 5, now=later())
        hour += H
    with engine.connect() as conn:
        by_hour = contents(conn)
    assert by_hour == by_backfill
    hours = int((end - start) / H)
    assert len(by_hour["park_hourly_stats"]) == summary.park_hours == 2 * hours
    assert len(by_hour["ride_hourly_stats"]) == summary.ride_hours == (4 + 3) * hours
    ref.assert_hourly_match_reference(engine, start, end, 5)


def test_backfill_logs_each_hour_newest_first_and_the_seed_summary(
    engine: Engine, caplog: pytest.LogCaptureFixture,
) -> None:
    seed_week(engine)
    caplog.set_level(logging.INFO, logger="themepark_tracker")
    summary = backfill(engine, 5, days=7, now=NOW)
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "Starting hourly backfill for last 7 days"
    assert lines[1] == "Backfilling hours 2025-12-05 00:00:00 to 2025-12-05 08:00:00"
    hour_lines = [m for m in lines if m.startswith("Hour ")]
    assert hour_lines[0] == "Hour 2025-12-05 07:00:00: 1 parks, 2 rides processed"
    assert "Hour 2025-12-04 23:00:00: 1 parks, 2 rides processed" in hour_lines
    assert hour_lines[-1] == "Hour 2025-11-28 08:00:00: 1 parks, 2 rides processed"
    assert len(hour_lines) == 168
    assert lines[-1] == "Backfill complete: 168 park hours, 336 ride hours"
    assert (summary.park_hours, summary.ride_hours, summary.hours_done) == (168, 336, 168)
    with engine.connect() as conn:
        log = conn.execute(select(t.aggregation_log)).mappings().one()
        seed_check = conn.execute(text(
            "SELECT COUNT(*), MIN(hour_start_utc), MAX(hour_start_utc) FROM park_hourly_stats"
        )).one()
    assert (log["aggregation_type"], log["target_period"], log["status"],
            log["parks_processed"], log["rides_processed"]) == (
        "backfill", "2025-11-28 08:00:00 to 2025-12-05 08:00:00", "success", 168, 336)
    assert (seed_check[0], str(seed_check[1]), str(seed_check[2])) == (
        168, "2025-11-28 08:00:00", "2025-12-05 07:00:00")


# --- refusals and failures ----------------------------------------------------------------------


def test_an_unfinished_hour_is_refused_with_a_clear_message(engine: Engine) -> None:
    ids = make_park(engine, 1, tiers=(1, 2))
    hour = floor_hour(utcnow())
    ingest(engine, series(1, hour, ["OO", "OD"], ids))
    for call in (lambda: aggregate_hour(engine, hour, 5, now=hour + timedelta(minutes=30)),
                 lambda: run_hourly(engine, 5, hour=hour, now=hour + timedelta(minutes=30))):
        with pytest.raises(UserError) as err:
            call()
        assert f"hour {hour:%Y-%m-%d %H:%M:%S} has not finished yet" in str(err.value)
        assert "--force" in str(err.value)
    with engine.connect() as conn:
        assert conn.execute(select(t.park_hourly_stats)).all() == []
        assert conn.execute(select(t.aggregation_log)).all() == []
        assert conn.execute(select(t.job_locks)).all() == []  # the lock was released
    # --force takes the partial hour
    assert aggregate_hour(engine, hour, 5, force=True, now=hour + timedelta(minutes=30)).parks == 1


BAD = datetime(2025, 12, 4, 13)


@pytest.fixture
def failing_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the statements of the UTC hour BAD fail for real: whenever backfill aggregates a
    range holding BAD, a broken SQL statement runs first inside its transaction (the only
    monkeypatching here: it wraps backfill's reference to aggregate_range)."""
    real = backfill_module.aggregate_range

    def flaky(conn: Connection, start: datetime, end: datetime, *args: object,
              **kwargs: object) -> object:
        if start <= BAD < end:
            conn.execute(text("SELECT no_such_column FROM park_hourly_stats"))
        return real(conn, start, end, *args, **kwargs)

    monkeypatch.setattr(backfill_module, "aggregate_range", flaky)


def test_a_failing_hour_is_logged_and_the_others_are_done(
    engine: Engine, failing_hour: None, caplog: pytest.LogCaptureFixture,
) -> None:
    ids = make_park(engine, 1, tiers=(1, 2, 3))
    start = datetime(2025, 12, 4, 10)
    ingest(engine, series(1, start, ["OOO", "ODO", "OOO"] * 7, ids, timedelta(minutes=20)))
    caplog.set_level(logging.INFO, logger="themepark_tracker")
    with pytest.raises(BackfillFailed) as err:
        backfill(engine, 5, start=start, end=start + 6 * H, now=later())
    assert str(err.value) == ("Backfill complete: 6 park hours, 18 ride hours; "
                              "1 hour(s) FAILED: 2025-12-04 13:00:00")
    pht = t.park_hourly_stats
    with engine.connect() as conn:
        done = sorted(conn.execute(select(pht.c.hour_start_utc)).scalars())
        log = conn.execute(select(t.aggregation_log)).mappings().one()
        assert conn.execute(select(t.job_locks)).all() == []
    assert done == [start + k * H for k in range(7) if start + k * H != BAD]
    assert (log["aggregation_type"], log["status"], log["parks_processed"],
            log["rides_processed"]) == ("backfill", "failure", 6, 18)
    assert "1 hour(s) FAILED: 2025-12-04 13:00:00" in log["error_message"]
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith("Hour 2025-12-04 13:00:00 failed: ")
    assert any(r.levelno == logging.WARNING and "retrying one by one" in r.getMessage()
               for r in caplog.records)
    ref.assert_hourly_match_reference(engine, start, BAD, 5)
    ref.assert_hourly_match_reference(engine, BAD + H, start + 7 * H, 5)


def test_the_backfill_command_exits_non_zero_when_an_hour_failed(
    engine: Engine, failing_hour: None,
) -> None:
    ids = make_park(engine, 1, tiers=(1, 2, 3))
    ingest(engine, series(1, BAD - H, ["OOO"] * 9, ids, timedelta(minutes=20)))
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        main, ["backfill-hourly", "--start", "2025-12-04 12:00:00", "--end",
               "2025-12-04 14:00:00"], env={"DATABASE_URL": url})
    assert result.exit_code == 1
    assert "1 hour(s) FAILED: 2025-12-04 13:00:00" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
