"""The long and dated periods (SPEC §5, §7): ``date``, ``range``, ``last_90_days`` and
``last_365_days``, on the SPEC §2 world (a Kolkata park, New York across its 25-hour DST day).

- Rankings == details for every park, each figure == an independent recomputation from the
  raw snapshots (tests/reference_periods.py), with the hourly tables and without; each park's
  covered dates and, where it is not ranked, why.
- Charts: hourly for a date (25 points on the DST day), one point per local date up to 90
  dates, one per ISO week beyond, each point the mean of its open days' values.
- The fast path answers exactly what the reference path answers.
- Bad dates are a 400 envelope naming the parameter.

SQLite and MariaDB."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from tests.reference_periods import Expected, expected_periods
from tests.scenarios import WORLD_INTERVAL, WORLD_START, at_head, build_world
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.db import tables as t
from themepark_tracker.metrics import round_half_up

I = WORLD_INTERVAL  # noqa: E741
#: 20:03 UTC on 2025-11-02: Kolkata is already at 01:33 on 11-03 (the latest local date any
#: park has reached); every other park is still on 11-02.
NOW = datetime(2025, 11, 2, 20, 3)
#: A day later: New York's 25-hour 2025-11-02 is a whole past date everywhere.
LATER = datetime(2025, 11, 3, 16, 3)
D = date.fromisoformat

#: (now, period, date parameters): a past date; a date that is today in most parks and past
#: in Kolkata; a date only Kolkata has begun (today there); the DST day, past everywhere;
#: a range starting long before the first data; a short range; the long named periods.
CASES = [
    (NOW, "date", {"date": "2025-11-01"}),
    (NOW, "date", {"date": "2025-11-02"}),
    (NOW, "date", {"date": "2025-11-03"}),
    (LATER, "date", {"date": "2025-11-02"}),
    (NOW, "range", {"from": "2025-10-20", "to": "2025-11-02"}),
    (LATER, "range", {"from": "2025-11-01", "to": "2025-11-02"}),
    (LATER, "last_90_days", {}),
    (LATER, "last_365_days", {}),
]
IDS = [f"{p}-{'-'.join(d.values()) or now.date()}" for now, p, d in CASES]


@pytest.fixture
def world(engine: Engine) -> Engine:
    """The world, aggregated as far as NOW: at LATER, New York's, Paris's and the UTC
    parks' 11-02 and everything after NOW come from the raw snapshots."""
    at_head(engine)
    build_world(engine)
    backfill(engine, I, start=WORLD_START, end=datetime(2025, 11, 2, 20))
    run_daily(engine, I, now=NOW)
    return engine


def url(path: str, period: str, dates: dict[str, str], **extra: Any) -> str:
    return f"{path}?{urlencode({'period': period, **dates, **extra})}"


def expected_for(engine: Engine, now: datetime, period: str, dates: dict[str, str]
                 ) -> dict[int, Expected]:
    first = D(dates.get("date", dates.get("from", "1970-01-01")))
    last = D(dates.get("date", dates.get("to", "1970-01-01")))
    with engine.connect() as conn:
        return expected_periods(conn, I, now, period, first, last)


