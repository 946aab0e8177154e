"""Hourly chart data (seed quickstart step 4), on SQLite and MariaDB.

Tests of the chart *queries* may be added to this file by their authors in a section of their
own; the section below only covers the aggregation table the charts read.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, text

from tests import reference as ref
from tests import scenarios as scen
from tests.factories import cycle, ingest, make_park, series
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.hourly import aggregate_hour
from themepark_tracker.db import tables as t
from themepark_tracker.timeutil import local_day_bounds, utcnow

H = timedelta(hours=1)


def later() -> datetime:
    return utcnow() + timedelta(minutes=1)


# =================================================================================================
# Aggregation table behind the hourly charts: park_hourly_stats (SPEC §3, §7)
# =================================================================================================


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/New_York", date(2025, 3, 9), 23),  # spring forward
        ("America/New_York", date(2025, 11, 2), 25),  # fall back
        ("Europe/Paris", date(2025, 10, 26), 25),
        ("Europe/Paris", date(2025, 7, 1), 24),
    ],
)
def test_a_local_day_has_one_row_per_utc_hour(engine: Engine, zone: str, day: date, hours: int
                                              ) -> None:
    """A 'today'/'yesterday' chart has one point per hour of the park's local day (24, or 23
    or 25 on DST days); with a cycle every 20 minutes all day, the table has exactly those."""
    scen.at_head(engine)
    ids = make_park(engine, 1, tiers=(1, 2), timezone=zone)
    start, end = local_day_bounds(day, ZoneInfo(zone))
    instants = [start + k * timedelta(minutes=20) for k in range(int((end - start) / H) * 3)]
    ingest(engine, [cycle(1, at, "OO" if 6 <= k % 72 < 50 else "CC", ids, [10, None])
                    for k, at in enumerate(instants)])
    backfill(engine, 5, start=start - H, end=end, now=later())
    pht = t.park_hourly_stats
    with engine.connect() as conn:
        rows = conn.execute(select(pht.c.hour_start_utc, pht.c.snapshot_count)
                            .where(pht.c.park_id == 1).order_by(pht.c.hour_start_utc)).all()
    assert [r.hour_start_utc for r in rows] == [start + k * H for k in range(hours)]
    assert all(r.snapshot_count == 3 for r in rows)
    ref.assert_hourly_match_reference(engine, start, end, 5)


def test_the_seed_verification_query(engine: Engine) -> None:
    """Step 3's check, verbatim: total hours, earliest and latest hour, average snapshots per
    hour (two parks, 5-minute cycles for three hours, one cycle missed)."""
    scen.at_head(engine)
    start = datetime(2025, 12, 5, 5, 0)
    for park_id in (1, 2):
        ids = make_park(engine, park_id, tiers=(1, 2, 3))
        cycles = series(park_id, start, ["OOO"] * 36, ids)
        if park_id == 2:
            del cycles[17]  # 06:25 missed
        ingest(engine, cycles)
    backfill(engine, 5, start=start, end=start + 2 * H, now=later())
    with engine.connect() as conn:
        got = conn.execute(text(
            "SELECT COUNT(*) as total_hours, MIN(hour_start_utc) as earliest_hour, "
            "MAX(hour_start_utc) as latest_hour, AVG(snapshot_count) as avg_snapshots_per_hour "
            "FROM park_hourly_stats")).one()
        per_hour = conn.execute(text(
            "SELECT COUNT(*) as rows_for_hour FROM park_hourly_stats "
            "WHERE hour_start_utc = '2025-12-05 07:00:00'")).scalar()
    assert got.total_hours == 6
    assert str(got.earliest_hour) == "2025-12-05 05:00:00"
    assert str(got.latest_hour) == "2025-12-05 07:00:00"
    assert float(got.avg_snapshots_per_hour) == pytest.approx(71 / 6, abs=1e-4)  # 11.83
    assert per_hour == 2


def test_hour_start_is_a_whole_utc_hour_and_unique_per_park(engine: Engine) -> None:
    scen.at_head(engine)
    ids = make_park(engine, 1, tiers=(1, 2), timezone="Asia/Kolkata")
    # cycles at :02, :07, ... (not on the hour), across local midnight (18:30 UTC)
    start = datetime(2025, 12, 4, 17, 2)
    ingest(engine, series(1, start, ["OO"] * 30, ids))
    backfill(engine, 5, start=start, end=start + 2 * H, now=later())
    backfill(engine, 5, start=start, end=start + 2 * H, now=later())
    pht = t.park_hourly_stats
    with engine.connect() as conn:
        hours = list(conn.execute(select(pht.c.hour_start_utc)).scalars())
        distinct = conn.scalar(select(func.count(pht.c.hour_start_utc.distinct())))
    assert sorted(hours) == [datetime(2025, 12, 4, 17), datetime(2025, 12, 4, 18),
                             datetime(2025, 12, 4, 19)]
    assert distinct == len(hours)
    assert all((h.minute, h.second, h.microsecond) == (0, 0, 0) for h in hours)


def test_closed_hours_carry_nulls_for_the_chart(engine: Engine) -> None:
    """SPEC §7: shame_score null where the park was closed; the row exists (there was data)."""
    scen.at_head(engine)
    ids = make_park(engine, 1, tiers=(1, 2, 3), reports_down=True)
    h = datetime(2025, 12, 5, 3)
    ingest(engine, series(1, h, ["DCC", "CCC", "OCC"], ids))  # night: DOWN, a lone test run
    aggregate_hour(engine, h, 5, now=later())
    with engine.connect() as conn:
        row = ref.stored_rows(conn, t.park_hourly_stats, ("park_id",))[(1,)]
    assert row["park_was_open"] is False
    assert (row["shame_score"], row["avg_wait_time_minutes"], row["effective_park_weight"]) == (
        None, None, None)
    assert (row["rides_operating"], row["rides_down"], row["total_downtime_hours"]) == (0, 0, 0)


def test_chart_values_of_an_open_hour(engine: Engine) -> None:
    """The four values a chart point shows, worked by hand."""
    scen.at_head(engine)
    ids = make_park(engine, 1, tiers=(1, 2, 3, 2), reports_down=True)
    h = datetime(2025, 12, 5, 14)
    ingest(engine, [
        # W = 3+2+1+2 = 8 throughout (ride 4 DOWN before first operation counts).
        cycle(1, h, "OOOD", ids, [40, 20, None, 5]),                      # D 2: s 2.5
        cycle(1, h + timedelta(minutes=5), "OOOO", ids, [50, 20, 10, 5]),  # s 0
        cycle(1, h + timedelta(minutes=10), "DOOO", ids, [15, 30, 10, 5]),  # D 3: s 3.75
    ])
    aggregate_hour(engine, h, 5, now=later())
    with engine.connect() as conn:
        row = ref.stored_rows(conn, t.park_hourly_stats, ("park_id",))[(1,)]
    assert row["shame_score"] == 2.1  # (2.5 + 0 + 3.75) / 3 = 2.0833
    # waits of rides OPERATING while open: 40 20 | 50 20 10 5 | 30 10 5 (the DOWN ride's 5 and
    # 15 are left out) -> 190 / 9 = 21.111 -> 21.11
    assert (row["wait_sum"], row["wait_count"], row["avg_wait_time_minutes"]) == (190, 9, 21.11)
    assert (row["rides_operating"], row["rides_down"]) == (4, 2)
