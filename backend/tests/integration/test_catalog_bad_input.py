"""Bad catalogue input (issue 15): a missing or invalid time zone, empty or non-numeric
coordinates, two parks of one name in different countries, a ride listed in two parks. Each is
stored sensibly or skipped, with a log line and a ``data_quality_issues`` row; never a crash,
never a merge. Hand-made fixtures edited per test, served by a real local HTTP server; SQLite
and MariaDB."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select

from tests.upstream import EUROPA_WIKI, MK_WIKI, FakeUpstream, serve_upstream
from themepark_tracker.collect.catalog import sync_catalog
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t

PARKS = "/qt/parks.json"


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with serve_upstream() as fake:
        yield fake


def sync(engine: Engine, upstream: FakeUpstream) -> Any:
    url = engine.url.render_as_string(hide_password=False)
    return sync_catalog(engine, upstream.settings(Settings(database_url=url, http_retries=0)))


def stored(engine: Engine) -> tuple[dict[str, Any], list[Any]]:
    with engine.connect() as conn:
        parks = {r.name: r for r in conn.execute(select(t.parks))}
        issues = conn.execute(select(t.data_quality_issues)).all()
    return parks, issues


def qt_park(data: Any, park_id: int) -> dict[str, Any]:
    return next(p for g in data for p in g["parks"] if p["id"] == park_id)


def test_a_missing_zone_is_taken_from_the_other_feed_and_an_invalid_one_skips_the_park(
        engine: Engine, upstream: FakeUpstream, caplog: pytest.LogCaptureFixture) -> None:
    upstream.transform(f"/wiki/entity/{MK_WIKI}", lambda d: {**d, "timezone": None})
    upstream.transform(f"/wiki/entity/{EUROPA_WIKI}", lambda d: {**d, "timezone": "Not/AZone"})
    with caplog.at_level(logging.WARNING):
        report = sync(engine, upstream)
    parks, issues = stored(engine)
    # Magic Kingdom: matched by name and distance (no zone to compare), Queue-Times' zone.
    mk = parks["Magic Kingdom Park"]
    assert (mk.timezone, mk.queue_times_id, mk.themeparks_wiki_id) == (
        "America/New_York", 6, MK_WIKI)
    assert report.park_matches == {"name, distance": 1}
    [zone] = [i for i in issues if i.park_id == mk.park_id]
    assert (zone.issue_type, zone.source) == ("CATALOG_TIMEZONE", "themeparks_wiki")
    assert "America/New_York from the other feed used" in zone.detail
    # Europa-Park: ThemeParks.wiki only, its zone invalid: not stored, recorded under park 0.
    assert "Europa-Park" not in parks
    assert any(i.park_id == 0 and i.issue_type == "CATALOG_SKIPPED" and "'Not/AZone'" in i.detail
               for i in issues)
    assert "Europa-Park" in caplog.text and "Not/AZone" in caplog.text
    # Synced again: the same findings, not twice as many (each sync replaces the last's).
    sync(engine, upstream)
    again = stored(engine)[1]
    assert sorted((i.park_id, i.issue_type, i.detail) for i in again) == sorted(
        (i.park_id, i.issue_type, i.detail) for i in issues)


def test_empty_or_non_numeric_coordinates_are_stored_as_unknown(
        engine: Engine, upstream: FakeUpstream) -> None:
    def edit(data: Any) -> Any:
        qt_park(data, 57).update(latitude="", longitude="abc")  # Great America
        qt_park(data, 65).update(latitude="n/a", longitude="")  # Universal Studios Florida
        return data

    upstream.transform(PARKS, edit)
    sync(engine, upstream)
    parks, issues = stored(engine)
    ga, usf = parks["California's Great America"], parks["Universal Studios Florida"]
    assert (ga.latitude, ga.longitude, usf.latitude, usf.longitude) == (None, None, None, None)
    details = {i.park_id: i.detail for i in issues if i.issue_type == "CATALOG_FEED_ENTRY"}
    assert "longitude 'abc' is not a number" in details[ga.park_id]
    assert "latitude 'n/a' is not a number" in details[usf.park_id]


def test_two_parks_of_one_name_in_different_countries_are_never_merged(
        engine: Engine, upstream: FakeUpstream) -> None:
    # Queue-Times lists a "Europa Park" in Ohio; ThemeParks.wiki's is in Rust, Germany.
    def edit(data: Any) -> Any:
        data[0]["parks"].append({"id": 700, "name": "Europa Park", "country": "United States",
                                 "continent": "North America", "latitude": "41.0",
                                 "longitude": "-81.5", "timezone": "America/New_York"})
        return data

    upstream.transform(PARKS, edit)
    sync(engine, upstream)
    parks, issues = stored(engine)
    with engine.connect() as conn:
        europas = conn.execute(select(t.parks).where(t.parks.c.name.like("Europa%"))).all()
    assert {(p.queue_times_id, p.themeparks_wiki_id, p.timezone) for p in europas} == {
        (700, None, "America/New_York"), (None, EUROPA_WIKI, "Europe/Berlin")}
    clashes = {i.park_id for i in issues if i.issue_type == "CATALOG_NAME_CLASH"}
    assert clashes == {p.park_id for p in europas}


def test_a_ride_listed_in_two_parks_is_kept_in_one(engine: Engine,
                                                   upstream: FakeUpstream) -> None:
    # Universal Studios Florida's answer also lists Great America's Gold Striker (id 831).
    def edit(data: Any) -> Any:
        data["lands"][0]["rides"].append({"id": 831, "name": "Gold Striker", "is_open": True,
                                          "wait_time": 5, "last_updated": "@NOW-2m"})
        return data

    upstream.transform("/qt/parks/65/queue_times.json", edit)
    sync(engine, upstream)
    parks, issues = stored(engine)
    with engine.connect() as conn:
        striker = conn.execute(select(t.rides).where(t.rides.c.queue_times_id == 831)).one()
    assert striker.park_id == parks["California's Great America"].park_id  # listed there first
    [twice] = [i for i in issues if i.issue_type == "CATALOG_RIDE_TWO_PARKS"]
    assert twice.park_id == parks["Universal Studios Florida"].park_id
    assert "Gold Striker" in twice.detail
    # Synced again, with the order of the feed reversed, the stored park keeps it.
    upstream.transform(PARKS, lambda data: list(reversed(data)))
    sync(engine, upstream)
    with engine.connect() as conn:
        again = conn.execute(select(t.rides).where(t.rides.c.queue_times_id == 831)).one()
    assert (again.ride_id, again.park_id) == (striker.ride_id, striker.park_id)
