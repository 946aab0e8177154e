"""The shared HTTP client against a real local server: retries, Retry-After, timeouts, errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from tests.upstream import FakeUpstream, serve_upstream
from themepark_tracker.config import Settings
from themepark_tracker.sources import queue_times as qt
from themepark_tracker.sources.http import HttpClient, SourceError

PARKS = "/qt/parks.json"


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with serve_upstream() as fake:
        yield fake


def settings(**changes: object) -> Settings:
    return replace(Settings(database_url="sqlite://"), **changes)  # type: ignore[arg-type]


def test_user_agent_names_the_project_and_its_url(upstream: FakeUpstream) -> None:
    with HttpClient(settings()) as client:
        qt.fetch_parks(client, upstream.queue_times_url)
    agent = upstream.hits(PARKS)[0].headers["User-Agent"]
    assert agent.startswith("themepark-tracker/")
    assert "(+https://" in agent


def test_429_is_retried_after_its_retry_after(upstream: FakeUpstream) -> None:
    upstream.throttle(PARKS, times=1, retry_after="2")
    with HttpClient(settings()) as client:
        parks = qt.fetch_parks(client, upstream.queue_times_url)
    assert len(parks) == 4
    first, second = upstream.hits(PARKS)
    assert second.at - first.at >= 2.0  # waited as asked (the backoff alone is 0.5 s)


def test_a_retry_after_too_long_to_wait_fails_with_a_message(upstream: FakeUpstream) -> None:
    upstream.throttle(PARKS, times=1, retry_after="3600")
    with HttpClient(settings()) as client, pytest.raises(
            SourceError, match=r"parks.json failed: HTTP 429, Retry-After 3600 s is too long"):
        qt.fetch_parks(client, upstream.queue_times_url)
    assert len(upstream.hits(PARKS)) == 1


def test_server_errors_are_retried_then_reported(upstream: FakeUpstream) -> None:
    upstream.fail(PARKS, 503)
    with HttpClient(settings(http_retries=2)) as client, pytest.raises(
            SourceError, match=r"GET http://127\.0\.0\.1:\d+/qt/parks\.json failed: HTTP 503"):
        qt.fetch_parks(client, upstream.queue_times_url)
    assert len(upstream.hits(PARKS)) == 3  # one try and two retries


def test_not_found_is_not_retried(upstream: FakeUpstream) -> None:
    with HttpClient(settings()) as client, pytest.raises(SourceError, match="HTTP 404"):
        client.get_json(f"{upstream.queue_times_url}/parks/12345/queue_times.json")
    assert len(upstream.hits("/qt/parks/12345/queue_times.json")) == 1


def test_timeout_is_reported(upstream: FakeUpstream) -> None:
    upstream.slow(PARKS, 3)
    with HttpClient(settings(http_timeout_seconds=1, http_retries=0)) as client, \
            pytest.raises(SourceError, match="parks.json failed: timed out"):
        qt.fetch_parks(client, upstream.queue_times_url)


def test_a_body_that_is_not_json_is_reported(upstream: FakeUpstream) -> None:
    upstream.fail(PARKS, 200)  # 200 with an HTML body
    with HttpClient(settings()) as client, pytest.raises(SourceError, match="is not JSON"):
        qt.fetch_parks(client, upstream.queue_times_url)


def test_nothing_listening_is_reported() -> None:
    with serve_upstream() as gone:
        url = gone.queue_times_url
    with HttpClient(settings(http_retries=1)) as client, pytest.raises(
            SourceError, match="parks.json failed: ConnectError"):
        qt.fetch_parks(client, url)
