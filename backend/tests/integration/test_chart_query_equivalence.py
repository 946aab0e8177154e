"""The read side's two paths agree (seed quickstart step 4, "GREEN"): rankings, park charts
and ride stats read from the hourly/daily tables equal the GROUP BY over raw snapshots, for
every period, on SQLite and MariaDB, whether or not the aggregates are complete."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text

from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.db import tables as t
from themepark_tracker.queries.charts import park_chart
from themepark_tracker.queries.coverage import covered_until
from themepark_tracker.queries.park_stats import load_parks, period_stats
from themepark_tracker.queries.periods import PERIODS, park_window
from themepark_tracker.queries.rankings import park_rankings
from themepark_tracker.queries.rides import ride_period_stats
from themepark_tracker.simulate import simulate

I = 5  # noqa: E741 - the collection interval, as SPEC calls it
END = datetime(2025, 7, 3, 15, 0)
NOW = END + timedelta(minutes=3)


def _both_paths(engine: Engine, period: str) -> tuple[Any, Any]:
    out = []
    for fast in (True, False):
        with engine.connect() as conn:
            ranking = park_rankings(conn, period, NOW, interval_minutes=I, use_hourly=fast,
                                    limit=200)
            parks = load_parks(conn)
            stats = period_stats(conn, parks, period, NOW, interval_minutes=I,
                                 use_hourly=fast)
            charts = {p.park_id: park_chart(conn, p, stats[p.park_id], NOW,
                                            interval_minutes=I, use_hourly=fast)
                      for p in parks}
            rides = {k: v.summary(I) for k, v in ride_period_stats(
                conn, parks, period, NOW, interval_minutes=I, use_hourly=fast).items()}
        out.append((ranking, charts, rides))
    return out[0], out[1]


@pytest.fixture
def simulated(engine: Engine) -> Engine:
    """Five parks in five time zones (Asia/Kolkata among them, down-reporting and CLOSED-only
    parks both), three days to END. One simulation per test: keep the tests few and wide."""
    simulate(engine, parks=5, rides=40, days=3, seed=7, end=END, interval_minutes=I)
    return engine


def _aggregate_all(engine: Engine) -> None:
    backfill(engine, I, start=END - timedelta(days=5), end=END - timedelta(hours=1), now=NOW)
    run_daily(engine, I, now=NOW)
    # Otherwise "the paths agree" could hold only because the fast path fell back to raw.
    with engine.connect() as conn:
        assert covered_until(conn, END - timedelta(days=3), NOW) == END
        zones = {p.park_id: p.timezone for p in load_parks(conn)}
        marked = conn.execute(select(t.stale_days.c.park_id, t.stale_days.c.local_date)).all()
    # Only each park's unfinished local day is still waiting.
    assert all(day == park_window("today", zones[p], NOW).first_date for p, day in marked)


def test_fully_aggregated_paths_agree(simulated: Engine) -> None:
    _aggregate_all(simulated)
    for period in PERIODS:
        fast, raw = _both_paths(simulated, period)
        assert fast == raw, period
        if period != "live":
            assert fast[0]["aggregate_stats"]["parks_open"] >= 3, "the data must rank parks"


def test_paths_agree_with_nothing_aggregated(simulated: Engine) -> None:
    """The fast path falls back to raw snapshots for whatever is not aggregated yet."""
    for period in ("today", "yesterday", "last_week"):
        fast, raw = _both_paths(simulated, period)
        assert fast == raw, period


def test_paths_agree_when_hours_are_stale_or_missing(simulated: Engine) -> None:
    _aggregate_all(simulated)
    with simulated.begin() as conn:
        # Corrupt an hour's rows and mark it stale (as late data would): the fast path must
        # not read it. Drop the last six hours' rows entirely: it must read raw instead.
        stale_hour = END - timedelta(hours=5)
        conn.execute(text("UPDATE park_hourly_stats SET shame_score_sum = shame_score_sum + 50, "
                          "down_snapshots = down_snapshots + 7 WHERE hour_start_utc = :h"),
                     {"h": stale_hour})
        conn.execute(insert(t.stale_hours).values(hour_start_utc=stale_hour, marked_at=NOW))
        conn.execute(text("DELETE FROM park_hourly_stats WHERE hour_start_utc >= :h"),
                     {"h": END - timedelta(hours=3)})
        conn.execute(text("DELETE FROM ride_hourly_stats WHERE hour_start_utc >= :h"),
                     {"h": END - timedelta(hours=3)})
        pd = t.park_daily_stats
        stale_day = conn.execute(select(pd.c.park_id, pd.c.stat_date)
                                 .order_by(pd.c.stat_date.desc(), pd.c.park_id).limit(1)).one()
        conn.execute(text("UPDATE park_daily_stats SET shame_score_sum = 999 "
                          "WHERE park_id = :p AND stat_date = :d"),
                     {"p": stale_day.park_id, "d": stale_day.stat_date})
        conn.execute(insert(t.stale_days).values(park_id=stale_day.park_id,
                                                 local_date=stale_day.stat_date, marked_at=NOW))
    for period in ("today", "yesterday", "last_week"):
        fast, raw = _both_paths(simulated, period)
        assert fast == raw, period


def test_today_charts_have_one_point_per_local_hour(simulated: Engine) -> None:
    _aggregate_all(simulated)
    fast, _ = _both_paths(simulated, "today")
    with simulated.connect() as conn:
        zones = {p.park_id: p.timezone for p in load_parks(conn)}
    for park_id, points in fast[1].items():
        assert len(points) == 24, zones[park_id]  # no DST change on 2025-07-03
        future = [p for p in points if p["hour_start_utc"] > NOW.strftime("%Y-%m-%dT%H:%M:%SZ")]
        assert future and all(p["shame_score"] is None for p in future)
    kolkata = [pid for pid, z in zones.items() if z == "Asia/Kolkata"]
    assert kolkata, "the simulation should include a half-hour zone"
    # Local clock hours of a +05:30 park start at :30 UTC.
    assert fast[1][kolkata[0]][0]["hour_start_utc"].endswith(":30:00Z")
    assert fast[1][kolkata[0]][0]["label"] == "00:00"
