"""Catalogue names from the feeds: stored as displayed (``name``), matched as sent
(``raw_name``), so cleaning a name never changes which rides two feeds pair up."""

from __future__ import annotations

from themepark_tracker.collect import catalog
from themepark_tracker.sources import queue_times, themeparks_wiki
from themepark_tracker.sources.matching import match
from themepark_tracker.sources.models import SourceRide


def test_queue_times_parks_and_rides_get_display_names_and_keep_the_raw_one() -> None:
    [park] = queue_times.parse_parks([{"name": "Group", "parks": [
        {"id": 6, "name": " <b>Magic</b> Kingdom &amp; More ", "timezone": "UTC"}]}])
    assert (park.name, park.raw_name) == ("Magic Kingdom & More",
                                          "<b>Magic</b> Kingdom &amp; More")
    [ride] = queue_times.parse_rides(
        {"lands": [], "rides": [{"id": 1, "name": "<b>Space</b> Mountain"}]}, "6")
    assert (ride.name, ride.raw_name) == ("Space Mountain", "<b>Space</b> Mountain")


def test_themeparks_wiki_parks_and_rides_get_display_names_and_keep_the_raw_one() -> None:
    park = themeparks_wiki.parse_park(
        {"id": "p1", "name": "Epcot&nbsp;", "timezone": "UTC"}, "WDW")
    assert (park.name, park.raw_name) == ("Epcot", "Epcot&nbsp;")
    [ride] = themeparks_wiki.parse_children({"children": [
        {"id": "r1", "name": "Tom &amp; Jerry", "entityType": "ATTRACTION"}]}, "p1")
    assert (ride.name, ride.raw_name) == ("Tom & Jerry", "Tom &amp; Jerry")


def test_a_record_made_without_a_raw_name_uses_its_name() -> None:
    ride = SourceRide("queue_times", "1", "6", "Dumbo", "ATTRACTION")
    assert ride.raw_name == "Dumbo"


def test_matching_compares_the_raw_names() -> None:
    """Both feeds send markup that cleans to one name, spelled differently: the catalogue's
    keys see the raw names, so the pair is left to the ids and the link file, as before."""
    qt = SourceRide("queue_times", "1", "6", "Space Mountain", "ATTRACTION",
                    raw_name="<b>Space</b> Mountain")
    wiki = SourceRide("themeparks_wiki", "r1", "p1", "Space Mountain", "ATTRACTION",
                      raw_name="<i>Space</i> Mountain")
    pairs = match([qt], [wiki], qt_id=lambda r: r.source_id, wiki_id=lambda r: r.source_id,
                  keys=[(catalog._ride_key, catalog._ride_key)])
    assert [p.how for p in pairs] == ["queue_times only", "themeparks_wiki only"]
    same = SourceRide("themeparks_wiki", "r2", "p1", "Space Mountain", "ATTRACTION",
                      raw_name="<b>Space</b> Mountain")
    [pair] = match([qt], [same], qt_id=lambda r: r.source_id, wiki_id=lambda r: r.source_id,
                   keys=[(catalog._ride_key, catalog._ride_key)])
    assert pair.how == "name"
