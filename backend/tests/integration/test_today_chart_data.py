"""TODAY's chart and score (SPEC §5, §7): finished hours come from park_hourly_stats, the
current, unfinished hour from raw snapshots, so TODAY is never an hour stale; the rankings,
the details and the chart agree. Hand-worked values, on SQLite and MariaDB."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, update

from tests.factories import ingest, make_park, series
from themepark_tracker.aggregate.hourly import aggregate_hour
from themepark_tracker.db import tables as t
from themepark_tracker.queries.charts import park_chart
from themepark_tracker.queries.park_stats import load_parks, period_stats
from themepark_tracker.queries.rankings import park_rankings

I = 5  # noqa: E741 - SPEC's collection interval
NOW = datetime(2025, 7, 1, 11, 22)


def build(engine: Engine) -> None:
    # Weights 3, 2, 1; CLOSED-only park in UTC.
    # 10:00-10:55: 6 × all OPERATING, 3 × ride 1 CLOSED (s = 10*3/6 = 5), 3 × all OPERATING
    #              -> Σs = 15, n = 12, hour score 1.25 -> 1.3
    # 11:00-11:20: 5 × ride 2 CLOSED (s = 10*2/6 = 3.333…) -> Σs = 16.667, n = 5 -> 3.3
    # today: Σs = 31.667, n = 17 -> 1.8627… -> 1.9
    ids = make_park(engine, tiers=(1, 2, 3))
    rows = ["OOO"] * 6 + ["COO"] * 3 + ["OOO"] * 3 + ["OCO"] * 5
    ingest(engine, series(1, datetime(2025, 7, 1, 10, 0), rows, ids))
    aggregate_hour(engine, datetime(2025, 7, 1, 10), I, now=NOW)


def today(engine: Engine, use_hourly: bool = True) -> tuple[float, list[dict], dict]:
    with engine.connect() as conn:
        park = load_parks(conn)[0]
        pp = period_stats(conn, [park], "today", NOW, interval_minutes=I,
                          use_hourly=use_hourly)[park.park_id]
        points = park_chart(conn, park, pp, NOW, interval_minutes=I, use_hourly=use_hourly)
        ranking = park_rankings(conn, "today", NOW, interval_minutes=I, use_hourly=use_hourly)
    return pp.shame_score, points, ranking["data"][0]


def test_today_has_24_points_with_the_current_hour_from_raw(engine: Engine) -> None:
    build(engine)
    score, points, row = today(engine)
    assert len(points) == 24
    assert points[10]["shame_score"] == 1.3  # from park_hourly_stats
    assert points[11]["shame_score"] == 3.3  # the unfinished hour, from raw snapshots
    assert points[11]["rides_down"] == 1 and points[11]["rides_operating"] == 2
    assert all(p["shame_score"] is None for p in points[12:])  # the future


def test_rankings_details_and_chart_agree(engine: Engine) -> None:
    build(engine)
    score, points, row = today(engine)
    assert round(score, 4) == round(31.666666 / 17, 4)
    assert row["shame_score"] == 1.9  # rankings: rounded once, at the end
    # The chart's average as SPEC defines today's score: weighted by open snapshots, not a
    # mean of hourly points ((1.3 + 3.3) / 2 = 2.3 would be wrong).
    assert row["shame_score"] != round((1.3 + 3.3) / 2, 1)
    # Ride 1 counted down in 3 snapshots, ride 2 in 5: 8 × 5 min = 40 min = 0.67 h.
    assert row["total_downtime_hours"] == 0.67
    assert row["rides_down"] == 2


def test_a_stale_hour_is_read_from_raw_not_from_its_old_row(engine: Engine) -> None:
    build(engine)
    with engine.begin() as conn:  # an old, wrong row for 10:00 that ingest has marked stale
        conn.execute(update(t.park_hourly_stats).values(shame_score_sum=99.0))
        conn.execute(t.stale_hours.insert().values(hour_start_utc=datetime(2025, 7, 1, 10),
                                                   marked_at=NOW))
    fast = today(engine)
    assert fast[1][10]["shame_score"] == 1.3
    assert fast == today(engine, use_hourly=False)


def test_rides_gone_from_the_newest_cycles_still_count_today(engine: Engine) -> None:
    """TODAY's distinct rides on the fast path come from the newest park snapshot's running
    counts; rides missing from the newest cycles must count as the raw GROUP BY counts them."""
    ids = make_park(engine, tiers=(1, 2, 3, 2))  # CLOSED-only park in UTC
    # 10:00-10:25 all four operate; 10:30-10:40 ride 2 DOWN (it operated: counted);
    # 10:45-10:55 ride 4 missing; 11:00-11:20 rides 3 and 4 missing (2 of the 4 seen
    # operating: still open by the ride rule).
    rows = ["OOOO"] * 6 + ["ODOO"] * 3 + ["OOO."] * 3 + ["OO.."] * 5
    ingest(engine, series(1, datetime(2025, 7, 1, 10, 0), rows, ids))
    aggregate_hour(engine, datetime(2025, 7, 1, 10), I, now=NOW)
    for use_hourly in (True, False):
        with engine.connect() as conn:
            today_row = park_rankings(conn, "today", NOW, interval_minutes=I,
                                      use_hourly=use_hourly)["data"][0]
            live_row = park_rankings(conn, "live", NOW, interval_minutes=I,
                                     use_hourly=use_hourly)["data"][0]
        # today: all four operated at 10:00; only ride 2 was ever counted down
        assert (today_row["rides_operating"], today_row["rides_down"]) == (4, 1), use_hourly
        # ride 2 down in 3 snapshots × 5 min = 0.25 h
        assert today_row["total_downtime_hours"] == 0.25
        # live: the 11:20 cycle alone, rides 1 and 2 operating
        assert (live_row["rides_operating"], live_row["rides_down"]) == (2, 0), use_hourly
        assert live_row["shame_score"] == 0.0
