"""The long record (issue 14): park and ride histories, records and the rankings' previous
period, each equal to an independent recomputation from the raw snapshots
(tests/reference_history.py), with the hourly tables and without.

A world of ten days in three parks: UTC, New York across its 25-hour DST day 2025-11-02, and
Asia/Kolkata (UTC+5:30, open past local midnight); ranges that start long before the first
data. SQLite and MariaDB."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, select

from tests.reference_history import History
from tests.reference_periods import local_today
from tests.scenarios import WORLD_END, WORLD_INTERVAL, WORLD_PARKS, at_head, build_world
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.db import tables as t
from themepark_tracker.timeutil import zone_of

I = WORLD_INTERVAL  # noqa: E741
START = datetime(2025, 10, 24, 12, 0)
#: Kolkata is on 11-03 already; the others on 11-02 (New York's 25-hour day, in progress).
NOW = datetime(2025, 11, 2, 20, 3)
#: Every park on 11-03: 11-02 is a whole past date everywhere.
LATER = datetime(2025, 11, 3, 16, 3)
D = date.fromisoformat
PARKS = (1, 3, 4)  # UTC, America/New_York, Asia/Kolkata


@pytest.fixture
def world(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Ten days, aggregated as far as NOW: what comes after is read from the raw snapshots.
    Ingest keeps the outages with the world's interval (the settings' one)."""
    monkeypatch.setenv("COLLECTION_INTERVAL_MINUTES", str(I))
    at_head(engine)
    build_world(engine, tuple(p for p in WORLD_PARKS if p.park_id in PARKS), start=START,
                end=WORLD_END)
    backfill(engine, I, start=START, end=datetime(2025, 11, 2, 20))
    run_daily(engine, I, now=NOW)
    return engine


def get(client: Any, path: str, **query: str) -> dict[str, Any]:
    response = client.get(f"{path}?{urlencode(query)}" if query else path)
    assert response.status_code == 200, (path, query, response.get_data(as_text=True))
    body: dict[str, Any] = response.get_json()
    return body


#: (now, from, to): the default (365 dates ending yesterday, from long before the data);
#: a range past New York's and the UTC park's yesterday at NOW (Kolkata has reached it);
#: the DST day alone; a week.
PARK_CASES = [(LATER, None, None), (NOW, "2025-10-20", "2025-11-02"),
              (LATER, "2025-11-02", "2025-11-02"), (LATER, "2025-10-27", "2025-11-02")]


def span(engine: Engine, park_id: int, now: datetime, first: str | None, last: str | None,
         days: int) -> tuple[date, date]:
    with engine.connect() as conn:
        zone = conn.execute(select(t.parks.c.timezone)
                            .where(t.parks.c.park_id == park_id)).scalar_one()
    yesterday = local_today(now, zone_of(zone)) - timedelta(days=1)
    if first is None or last is None:
        return yesterday - timedelta(days=days - 1), yesterday
    return D(first), D(last)


#: The hourly and daily tables, and the raw snapshots alone (the reference path).
PATHS = (True, False)


def test_park_history_equals_the_raw_recomputation_and_the_rankings(
        world: Engine, make_api: Any) -> None:
    """One world for every case (it takes a while to build)."""
    for now, first, last in PARK_CASES:
        for use_hourly in PATHS:
            check_park_history(world, make_api, now, first, last, use_hourly)


def check_park_history(world: Engine, make_api: Any, now: datetime, first: str | None,
                       last: str | None, use_hourly: bool) -> None:
    client = make_api(now, collection_interval_minutes=I, use_hourly_tables=use_hourly)
    with world.connect() as conn:
        ref = History(conn, I, now)
    dates = {"from": first, "to": last} if first else {}
    for park_id in PARKS:
        body = get(client, f"/api/parks/{park_id}/history", **dates)  # type: ignore[arg-type]
        a, b = span(world, park_id, now, first, last, 365)
        assert (body["from"], body["to"]) == (a.isoformat(), b.isoformat())
        want = ref.park(park_id, a, b)
        assert len(body["days"]) == (b - a).days + 1
        for got, expected in zip(body["days"], want["days"], strict=True):
            assert got == expected, (park_id, got, expected)
        assert {k: body[k] for k in ("score", "previous", "change")} == {
            k: want[k] for k in ("score", "previous", "change")}
        # rankings == history: the range's score is the rankings' range score.
        ranking = get(client, "/api/parks/downtime", period="range", **{
            "from": a.isoformat(), "to": b.isoformat()}, limit="200")
        ranked = {r["park_id"]: r["shame_score"] for r in ranking["data"]}
        assert body["score"] == ranked.get(park_id), park_id
    if first is None:
        assert any(d["shame_score"] is not None for d in body["days"]), "data in the default"


RIDE_CASES = [(LATER, None, None), (NOW, "2025-10-20", "2025-11-02")]


def test_ride_history_equals_the_raw_recomputation(world: Engine, make_api: Any) -> None:
    for now, first, last in RIDE_CASES:
        for use_hourly in PATHS:
            check_ride_history(world, make_api, now, first, last, use_hourly)


