"""What the security probe (reviews/2026-12-security-probe.md) found in the API, pinned: unknown
query parameters (D7), one rate-limit budget per client across endpoints and workers (D6),
the response-cache namespace (D17), what /api/health tells the public (D10), control
characters in search (D14) and the security headers (D11). On SQLite and MariaDB, with the
real Redis on 127.0.0.1:6379 and a private redis-server on a unix socket."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import mariadb_reachable_or_skip
from tests.factories import ingest, make_park, series
from themepark_tracker.config import Settings
from themepark_tracker.web import create_app

NOW = datetime(2025, 7, 1, 11, 22)
REPO = Path(__file__).resolve().parents[3]

#: Every endpoint with a valid request and the parameters it takes (from README.md's API
#: table and /api/openapi.json), in the order the endpoint reads them.
ENDPOINTS = [
    ("/api/parks/downtime", {}, ["period", "filter", "limit", "sort_by"]),
    ("/api/parks/waittimes", {}, ["period", "filter", "limit"]),
    ("/api/parks/1/details", {}, ["period"]),
    ("/api/rides/downtime", {}, ["period", "filter", "limit", "sort_by", "park_id"]),
    ("/api/rides/waittimes", {}, ["period", "filter", "limit"]),
    ("/api/rides/101/details", {}, ["period"]),
    ("/api/live/status-summary", {}, ["park_id"]),
    ("/api/search", {"q": "Park"}, ["q"]),
    ("/api/health", {}, []),
    ("/api/openapi.json", {}, []),
]


def build(engine: Engine) -> list[int]:
    ids = make_park(engine, tiers=(1, 2, 3))
    ingest(engine, series(1, datetime(2025, 7, 1, 10, 0), ["OOO"] * 6 + ["COO"] * 6, ids))
    return ids


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    return body["error"]


# --- D7: unknown parameters ------------------------------------------------------------------


@pytest.mark.parametrize(("path", "query", "takes"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_an_unknown_parameter_is_a_400_naming_it_and_what_the_endpoint_takes(
    engine: Engine, make_api, path: str, query: dict[str, str], takes: list[str],
) -> None:
    build(engine)
    client = make_api(NOW)
    assert client.get(path, query_string=query).status_code in (200, 503)  # valid as it is
    error = error_of(client.get(path, query_string={**query, "junk": "1"}), 400)
    assert error["code"] == "unknown_parameter" and error["parameter"] == "junk"
    assert "'junk'" in error["message"]
    if takes:
        assert f"takes only {', '.join(takes)}" in error["message"]
    else:
        assert "takes no parameters" in error["message"]


@pytest.mark.parametrize("raw", ["per%00iod=today", "ids=1,2,3%20OR%201=1", "&&&=&",
                                 "PERIOD=today", "period=today&limit=5&x=&y="])
def test_junk_of_every_shape_is_refused(engine: Engine, make_api, raw: str) -> None:
    build(engine)
    error = error_of(make_api(NOW).get(f"/api/parks/downtime?{raw}"), 400)
    assert error["code"] == "unknown_parameter"
    assert error["parameter"] not in ("period", "limit")


@pytest.mark.parametrize("raw", ["period=today&period=bogus", "period=bogus&period=today",
                                 "limit=1&limit=2", "limit=1&limit=1"])
def test_a_parameter_given_twice_is_a_400(engine: Engine, make_api, raw: str) -> None:
    build(engine)
    error = error_of(make_api(NOW).get(f"/api/parks/downtime?{raw}"), 400)
    assert error["parameter"] == raw.split("=")[0]
    assert "given 2 times" in error["message"]


def test_one_query_spelled_differently_shares_one_cache_entry(engine: Engine, make_api
                                                              ) -> None:
    build(engine)
    client = make_api(NOW)
    first = client.get("/api/parks/downtime?period=last_week&limit=3")
    assert first.headers["X-Cache"] == "MISS"
    for same in ("limit=3&period=last_week", "period=last_week&limit=03",
                 "filter=all-parks&limit=3&period=last_week&sort_by=shame_score"):
        again = client.get(f"/api/parks/downtime?{same}")
        assert again.headers["X-Cache"] == "HIT", same
        assert again.get_data() == first.get_data()
    # The defaults are the same answer as saying nothing.
    assert client.get("/api/parks/downtime").headers["X-Cache"] == "MISS"
    assert client.get("/api/parks/downtime?period=today").headers["X-Cache"] == "HIT"
    # A different query is a different entry.
    assert client.get("/api/parks/downtime?period=last_week&limit=4").headers["X-Cache"] \
        == "MISS"


# --- D6: one budget per client ---------------------------------------------------------------


def client_at(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def fresh_address() -> str:
    """A client address of its own, so that runs (and other checkouts' tests sharing the
    Redis) never count against each other."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def spread_over_endpoints(one, two) -> list[int]:
    """3 requests to parks/downtime on ``one``, then 3 to search and health on ``two``."""
    statuses = [one.get("/api/parks/downtime").status_code for _ in range(3)]
    statuses += [two.get("/api/search?q=Park").status_code for _ in range(2)]
    statuses.append(two.get("/api/health").status_code)
    return statuses


