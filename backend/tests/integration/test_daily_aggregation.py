"""The daily job (SPEC §4) on SQLite and MariaDB.

A daily row holds the sums of every snapshot of the park's *local* day. For a zone whose UTC
offset is a whole number of hours those are exactly the sums of the hourly rows of that day's
UTC hours (23 or 25 of them on DST days); for Asia/Kolkata (UTC+5:30) the first and last UTC
hours straddle local midnight, so only the raw snapshots give the day.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from tests import reference as ref
from tests import scenarios as scen
from tests.factories import ingest, make_park, series
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.db import tables as t
from themepark_tracker.errors import UserError
from themepark_tracker.timeutil import local_day_bounds, utcnow

H = timedelta(hours=1)
INTERVAL = scen.WORLD_INTERVAL

PARK_SUMS = ("snapshot_count", "open_snapshot_count", "shame_score_sum", "down_snapshots",
             "weighted_down_snapshots", "wait_sum", "wait_count")
RIDE_SUMS = ("snapshot_count", "open_snapshot_count", "operating_snapshots", "down_snapshots",
             "wait_sum", "wait_count")


@pytest.fixture(autouse=True)
def _schema_at_head(engine: Engine) -> None:
    scen.at_head(engine)


def later() -> datetime:
    return utcnow() + timedelta(minutes=1)


def aggregate_all(engine: Engine, start: datetime, end: datetime, interval: int) -> None:
    backfill(engine, interval, start=start, end=end - H, now=later())
    run_daily(engine, interval, now=later())


def rows(engine: Engine) -> dict[str, ref.Rows]:
    with engine.connect() as conn:
        return {
            "park_hourly": ref.stored_rows(conn, t.park_hourly_stats,
                                           ("park_id", "hour_start_utc")),
            "ride_hourly": ref.stored_rows(conn, t.ride_hourly_stats,
                                           ("ride_id", "hour_start_utc")),
            "park_daily": ref.stored_rows(conn, t.park_daily_stats, ("park_id", "stat_date")),
            "ride_daily": ref.stored_rows(conn, t.ride_daily_stats, ("ride_id", "stat_date")),
        }


def hourly_sums(hourly: ref.Rows, key: int, hours: list[datetime], columns: tuple[str, ...]
                ) -> dict[str, Any]:
    present = [hourly[(key, h)] for h in hours if (key, h) in hourly]
    return {c: sum(r[c] for r in present) for c in columns}


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(math.isclose(a[c], b[c], rel_tol=0, abs_tol=1e-9) if c == "shame_score_sum"
               else a[c] == b[c] for c in a)


def check_whole_hour_zone(stored: dict[str, ref.Rows], park_id: int, zone: ZoneInfo,
                          ride_ids: list[int]) -> dict[date, int]:
    """Every daily row of the park (and of its rides) == the sums of its day's hourly rows.
    Returns the number of UTC hours in each local day checked."""
    hours_per_day = {}
    for (pid, day), daily in stored["park_daily"].items():
        if pid != park_id:
            continue
        start, end = local_day_bounds(day, zone)
        hours = [start + k * H for k in range(int((end - start) / H))]
        hours_per_day[day] = len(hours)
        want = {c: daily[c] for c in PARK_SUMS}
        got = hourly_sums(stored["park_hourly"], park_id, hours, PARK_SUMS)
        assert same(want, got), (park_id, day, want, got)
        ride_ops = sum(hourly_sums(stored["ride_hourly"], r, hours, ("operating_snapshots",))
                       ["operating_snapshots"] for r in ride_ids)
        assert daily["operating_snapshots"] == ride_ops
        hourly_rows = [stored["park_hourly"][(park_id, h)] for h in hours
                       if (park_id, h) in stored["park_hourly"]]
        weights = [r["effective_park_weight"] for r in hourly_rows
                   if r["effective_park_weight"] is not None]
        assert daily["effective_park_weight"] == max(weights, default=None)
        n = got["open_snapshot_count"]
        assert daily["shame_score"] == (
            ref.round_half_up(got["shame_score_sum"] / n, 1) if n else None)
        for ride_id in ride_ids:
            ride_daily = stored["ride_daily"][(ride_id, day)]
            want = {c: ride_daily[c] for c in RIDE_SUMS}
            assert want == hourly_sums(stored["ride_hourly"], ride_id, hours, RIDE_SUMS)
            maxima = [stored["ride_hourly"][(ride_id, h)]["max_wait_time"] for h in hours
                      if (ride_id, h) in stored["ride_hourly"]]
            assert ride_daily["peak_wait_time"] == max(
                (m for m in maxima if m is not None), default=None)
    return hours_per_day


def test_daily_rows_are_the_hourly_sums_in_whole_hour_zones_and_the_raw_day_in_kolkata(
    engine: Engine,
) -> None:
    world = scen.build_world(engine, parks=scen.WORLD_PARKS[:4])
    aggregate_all(engine, world.start, world.end, INTERVAL)
    with engine.connect() as conn:
        reference = ref.Reference(conn)
    ref.assert_daily_match_reference(engine, INTERVAL, reference=reference)
    stored = rows(engine)

    # UTC, Europe/Paris, America/New_York (whose 2025-11-02 is 25 hours long)
    hours = {spec.park_id: check_whole_hour_zone(stored, spec.park_id, ZoneInfo(spec.timezone),
                                                 world.attractions[spec.park_id])
             for spec in world.parks if spec.timezone != "Asia/Kolkata"}
    assert hours[1][date(2025, 11, 2)] == 24
    assert hours[2][date(2025, 11, 2)] == 24
    assert hours[3][date(2025, 11, 2)] == 25

    # Asia/Kolkata: local 2025-11-02 = [2025-11-01 18:30, 2025-11-02 18:30) UTC.
    kolkata, day = 4, date(2025, 11, 2)
    daily = stored["park_daily"][(kolkata, day)]
    start, end = local_day_bounds(day, ZoneInfo("Asia/Kolkata"))
    assert (start, end) == (datetime(2025, 11, 1, 18, 30), datetime(2025, 11, 2, 18, 30))
    raw_cycles = [c for c in reference.snaps.values()
                  if c.park_id == kolkata and start <= c.at < end]
    assert daily["snapshot_count"] == len(raw_cycles)
    # The 25 UTC hours touching the day hold snapshots of the neighbouring days too; the 23
    # hours wholly inside miss the day's first and last half hours. Neither sum is the day.
    touching = [datetime(2025, 11, 1, 18) + k * H for k in range(25)]
    inside = touching[1:-1]
    over = hourly_sums(stored["park_hourly"], kolkata, touching, PARK_SUMS)
    under = hourly_sums(stored["park_hourly"], kolkata, inside, PARK_SUMS)
    assert over["snapshot_count"] > daily["snapshot_count"] > under["snapshot_count"]
    # ... and the park was open across local midnight (open until 00:30 IST), so the open
    # counts and the shame sums differ as well.
    assert over["open_snapshot_count"] > daily["open_snapshot_count"]
    assert not same({c: daily[c] for c in PARK_SUMS}, over)
    assert not same({c: daily[c] for c in PARK_SUMS}, under)


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [("America/New_York", date(2025, 3, 9), 23), ("Europe/Paris", date(2025, 3, 30), 23),
     ("America/New_York", date(2025, 11, 2), 25)],
)
def test_dst_days_are_the_sums_of_their_23_or_25_hours(engine: Engine, zone: str, day: date,
                                                      hours: int) -> None:
    spec = scen.ParkSpec(1, zone, zone == "Europe/Paris", (1, 2, 3, None), day=(1 * 60, 23 * 60))
    start, end = local_day_bounds(day, ZoneInfo(zone))
    world = scen.build_world(engine, parks=[spec], start=start - 2 * H, end=end + 2 * H, every=15)
    aggregate_all(engine, world.start, world.end, 15)
    ref.assert_hourly_match_reference(engine, world.start, world.end, 15)
    ref.assert_daily_match_reference(engine, 15)
    checked = check_whole_hour_zone(rows(engine), 1, ZoneInfo(zone), world.attractions[1])
    assert checked[day] == hours
    with engine.connect() as conn:
        daily = ref.stored_rows(conn, t.park_daily_stats, ("park_id", "stat_date"))[(1, day)]
    assert daily["park_was_open"] is True
    assert daily["operating_minutes"] == daily["open_snapshot_count"] * 15


# --- the guard against unfinished days ----------------------------------------------------------

D = date(2025, 7, 1)


def test_a_day_that_has_not_ended_is_refused_unless_forced(engine: Engine) -> None:
    ids = make_park(engine, 1, tiers=(1, 2))  # UTC
    ingest(engine, series(1, datetime(2025, 7, 1, 10), ["OO", "OD", "OO"], ids))
    scen.date_marks(engine, datetime(2025, 7, 1, 10, 10))
    noon = datetime(2025, 7, 1, 13)
    with pytest.raises(UserError) as err:
        run_daily(engine, 5, stat_date=D, now=noon)
    assert str(err.value) == ("2025-07-01 has not ended yet in any park's time zone with data "
                              "(use --force to aggregate the partial day anyway)")
    with engine.connect() as conn:
        assert conn.execute(select(t.park_daily_stats)).all() == []
        assert conn.execute(select(t.aggregation_log)).all() == []
    # Without --date, an unfinished day is simply not due yet.
    assert run_daily(engine, 5, now=noon) == []
    # --force takes the partial day.
    [done] = run_daily(engine, 5, stat_date=D, force=True, now=noon)
    assert (done.stat_date, done.parks, done.rides) == (D, 1, 2)
    ref.assert_daily_match_reference(engine, 5)


def test_a_date_is_aggregated_only_where_it_has_ended(engine: Engine) -> None:
    """At 20:00 UTC on 2025-07-01, that date has ended in Kolkata (18:30 UTC) but not in New York
    (04:00 UTC next day): --date 2025-07-01 aggregates Kolkata only (New York is skipped without
    a message; it comes when its day ends)."""
    k = make_park(engine, 1, tiers=(1, 2), timezone="Asia/Kolkata")
    n = make_park(engine, 2, tiers=(1, 2), timezone="America/New_York")
    ingest(engine, series(1, datetime(2025, 7, 1, 6), ["OO", "OD", "OO"], k))
    ingest(engine, series(2, datetime(2025, 7, 1, 15), ["OO", "DO", "OO"], n))
    scen.date_marks(engine, datetime(2025, 7, 1, 15, 15))
    done = run_daily(engine, 5, stat_date=D, now=datetime(2025, 7, 1, 20))
    assert [(d.stat_date, d.parks, d.rides) for d in done] == [(D, 1, 2)]
    with engine.connect() as conn:
        assert list(conn.execute(select(t.park_daily_stats.c.park_id)).scalars()) == [1]
        assert [tuple(r) for r in conn.execute(
            select(t.stale_days.c.park_id, t.stale_days.c.local_date))] == [(2, D)]
    done = run_daily(engine, 5, now=datetime(2025, 7, 2, 4))  # New York's day has ended
    assert [(d.stat_date, d.parks) for d in done] == [(D, 1)]
    with engine.connect() as conn:
        assert sorted(conn.execute(select(t.park_daily_stats.c.park_id)).scalars()) == [1, 2]
    ref.assert_daily_match_reference(engine, 5)


def test_rerunning_a_day_keeps_one_row_and_logs_each_run(engine: Engine) -> None:
    ids = make_park(engine, 1, tiers=(1, 2, 3), timezone="Europe/Paris")
    ingest(engine, series(1, datetime(2025, 7, 1, 9), ["OOO", "DOO", "OCO", "OOO"], ids))
    run_daily(engine, 5, stat_date=D, now=later())
    with engine.connect() as conn:
        first = {tb.name: ref.table_contents(conn, tb)
                 for tb in (t.park_daily_stats, t.ride_daily_stats)}
    run_daily(engine, 5, stat_date=D, now=later())
    with engine.connect() as conn:
        second = {tb.name: ref.table_contents(conn, tb)
                  for tb in (t.park_daily_stats, t.ride_daily_stats)}
        log = conn.execute(select(t.aggregation_log.c.aggregation_type,
                                  t.aggregation_log.c.target_period, t.aggregation_log.c.status,
                                  t.aggregation_log.c.parks_processed,
                                  t.aggregation_log.c.rides_processed)).all()
    assert first == second
    assert (len(first["park_daily_stats"]), len(first["ride_daily_stats"])) == (1, 3)
    assert [tuple(r) for r in log] == [("daily", "2025-07-01", "success", 1, 3)] * 2


def test_daily_hours_are_rounded_from_the_exact_sum_not_summed_from_rounded_hours(
    engine: Engine,
) -> None:
    """The day's *sums* (down_snapshots, ...) are the hourly sums exactly; the derived hours
    are rounded once from them: three hours with one 5-minute down snapshot each store 0.08 h
    each (5/60 = 0.0833), but the day is 15/60 = 0.25 h, not 0.24 h."""
    ids = make_park(engine, 1, tiers=(2, 2, 2), reports_down=True)
    rows_ = (["OOO"] * 5 + ["DOO"] + ["OOO"] * 6) * 3
    ingest(engine, series(1, datetime(2025, 7, 1, 9), rows_, ids))
    aggregate_all(engine, datetime(2025, 7, 1, 9), datetime(2025, 7, 1, 12), 5)
    stored = rows(engine)
    hourly = [r for (p, _), r in stored["park_hourly"].items() if p == 1]
    daily = stored["park_daily"][(1, D)]
    assert [r["total_downtime_hours"] for r in hourly] == [0.08, 0.08, 0.08]
    assert daily["down_snapshots"] == sum(r["down_snapshots"] for r in hourly) == 3
    assert daily["total_downtime_hours"] == 0.25
    assert daily["weighted_downtime_hours"] == 0.5  # 3 x weight 2 x 5 / 60
    ride = stored["ride_daily"][(ids[0], D)]
    assert (ride["down_snapshots"], ride["downtime_hours"]) == (3, 0.25)
    assert ride["uptime_percentage"] == 91.67  # 33 / 36
