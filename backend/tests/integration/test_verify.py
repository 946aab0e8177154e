"""``verify`` (SPEC §6: every stored row equals a recomputation from the raw snapshots), as a
library call and as ``themepark verify --days N``, on SQLite and MariaDB.

verify looks at the last N days before the real clock, so the data here is the last 6 hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, select, update

from tests import reference as ref
from tests import scenarios as scen
from tests.factories import cycle, ingest
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.aggregate.hourly import aggregate_hour
from themepark_tracker.aggregate.verify import Mismatch, verify
from themepark_tracker.db import tables as t
from themepark_tracker.timeutil import floor_hour, utcnow

H = timedelta(hours=1)
INTERVAL = 5


def later() -> datetime:
    return utcnow() + timedelta(minutes=1)


def zone_whose_day_ended_hours_ago(now: datetime, hours: int) -> str:
    """An Etc/GMT zone whose local midnight fell ``hours`` whole hours before ``now``'s hour,
    so a few hours of data before now hold the end of one of its local days."""
    midnight_utc_hour = (now.hour - hours) % 24
    offset = (24 - midnight_utc_hour) % 24  # local = UTC + offset
    if offset > 14:
        offset -= 24
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")  # POSIX sign: Etc/GMT-5 is UTC+5


@pytest.fixture
def recent(engine: Engine) -> scen.World:
    """Two parks, a cycle every 10 minutes for the last 6 hours (one park's local day ended 3
    hours ago, so there is a daily row too), aggregated hourly and daily."""
    scen.at_head(engine)
    end = floor_hour(utcnow())
    zone = zone_whose_day_ended_hours_ago(end, 3)
    parks = (
        scen.ParkSpec(1, zone, False, (1, 2, 3, None), day=(0, 24 * 60)),
        scen.ParkSpec(2, "Asia/Kolkata", True, (1, 2, 2), day=(0, 24 * 60)),
    )
    world = scen.build_world(engine, parks=parks, start=end - 6 * H, end=end, every=10)
    scen.date_marks(engine)  # the data arrived before the jobs ran
    backfill(engine, INTERVAL, start=world.start, end=end - H, now=later())
    run_daily(engine, INTERVAL, now=later())
    return world


def verify_cli(engine: Engine) -> tuple[int, str]:
    done = scen.run_module(engine, "themepark_tracker", "verify", "--days", "2")
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout


def test_zone_helper() -> None:
    assert zone_whose_day_ended_hours_ago(datetime(2026, 1, 1, 3), 3) == "Etc/GMT"
    assert zone_whose_day_ended_hours_ago(datetime(2026, 1, 1, 2), 3) == "Etc/GMT-1"  # 23 UTC
    assert zone_whose_day_ended_hours_ago(datetime(2026, 1, 1, 8), 3) == "Etc/GMT+5"  # 05 UTC


def test_clean_data_verifies(engine: Engine, recent: scen.World) -> None:
    report = verify(engine, INTERVAL, days=2)
    assert report.ok, report.describe()
    assert report.mismatches == [] and report.pending_hours == 0
    with engine.connect() as conn:
        daily = len(conn.execute(select(t.park_daily_stats)).all())
        ride_daily = len(conn.execute(select(t.ride_daily_stats)).all())
    hourly_parks, hourly_rides = ref.assert_hourly_match_reference(
        engine, recent.start, recent.end, INTERVAL)
    assert daily > 0
    assert report.rows_checked == hourly_parks + hourly_rides + daily + ride_daily


def corrupt_score(engine: Engine) -> tuple[int, datetime, float]:
    pht = t.park_hourly_stats
    with engine.connect() as conn:
        row = conn.execute(select(pht.c.park_id, pht.c.hour_start_utc, pht.c.shame_score)
                           .where(pht.c.shame_score > 0).order_by(pht.c.hour_start_utc)
                           .limit(1)).one()
    with engine.begin() as conn:
        conn.execute(update(pht).where(pht.c.park_id == row.park_id,
                                       pht.c.hour_start_utc == row.hour_start_utc)
                     .values(shame_score=pht.c.shame_score + 1))
    return row.park_id, row.hour_start_utc, row.shame_score


def delete_ride_row(engine: Engine) -> tuple[int, datetime]:
    rht = t.ride_hourly_stats
    with engine.connect() as conn:
        ride_id, hour = conn.execute(select(rht.c.ride_id, rht.c.hour_start_utc)
                                     .order_by(rht.c.hour_start_utc.desc(), rht.c.ride_id)
                                     .limit(1)).one()
    with engine.begin() as conn:
        conn.execute(delete(rht).where(rht.c.ride_id == ride_id, rht.c.hour_start_utc == hour))
    return ride_id, hour


def test_the_cli_exits_0_when_clean_and_1_naming_each_mismatch(engine: Engine,
                                                               recent: scen.World) -> None:
    code, out = verify_cli(engine)
    assert code == 0, out
    assert "all match the raw snapshots" in out
    park_id, hour, _ = corrupt_score(engine)
    ride_id, ride_hour = delete_ride_row(engine)
    code, out = verify_cli(engine)
    assert code == 1, out
    assert "2 MISMATCH(ES)" in out
    assert f"park_hourly_stats[{park_id}, {hour:%Y-%m-%d %H:%M:%S}].shame_score: stored" in out
    assert (f"ride_hourly_stats[{ride_id}, {ride_hour:%Y-%m-%d %H:%M:%S}].(row): "
            "stored 'missing', expected 'present'") in out


def test_a_corrupted_score_is_named_by_table_key_and_column(engine: Engine, recent: scen.World
                                                            ) -> None:
    park_id, hour, score = corrupt_score(engine)
    report = verify(engine, INTERVAL, days=2)
    assert not report.ok
    [m] = report.mismatches
    assert (m.table, m.key, m.column) == ("park_hourly_stats", (park_id, hour), "shame_score")
    assert (m.stored, m.expected) == (pytest.approx(score + 1), pytest.approx(score))
    # Re-aggregating the hour repairs it.
    aggregate_hour(engine, hour, INTERVAL, now=later())
    assert verify(engine, INTERVAL, days=2).ok


def test_a_deleted_ride_row_is_reported_missing(engine: Engine, recent: scen.World) -> None:
    ride_id, hour = delete_ride_row(engine)
    report = verify(engine, INTERVAL, days=2)
    assert report.mismatches == [
        Mismatch("ride_hourly_stats", (ride_id, hour), "(row)", "missing", "present")]


def test_a_corrupted_daily_sum_is_reported(engine: Engine, recent: scen.World) -> None:
    pdt = t.park_daily_stats
    with engine.connect() as conn:
        park_id, day = conn.execute(select(pdt.c.park_id, pdt.c.stat_date)
                                    .order_by(pdt.c.stat_date, pdt.c.park_id).limit(1)).one()
    with engine.begin() as conn:
        conn.execute(update(pdt).where(pdt.c.park_id == park_id, pdt.c.stat_date == day)
                     .values(shame_score_sum=pdt.c.shame_score_sum + 0.5))
    report = verify(engine, INTERVAL, days=2)
    assert [(m.table, m.key, m.column) for m in report.mismatches] == [
        ("park_daily_stats", (park_id, day), "shame_score_sum")]


def test_a_wrong_expected_cycle_count_is_reported_and_an_empty_one_is_not(
        engine: Engine, recent: scen.World) -> None:
    """SPEC §12's denominator is checked like the sums; a day aggregated before revision 014
    (the column empty) is not a mismatch: the read side recomputes it."""
    pdt = t.park_daily_stats
    with engine.connect() as conn:
        park_id, day, right = conn.execute(
            select(pdt.c.park_id, pdt.c.stat_date, pdt.c.expected_open_cycles)
            .order_by(pdt.c.stat_date, pdt.c.park_id).limit(1)).one()
    assert right is not None and right > 0
    where = (pdt.c.park_id == park_id) & (pdt.c.stat_date == day)
    with engine.begin() as conn:
        conn.execute(update(pdt).where(where).values(expected_open_cycles=right + 7))
    report = verify(engine, INTERVAL, days=2)
    assert [(m.table, m.key, m.column, m.stored, m.expected) for m in report.mismatches] == [
        ("park_daily_stats", (park_id, day), "expected_open_cycles", right + 7, right)]
    with engine.begin() as conn:
        conn.execute(update(pdt).where(where).values(expected_open_cycles=None))
    assert verify(engine, INTERVAL, days=2).ok


def test_hours_awaiting_reaggregation_are_pending_not_mismatches(engine: Engine,
                                                                recent: scen.World) -> None:
    park_id, hour = 1, recent.start + H
    ids = recent.attractions[park_id]
    # A late cycle at hh:03 (the stored ones are at hh:00, hh:10, ...): the rows of this hour
    # and of the rest of its day are now stale, and marked.
    ingest(engine, [cycle(park_id, hour + timedelta(minutes=3), "D" * len(ids), ids)])
    report = verify(engine, INTERVAL, days=2)
    assert report.ok, report.describe()
    assert report.pending_hours >= 1 and report.pending_days >= 0
    assert "await re-aggregation and were skipped" in report.describe()
