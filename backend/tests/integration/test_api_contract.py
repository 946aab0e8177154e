"""Real responses of every endpoint and period, on data that covers every SPEC §2 case,
validate against /api/openapi.json; and the scores agree across views (SPEC §6):
rankings == details == the chart's average as defined, for every period and park, checked
against an independent recomputation from the raw park snapshots. SQLite and MariaDB."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import jsonschema
import pytest
from sqlalchemy import Engine, select

from tests.scenarios import WORLD_INTERVAL, at_head, build_world
from themepark_tracker import metrics
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.db import tables as t
from themepark_tracker.queries.periods import DAYS_IN_PERIOD, PERIODS, park_window

I = WORLD_INTERVAL  # noqa: E741
#: Mid-afternoon in Europe, morning in New York, evening in Kolkata: every park's TODAY has
#: open hours, and the current hour is unfinished. (The world's later data is "future".)
NOW = datetime(2025, 11, 2, 15, 47)


@pytest.fixture
def world(engine: Engine) -> Engine:
    at_head(engine)
    build_world(engine)
    backfill(engine, I, start=datetime(2025, 11, 1, 12), end=datetime(2025, 11, 2, 14))
    run_daily(engine, I, now=NOW)
    return engine


def validator(spec: dict[str, Any], path: str, status: str = "200") -> Any:
    """A JSON Schema 2020-12 validator (OpenAPI 3.1's dialect) for one response, with the
    document's components alongside so that "#/components/schemas/..." resolves."""
    schema = spec["paths"][path]["get"]["responses"][status]["content"][
        "application/json"]["schema"]
    return jsonschema.Draft202012Validator({"components": spec["components"], **schema})


def check(client: Any, spec: dict[str, Any], path: str, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True))
    body = response.get_json()
    errors = sorted(validator(spec, path).iter_errors(body), key=str)
    assert not errors, (url, [f"{list(e.path)}: {e.message}" for e in errors[:5]])
    return body


def test_every_endpoint_matches_its_schema(world: Engine, make_api) -> None:
    client = make_api(NOW, collection_interval_minutes=I)
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    for period in PERIODS:
        q = f"?period={period}"
        rank = check(client, spec, "/api/parks/downtime", f"/api/parks/downtime{q}")
        check(client, spec, "/api/parks/waittimes", f"/api/parks/waittimes{q}")
        rides = check(client, spec, "/api/rides/downtime", f"/api/rides/downtime{q}")
        check(client, spec, "/api/rides/waittimes", f"/api/rides/waittimes{q}")
        for park_id in (1, 2, 3, 4, 5, 6):
            check(client, spec, "/api/parks/{park_id}/details",
                  f"/api/parks/{park_id}/details{q}")
        for row in rides["data"][:3]:
            check(client, spec, "/api/rides/{ride_id}/details",
                  f"/api/rides/{row['ride_id']}/details{q}")
        assert rank["data"] or period == "live", period
    check(client, spec, "/api/live/status-summary", "/api/live/status-summary")
    check(client, spec, "/api/live/status-summary", "/api/live/status-summary?park_id=2")
    check(client, spec, "/api/search", "/api/search?q=Park")
    # Every documented path was exercised above.
    assert set(spec["paths"]) == {
        "/api/parks/downtime", "/api/parks/waittimes", "/api/parks/{park_id}/details",
        "/api/rides/downtime", "/api/rides/waittimes", "/api/rides/{ride_id}/details",
        "/api/live/status-summary", "/api/search"} | ({"/api/health"} & set(spec["paths"]))


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
