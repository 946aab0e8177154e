"""The Atom feeds (web/feeds.py) over events derived from stored data, on SQLite and MariaDB:
valid Atom by ``feedparser`` (no bozo flag), the required elements, stable entry ids, the
newest 50, conditional GET, and the error answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import feedparser
import pytest
from sqlalchemy import Engine

from tests import scenarios as scen
from tests.factories import cycle, ingest, make_park
from themepark_tracker.config import Settings
from themepark_tracker.ingest.events import derive_events
from themepark_tracker.web.security import API_POLICY

M = timedelta(minutes=1)
T0 = datetime(2025, 7, 1, 10, 0)
NOW = datetime(2025, 7, 1, 22, 0)


def breakdowns(engine: Engine, park_id: int, count: int, start: datetime = T0) -> None:
    """``count`` breakdowns of the park's first ride, 2 cycles each: 2 events apiece."""
    rides = [park_id * 100 + i for i in (1, 2, 3)]
    rows = ["OOO", "COO", "COO"] * count + ["OOO"]
    summary = ingest(engine, [cycle(park_id, start + n * 5 * M, row, rides)
                              for n, row in enumerate(rows)], 5)
    url = engine.url.render_as_string(hide_password=False)
    derive_events(engine, Settings(database_url=url), summary.days_marked, now=NOW)


@pytest.fixture
def api(engine: Engine, make_api: Any) -> Any:
    scen.at_head(engine)
    make_park(engine, 1, name="Plain Park")
    make_park(engine, 2, name="Magic Park", is_disney=True)
    breakdowns(engine, 1, 30)  # 60 events: the feed keeps the newest 50
    breakdowns(engine, 2, 1)
    return make_api(NOW)


def parse(response: Any) -> Any:
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    for key in ("id", "title", "updated"):
        assert parsed.feed.get(key), key
    assert parsed.feed.author == "themepark-tracker"
    for entry in parsed.entries:
        for key in ("id", "title", "updated", "link", "summary", "rights"):
            assert entry.get(key), (key, entry)
        assert "Queue-Times.com" in entry.rights and "ThemeParks.wiki" in entry.rights
    return parsed


def test_a_ride_feed_holds_its_newest_50_events(api: Any) -> None:
    parsed = parse(api.get("/feeds/rides/101.atom"))
    assert len(parsed.entries) == 50
    # 30 breakdowns of 15 minutes from 10:00: down at 10:05 + 15k, up at 10:15 + 15k. Newest
    # first: up at 10:15 + 15*29 = 17:30, then down at 17:20.
    first, second = parsed.entries[0], parsed.entries[1]
    assert first.id == "urn:themepark-tracker:event:ride.up:ride-101:20250701T173000Z"
    assert first.title == "Ride 101 (Plain Park) is back up"
    assert first.updated == "2025-07-01T17:30:00Z"
    assert second.id == "urn:themepark-tracker:event:ride.down:ride-101:20250701T172000Z"
    assert first.link == "http://localhost/#/rides/101?period=today"
    assert "down for 10 minutes" in second.summary
    assert parsed.feed.updated == "2025-07-01T17:30:00Z"
    # the test's parks come from no live feed: the feed says the data is simulated
    assert parsed.feed.subtitle.startswith("Simulated data")


def test_entry_ids_are_stable_between_requests(api: Any) -> None:
    a = [e.id for e in parse(api.get("/feeds/parks/1.atom")).entries]
    b = [e.id for e in parse(api.get("/feeds/parks/1.atom")).entries]
    assert a == b and len(set(a)) == 50


def test_the_outages_feed_filters_disney_and_universal(api: Any) -> None:
    magic = parse(api.get("/feeds/outages.atom?filter=disney-universal"))
    assert [e.id.rsplit(":", 1)[0] for e in magic.entries] == [
        "urn:themepark-tracker:event:ride.up:ride-201",
        "urn:themepark-tracker:event:ride.down:ride-201"]
    everything = parse(api.get("/feeds/outages.atom"))
    assert len(everything.entries) == 50
    assert parse(api.get("/feeds/outages.atom?filter=all-parks")).entries == everything.entries


def test_a_matching_if_none_match_is_a_304(api: Any) -> None:
    first = api.get("/feeds/parks/2.atom")
    etag = first.headers["ETag"]
    assert etag
    again = api.get("/feeds/parks/2.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = api.get("/feeds/parks/2.atom", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.headers["ETag"] == etag


def test_a_park_without_events_has_a_valid_empty_feed(engine: Engine, make_api: Any) -> None:
    scen.at_head(engine)
    make_park(engine, 3, name="Quiet Park")
    parsed = parse(make_api(NOW).get("/feeds/parks/3.atom"))
    assert parsed.entries == [] and parsed.feed.updated == "1970-01-01T00:00:00Z"


@pytest.mark.parametrize(("path", "status", "parameter"), [
    ("/feeds/rides/999.atom", 404, "ride_id"),
    ("/feeds/parks/999.atom", 404, "park_id"),
    ("/feeds/rides/abc.atom", 400, "ride_id"),
    ("/feeds/outages.atom?filter=everything", 400, "filter"),
    ("/feeds/outages.atom?period=today", 400, "period"),
])
def test_bad_requests_get_the_api_envelope(api: Any, path: str, status: int,
                                           parameter: str) -> None:
    response = api.get(path)
    assert response.status_code == status
    assert response.json["error"]["parameter"] == parameter


def test_feeds_carry_the_security_headers(api: Any) -> None:
    response = api.get("/feeds/rides/101.atom")
    assert response.headers["Content-Security-Policy"] == API_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"].startswith("public")


def test_a_feed_from_live_parks_does_not_say_simulated(engine: Engine, api: Any) -> None:
    from sqlalchemy import update

    from themepark_tracker.db import tables as t

    with engine.begin() as conn:
        conn.execute(update(t.parks).values(queue_times_id=t.parks.c.park_id + 1000))
    assert "subtitle" not in parse(api.get("/feeds/rides/101.atom")).feed
