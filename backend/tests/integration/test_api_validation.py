"""One validation layer: every bad parameter of every endpoint is a 400 (or 404 for an
unknown id) with the same JSON envelope naming the parameter and what it accepts; never a
500. On SQLite and MariaDB."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine

from tests.factories import make_park

NOW = datetime(2025, 7, 1, 12, 0)

PERIOD_ENDPOINTS = ["/api/parks/downtime", "/api/parks/waittimes", "/api/rides/downtime",
                    "/api/rides/waittimes", "/api/parks/1/details", "/api/rides/101/details"]
LIST_ENDPOINTS = PERIOD_ENDPOINTS[:4]
SORTED = {"/api/parks/downtime": "shame_score", "/api/rides/downtime": "downtime_hours"}

BAD = [
    *[(url, "period", value, "live, today, yesterday, last_week, last_month")
      for url in PERIOD_ENDPOINTS for value in ("week", "TODAY", "")],
    *[(url, "filter", value, "all-parks, disney-universal")
      for url in LIST_ENDPOINTS for value in ("disney", "")],
    *[(url, "limit", value, "1 to 200")
      for url in LIST_ENDPOINTS for value in ("0", "201", "-3", "ten", "1.5", "1e2", "")],
    *[(url, "sort_by", "rank", default) for url, default in SORTED.items()],
    ("/api/rides/downtime", "park_id", "x", "whole number"),
    ("/api/rides/downtime", "park_id", "0", "from 1"),
    ("/api/live/status-summary", "park_id", "abc", "whole number"),
    ("/api/live/status-summary", "park_id", "99999999999", "2147483647"),
    ("/api/search", "q", "", "1 to 100 characters"),
    ("/api/search", "q", "x" * 101, "1 to 100 characters"),
]


def assert_envelope(response, status: int, parameter: str | None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "parameter"}
    assert body["error"]["parameter"] == parameter
    return body["error"]


@pytest.mark.parametrize(("url", "name", "value", "hint"), BAD,
                         ids=[f"{u}-{n}={v[:8]!r}" for u, n, v, _ in BAD])
def test_bad_parameter_is_a_400_naming_it(engine: Engine, make_api, url: str, name: str,
                                          value: str, hint: str) -> None:
    make_park(engine)
    response = make_api(NOW).get(url, query_string={name: value})
    error = assert_envelope(response, 400, name)
    assert error["code"] == "invalid_parameter"
    assert name in error["message"] and hint in error["message"]


def test_search_without_q_is_a_400(engine: Engine, make_api) -> None:
    assert_envelope(make_api(NOW).get("/api/search"), 400, "q")


@pytest.mark.parametrize("path", ["/api/parks/{}/details", "/api/rides/{}/details"])
@pytest.mark.parametrize(("raw", "status"), [("abc", 400), ("0", 400), ("-1", 400),
                                             ("1.0", 400), ("9" * 30, 400), ("777", 404)])
def test_bad_or_unknown_id(engine: Engine, make_api, path: str, raw: str, status: int) -> None:
    make_park(engine)
    name = "park_id" if "parks" in path else "ride_id"
    error = assert_envelope(make_api(NOW).get(path.format(raw)), status, name)
    assert error["code"] == ("not_found" if status == 404 else "invalid_parameter")


def test_a_show_is_not_a_ride_with_details(engine: Engine, make_api) -> None:
    make_park(engine, extra_rides=[("Fireworks", "SHOW")])  # ride id 150
    assert_envelope(make_api(NOW).get("/api/rides/150/details"), 404, "ride_id")


def test_unknown_endpoint_and_method(engine: Engine, make_api) -> None:
    client = make_api(NOW)
    assert assert_envelope(client.get("/api/nope"), 404, None)["code"] == "not_found"
    error = assert_envelope(client.post("/api/parks/downtime"), 405, None)
    assert error["code"] == "method_not_allowed"


def test_valid_parameters_are_accepted_at_their_bounds(engine: Engine, make_api) -> None:
    make_park(engine)
    client = make_api(NOW)
    for query in ("limit=1", "limit=200", "period=live", "period=last_month",
                  "filter=disney-universal", "sort_by=park_name", "sort_by=rides_down"):
        assert client.get(f"/api/parks/downtime?{query}").status_code == 200, query
    assert client.get("/api/rides/downtime?park_id=2147483647").status_code == 200


def test_a_database_that_is_not_there_is_a_503_not_a_500(tmp_path) -> None:
    from themepark_tracker.config import Settings
    from themepark_tracker.web import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}"))
    response = app.test_client().get("/api/parks/downtime")
    error = assert_envelope(response, 503, None)
    assert "themepark db upgrade" in error["message"]
