"""The data behind a score (issue 15, item 2): GET /api/parks/<id>/evidence lists the rows a
period's score was computed from, or the cycles of one hour, and the listed sums give back the
score shown beside them. Every expected number is worked out by hand in the comments.

SQLite and MariaDB."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.factories import ingest, make_park, series
from themepark_tracker import metrics
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.aggregate.hourly import aggregate_hour
from themepark_tracker.ingest.models import ScheduleRecord

I = 5  # noqa: E741 - SPEC's collection interval
NOW = datetime(2025, 7, 1, 11, 22)


def build(engine: Engine) -> list[int]:
    """Park 1, UTC, closed-only feed, rides 101, 102, 103 of weights 3, 2, 1 (W = 6).

    2025-06-29 10:00-10:55: 8 × all OPERATING, then 4 × ride 101 CLOSED (s = 10·3/6 = 5):
        Σs = 20, n = 12 -> daily 1.666…
    2025-06-30 10:00-10:55: 6 × all OPERATING, then 6 × ride 103 CLOSED (s = 10·1/6):
        Σs = 10, n = 12 -> daily 0.833…
    last_week (06-24 … 06-30): mean of the two open days = 2.5 / 2 = 1.25 -> 1.3.
    2025-07-01 (today) 10:00-10:55: 6 × OPERATING, 3 × ride 101 CLOSED (s = 5), 3 × OPERATING:
        Σs = 15, n = 12 -> hour 1.25 -> 1.3
      11:00-11:20: 5 × ride 102 CLOSED (s = 10·2/6 = 3.333…): Σs = 16.667, n = 5 -> 3.3
      today: Σs = 31.667, n = 17 -> 1.8627… -> 1.9.
    """
    ids = make_park(engine, tiers=(1, 2, 3), name="Hand Park")
    ingest(engine, series(1, datetime(2025, 6, 29, 10), ["OOO"] * 8 + ["COO"] * 4, ids))
    ingest(engine, series(1, datetime(2025, 6, 30, 10), ["OOO"] * 6 + ["OOC"] * 6, ids))
    today = ["OOO"] * 6 + ["COO"] * 3 + ["OOO"] * 3 + ["OCO"] * 5
    ingest(engine, series(1, datetime(2025, 7, 1, 10), today, ids))
    for hour in (datetime(2025, 6, 29, 10), datetime(2025, 6, 30, 10), datetime(2025, 7, 1, 10)):
        aggregate_hour(engine, hour, I, now=NOW)
    run_daily(engine, I, now=NOW)
    return ids


def get(make_api: Any, url: str) -> dict[str, Any]:
    response = make_api(NOW, collection_interval_minutes=I).get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


def test_todays_hours_give_back_the_score_shown(engine: Engine, make_api: Any) -> None:
    build(engine)
    body = get(make_api, "/api/parks/1/evidence?period=today")
    details = get(make_api, "/api/parks/1/details?period=today")
    assert body["granularity"] == "hour" and body["total_rows"] == 24
    hours = {r["hour_start_utc"]: r for r in body["rows"]}
    ten, eleven = hours["2025-07-01T10:00:00Z"], hours["2025-07-01T11:00:00Z"]
    assert (ten["open_snapshot_count"], ten["shame_score_sum"], ten["shame_score"]) == (12, 15, 1.3)
    assert (eleven["open_snapshot_count"], eleven["shame_score"]) == (5, 3.3)
    assert eleven["shame_score_sum"] == pytest.approx(50 / 3, abs=1e-6)
    assert sum(r["open_snapshot_count"] for r in body["rows"]) == 17
    # The arithmetic a reader does with what is listed gives the score shown, and the details.
    listed = sum(r["shame_score_sum"] for r in body["rows"]) / 17
    assert metrics.round_half_up(listed, 1) == body["shame_score"] == details["shame_score"] == 1.9
    assert body["totals"] == {"open_snapshot_count": 17,
                              "shame_score_sum": pytest.approx(95 / 3, abs=1e-6)}


def test_a_week_lists_its_days_and_their_mean_is_the_score(engine: Engine,
                                                           make_api: Any) -> None:
    build(engine)
    body = get(make_api, "/api/parks/1/evidence?period=last_week")
    ranked = get(make_api, "/api/parks/downtime?period=last_week")["data"][0]
    assert body["granularity"] == "day"
    assert [r["date"] for r in body["rows"]] == [f"2025-06-{d}" for d in range(24, 31)]
    days = {r["date"]: r for r in body["rows"]}
    assert days["2025-06-29"]["daily_score"] == pytest.approx(5 / 3, abs=1e-6)
    assert days["2025-06-30"]["daily_score"] == pytest.approx(5 / 6, abs=1e-6)
    assert days["2025-06-28"] == {"date": "2025-06-28", "snapshot_count": 0,
                                  "open_snapshot_count": 0, "shame_score_sum": 0,
                                  "daily_score": None, "park_was_open": False}
    open_days = [r["daily_score"] for r in body["rows"] if r["park_was_open"]]
    assert len(open_days) == body["totals"]["days_open"] == 2
    assert metrics.round_half_up(sum(open_days) / 2, 1) == body["shame_score"] == 1.3
    assert ranked["shame_score"] == 1.3


def test_one_hour_lists_its_cycles_and_matches_the_stored_row(engine: Engine,
                                                              make_api: Any) -> None:
    build(engine)
    body = get(make_api, "/api/parks/1/evidence?hour=2025-07-01T10:00:00Z")
    cycles = body["cycles"]
    assert len(cycles) == 12 and body["reason"] is None
    # 10:30-10:40: ride 101 (tier 1, weight 3) CLOSED after operating: D = 3 of W = 6, s = 5.
    down = [c for c in cycles if c["rides_down"]]
    assert [c["recorded_at"] for c in down] == ["2025-07-01T10:30:00Z", "2025-07-01T10:35:00Z",
                                                "2025-07-01T10:40:00Z"]
    assert down[0]["rides_down"] == [{"ride_id": 101, "ride_name": "Ride 101", "tier": 1,
                                      "weight": 3, "status": "CLOSED"}]
    assert (down[0]["active_weight"], down[0]["down_weight"], down[0]["shame_score"]) == (6, 3, 5)
    # No schedule: open because 2 of the 3 attractions seen OPERATING today are OPERATING.
    assert down[0]["open_reason"] == {"rule": "rides", "window": None, "operating_now": 2,
                                      "seen_operating_today": 3}
    assert cycles[0]["open_reason"]["operating_now"] == 3
    # The cycles give back the stored hourly row: Σs = 15 over 12 open cycles -> 1.3.
    assert body["totals"] == {"cycles": 12, "open_cycles": 12, "shame_score_sum": 15,
                              "shame_score": 1.3}
    assert body["hourly_row"] == {"snapshot_count": 12, "open_snapshot_count": 12,
                                  "shame_score_sum": 15, "shame_score": 1.3}
    assert sum(c["shame_score"] for c in cycles if c["park_open"]) == 15


def test_a_schedule_says_why_the_park_was_open_or_closed(engine: Engine, make_api: Any) -> None:
    # Park 3 opens 10:00-11:00 UTC by its schedule; every ride OPERATING 10:50-11:05.
    window = ScheduleRecord(3, date(2025, 7, 1), datetime(2025, 7, 1, 10),
                            datetime(2025, 7, 1, 11))
    ids = make_park(engine, 3, tiers=(2, 2), schedules=[window])
    ingest(engine, series(3, datetime(2025, 7, 1, 10, 50), ["OO"] * 4, ids))
    ten = get(make_api, "/api/parks/3/evidence?hour=2025-07-01T10:00:00Z")["cycles"]
    assert [c["park_open"] for c in ten] == [True, True]
    assert ten[0]["open_reason"] == {
        "rule": "schedule", "operating_now": None, "seen_operating_today": None,
        "window": {"opening_time_utc": "2025-07-01T10:00:00Z",
                   "closing_time_utc": "2025-07-01T11:00:00Z"}}
    eleven = get(make_api, "/api/parks/3/evidence?hour=2025-07-01T11:00:00Z")
    # Closing time is exclusive: 11:00 and 11:05 are closed, by the schedule, with no s(t).
    assert [(c["park_open"], c["shame_score"]) for c in eleven["cycles"]] == [(False, None)] * 2
    assert eleven["cycles"][0]["open_reason"]["rule"] == "schedule"
    assert eleven["cycles"][0]["open_reason"]["window"] is None
    assert eleven["totals"]["shame_score"] is None


def test_an_hour_without_data_is_an_empty_list_naming_the_hour(engine: Engine,
                                                               make_api: Any) -> None:
    build(engine)
    body = get(make_api, "/api/parks/1/evidence?hour=2024-01-01T03:00:00Z")
    assert body["cycles"] == [] and body["hourly_row"] is None
    assert "2024-01-01T03:00:00Z" in body["reason"]


def test_pages_of_rows_keep_the_totals_of_all(engine: Engine, make_api: Any) -> None:
    build(engine)
    body = get(make_api, "/api/parks/1/evidence?period=today&limit=5&offset=10")
    assert [r["hour_start_utc"][11:16] for r in body["rows"]] == [
        "10:00", "11:00", "12:00", "13:00", "14:00"]
    assert body["total_rows"] == 24 and body["totals"]["open_snapshot_count"] == 17


@pytest.mark.parametrize(("query", "parameter"), [
    ("hour=2025-07-01T10:30:00Z", "hour"),      # not a whole hour
    ("hour=2025-07-01T10:00:00", "hour"),        # no Z
    ("hour=2025-07-01T10:00:00%2B02:00", "hour"),  # an offset, not UTC
    ("hour=2025-07-01", "hour"),
    ("hour=0001-01-01T00:00:00Z", "hour"),
    ("hour=2025-13-01T00:00:00Z", "hour"),
    ("hour=2025-07-01T10:00:00Z&period=today", "period"),
    ("period=today&offset=-1", "offset"),
    ("period=today&offset=x", "offset"),
    ("period=weekly", "period"),
])
def test_bad_parameters_are_a_400_naming_them(engine: Engine, make_api: Any, query: str,
                                              parameter: str) -> None:
    build(engine)
    response = make_api(NOW).get(f"/api/parks/1/evidence?{query}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]["parameter"] == parameter


def test_an_unknown_park_is_a_404(engine: Engine, make_api: Any) -> None:
    build(engine)
    for query in ("period=today", "hour=2025-07-01T10:00:00Z"):
        response = make_api(NOW).get(f"/api/parks/999/evidence?{query}")
        assert response.status_code == 404
        assert response.get_json()["error"]["parameter"] == "park_id"
