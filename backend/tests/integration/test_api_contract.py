"""Real responses against /api/openapi.json, and the scores agree across views (SPEC §6).

- Every operation, for every period with each filter, sort, park and limit, every park and
  a sample of rides (tests/contract.py ``walk``), on an empty database and on data that covers
  every SPEC §2 case plus a park without data, with the hourly tables and without: each answer
  validates against the document (whose objects are all closed), every returned key is
  declared, and every declared key occurs in some answer.
- Rankings == details == the chart's average as defined, for every period and park, checked
  against an independent recomputation from the raw park snapshots.

SQLite and MariaDB."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from sqlalchemy import Engine, select

from tests.contract import (
    declared_paths,
    key_paths,
    problems,
    public_paths,
    response_schema,
    walk,
)
from tests.factories import make_park
from tests.outage_rows import stock_outages
from tests.scenarios import WORLD_INTERVAL, ParkSpec, at_head, build_world
from themepark_tracker import metrics
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t
from themepark_tracker.queries.periods import DAYS_IN_PERIOD, PERIODS, park_window
from themepark_tracker.web import create_app

I = WORLD_INTERVAL  # noqa: E741
#: Mid-afternoon in Europe, morning in New York, evening in Kolkata: every park's TODAY has
#: open hours, and the current hour is unfinished. (The world's later data is "future".)
NOW = datetime(2025, 11, 2, 15, 47)
#: Search texts: parks and rides, rides only, nothing, and LIKE's wildcards taken literally.
SEARCH_TEXTS = ("Park", "Ride 1", "Show", "no such name", "%", "_")
#: The dates the walk gives ``date`` and ``range``: yesterday everywhere, and a range that
#: starts before the world's first data.
PERIOD_DATES = {"date": {"date": "2025-11-01"},
                "range": {"from": "2025-10-20", "to": "2025-11-01"}}
#: Parameters called alone (without a period): the evidence of one hour of the world's data.
ALONE = {"hour": "2025-11-02T10:00:00Z"}


@pytest.fixture
def world(engine: Engine) -> Engine:
    at_head(engine)
    build_world(engine)
    backfill(engine, I, start=datetime(2025, 11, 1, 12), end=datetime(2025, 11, 2, 14))
    run_daily(engine, I, now=NOW)
    return engine


def park_and_ride_ids(engine: Engine) -> dict[str, list[int]]:
    with engine.connect() as conn:
        parks = list(conn.execute(select(t.parks.c.park_id).order_by(t.parks.c.park_id))
                     .scalars())
        rides = list(conn.execute(select(t.rides.c.ride_id).order_by(t.rides.c.ride_id))
                     .scalars())
    # Every park; every seventh ride (attractions, and shows: not attractions, so a 404).
    return {"park_id": parks or [1], "ride_id": rides[::7] or [1]}


def ongoing_rides(engine: Engine) -> list[int]:
    """The rides with an ongoing outage that had started by NOW."""
    o = t.ride_outages
    with engine.connect() as conn:
        return sorted(set(conn.execute(select(o.c.ride_id).where(
            o.c.ended_at.is_(None), o.c.started_at <= NOW)).scalars()))


def walk_and_check(client: Any, spec: dict[str, Any], ids: dict[str, list[int]]
                   ) -> dict[str, set[str]]:
    """Call every URL of ``walk``; each answer must be documented and match its schema.
    Returns the key paths seen per documented path."""
    seen: dict[str, set[str]] = defaultdict(set)
    for path, url in walk(spec, ids, SEARCH_TEXTS, PERIOD_DATES, ALONE):
        response = client.get(url)
        if path.startswith("/feeds/"):
            check_feed(spec, path, url, response)
            continue
        # 404: a show is not an attraction; 503: health says what is degraded.
        health = path == "/api/health"
        assert response.status_code in ((200, 503) if health else (200, 404)), (
            url, response.get_data(as_text=True))
        body = response.get_json()
        wrong = problems(spec, response_schema(spec, path, response.status_code), body)
        assert not wrong, (url, wrong[:5])
        if response.status_code == 200 or health:
            seen[path] |= key_paths(body)
    return seen


def check_feed(spec: dict[str, Any], path: str, url: str, response: Any) -> None:
    """An Atom feed (documented as application/atom+xml): valid Atom, or the envelope."""
    assert response.status_code in (200, 404), (url, response.get_data(as_text=True))
    if response.status_code == 200:
        assert "application/atom+xml" in spec["paths"][path]["get"]["responses"]["200"][
            "content"]
        assert response.mimetype == "application/atom+xml"
        assert not feedparser.parse(response.data).bozo, url
    else:
        assert not problems(spec, response_schema(spec, path, 404), response.get_json())


def test_every_operation_period_filter_and_sort_matches_the_document(
        engine: Engine, make_api: Any, tmp_path: Path) -> None:
    """On an empty database, then on the SPEC §2 world plus a park without any data, with
    the hourly tables and without (the reference path): every answer matches the document,
    which declares every field (additionalProperties: false); and every field the document
    declares occurs in some answer, so the document says nothing the API does not do."""
    at_head(engine)
    spec = make_api(NOW).get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    seen = walk_and_check(make_api(NOW, collection_interval_minutes=I), spec,
                          park_and_ride_ids(engine))
    build_world(engine)
    make_park(engine, 9, tiers=(1,), name="Park Without Data", timezone="Asia/Kolkata")
    # Sixteen days of one more park: rides observed over 100 open hours (for the records).
    build_world(engine, (ParkSpec(7, "UTC", True, (1, 2, 3, 2)),), start=NOW - timedelta(days=16),
                end=NOW)
    with engine.begin() as conn:  # a listed park the catalogue sync could not store
        conn.execute(t.data_quality_issues.insert().values(
            park_id=0, recorded_at=NOW, issue_type="CATALOG_SKIPPED", source="queue_times",
            detail="queue_times park 'X' (1) has no usable time zone (''); left out"))
    backfill(engine, I, start=datetime(2025, 11, 1, 12), end=datetime(2025, 11, 2, 14))
    run_daily(engine, I, now=NOW)
    stock_outages(engine, I, NOW)  # outages, and enough of them for an estimate
    ids = park_and_ride_ids(engine)
    ids["ride_id"] += ongoing_rides(engine)  # details with an outage and its estimate
    for use_hourly in (True, False):
        client = make_api(NOW, collection_interval_minutes=I, use_hourly_tables=use_hourly)
        for path, keys in walk_and_check(client, spec, ids).items():
            seen[path] |= keys
    # The database unreadable: /api/health says why, in its own body.
    down = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'none.sqlite3'}",
                               api_rate_limit=None), clock=lambda: NOW).test_client()
    health = down.get("/api/health")
    assert health.status_code == 503 and health.get_json()["database"]["ok"] is False
    assert not problems(spec, response_schema(spec, "/api/health", 503), health.get_json())
    seen["/api/health"] |= key_paths(health.get_json())
    for path in public_paths(spec):
        if path.startswith("/feeds/"):
            continue  # Atom, not JSON: checked by check_feed and tests/integration/test_feeds.py
        declared = declared_paths(spec, response_schema(spec, path, 200))
        assert seen[path] - declared == set(), (path, "returned but not declared")
        assert declared - seen[path] == set(), (path, "declared but never returned")


def reference_scores(engine: Engine, period: str) -> dict[int, float | None]:
    """Each park's score over ``period`` straight from its raw park snapshots: Σ s(t) / n for
    live and today, the mean of the open days' Σ s(t) / n for the others (SPEC §5)."""
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        parks = conn.execute(select(t.parks.c.park_id, t.parks.c.timezone)).all()
        snaps = conn.execute(select(pas.c.park_id, pas.c.recorded_at, pas.c.local_date,
                                    pas.c.park_appears_open, pas.c.active_weight,
                                    pas.c.down_weight)).all()
    out: dict[int, float | None] = {}
    for park_id, zone in parks:
        window = park_window(period, zone, NOW)
        mine = [s for s in snaps if s.park_id == park_id and window.start <= s.recorded_at
                and s.recorded_at < window.end
                and s.local_date in window.dates]
        if period == "live":
            mine = [s for s in mine if s.recorded_at == max(x.recorded_at for x in mine)] \
                if mine else []
        by_day: dict[Any, list[float]] = defaultdict(list)
        for s in mine:
            if s.park_appears_open:
                by_day[s.local_date].append(
                    10 * s.down_weight / s.active_weight if s.active_weight else 0.0)
        if period in DAYS_IN_PERIOD:
            days = [sum(v) / len(v) for v in by_day.values() if v]
            out[park_id] = sum(days) / len(days) if days else None
        else:
            values = [x for v in by_day.values() for x in v]
            out[park_id] = sum(values) / len(values) if values else None
    return out


