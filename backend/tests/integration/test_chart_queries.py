"""Chart queries on the reference path (seed quickstart step 4: "existing chart tests, should
pass with the old GROUP BY implementation"): USE_HOURLY_TABLES=false, hand-worked values."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from tests.factories import ingest, make_park, series
from themepark_tracker.queries.charts import park_chart
from themepark_tracker.queries.park_stats import load_parks, period_stats

I = 5  # noqa: E741 - SPEC's collection interval
DAY = datetime(2025, 7, 1)  # a UTC park: local hours are UTC hours


def chart(engine: Engine, period: str, now: datetime, *, use_hourly: bool) -> list[dict]:
    with engine.connect() as conn:
        park = load_parks(conn)[0]
        pp = period_stats(conn, [park], period, now, interval_minutes=I, use_hourly=use_hourly)
        return park_chart(conn, park, pp[park.park_id], now, interval_minutes=I,
                          use_hourly=use_hourly)


@pytest.fixture
def one_hour_of_data(engine: Engine) -> Engine:
    # Weights 3, 2, 1 (tiers 1, 2, 3). A CLOSED-only park. 10:00-10:55, twelve cycles:
    #   cycles 0-5:  all three OPERATING                      -> s = 0
    #   cycles 6-8:  ride 1 CLOSED after operating -> down 3  -> s = 10*3/6 = 5.0
    #   cycles 9-11: all OPERATING                           -> s = 0
    # Hour 10: Σs = 15, n = 12 -> 1.25 -> 1.3 (half up). Waits: none given.
    ids = make_park(engine, tiers=(1, 2, 3))
    rows = ["OOO"] * 6 + ["COO"] * 3 + ["OOO"] * 3
    ingest(engine, series(1, DAY.replace(hour=10), rows, ids))
    return engine


def test_reference_path_yesterday_chart_is_hand_worked(one_hour_of_data: Engine) -> None:
    points = chart(one_hour_of_data, "yesterday", DAY + timedelta(days=1, hours=3),
                   use_hourly=False)
    assert len(points) == 24
    assert [p["label"] for p in points[9:12]] == ["09:00", "10:00", "11:00"]
    ten = points[10]
    assert ten["hour_start_utc"] == "2025-07-01T10:00:00Z"
    assert ten["shame_score"] == 1.3
    assert ten["rides_operating"] == 3 and ten["rides_down"] == 1
    # No data in the other hours: null, never zero.
    assert all(p["shame_score"] is None for i, p in enumerate(points) if i != 10)


def test_reference_path_marks_future_hours_null(one_hour_of_data: Engine) -> None:
    now = DAY.replace(hour=10, minute=57)
    points = chart(one_hour_of_data, "today", now, use_hourly=False)
    assert points[10]["shame_score"] == 1.3  # the current, unfinished hour is included
    assert all(p["shame_score"] is None and p["rides_operating"] is None
               for p in points[11:])


def test_local_hour_offsets_do_not_share_a_compiled_statement(engine: Engine) -> None:
    """SQLAlchemy caches compiled SQL by statement shape; an hour offset that was a bound
    value let a +05:30 park's chart reuse the SQL compiled for a whole-hour park (found by
    test_api_contract: Kolkata's hours came back empty after another park's chart)."""
    from themepark_tracker.aggregate import scopes
    from themepark_tracker.aggregate import sql as agg

    ids = make_park(engine, tiers=(1, 2))
    ingest(engine, series(1, datetime(2025, 7, 1, 10, 40), ["OO"] * 4, ids))
    with engine.connect() as conn:
        def buckets(offset: int) -> list[datetime]:
            scope = scopes.local_hours(1, datetime(2025, 7, 1, 9), datetime(2025, 7, 1, 12),
                                    offset)
            return sorted(r["bucket"] for r in conn.execute(
                agg.park_rows_select(scope), {"interval_minutes": 5}).mappings())

        # 10:40, 10:45, 10:50, 10:55: one UTC hour (10:00), one clock hour from 10:30.
        assert buckets(0) == [datetime(2025, 7, 1, 10, 0)]
        assert buckets(30) == [datetime(2025, 7, 1, 10, 30)]
        assert buckets(0) == [datetime(2025, 7, 1, 10, 0)]