def check_ride_history(world: Engine, make_api: Any, now: datetime, first: str | None,
                       last: str | None, use_hourly: bool) -> None:
    client = make_api(now, collection_interval_minutes=I, use_hourly_tables=use_hourly)
    with world.connect() as conn:
        ref = History(conn, I, now)
        rides = conn.execute(select(t.rides.c.ride_id, t.rides.c.park_id)
                             .where(t.rides.c.category == "ATTRACTION")).all()
    dates = {"from": first, "to": last} if first else {}
    outages = 0
    for ride_id, park_id in rides:
        body = get(client, f"/api/rides/{ride_id}/history", **dates)  # type: ignore[arg-type]
        a, b = span(world, park_id, now, first, last, 90)
        assert (body["from"], body["to"], body["outages_reason"]) == (
            a.isoformat(), b.isoformat(), None)
        want = ref.ride(ride_id, a, b)
        for got, expected in zip(body["days"], want["days"], strict=True):
            assert got == expected, (ride_id, got, expected)
        assert body["rank"] == want["rank"], ride_id
        assert body["uptime_percentage"] == want["uptime_percentage"]
        outages += sum(d["outages"] for d in body["days"])
    assert outages > 10, "the world has outages to count"


#: (now, period, dates): named periods whose previous one has data or not; the DST day
#: against the day before; a range from before the first data; a Kolkata-only date.
RECORD_CASES = [(LATER, "last_week", {}), (LATER, "date", {"date": "2025-11-02"}),
                (LATER, "range", {"from": "2025-10-15", "to": "2025-11-02"}),
                (NOW, "date", {"date": "2025-11-03"}), (NOW, "today", {}),
                (LATER, "last_365_days", {})]


def _without_names(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in ("ride_name", "park_name")} for r in rows]


def test_records_equal_the_raw_recomputation(world: Engine, make_api: Any) -> None:
    for now, period, dates in RECORD_CASES:
        for use_hourly in PATHS:
            check_records(world, make_api, now, period, dates, use_hourly)


def check_records(world: Engine, make_api: Any, now: datetime, period: str,
                  dates: dict[str, str], use_hourly: bool) -> None:
    client = make_api(now, collection_interval_minutes=I, use_hourly_tables=use_hourly)
    with world.connect() as conn:
        ref = History(conn, I, now)
    first = D(dates.get("date", dates.get("from", "1970-01-01")))
    last = D(dates.get("date", dates.get("to", "1970-01-01")))
    want = ref.records(period, first, last)
    body = get(client, "/api/records", period=period, **dates)
    assert body["worst_days"] == want["worst_days"], (now, period, use_hourly)
    for key in ("longest_outages", "most_downtime", "most_improved"):
        assert _without_names(body[key]) == _without_names(want[key]), key
    for row in body["longest_outages"] + body["most_downtime"]:
        assert row["ride_name"] == ref.ride_names[row["ride_id"]]
        assert row["park_name"] == ref.park_names[row["park_id"]]
    assert body["outages_reason"] is None
    if period == "range":  # every list has rows somewhere
        assert body["longest_outages"] and body["most_downtime"] and body["worst_days"]
    if period == "date" and now == LATER:
        assert body["most_improved"], "11-02 against 11-01: some park improved"


def test_rankings_carry_the_previous_period_for_the_named_periods(
        world: Engine, make_api: Any) -> None:
    for use_hourly in PATHS:
        check_rankings(world, make_api, use_hourly)


def check_rankings(world: Engine, make_api: Any, use_hourly: bool) -> None:
    client = make_api(LATER, collection_interval_minutes=I, use_hourly_tables=use_hourly)
    with world.connect() as conn:
        ref = History(conn, I, LATER)
    seen = 0
    for period, days in (("yesterday", 1), ("last_week", 7), ("last_month", 30)):
        for row in get(client, "/api/parks/downtime", period=period)["data"]:
            dates = ref.dates(row["park_id"], period)
            current = ref.range_score(row["park_id"], dates[0], dates[-1])
            previous = ref.range_score(row["park_id"], dates[0] - timedelta(days=days),
                                       dates[0] - timedelta(days=1))
            want = ref.park(row["park_id"], dates[0], dates[-1])
            assert row["shame_score"] == want["score"]
            assert row["previous_shame_score"] == want["previous"]["score"]
            assert row["shame_score_change"] == want["change"]
            assert (current is None) == (row["shame_score"] is None)
            seen += previous is not None
    assert seen, "some park has a previous period with data"
    for query in ({"period": "today"}, {"period": "live"}, {"period": "date",
                                                            "date": "2025-11-01"},
                  {"period": "range", "from": "2025-10-27", "to": "2025-11-01"}):
        rows = get(client, "/api/parks/downtime", **query)["data"]
        assert rows or query["period"] == "live"
        assert all(r["previous_shame_score"] is None and r["shame_score_change"] is None
                   for r in rows), query