def test_one_budget_across_all_endpoints(engine: Engine, make_api) -> None:
    build(engine)
    client = make_api(NOW, api_rate_limit="5 per minute")
    statuses = spread_over_endpoints(client, client)
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    assert client.get("/").status_code != 429  # the page is not limited




@pytest.fixture
def unix_redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of this test's own, listening only on a unix socket."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed (CI=true)")
        pytest.skip("redis-server is not installed")
    socket = tmp_path / "redis.sock"
    process = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(socket), "--save", "", "--appendonly",
         "no", "--dir", str(tmp_path), "--daemonize", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            assert process.poll() is None and time.monotonic() < deadline, "no redis-server"
            time.sleep(0.05)
        yield f"unix://{socket}?db=0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("store", ["redis_url", "unix_redis_url"])
def test_workers_share_one_budget_through_redis(engine: Engine, make_api, store: str,
                                                request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(store)
    build(engine)
    # Two apps stand for two gunicorn workers.
    one = make_api(NOW, api_rate_limit="5 per minute", cache_url=url)
    two = make_api(NOW, api_rate_limit="5 per minute", cache_url=url)
    address = fresh_address()
    statuses = spread_over_endpoints(client_at(one, address), client_at(two, address))
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    # Another client has a budget of its own.
    assert client_at(one, fresh_address()).get("/api/health").status_code != 429


def test_a_unix_socket_cache_url_keeps_the_counters_in_that_redis(
    engine: Engine, make_api, unix_redis_url: str,
) -> None:
    import redis

    build(engine)
    client = client_at(make_api(NOW, api_rate_limit="5 per minute", cache_url=unix_redis_url),
                       fresh_address())
    assert client.get("/api/parks/downtime").status_code == 200
    keys = redis.Redis.from_url(unix_redis_url).keys("LIMITS:*")
    assert len(keys) == 1 and b"parks" not in keys[0]  # one counter, not one per endpoint


# --- D17: the cache namespace ----------------------------------------------------------------


def namespace(url: str) -> str:
    app = create_app(Settings(database_url=url, api_rate_limit=None))
    services = app.extensions["themepark"]
    try:
        return str(services.cache_namespace)
    finally:
        services.engine.dispose()


def test_the_cache_namespace_does_not_depend_on_the_password() -> None:
    one = "mysql+pymysql://tracker:first-secret@127.0.0.1:3306/themepark_a"
    two = "mysql+pymysql://tracker:other-secret@127.0.0.1:3306/themepark_a"
    assert namespace(one) == namespace(two)
    assert namespace(one) != hashlib.sha1(one.encode()).hexdigest()[:10]
    # Still apart for another database or user.
    assert namespace(one) != namespace(one.replace("themepark_a", "themepark_b"))
    assert namespace(one) != namespace(one.replace("tracker:", "reader:"))


# --- D10: /api/health over a database it cannot use --------------------------------------------


@pytest.mark.parametrize(("url", "names"), [
    # nothing listens there: the driver names the host
    ("mysql+pymysql://hsuser_k7q:pw@127.0.0.2:1/hsdb_k7q", ["hsuser_k7q", "127.0.0.2",
                                                           "hsdb_k7q"]),
    # no such user: the driver names the user and the client's host
    ("mysql+pymysql://hsuser_k7q:pw@127.0.0.1:3306/hsdb_k7q", ["hsuser_k7q", "hsdb_k7q"]),
    # no such database: the driver names it
    ("mysql+pymysql://root@127.0.0.1:3306/hsdb_k7q", ["hsdb_k7q"]),
], ids=["unreachable", "unknown-user", "unknown-database"])
def test_health_names_no_user_host_or_database(url: str, names: list[str],
                                               caplog: pytest.LogCaptureFixture) -> None:
    if "3306" in url:
        mariadb_reachable_or_skip()
    app = create_app(Settings(database_url=url, api_rate_limit=None))
    try:
        with caplog.at_level(logging.WARNING):
            response = app.test_client().get("/api/health")
    finally:
        app.extensions["themepark"].engine.dispose()
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "down" and body["database"]["ok"] is False
    assert "database unavailable" in body["database"]["error"]
    text = json.dumps(body)
    for name in names:
        assert name not in text, name
    assert "pw" not in body["database"]["error"]
    # The operator still finds the driver's message in the log.
    assert any(name in r.getMessage() for r in caplog.records for name in names)


# --- D14: search text ------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["\x00", "a\x00", "Park\x00", "\x01", "a\tb", "Park\n", "\x7f",
                               "\x85"])
