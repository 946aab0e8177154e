"""Parsing recorded-shape payloads of both feeds: no database, no network."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.upstream import EUROPA_WIKI, MK_WIKI, RIDE, render_fixture
from themepark_tracker.sources import queue_times as qt
from themepark_tracker.sources import themeparks_wiki as wiki
from themepark_tracker.sources.http import SourceError, retry_after_seconds
from themepark_tracker.sources.matching import Pair, load_tier_overrides, match, pair_by
from themepark_tracker.sources.models import (
    SourcePark,
    categorise,
    normalise_name,
    park_key,
    parse_feed_instant,
)
from themepark_tracker.sources.places import (
    Point,
    distance_km,
    parse_point,
    tolerant_distance_km,
)

NOW = datetime(2025, 12, 5, 15, 0, 0, 250_000)


def test_instants_with_and_without_milliseconds_and_offsets() -> None:
    assert parse_feed_instant("2025-12-05T14:58:00.000Z") == datetime(2025, 12, 5, 14, 58)
    assert parse_feed_instant("2025-12-05T14:58:00Z") == datetime(2025, 12, 5, 14, 58)
    assert parse_feed_instant("2025-12-05T14:58:00.987Z") == datetime(2025, 12, 5, 14, 58)
    assert parse_feed_instant("2025-12-05T09:00:00-05:00") == datetime(2025, 12, 5, 14, 0)
    assert parse_feed_instant("2025-12-05T16:00:00+01:00") == datetime(2025, 12, 5, 15, 0)
    assert parse_feed_instant("yesterday") is None
    assert parse_feed_instant(None) is None


def test_queue_times_parks_flatten_the_operator_groups() -> None:
    parks = qt.parse_parks(render_fixture("/qt/parks.json"))
    by_id = {p.source_id: p for p in parks}
    assert set(by_id) == {"6", "57", "65", "999"}
    mk = by_id["6"]
    assert (mk.name, mk.operator, mk.country, mk.timezone) == (
        "Disney Magic Kingdom", "Walt Disney Attractions", "United States", "America/New_York")
    assert mk.latitude == pytest.approx(28.417663)  # a string upstream
    assert mk.longitude == pytest.approx(-81.581212)


def test_queue_times_rides_inside_lands_and_only_at_the_top_level() -> None:
    in_lands = qt.parse_rides(render_fixture("/qt/parks/6/queue_times.json"), "6")
    assert {r.name for r in in_lands} == {
        "Space Mountain", "Seven Dwarfs Mine Train", "Peter Pan's Flight",
        "Big Thunder Mountain Railroad", "Haunted Mansion", "Walt Disney World Railroad"}
    top_only = qt.parse_rides(render_fixture("/qt/parks/57/queue_times.json"), "57")
    assert {r.name: r.category for r in top_only} == {
        "Gold Striker": "ATTRACTION", "RailBlazer": "ATTRACTION", "Flight Deck": "ATTRACTION",
        "Gold Striker Single Rider": "SINGLE_RIDER"}


def test_queue_times_live_open_closed_and_last_updated() -> None:
    answer = qt.parse_live(render_fixture("/qt/parks/57/queue_times.json", NOW))
    live = {r.source_id: r for r in answer.readings}
    assert (live["831"].status, live["831"].wait_time) == ("OPERATING", 25)
    # Closed rides report wait 0 upstream: not a wait.
    assert (live["5467"].status, live["5467"].wait_time) == ("CLOSED", None)
    # The newest last_updated of the answer: 831, 5467 and 9001 at NOW-3m (with
    # milliseconds), 832 at NOW-4m (without) -> 14:57.
    assert answer.newest_update == datetime(2025, 12, 5, 14, 57)
    # Without milliseconds counts too: make 832 (no ms) the newest, at NOW-1m.
    payload = render_fixture("/qt/parks/57/queue_times.json", NOW)
    payload["rides"][2]["last_updated"] = "2025-12-05T14:59:00Z"
    assert qt.parse_live(payload).newest_update == datetime(2025, 12, 5, 14, 59)


def test_queue_times_bad_payload_names_the_problem() -> None:
    with pytest.raises(SourceError, match="expected a list of operator groups"):
        qt.parse_parks({"error": "nope"}, "http://x/parks.json")
    with pytest.raises(SourceError, match="'lands' and 'rides' must be lists"):
        qt.parse_live({"lands": "x", "rides": []})


def test_wiki_destinations_park_and_children() -> None:
    dests = wiki.parse_destinations(render_fixture("/wiki/destinations"))
    assert (MK_WIKI, "Magic Kingdom Park", "Walt Disney World® Resort") in dests
    assert (EUROPA_WIKI, "Europa-Park", "Europa-Park Resort") in dests
    park = wiki.parse_park(render_fixture(f"/wiki/entity/{MK_WIKI}"), "Walt Disney World® Resort")
    assert (park.timezone, park.latitude, park.longitude) == (
        "America/New_York", 28.417663, -81.581212)
    children = {c.name: c.category for c in wiki.parse_children(
        render_fixture(f"/wiki/entity/{MK_WIKI}/children"), MK_WIKI)}
    assert children["Space Mountain"] == "ATTRACTION"
    assert children["Meet Mickey at Town Square Theater"] == "MEET_AND_GREET"
    assert children["Mickey's Magical Friendship Faire"] == "SHOW"
    assert children["Be Our Guest Restaurant"] == "RESTAURANT"
    europa = {c.name: c.category for c in wiki.parse_children(
        render_fixture(f"/wiki/entity/{EUROPA_WIKI}/children"), EUROPA_WIKI)}
    assert europa["Blue Fire Single Rider"] == "SINGLE_RIDER"


def test_wiki_live_quirks() -> None:
    answer = wiki.parse_live(render_fixture(f"/wiki/entity/{MK_WIKI}/live", NOW))
    live = {r.source_id: r for r in answer.readings}
    assert MK_WIKI not in live  # the park itself is in liveData, and is not a ride
    assert (live[RIDE["space"]].status, live[RIDE["space"]].wait_time) == ("OPERATING", 45)
    # OPERATING with a null standby wait: operating, wait unknown.
    assert (live[RIDE["dwarfs"]].status, live[RIDE["dwarfs"]].wait_time) == ("OPERATING", None)
    assert (live[RIDE["thunder"]].status, live[RIDE["thunder"]].wait_time) == ("DOWN", None)
    # REFURBISHMENT without any queue object.
    assert (live[RIDE["mansion"]].status, live[RIDE["mansion"]].wait_time) == (
        "REFURBISHMENT", None)
    # Peter Pan's lastUpdated is days old; the newest over the answer is NOW-1m.
    assert answer.newest_update == datetime(2025, 12, 5, 14, 59)


def test_wiki_newest_update_counts_every_entity_the_park_included() -> None:
    payload = {"liveData": [
        {"id": "park", "entityType": "PARK", "lastUpdated": "2025-12-05T14:30:00Z"},
        {"id": "a", "entityType": "ATTRACTION", "status": "OPERATING",
         "lastUpdated": "2025-12-05T06:00:00.000Z"},
        {"id": "s", "entityType": "SHOW", "status": "OPERATING",
         "lastUpdated": "2025-12-05T09:00:00+01:00"},  # 08:00 UTC
        {"id": "b", "entityType": "ATTRACTION", "status": "DOWN"},  # no time at all
    ]}
    assert wiki.parse_live(payload).newest_update == datetime(2025, 12, 5, 14, 30)
    payload["liveData"].pop(0)  # without the park entry: the show, 08:00 UTC
    assert wiki.parse_live(payload).newest_update == datetime(2025, 12, 5, 8, 0)
    assert wiki.parse_live({"liveData": []}).newest_update is None


def test_wiki_missing_or_unknown_status_is_unknown() -> None:
    payload = {"liveData": [
        {"id": "a", "entityType": "ATTRACTION"},
        {"id": "b", "entityType": "ATTRACTION", "status": "EXPLODED"},
        {"id": "c", "entityType": "ATTRACTION", "status": "closed", "queue": {"STANDBY": {}}},
    ]}
    assert [(r.source_id, r.status, r.wait_time) for r in wiki.parse_live(payload).readings] == [
        ("a", "UNKNOWN", None), ("b", "UNKNOWN", None), ("c", "CLOSED", None)]


def test_wiki_schedule_keeps_operating_windows_in_utc() -> None:
    rows = wiki.parse_schedule(render_fixture(f"/wiki/entity/{MK_WIKI}/schedule"))
    assert [(r.local_date, r.opening_time_utc, r.closing_time_utc) for r in rows] == [
        (date(2025, 12, 4), datetime(2025, 12, 4, 14), datetime(2025, 12, 5, 3)),
        (date(2025, 12, 5), datetime(2025, 12, 5, 14), datetime(2025, 12, 5, 23)),
        # closes after local midnight: still the 6th's window
        (date(2025, 12, 6), datetime(2025, 12, 6, 14), datetime(2025, 12, 7, 6)),
    ]


def test_names_normalise_across_the_feeds() -> None:
    assert normalise_name("Peter Pan’s Flight") == normalise_name("Peter Pan's Flight")
    assert normalise_name("WODAN – Timburcoaster") == "wodan timburcoaster"
    assert normalise_name("Test Track™ Presented by Chevrolet®") == \
        "test track presented by chevrolet"
    assert park_key("Disney Magic Kingdom") == park_key("Magic Kingdom Park") == "magic kingdom"
    assert park_key("Disney's Animal Kingdom Theme Park") == park_key("Animal Kingdom")


@pytest.mark.parametrize(("name", "upstream", "expected"), [
    ("Space Mountain", "ATTRACTION", "ATTRACTION"),
    ("Test Track Single Rider", "ATTRACTION", "SINGLE_RIDER"),
    ("Radiator Springs Racers - Single Rider", "ATTRACTION", "SINGLE_RIDER"),
    ("Meet Ariel at Her Grotto", "ATTRACTION", "MEET_AND_GREET"),
    ("Meet and Greet with Spider-Man", "SHOW", "MEET_AND_GREET"),
    ("Meetinghouse Cafe", "RESTAURANT", "RESTAURANT"),
    ("Festival of the Lion King", "SHOW", "SHOW"),
])
def test_categories(name: str, upstream: str, expected: str) -> None:
    assert categorise(name, upstream) == expected


def test_pairing_needs_a_unique_key_on_both_sides() -> None:
    pairs, left, right = pair_by(["a1", "b1", "b2", "c1"], ["a2", "b3", "d2"],
                                 lambda s: s[0], lambda s: s[0])
    assert pairs == [("a1", "a2")]
    assert left == ["b1", "b2", "c1"]
    assert right == ["b3", "d2"]


def test_match_prefers_links_over_names() -> None:
    # A link file pairs q1 with w2 although q1's name equals w1's.
    names = {"q1": "x", "q2": "y", "w1": "x", "w2": "z"}
    pairs = match(["q1", "q2"], ["w1", "w2"], qt_id=lambda s: s, wiki_id=lambda s: s,
                  keys=[(names.get, names.get)], links={"q1": "w2"})
    assert set(pairs) == {Pair("q1", "w2", "link file"), Pair("q2", None, "queue_times only"),
                          Pair(None, "w1", "themeparks_wiki only")}


def _park(source: str, pid: str, name: str, zone: str, lat: float | None = None,
          lon: float | None = None) -> SourcePark:
    return SourcePark(source, pid, name, zone, latitude=lat, longitude=lon)


def _match_parks(qt_parks: list[SourcePark], wiki_parks: list[SourcePark]
                 ) -> set[tuple[str, str, str]]:
    from themepark_tracker.collect.catalog_checks import place

    pairs = match(qt_parks, wiki_parks, qt_id=lambda p: p.source_id,
                  wiki_id=lambda p: p.source_id, keys=[], places=(place, place, 10.0))
    return {(p.queue_times.source_id, p.themeparks_wiki.source_id, p.how)  # type: ignore[union-attr]
            for p in pairs if p.queue_times and p.themeparks_wiki}


def test_parks_of_one_name_are_told_apart_by_time_zone() -> None:
    qt_parks = [_park("queue_times", "16", "Disneyland", "America/Los_Angeles"),
                _park("queue_times", "4", "Disneyland Park", "Europe/Paris"),
                _park("queue_times", "7", "Epcot", "America/New_York")]
    wiki_parks = [_park("themeparks_wiki", "anaheim", "Disneyland Park", "America/Los_Angeles"),
                  _park("themeparks_wiki", "paris", "Disneyland Park", "Europe/Paris"),
                  _park("themeparks_wiki", "epcot", "EPCOT", "US/Eastern")]
    # Anaheim and Paris by name and zone; EPCOT too: US/Eastern is New York's clock.
    assert _match_parks(qt_parks, wiki_parks) == {
        ("16", "anaheim", "name, time zone"), ("4", "paris", "name, time zone"),
        ("7", "epcot", "name, time zone")}


def test_parks_of_one_name_far_apart_are_never_merged() -> None:
    # Two "Adventure Land"s in one time zone, 600 km apart (Chicago and Minneapolis, both
    # America/Chicago): the name and zone agree, the distance does not.
    qt_parks = [_park("queue_times", "1", "Adventure Land", "America/Chicago", 41.88, -87.63)]
    wiki_parks = [_park("themeparks_wiki", "w", "Adventure Land", "America/Chicago",
                        44.98, -93.27)]
    assert _match_parks(qt_parks, wiki_parks) == set()
    # Without coordinates on one side only name and zone can be compared: one park.
    assert _match_parks([_park("queue_times", "1", "Adventure Land", "America/Chicago")],
                        wiki_parks) == {("1", "w", "name, time zone")}
    # A zone name that is no zone at all is not compared (it is checked, and recorded, apart).
    assert _match_parks([_park("queue_times", "1", "Adventure Land", "Mars/Olympus_Mons",
                               44.98, -93.27)], wiki_parks) == {("1", "w", "name, distance")}


def test_a_missing_minus_sign_is_tolerated_and_said() -> None:
    from themepark_tracker.collect.catalog_checks import place

    # Magic Kingdom, with Queue-Times' longitude as "81.581212" (no minus): 0.2 km from
    # ThemeParks.wiki's once the minus is restored; 13,000 km as given.
    q = _park("queue_times", "6", "Disney Magic Kingdom", "America/New_York", 28.417663, 81.581212)
    w = _park("themeparks_wiki", "mk", "Magic Kingdom Park", "America/New_York",
              28.4160036778, -81.5811902834)
    pairs = match([q], [w], qt_id=lambda p: p.source_id, wiki_id=lambda p: p.source_id,
                  keys=[], places=(place, place, 10.0))
    assert [(p.how, p.note) for p in pairs] == [
        ("name, time zone and distance", "longitude sign missing on one side")]
    assert distance_km(Point(28.417663, 81.581212), Point(28.4160036778, -81.5811902834)) > 10_000
    km, note = tolerant_distance_km(Point(28.417663, 81.581212),
                                    Point(28.4160036778, -81.5811902834))
    # Independent check: 0.00166 deg of latitude is 0.185 km, 0.00002 deg of longitude ~0.
    assert km == pytest.approx(0.185, abs=0.01)
    assert note == "longitude sign missing on one side"


def test_coordinates_as_the_feeds_spell_them() -> None:
    assert parse_point("28.417663", "-81.581212") == (Point(28.417663, -81.581212), [])
    assert parse_point(" 48.26 ", 7.72) == (Point(48.26, 7.72), [])
    assert parse_point("", "") == (None, [])
    assert parse_point("abc", "7.7") == (None, ["latitude 'abc' is not a number",
                                                "only one of latitude and longitude is usable"])
    assert parse_point("0", "0") == (None, ["coordinates (0, 0) are a placeholder, not a place"])
    assert parse_point("95", "7")[0] is None
    assert parse_point("nan", "7")[0] is None


def test_tier_file_in_the_package_loads_and_bad_lines_are_named() -> None:
    tiers = load_tier_overrides()
    assert tiers[("magic kingdom", "space mountain")].tier == 1
    with pytest.raises(ValueError, match="line 2: tier must be 1, 2 or 3"):
        load_tier_overrides([{"park": "P", "ride": "R", "tier": "5", "category": ""}])
    with pytest.raises(ValueError, match="unknown category 'RIDE'"):
        load_tier_overrides([{"park": "P", "ride": "R", "tier": "", "category": "ride"}])


def test_retry_after_seconds_or_http_date() -> None:
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_cycles_are_stamped_with_the_start_of_their_slot() -> None:
    from themepark_tracker.timeutil import slot_start

    assert slot_start(datetime(2025, 12, 5, 15, 4, 59), 300) == datetime(2025, 12, 5, 15, 0)
    assert slot_start(datetime(2025, 12, 5, 15, 5, 0), 300) == datetime(2025, 12, 5, 15, 5)
    assert slot_start(datetime(2025, 12, 5, 15, 5, 3), 2) == datetime(2025, 12, 5, 15, 5, 2)


def test_collection_settings() -> None:
    from themepark_tracker.config import ConfigError, Settings

    default = Settings.from_env({})
    assert (default.collection_period, default.http_retries, default.http_concurrency) == (
        300, 3, 4)
    fast = Settings.from_env({"COLLECTION_PERIOD_SECONDS": "2",
                              "COLLECTION_INTERVAL_MINUTES": "10"})
    assert (fast.collection_period, fast.collection_interval_minutes) == (2, 10)
    assert Settings.from_env({"COLLECTION_INTERVAL_MINUTES": "10"}).collection_period == 600
    with pytest.raises(ConfigError, match="HTTP_RETRIES must be at least 0"):
        Settings.from_env({"HTTP_RETRIES": "-1"})
    with pytest.raises(ConfigError, match="COLLECTION_PERIOD_SECONDS must be a whole number"):
        Settings.from_env({"COLLECTION_PERIOD_SECONDS": "0.5"})


def test_the_zone_a_park_is_stored_with() -> None:
    from themepark_tracker.collect.catalog_checks import park_zone

    q = _park("queue_times", "6", "Disney Magic Kingdom", "US/Eastern")
    w = _park("themeparks_wiki", "mk", "Magic Kingdom Park", "America/New_York")
    # Both valid, one clock: ThemeParks.wiki's name, nothing to record.
    assert park_zone(Pair(q, w, "name")) == ("America/New_York", [])
    # ThemeParks.wiki's missing: Queue-Times' used, and said.
    zone, [issue] = park_zone(Pair(q, _park("themeparks_wiki", "mk", "MK", ""), "name"))
    assert zone == "US/Eastern" and issue.issue_type == "CATALOG_TIMEZONE"
    assert issue.source == "themeparks_wiki" and "US/Eastern from the other feed used" in (
        issue.detail)
    # Two different clocks (only stored ids or the links file can pair such parks).
    zone, [issue] = park_zone(Pair(_park("queue_times", "6", "MK", "Europe/Paris"), w, "link"))
    assert zone == "America/New_York" and "says Europe/Paris" in issue.detail
    # Neither usable: not stored.
    assert park_zone(Pair(_park("queue_times", "9", "X", "Mars/Olympus_Mons"), None, "only")
                     )[0] is None