def reference_hours(engine: Engine, park_id: int, period: str) -> dict[str, float]:
    """Mean s(t) of the open snapshots in each local clock hour of the park's day, keyed by
    the hour's UTC start (ISO), from the raw park snapshots."""
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        zone = conn.execute(select(t.parks.c.timezone).where(
            t.parks.c.park_id == park_id)).scalar_one()
        window = park_window(period, zone, NOW)
        snaps = conn.execute(select(pas).where(
            pas.c.park_id == park_id, pas.c.recorded_at >= window.start,
            pas.c.recorded_at < window.end, pas.c.park_appears_open)).all()
    buckets: dict[str, list[float]] = defaultdict(list)
    for s in snaps:
        # Local clock hours start window.start.minute past the UTC hour (30 in Kolkata).
        start = s.recorded_at.replace(minute=window.start.minute, second=0)
        if start > s.recorded_at:
            start -= timedelta(hours=1)
        buckets[start.strftime("%Y-%m-%dT%H:%M:%SZ")].append(
            10 * s.down_weight / s.active_weight if s.active_weight else 0.0)
    return {k: sum(v) / len(v) for k, v in buckets.items()}


@pytest.mark.parametrize("period", PERIODS)
def test_rankings_details_and_chart_agree_for_every_period(world: Engine, make_api,
                                                           period: str) -> None:
    client = make_api(NOW, collection_interval_minutes=I)
    expected = reference_scores(world, period)
    ranking = client.get(f"/api/parks/downtime?period={period}").get_json()
    ranked = {r["park_id"]: r for r in ranking["data"]}
    open_parks = {p for p, s in expected.items() if s is not None}
    assert set(ranked) == open_parks  # closed all period: counted, not ranked
    assert ranking["aggregate_stats"]["total_parks"] == 6
    if period != "live":
        assert len(open_parks) >= 3, "the scenario should have open parks in every period"
    for park_id, score in expected.items():
        details = client.get(f"/api/parks/{park_id}/details?period={period}").get_json()
        want = metrics.round_half_up(score, 1)
        assert details["shame_score"] == want, (park_id, details["shame_score"], score)
        if park_id in ranked:
            assert ranked[park_id]["shame_score"] == want
        points = [p for p in details["chart_data"] if p["shame_score"] is not None]
        if period in ("last_week", "last_month"):
            # One point per local date; the score is the mean of the open days' values.
            assert len(details["chart_data"]) == DAYS_IN_PERIOD[period]
            assert len(points) == details["days_open"]
        elif period in ("today", "yesterday"):
            # One point per local hour, each the mean s(t) of that hour's open snapshots:
            # together they partition the day, so their open-snapshot-weighted mean is the
            # score above.
            assert len(details["chart_data"]) in (23, 24, 25)
            hourly = reference_hours(world, park_id, period)
            for point in details["chart_data"]:
                assert point["shame_score"] == metrics.round_half_up(
                    hourly.get(point["hour_start_utc"]), 1), (park_id, point)
