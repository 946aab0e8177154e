"""The document is strict enough to catch drift: a real answer with one key added anywhere
fails validation; every error status answers the documented envelope. SQLite and MariaDB."""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.contract import problems, public_paths, response_schema
from tests.factories import ingest, make_park, series
from themepark_tracker.aggregate.recovery import fit_curves
from themepark_tracker.config import Settings
from themepark_tracker.web import create_app

NOW = datetime(2025, 7, 1, 11, 22)


def small_park(engine: Engine) -> None:
    """One UTC park this morning: ride 102 down for a while, every ride with a posted wait."""
    ids = make_park(engine, tiers=(1, 2, 3))
    rows = ["OOO"] * 6 + ["ODO"] * 4 + ["OOO"] * 7
    ingest(engine, series(1, datetime(2025, 7, 1, 10, 0), rows, ids))
    fit_curves(engine, 180, now=NOW)


def add(body: Any, where: tuple[str | int, ...]) -> Any:
    """A copy of ``body`` with the key "undeclared" added to the object at ``where``."""
    out = deepcopy(body)
    target = out
    for step in where:
        target = target[step]
    target["undeclared"] = 1
    return out


#: (path, URL, where in the answer the extra key goes): the top level, a nested object, a row,
#: a chart point of each granularity, the attribution, the error envelope.
PLACES = [
    ("/api/parks/downtime", "/api/parks/downtime?period=today", ()),
    ("/api/parks/downtime", "/api/parks/downtime?period=today", ("aggregate_stats",)),
    ("/api/parks/downtime", "/api/parks/downtime?period=today", ("data", 0)),
    ("/api/parks/downtime", "/api/parks/downtime?period=today", ("attribution", 1)),
    ("/api/parks/{park_id}/details", "/api/parks/1/details?period=today", ("park",)),
    ("/api/parks/{park_id}/details", "/api/parks/1/details?period=today",
     ("shame_breakdown", "rides", 0)),
    ("/api/parks/{park_id}/details", "/api/parks/1/details?period=today", ("chart_data", 10)),
    ("/api/parks/{park_id}/details", "/api/parks/1/details?period=last_week",
     ("chart_data", 0)),
    ("/api/parks/{park_id}/details", "/api/parks/1/details?period=live", ("chart_data", 0)),
    ("/api/rides/{ride_id}/details", "/api/rides/102/details?period=today", ("incidents", 0)),
    ("/api/rides/{ride_id}/details", "/api/rides/102/details?period=today", ("reliability",)),
    ("/api/rides/{ride_id}/details", "/api/rides/102/details?period=live", ("chart_data", 0)),
    ("/api/rides/{ride_id}/details", "/api/rides/102/details?period=yesterday",
     ("chart_data", 0)),
    ("/api/live/status-summary", "/api/live/status-summary", ("counts",)),
    ("/api/parks/{park_id}/recovery", "/api/parks/1/recovery", ()),
    ("/api/parks/{park_id}/recovery", "/api/parks/1/recovery", ("park_curve",)),
    ("/api/parks/{park_id}/recovery", "/api/parks/1/recovery", ("park_curve", "points", 0)),
    ("/api/search", "/api/search?q=Ride", ("rides", 0)),
    ("/api/health", "/api/health", ("collection",)),
    ("/api/parks/{park_id}/details", "/api/parks/7/details", ("error",)),
]


@pytest.mark.parametrize(("path", "url", "where"), PLACES,
                         ids=[f"{u}:{'.'.join(map(str, w)) or 'top'}" for _, u, w in PLACES])
def test_one_undeclared_key_fails_validation(engine: Engine, make_api: Any, path: str,
                                             url: str, where: tuple[str | int, ...]) -> None:
    small_park(engine)
    client = make_api(NOW)
    spec = client.get("/api/openapi.json").get_json()
    response = client.get(url)
    body = response.get_json()
    schema = response_schema(spec, path, response.status_code)
    assert problems(spec, schema, body) == [], (url, problems(spec, schema, body)[:3])
    wrong = problems(spec, schema, add(body, where))
    assert wrong and "undeclared" in " ".join(wrong), (url, where, wrong)


def envelope_problems(spec: dict[str, Any], path: str | None, response: Any) -> list[str]:
    """The answer against its documented error (or, off the documented operations, the
    Error component), with the right Cache-Control."""
    assert response.headers["Cache-Control"] == "no-store"
    schema = (response_schema(spec, path, response.status_code) if path
              else {"$ref": "#/components/schemas/Error"})
    assert schema == {"$ref": "#/components/schemas/Error"}, (path, response.status_code)
    return problems(spec, schema, response.get_json())