def hours_in_local_day(day: date, timezone: str) -> int:
    zone = ZoneInfo(timezone)
    start = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone).astimezone(UTC)
    return int((end - start).total_seconds() // 3600)


def check_chart(details: dict[str, Any], want: Expected, period: str, timezone: str) -> None:
    chart = details["chart_data"]
    assert want.dates is not None
    if period == "date":
        assert details["chart_granularity"] == "hour"
        assert len(chart) == hours_in_local_day(want.dates[0], timezone)
        return
    scores = want.daily_scores
    assert details["days_open"] == len(scores)
    if len(want.dates) <= 90:
        assert details["chart_granularity"] == "day"
        assert [p["date"] for p in chart] == [d.isoformat() for d in want.dates]
        for point in chart:
            assert point["shame_score"] == round_half_up(scores.get(D(point["date"])), 1)
        return
    # One point per ISO week, Monday to Sunday, cut to the period at both ends.
    assert details["chart_granularity"] == "week"
    weeks: dict[tuple[int, int], list[date]] = {}
    for day in want.dates:
        weeks.setdefault(day.isocalendar()[:2], []).append(day)
    assert [(p["date"], p["last_date"]) for p in chart] == [
        (w[0].isoformat(), w[-1].isoformat()) for w in weeks.values()]
    for point, week in zip(chart, weeks.values(), strict=True):
        open_days = [scores[d] for d in week if d in scores]
        assert point["days_open"] == len(open_days)
        assert point["shame_score"] == round_half_up(
            sum(open_days) / len(open_days) if open_days else None, 1)
    # The period's score is the mean over all open days: the weeks weighted by open days.
    weighted = [(sum(scores[d] for d in w if d in scores), sum(d in scores for d in w))
                for w in weeks.values()]
    total_days = sum(n for _, n in weighted)
    assert details["shame_score"] == round_half_up(
        sum(s for s, _ in weighted) / total_days if total_days else None, 1)


@pytest.mark.parametrize("use_hourly", [True, False], ids=["fast", "reference"])
@pytest.mark.parametrize(("now", "period", "dates"), CASES, ids=IDS)
def test_rankings_details_and_charts_equal_the_raw_recomputation(
        world: Engine, make_api: Any, now: datetime, period: str, dates: dict[str, str],
        use_hourly: bool) -> None:
    client = make_api(now, collection_interval_minutes=I, use_hourly_tables=use_hourly)
    expected = expected_for(world, now, period, dates)
    one_day = period == "date"
    ranking = client.get(url("/api/parks/downtime", period, dates, limit=200)).get_json()
    ranked = {r["park_id"]: r for r in ranking["data"]}
    assert set(ranked) == {p for p, e in expected.items() if e.reason is None}
    assert {r["park_id"]: r["reason"] for r in ranking["not_ranked"]} == {
        p: e.reason for p, e in expected.items() if e.reason is not None}
    assert ranking["aggregate_stats"]["total_parks"] == len(expected)
    if (now, period, dates.get("date")) == (NOW, "date", "2025-11-03"):
        assert ranked.keys() == {4}  # only Kolkata has reached 11-03 (it is its today)
    zones = dict(world.connect().execute(select(t.parks.c.park_id, t.parks.c.timezone)).all())
    for park_id, want in expected.items():
        details = client.get(url(f"/api/parks/{park_id}/details", period, dates)).get_json()
        figures = want.figures(one_day, I)
        got = {k: details[k] for k in figures}
        assert got == figures, (park_id, got, figures)
        assert details["not_ranked_reason"] == want.reason
        if park_id in ranked:
            assert {k: ranked[park_id][k] for k in figures} == figures
            assert (ranked[park_id]["first_date"], ranked[park_id]["last_date"]) == (
                details["first_date"], details["last_date"])
        if want.dates is None:
            continue
        assert (details["first_date"], details["last_date"]) == (
            want.dates[0].isoformat(), want.dates[-1].isoformat())
        check_chart(details, want, period, zones[park_id])
    rides = client.get(url("/api/rides/downtime", period, dates, limit=200)).get_json()
    assert rides["data"], "rides with data in every case"
    for row in rides["data"]:
        want = expected[row["park_id"]]
        assert row["downtime_hours"] == want.ride_downtime(row["ride_id"], I), row


@pytest.mark.parametrize(("now", "period", "dates"), CASES, ids=IDS)
def test_fast_path_equals_reference_path(world: Engine, make_api: Any, now: datetime,
                                         period: str, dates: dict[str, str]) -> None:
    fast = make_api(now, collection_interval_minutes=I, use_hourly_tables=True)
    slow = make_api(now, collection_interval_minutes=I, use_hourly_tables=False)
    with world.connect() as conn:
        parks = list(conn.execute(select(t.parks.c.park_id)).scalars())
        rides = list(conn.execute(select(t.rides.c.ride_id)).scalars())[::3]
    paths = ["/api/parks/downtime", "/api/parks/waittimes", "/api/rides/downtime",
             "/api/rides/waittimes",
             *(f"/api/parks/{p}/details" for p in parks),
             *(f"/api/rides/{r}/details" for r in rides)]
    for path in paths:
        a, b = fast.get(url(path, period, dates)), slow.get(url(path, period, dates))
        assert a.status_code == b.status_code
        assert a.get_json() == b.get_json(), path


#: (query, the parameter the 400 names, a part of its message)
BAD = [
    ({"period": "date"}, "date", "needs date"),
    ({"period": "date", "date": "2025-13-01"}, "date", "YYYY-MM-DD"),
    ({"period": "date", "date": "20251101"}, "date", "YYYY-MM-DD"),
    ({"period": "date", "date": "yesterday"}, "date", "YYYY-MM-DD"),
    ({"period": "date", "date": "2025-11-04"}, "date", "up to 2025-11-03"),
    ({"period": "today", "date": "2025-11-01"}, "date", "only with period=date"),
    ({"period": "range", "from": "2025-11-01"}, "to", "needs to"),
    ({"period": "range", "to": "2025-11-01"}, "from", "needs from"),
    ({"period": "range", "from": "2025-11-02", "to": "2025-11-01"}, "from", "on or before"),
    ({"period": "range", "from": "2024-10-31", "to": "2025-11-01"}, "to", "at most 366"),
    ({"period": "range", "from": "2025-11-01", "to": "2025-11-03"}, "to", "up to 2025-11-02"),
    ({"period": "last_week", "from": "2025-11-01"}, "from", "only with period=range"),
    # Local midnight of 0001-01-01 east of UTC is before datetime's year 1: not a 500.
    ({"period": "date", "date": "0001-01-01"}, "date", "from 1970-01-01"),
    ({"period": "range", "from": "0001-01-01", "to": "0001-01-02"}, "from", "from 1970-01-01"),
]


@pytest.mark.parametrize(("query", "parameter", "says"), BAD,
                         ids=[urlencode(q) for q, _, _ in BAD])
def test_bad_dates_are_a_400_naming_the_parameter(world: Engine, make_api: Any,
                                                  query: dict[str, str], parameter: str,
                                                  says: str) -> None:
    client = make_api(NOW, collection_interval_minutes=I)
    for path in ("/api/parks/downtime", "/api/parks/waittimes", "/api/parks/4/details",
                 "/api/rides/downtime", "/api/rides/waittimes", "/api/rides/401/details"):
        response = client.get(f"{path}?{urlencode(query)}")
        assert response.status_code == 400, (path, response.get_data(as_text=True))
        error = response.get_json()["error"]
        assert error["code"] == "invalid_parameter"
        assert error["parameter"] == parameter, (path, error)
        assert says in error["message"], (path, error)


def test_a_range_of_366_days_ending_yesterday_is_accepted(world: Engine, make_api: Any
                                                           ) -> None:
    client = make_api(NOW, collection_interval_minutes=I)
    response = client.get("/api/parks/downtime?period=range&from=2024-11-02&to=2025-11-02")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["first_date"], body["last_date"]) == ("2024-11-02", "2025-11-02")
