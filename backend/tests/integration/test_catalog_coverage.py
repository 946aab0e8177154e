"""The whole catalogues of both feeds, matched, and ``themepark coverage`` / ``GET
/api/coverage`` over them: ThemeParks.wiki's real ``/destinations`` capture (127 parks, only
Magic Kingdom's entity captured) and a Queue-Times ``parks.json`` of the real shape built by us
(tests/fixtures/upstream/built/README.md), served by a real local HTTP server. Then bad
catalogue input, on the hand-made fixtures, on SQLite and MariaDB.

Expected values: the parks both feeds list are written out by hand below (from reading the two
files), not derived from the code's matching."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from tests.upstream import FIXTURES, MK_WIKI, REAL, FakeUpstream, real_files, serve_upstream
from themepark_tracker.cli import main
from themepark_tracker.collect.catalog import sync_catalog
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t

BUILT_PARKS = FIXTURES / "built" / "queue_times_parks.json"
DESTINATIONS = REAL / "ThemeParks_Python" / "destinations.json"
MK_CHILDREN = REAL / "ThemeParks_Python" / "mk_children.json"
#: Queue-Times name -> ThemeParks.wiki name, for every park both files list under names the
#: matching can recognise (worked out by reading both files).
BOTH = {
    "Disney Magic Kingdom": "Magic Kingdom Park", "Epcot": "EPCOT",
    "Disney Hollywood Studios": "Disney's Hollywood Studios",
    "Animal Kingdom": "Disney's Animal Kingdom Theme Park",
    "Disney California Adventure": "Disney California Adventure Park",
    "Tokyo Disneyland": "Tokyo Disneyland", "Tokyo DisneySea": "Tokyo DisneySea",
    "Shanghai Disneyland": "Shanghai Disneyland",
    "Hong Kong Disneyland": "Hong Kong Disneyland Park",
    "Universal Studios Florida": "Universal Studios Florida",
    "Universal Islands Of Adventure": "Universal Islands of Adventure",
    "Canada's Wonderland": "Canada's Wonderland", "Carowinds": "Carowinds",
    "Cedar Point": "Cedar Point", "Dorney Park": "Dorney Park",
    "Kings Dominion": "Kings Dominion", "Kings Island": "Kings Island",
    "Knott's Berry Farm": "Knott's Berry Farm", "Michigan's Adventure": "Michigan's Adventure",
    "Valleyfair": "Valleyfair", "Worlds of Fun": "Worlds of Fun",
    "Bellewaerde": "Bellewaerde", "Futuroscope": "Futuroscope",
    "Parc Astérix": "Parc Asterix", "Walibi Belgium": "Walibi Belgium",
    "Walibi Holland": "Walibi Holland", "Walibi Rhône-Alpes": "Walibi Rhône-Alpes",
    "Alton Towers": "Alton Towers",
    "Chessington World of Adventures": "Chessington World of Adventures",
    "Gardaland": "Gardaland", "Heide Park": "Heide Park", "Legoland Billund": "LEGOLAND Billund",
    "Legoland Windsor": "LEGOLAND Windsor", "Thorpe Park": "Thorpe Park",
    "Europa Park": "Europa-Park", "Rulantica": "Rulantica", "Efteling": "Efteling",
    "Phantasialand": "Phantasialand", "Liseberg": "Liseberg", "Hersheypark": "Hersheypark",
    "Kennywood": "Kennywood",
    # "Universal's" / "Universals" and "Universal" are left out of the key alike.
    "Universal Volcano Bay": "Universal's Volcano Bay",
    "Universal Epic Universe": "Universals Epic Universe",
}
#: Listed by both, but not matchable without their ThemeParks.wiki entities: two Disneyland
#: Parks (Anaheim and Paris) under one name on each side, and names that differ.
BOTH_UNMATCHED_QT = {"Disneyland", "Disneyland Park", "Walt Disney Studios Park",
                     "Universal Studios Hollywood", "California's Great America"}
#: Listed by Queue-Times only; Holiday Park has no time zone at all.
QT_ONLY = {"Universal Studios Japan", "Blackpool Pleasure Beach", "Toverland", "Holiday Park"}


def _qt_parks() -> list[dict[str, Any]]:
    return [p for g in json.loads(BUILT_PARKS.read_text("utf-8")) for p in g["parks"]]


def _wiki_parks() -> list[dict[str, Any]]:
    return [p for d in json.loads(DESTINATIONS.read_text("utf-8"))["destinations"]
            for p in d["parks"]]


@pytest.fixture
def catalogue() -> Iterator[FakeUpstream]:
    with serve_upstream({"/qt/parks.json": BUILT_PARKS, **real_files()}) as fake:
        yield fake


def _env(engine: Engine, upstream: FakeUpstream) -> dict[str, str]:
    return {"DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "HTTP_RETRIES": "0", **upstream.env()}


def test_the_hand_made_expectations_cover_every_queue_times_park() -> None:
    names = {p["name"] for p in _qt_parks()}
    assert names == set(BOTH) | BOTH_UNMATCHED_QT | QT_ONLY
    assert len(names) == len(_qt_parks()) == 52
    assert set(BOTH.values()) <= {p["name"] for p in _wiki_parks()}
    assert len(_wiki_parks()) == 127


def test_coverage_over_the_real_destinations_names_every_park(
        engine: Engine, catalogue: FakeUpstream) -> None:
    env = _env(engine, catalogue)
    runner = CliRunner()
    synced = runner.invoke(main, ["collect", "--catalog"], env=env)
    assert synced.exit_code == 0, synced.output
    result = runner.invoke(main, ["coverage"], env=env)
    assert result.exit_code == 0, result.output
    out = result.output
    # 43 matched; 5 + 3 on Queue-Times only; Holiday Park and the 127 - 43 ThemeParks.wiki
    # parks whose entity (time zone) is not in the capture are listed as not stored.
    assert next(line for line in out.splitlines() if "parks stored" in line) == (
        "51 parks stored: 43 matched across both feeds, 8 on Queue-Times only, "
        f"0 on ThemeParks.wiki only; {_mk_rides()} rides; 85 listed park(s) not stored")
    section = out.split("On Queue-Times only")[0]
    for qt_name, wiki_name in BOTH.items():
        # Stored under ThemeParks.wiki's (display) name, with both ids.
        assert any(line.strip().startswith(wiki_name) and "Queue-Times" in line
                   and "ThemeParks.wiki" in line for line in section.splitlines()), qt_name
    for park in _qt_parks():
        assert park["name"] in out or BOTH.get(park["name"]) in out, park["name"]
    for park in _wiki_parks():
        assert park["name"] in out and (park["name"] in section or park["id"] in out)


def _mk_rides() -> int:
    children = json.loads(MK_CHILDREN.read_text("utf-8"))["children"]
    return sum(1 for c in children if c["entityType"] in ("ATTRACTION", "SHOW", "RESTAURANT"))


def test_the_stored_catalogue_matches_and_records_what_it_could_not_use(
        engine: Engine, catalogue: FakeUpstream) -> None:
    url = engine.url.render_as_string(hide_password=False)
    settings = catalogue.settings(Settings(database_url=url, http_retries=0))
    report = sync_catalog(engine, settings)
    with engine.connect() as conn:
        parks = {r.name: r for r in conn.execute(select(t.parks))}
        issues = conn.execute(select(t.data_quality_issues)).all()
    # Magic Kingdom: its Queue-Times longitude lacks its minus; matched all the same, stored
    # with ThemeParks.wiki's coordinates, and the tolerance recorded.
    mk = parks["Magic Kingdom Park"]
    assert (mk.queue_times_id, mk.themeparks_wiki_id, mk.timezone) == (
        1, MK_WIKI, "America/New_York")
    assert mk.longitude == pytest.approx(-81.5811902834)
    assert any(i.park_id == mk.park_id and i.issue_type == "CATALOG_COORDINATES"
               and "longitude sign missing" in i.detail for i in issues)
    # Parks matched by name alone take Queue-Times' time zone, saying ThemeParks.wiki gave none.
    assert parks["Europa-Park"].timezone == "Europe/Berlin"
    assert parks["Europa-Park"].latitude is None  # Queue-Times' coordinates are empty
    # Two Disneyland Parks in ThemeParks.wiki, Disneyland and Disneyland Park in Queue-Times:
    # never merged; each Queue-Times one stored apart, with its clash recorded.
    assert parks["Disneyland"].themeparks_wiki_id is None
    assert parks["Disneyland Park"].country == "France"
    assert parks["Disneyland Park"].themeparks_wiki_id is None
    clash = [i for i in issues if i.issue_type == "CATALOG_NAME_CLASH"
             and i.park_id == parks["Disneyland Park"].park_id]
    assert clash and "kept apart" in clash[0].detail
    skipped = [i for i in issues if i.issue_type == "CATALOG_SKIPPED"]
    assert (len(skipped), {i.park_id for i in skipped}) == (85, {0})
    assert report.park_matches == {"name": 42, "name, time zone and distance": 1}


def test_api_coverage_matches_the_cli(engine: Engine, catalogue: FakeUpstream,
                                      make_api: Any) -> None:
    url = engine.url.render_as_string(hide_password=False)
    sync_catalog(engine, catalogue.settings(Settings(database_url=url, http_retries=0)))
    client = make_api(datetime(2026, 4, 15, 12))
    body = client.get("/api/coverage").get_json()
    assert body["totals"] == {"parks": 51, "matched": 43, "queue_times_only": 8,
                              "themeparks_wiki_only": 0, "not_stored": 85,
                              "rides": _mk_rides()}
    mk = next(p for p in body["parks"] if p["themeparks_wiki_id"] == MK_WIKI)
    assert mk["feeds"] == "both"
    assert mk["rides"]["rides"] == mk["rides"]["themeparks_wiki_only"] == _mk_rides()
    bad = client.get("/api/coverage?period=today")
    assert bad.status_code == 400 and "period" in bad.get_json()["error"]["message"]