def test_control_characters_in_search_are_a_400(engine: Engine, make_api, q: str) -> None:
    make_park(engine, name="Park One")
    error = error_of(make_api(NOW).get("/api/search", query_string={"q": q}), 400)
    assert error["parameter"] == "q" and "control characters" in error["message"]


def test_search_wildcards_match_themselves(engine: Engine, make_api) -> None:
    make_park(engine, 1, name="100% Fun_Park \\ back")
    make_park(engine, 2, name="Plain 100 Fun Park back")
    client = make_api(NOW)
    for q in ("%", "_", "\\", "0% F", "n_P", "\\ b"):
        found = client.get("/api/search", query_string={"q": q}).get_json()
        assert [p["park_id"] for p in found["parks"]] == [1], q
        assert found["rides"] == []
    # and the raw NUL of the probe (q=%00) never reaches the database
    assert make_api(NOW).get("/api/search?q=%00").status_code == 400


# --- D11: security headers -------------------------------------------------------------------


def directives(policy: str) -> dict[str, list[str]]:
    parts = [p.split() for p in policy.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def test_every_api_answer_has_the_security_headers(engine: Engine, make_api) -> None:
    build(engine)
    client = make_api(NOW, api_rate_limit="3 per minute")
    answers = [client.get("/api/parks/downtime"), client.get("/api/parks/downtime?x=1"),
               client.get("/api/nope"), client.get("/api/parks/downtime")]
    assert [a.status_code for a in answers] == [200, 400, 404, 429]
    for answer in answers:
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        policy = directives(answer.headers["Content-Security-Policy"])
        assert policy["default-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]


def test_the_page_has_its_policy_as_a_header(engine: Engine, make_api) -> None:
    client = make_api(NOW)
    for path in ("/", "/js/api.js", "/nope.html"):
        answer = client.get(path)
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        policy = directives(answer.headers["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        # The quickstart's API on port 5001 is allowed by default.
        assert set(policy["connect-src"]) == {"'self'", "http://localhost:5001",
                                              "http://127.0.0.1:5001"}