#: A bad value of each kind of parameter, per operation (400).
BAD = {
    "/api/parks/downtime": ["period=week", "filter=x", "limit=0", "sort_by=rank"],
    "/api/parks/waittimes": ["period=", "limit=201"],
    "/api/parks/{park_id}/details": ["period=Today"],
    "/api/rides/downtime": ["sort_by=shame_score", "park_id=0", "park_id=x"],
    "/api/rides/waittimes": ["filter=disney"],
    "/api/rides/{ride_id}/details": ["period=last_year"],
    "/api/live/status-summary": ["park_id=-1"],
    "/api/parks/{park_id}/recovery": ["period=today"],
    "/api/search": ["q=", "q=" + "x" * 101],
    "/api/parks/{park_id}/history": ["from=2025-02-30", "to=x", "period=today"],
    "/api/rides/{ride_id}/history": ["from=1969-12-31", "limit=3"],
    "/api/records": ["period=live", "date=2025-07-01"],
    "/api/parks/{park_id}/evidence": ["hour=2025-07-01T10:30:00Z", "offset=-1",
                                      "period=today&hour=2025-07-01T10:00:00Z"],
    "/api/parks/{park_id}/heatmap": ["period=live", "period=week"],
    "/api/rides/{ride_id}/heatmap": ["period=live"],
    "/api/coverage": ["period=today"],
}


def test_every_error_status_answers_the_documented_envelope(engine: Engine, make_api: Any,
                                                            tmp_path: Path) -> None:
    small_park(engine)
    client = make_api(NOW)
    spec = client.get("/api/openapi.json").get_json()
    # (the token-guarded /api/subscriptions: tests/integration/test_subscriptions_api.py;
    # the Atom feeds: tests/integration/test_feeds.py)
    assert set(BAD) == {p for p in public_paths(spec) if p.startswith("/api/")} - {
        "/api/health"}
    for path, queries in BAD.items():
        base = path.replace("{park_id}", "1").replace("{ride_id}", "101")
        for query in queries:
            response = client.get(f"{base}?{query}")
            assert response.status_code == 400, (base, query)
            assert not envelope_problems(spec, path, response)
            assert response.get_json()["error"]["parameter"] == query.split("=")[0]
    for path, url in (("/api/parks/{park_id}/details", "/api/parks/2/details"),
                      ("/api/rides/{ride_id}/details", "/api/rides/104/details"),
                      ("/api/parks/{park_id}/recovery", "/api/parks/2/recovery"),
                      ("/api/parks/{park_id}/details", "/api/parks/x/details"),
                      ("/api/parks/{park_id}/history", "/api/parks/2/history"),
                      ("/api/rides/{ride_id}/history", "/api/rides/104/history"),
                      ("/api/parks/{park_id}/evidence", "/api/parks/2/evidence"),
                      ("/api/parks/{park_id}/heatmap", "/api/parks/2/heatmap"),
                      ("/api/rides/{ride_id}/heatmap", "/api/rides/104/heatmap")):
        response = client.get(url)
        assert response.status_code == (400 if "x" in url else 404), url
        assert not envelope_problems(spec, path, response)
    for url, status in (("/api/nothing", 404), ("/api/parks", 404)):
        assert client.get(url).status_code == status
        assert not envelope_problems(spec, None, client.get(url))
    response = client.post("/api/parks/downtime")
    assert response.status_code == 405 and not envelope_problems(spec, None, response)
    limited = make_api(NOW, api_rate_limit="2 per minute")
    answers = [limited.get("/api/search?q=Ride") for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    assert not envelope_problems(spec, "/api/search", answers[2])


def test_every_data_operation_answers_503_with_the_envelope_without_a_database(
        tmp_path: Path) -> None:
    """Not migrated: every operation but health is a documented 503 envelope (health's own
    503 body is checked by the contract walk)."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
                              api_rate_limit=None), clock=lambda: NOW)
    client = app.test_client()
    spec = client.get("/api/openapi.json").get_json()
    for path in public_paths(spec):  # /api/subscriptions: test_subscriptions_api.py
        if path == "/api/health":
            continue
        url = path.replace("{park_id}", "1").replace("{ride_id}", "1")
        response = client.get(url + ("?q=Ride" if path == "/api/search" else ""))
        assert response.status_code == 503, (url, response.get_json())
        assert response.get_json()["error"]["code"] == "database_unavailable"
        assert not envelope_problems(spec, path, response)
