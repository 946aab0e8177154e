"""Caching, rate limiting and CORS of the API (issue 4 §4), with the real in-process cache
and the real Redis on 127.0.0.1:6379."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import datetime

from sqlalchemy import Engine

from tests.factories import ingest, make_park, series
from themepark_tracker.aggregate.hourly import aggregate_hour
from themepark_tracker.web import parks
from themepark_tracker.web.respond import GENERATION_CHECK_SECONDS

I = 5  # noqa: E741
NOW = datetime(2025, 7, 1, 11, 22)
URL = "/api/parks/downtime?period=today"


def build(engine: Engine) -> list[int]:
    ids = make_park(engine, tiers=(1, 2, 3))
    ingest(engine, series(1, datetime(2025, 7, 1, 10, 0), ["OOO"] * 6 + ["COO"] * 6, ids))
    return ids


def score(response) -> float:
    return response.get_json()["data"][0]["shame_score"]


def test_second_request_is_served_from_the_cache(engine: Engine, make_api) -> None:
    build(engine)
    client = make_api(NOW)
    first, second = client.get(URL), client.get(URL)
    assert first.headers["X-Cache"] == "MISS" and second.headers["X-Cache"] == "HIT"
    assert first.get_data() == second.get_data()
    assert first.headers["Cache-Control"] == "public, max-age=60"
    week = client.get("/api/parks/downtime?period=last_week")
    assert week.headers["Cache-Control"] == "public, max-age=300"


def test_a_completed_aggregation_drops_cached_answers(engine: Engine, make_api) -> None:
    ids = make_park(engine, tiers=(1, 2, 3))
    # 10:00-10:25 all open (s = 0), the 10:30 cycle missing, 10:35-10:55 ride 101 (weight 3
    # of 6) CLOSED (s = 5): Σs = 25 over 11 open snapshots = 2.27 -> 2.3.
    ingest(engine, series(1, datetime(2025, 7, 1, 10, 0), ["OOO"] * 6, ids))
    ingest(engine, series(1, datetime(2025, 7, 1, 10, 35), ["COO"] * 5, ids))
    aggregate_hour(engine, datetime(2025, 7, 1, 10), I, now=NOW)
    client = make_api(NOW)
    assert score(client.get(URL)) == 2.3
    # The 10:30 cycle arrives late (ride 102, weight 2, CLOSED: s = 3.333). Until an
    # aggregation run completes, the cached answer stands (for 5 minutes at most)...
    ingest(engine, series(1, datetime(2025, 7, 1, 10, 30), ["OCO"], ids))
    assert client.get(URL).headers["X-Cache"] == "HIT"
    # ...and once it completes (and each worker has looked again, at most a second later),
    # the next request recomputes: 28.333 / 12 = 2.36 -> 2.4.
    aggregate_hour(engine, datetime(2025, 7, 1, 10), I, now=NOW)
    time.sleep(GENERATION_CHECK_SECONDS)
    fresh = client.get(URL)
    assert fresh.headers["X-Cache"] == "MISS"
    assert score(fresh) == 2.4


def test_concurrent_misses_build_the_answer_once(engine: Engine, make_api, monkeypatch
                                                ) -> None:
    build(engine)
    client = make_api(NOW)
    client.get(URL + "&limit=7")  # the data generation is known, as in a running worker
    builds = []
    rankings = parks.park_rankings

    def slow_rankings(*args, **kwargs):
        builds.append(1)
        time.sleep(0.2)  # long enough for every request below to miss
        return rankings(*args, **kwargs)

    monkeypatch.setattr(parks, "park_rankings", slow_rankings)
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(client.get(URL)))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert sorted(r.headers["X-Cache"] for r in answers) == ["HIT"] * 5 + ["MISS"]
    assert len({r.get_data() for r in answers}) == 1


def test_one_request_rereads_the_generation(engine: Engine, make_api) -> None:
    build(engine)
    client = make_api(NOW)
    client.get(URL)
    services = client.application.extensions["themepark"]
    generation = services.known_generation()
    services._generation = (time.monotonic() - GENERATION_CHECK_SECONDS, generation)
    # The first request after a second re-reads it; the others meanwhile keep the old value.
    assert services.known_generation() is None
    assert services.known_generation() == generation




def test_workers_share_the_cache_through_redis(engine: Engine, make_api, redis_url: str
                                               ) -> None:
    build(engine)
    # Two apps stand for two gunicorn workers; a unique path keeps runs apart.
    one, two = make_api(NOW, cache_url=redis_url), make_api(NOW, cache_url=redis_url)
    url = f"{URL}&limit={secrets.randbelow(150) + 50}"
    assert one.get(url).headers["X-Cache"] == "MISS"
    assert two.get(url).headers["X-Cache"] == "HIT"


def test_rate_limit_answers_429_with_retry_after(engine: Engine, make_api) -> None:
    build(engine)
    client = make_api(NOW, api_rate_limit="3 per minute")
    answers = [client.get(URL) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert "Retry-After" not in answers[0].headers  # only a 429 says when to come back
    limited = client.get(URL)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.get_json()["error"]["code"] == "rate_limited"
    # The page itself is not limited.
    assert client.get("/").status_code != 429


def test_rate_limit_through_redis_is_shared(engine: Engine, make_api, redis_url: str) -> None:
    build(engine)
    limit = f"{2 + secrets.randbelow(1000)} per hour"  # a fresh counter for this run
    count = int(limit.split()[0])
    one = make_api(NOW, api_rate_limit=limit, cache_url=redis_url)
    two = make_api(NOW, api_rate_limit=limit, cache_url=redis_url)
    statuses = [(one if n % 2 else two).get(URL).status_code for n in range(count + 1)]
    assert statuses[:count] == [200] * count and statuses[count] == 429


def test_cors_lets_the_page_on_another_port_call_the_api(engine: Engine, make_api) -> None:
    build(engine)
    response = make_api(NOW).get(URL, headers={"Origin": "http://localhost:8080"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    error = make_api(NOW).get("/api/parks/downtime?period=x")
    assert error.headers["Access-Control-Allow-Origin"] == "*"
