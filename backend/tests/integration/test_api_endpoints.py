"""The HTTP API over hand-worked data (SPEC §5–§7), on SQLite and MariaDB: the numbers a
client reads are the ones worked out by hand in the comments, and every view agrees."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from tests.factories import cycle, ingest, make_park, series
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.aggregate.hourly import aggregate_hour

I = 5  # noqa: E741 - SPEC's collection interval
NOW = datetime(2025, 7, 1, 11, 22)


def build(engine: Engine) -> list[int]:
    # Park 1, UTC, CLOSED-only feed, weights 3, 2, 1 (rides 101, 102, 103).
    # 10:00-10:55: 6 × all OPERATING, 3 × ride 101 CLOSED (s = 10*3/6 = 5), 3 × all OPERATING
    #              -> Σs = 15, n = 12, hour score 1.25 -> 1.3
    # 11:00-11:20: 5 × ride 102 CLOSED (s = 10*2/6 = 3.333…) -> Σs = 16.667, n = 5 -> 3.3
    # today: Σs = 31.667, n = 17 -> 1.8627… -> 1.9; downtime 8 × 5 min = 0.67 h;
    # weighted downtime 3 × 15 min + 2 × 25 min = 95 min = 1.58 h.
    ids = make_park(engine, tiers=(1, 2, 3), name="Hand Park", is_disney=True)
    rows = ["OOO"] * 6 + ["COO"] * 3 + ["OOO"] * 3 + ["OCO"] * 5
    ingest(engine, series(1, datetime(2025, 7, 1, 10, 0), rows, ids))
    # Park 2 never opens today (every ride CLOSED): counted, not ranked.
    closed = make_park(engine, 2, tiers=(2, 2), name="Shut Park")
    ingest(engine, series(2, datetime(2025, 7, 1, 10, 0), ["CC"] * 17, closed))
    aggregate_hour(engine, datetime(2025, 7, 1, 10), I, now=NOW)
    return ids


def test_rankings_show_the_hand_worked_park(engine: Engine, make_api) -> None:
    build(engine)
    body = make_api(NOW).get("/api/parks/downtime?period=today&limit=10").get_json()
    assert body["period"] == "today"
    assert body["aggregate_stats"]["total_parks"] == 2
    assert body["aggregate_stats"]["parks_open"] == 1
    assert [r["park_name"] for r in body["data"]] == ["Hand Park"]
    row = body["data"][0]
    assert row["rank"] == 1
    assert row["shame_score"] == 1.9
    assert row["total_downtime_hours"] == 0.67
    assert row["weighted_downtime_hours"] == 1.58
    assert row["rides_down"] == 2 and row["rides_operating"] == 3
    assert row["snapshot_count"] == 17
    assert body["newest_data_at"] == "2025-07-01T11:20:00Z"
    assert any(a["url"] == "https://queue-times.com" for a in body["attribution"])


def test_details_agree_with_rankings_and_chart_has_24_hours(engine: Engine, make_api) -> None:
    build(engine)
    client = make_api(NOW)
    ranked = client.get("/api/parks/downtime?period=today").get_json()["data"][0]
    body = client.get("/api/parks/1/details?period=today").get_json()
    assert body["shame_score"] == ranked["shame_score"] == 1.9
    assert body["open_snapshot_count"] == 17
    assert round(body["shame_score_sum"], 3) == 31.667
    points = body["chart_data"]
    assert len(points) == 24
    assert points[10]["label"] == "10:00" and points[10]["shame_score"] == 1.3
    assert points[11]["shame_score"] == 3.3  # the unfinished hour, from raw snapshots
    assert points[9]["shame_score"] is None and points[12]["shame_score"] is None
    breakdown = body["shame_breakdown"]
    assert breakdown["effective_park_weight"] == 6
    # Ride 101: 3 × 5 min = 0.25 h × weight 3 = 0.75; ride 102: 25 min = 0.42 h × 2 = 0.83.
    assert [(r["ride_id"], r["downtime_hours"], r["weighted_contribution"])
            for r in breakdown["rides"]] == [(102, 0.42, 0.83), (101, 0.25, 0.75)]


def test_disney_filter_and_sorting(engine: Engine, make_api) -> None:
    build(engine)
    client = make_api(NOW)
    disney = client.get("/api/parks/downtime?filter=disney-universal").get_json()
    assert disney["aggregate_stats"]["total_parks"] == 1
    by_name = client.get("/api/parks/downtime?sort_by=park_name").get_json()
    assert by_name["sort_by"] == "park_name" and by_name["data"][0]["park_id"] == 1


def test_ride_details_merge_an_outage_into_one_incident(engine: Engine, make_api) -> None:
    ids = make_park(engine, tiers=(1, 2, 2, 3), reports_down=True)
    # Ride 101 DOWN at 10:10-10:25 (4 snapshots; up again at 10:30), then at 10:55-11:05
    # (3 snapshots, across the hour; up at 11:10): two incidents, the second not cut at 11:00.
    # The other three rides keep operating, so the park stays open.
    rows = [("D" if n in (2, 3, 4, 5, 11, 12, 13) else "O") + "OOO" for n in range(16)]
    ingest(engine, series(1, datetime(2025, 7, 1, 10, 0), rows, ids))
    body = make_api(datetime(2025, 7, 1, 11, 20)).get("/api/rides/101/details").get_json()
    assert body["incidents"] == [
        {"start": "2025-07-01T10:10:00Z", "end": "2025-07-01T10:30:00Z",
         "duration_minutes": 20, "ongoing": False, "end_reason": "recovered"},
        {"start": "2025-07-01T10:55:00Z", "end": "2025-07-01T11:10:00Z",
         "duration_minutes": 15, "ongoing": False, "end_reason": "recovered"},
    ]
    # 7 down snapshots × 5 min = 35 min = 0.58 h; 9 operating: uptime 9 / 16 = 56.25 %.
    assert body["downtime_hours"] == 0.58
    assert body["uptime_percentage"] == 56.3
    hours = {p["label"]: p for p in body["chart_data"]}
    assert len(body["chart_data"]) == 24
    assert hours["10:00"]["down_snapshots"] == 5 and hours["11:00"]["down_snapshots"] == 2


def test_an_ongoing_outage_is_open_ended(engine: Engine, make_api) -> None:
    ids = make_park(engine, tiers=(1, 2, 2, 3), reports_down=True)
    ingest(engine, series(1, datetime(2025, 7, 1, 10, 0), ["OOOO", "OOOO", "DOOO", "DOOO"],
                          ids))
    body = make_api(datetime(2025, 7, 1, 10, 17)).get("/api/rides/101/details").get_json()
    assert body["current_status"] == "DOWN"
    assert body["incidents"] == [{"start": "2025-07-01T10:10:00Z", "end": None,
                                  "duration_minutes": 10, "ongoing": True,
                                  "end_reason": None}]


def test_live_status_summary_counts_the_latest_cycle(engine: Engine, make_api) -> None:
    # 8 rides seen operating; at 10:15 five still operate (at least half: the park is open).
    ids = make_park(engine, tiers=(1, 2, 3, 2, 2, 2, 2, 1), reports_down=True)
    ingest(engine, series(1, datetime(2025, 7, 1, 10, 0), ["OOOOOOOO"] * 3, ids))
    ingest(engine, [cycle(1, datetime(2025, 7, 1, 10, 15), "ODCROOOO", ids)])
    client = make_api(datetime(2025, 7, 1, 10, 20))
    counts = client.get("/api/live/status-summary").get_json()["counts"]
    assert counts == {"OPERATING": 5, "DOWN": 1, "CLOSED": 1, "REFURBISHMENT": 1,
                      "UNKNOWN": 0, "PARK_CLOSED": 0}
    # Half an hour later nothing is live any more: the counts are honest zeros.
    later = make_api(datetime(2025, 7, 1, 10, 45)).get("/api/live/status-summary").get_json()
    assert later["parks_reporting"] == 0 and sum(later["counts"].values()) == 0


def test_search_finds_parks_and_rides_and_escapes_wildcards(engine: Engine, make_api) -> None:
    build(engine)
    client = make_api(NOW)
    found = client.get("/api/search?q=hand").get_json()
    assert [p["name"] for p in found["parks"]] == ["Hand Park"]
    rides = client.get("/api/search?q=Ride 10").get_json()["rides"]
    assert sorted(r["ride_id"] for r in rides) == [101, 102, 103]
    assert client.get("/api/search?q=%25").get_json()["parks"] == []  # "%" is literal


def test_waittimes_use_operating_snapshots_with_a_wait(engine: Engine, make_api) -> None:
    ids = make_park(engine, tiers=(1, 2, 3))
    # Ride 101 waits 10, 20, 30 (avg 20, peak 30); ride 102 waits 40, posts none, then is
    # CLOSED with a stale 50 that must not count; ride 103 operates without posting a wait.
    ingest(engine, [
        cycle(1, datetime(2025, 7, 1, 10, 0), "OOO", ids, [10, 40, None]),
        cycle(1, datetime(2025, 7, 1, 10, 5), "OOO", ids, [20, None, None]),
        cycle(1, datetime(2025, 7, 1, 10, 10), "OCO", ids, [30, 50, None]),
    ])
    client = make_api(datetime(2025, 7, 1, 10, 12))
    rides = client.get("/api/rides/waittimes").get_json()["data"]
    assert [(r["ride_id"], r["avg_wait_time_minutes"], r["peak_wait_time_minutes"])
            for r in rides] == [(102, 40.0, 40), (101, 20.0, 30)]
    park = client.get("/api/parks/waittimes").get_json()["data"][0]
    # Park mean over the 4 waited snapshots: (10 + 20 + 30 + 40) / 4 = 25.
    assert park["avg_wait_time_minutes"] == 25.0 and park["rides_reporting"] == 2


def test_yesterday_and_last_week_come_from_the_daily_table(engine: Engine, make_api) -> None:
    build(engine)
    run_daily(engine, I, now=datetime(2025, 7, 2, 1, 0))
    client = make_api(datetime(2025, 7, 2, 9, 0))
    for period in ("yesterday", "last_week"):
        row = client.get(f"/api/parks/downtime?period={period}").get_json()["data"][0]
        details = client.get(f"/api/parks/1/details?period={period}").get_json()
        assert row["shame_score"] == details["shame_score"] == 1.9, period
    week = client.get("/api/parks/1/details?period=last_week").get_json()
    assert [p["date"] for p in week["chart_data"]][-1] == "2025-07-01"
    assert len(week["chart_data"]) == 7
    assert [p["shame_score"] for p in week["chart_data"]] == [None] * 6 + [1.9]


def test_health_is_200_when_fresh_and_aggregated_and_503_when_collection_stops(
        engine: Engine, make_api) -> None:
    build(engine)  # newest cycle 11:20; hour 10:00 aggregated, 11:00 not finished at 11:22
    healthy = make_api(NOW).get("/api/health")
    assert healthy.status_code == 200, healthy.get_json()
    body = healthy.get_json()
    assert body["status"] == "ok" and body["database"] == {"ok": True}
    assert body["collection"]["age_seconds"] == 120
    assert healthy.headers["Cache-Control"] == "no-store"
    # An hour later nothing new arrived (3 intervals = 15 min) and 11:00 was never
    # aggregated: degraded, 503, and the body says which parts.
    later = make_api(datetime(2025, 7, 1, 12, 40)).get("/api/health")
    assert later.status_code == 503
    report = later.get_json()
    assert report["status"] == "degraded"
    assert report["collection"]["fresh"] is False
    assert report["hourly_aggregation"]["ok"] is False


def test_parks_without_feed_ids_are_labelled_as_not_from_the_live_feeds(
        engine: Engine, make_api) -> None:
    from sqlalchemy import update

    from themepark_tracker.db import tables as t

    build(engine)  # factory parks, like simulated ones, carry no Queue-Times/wiki id
    assert make_api(NOW).get(URL_TODAY).get_json()["from_live_feeds"] is False
    with engine.begin() as conn:
        conn.execute(update(t.parks).where(t.parks.c.park_id == 1).values(queue_times_id=6))
        conn.execute(update(t.parks).where(t.parks.c.park_id == 2)
                     .values(themeparks_wiki_id="75ea578a-adc8-4116-a54d-dccb60765ef9"))
    assert make_api(NOW).get(URL_TODAY).get_json()["from_live_feeds"] is True


URL_TODAY = "/api/parks/downtime?period=today"
