"""The collector over real ThemeParks.wiki captures (tests/fixtures/upstream/real/, vendored
unmodified from the official SDKs' fixtures), served by the fake upstream (a real local HTTP
server), on SQLite and MariaDB: ``collect --catalog``, ``--schedules`` and ``--once``.

Every expected value is computed here from the capture files, never typed by hand, by rules
written from SPEC §1-2 rather than taken from the code under test:

- a ride's status is the feed's as given (missing or not one of ours: UNKNOWN); its wait is the
  STANDBY queue's ``waitTime`` (none when the queue, STANDBY or the number is missing);
- only ATTRACTION entities count, less the meet-and-greets (in these captures: the names that
  start with "Meet "); shows, restaurants and the park itself never do;
- each entity's ``lastUpdated`` is its last change, so a capture is old relative to today: each
  cycle runs in the collection slot just after the capture's newest ``lastUpdated``; a day later
  the same capture is a stale park feed (SPEC §1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from tests.integration.test_collect import MK_LIVE, synced_settings
from tests.upstream import (
    MK_WIKI,
    REAL,
    REAL_LIVE_BEFORE_OPENING,
    REAL_LIVE_MIDDAY,
    FakeUpstream,
    real_files,
    serve_upstream,
)
from themepark_tracker.cli import main
from themepark_tracker.collect.cycle import CycleReport, collect_once
from themepark_tracker.collect.schedules import refresh_schedules
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t

CAPTURES = REAL / "ThemeParks_Python"
SLOT = timedelta(minutes=5)  # the default collection interval (SPEC §1)
FEED_STATUSES = {"OPERATING", "DOWN", "CLOSED", "REFURBISHMENT"}  # SPEC §1; else UNKNOWN
WEIGHT = {1: 3, 2: 2, 3: 1}  # SPEC §1, by tier; unclassified: tier 2
LIVES = pytest.mark.parametrize("live", [REAL_LIVE_MIDDAY, REAL_LIVE_BEFORE_OPENING],
                                ids=["midday", "before-opening"])


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with serve_upstream(real_files()) as fake:
        yield fake


@pytest.fixture
def settings(engine: Engine, upstream: FakeUpstream) -> Settings:
    return synced_settings(engine, upstream)


# --- what the capture files say -------------------------------------------------------------


def load(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def instant(text: str) -> datetime:
    """An ISO instant ("...Z" or "...-04:00") as naive UTC."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(
        tzinfo=None)


def category(entity: dict[str, Any]) -> str:
    kind = str(entity["entityType"])
    return "MEET_AND_GREET" if kind in ("ATTRACTION", "SHOW") and str(
        entity["name"]).startswith("Meet ") else kind


def status(entity: dict[str, Any]) -> str:
    return entity["status"] if entity.get("status") in FEED_STATUSES else "UNKNOWN"


def wait(entity: dict[str, Any]) -> int | None:
    value = ((entity.get("queue") or {}).get("STANDBY") or {}).get("waitTime")
    return value if isinstance(value, int) and value >= 0 else None


def entities(live: dict[str, Any]) -> list[dict[str, Any]]:
    """The live entries that are not the park itself."""
    return [e for e in live["liveData"] if e["entityType"] != "PARK"]


def attractions(live: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in entities(live) if category(e) == "ATTRACTION"]


def slot_after(live: dict[str, Any]) -> datetime:
    """The first collection slot after the capture's newest ``lastUpdated``."""
    newest = max(instant(e["lastUpdated"]) for e in live["liveData"] if e.get("lastUpdated"))
    return newest.replace(minute=newest.minute - newest.minute % 5, second=0) + SLOT


def open_by_schedule(at: datetime) -> bool:
    """SPEC §2.1 from the schedule capture, which holds windows for ``at``'s local date."""
    zone = ZoneInfo(load(CAPTURES / "mk_entity.json")["timezone"])
    day = at.replace(tzinfo=UTC).astimezone(zone).date().isoformat()
    windows = [(instant(e["openingTime"]), instant(e["closingTime"]))
               for e in load(CAPTURES / "mk_schedule.json")["schedule"]
               if e["type"] == "OPERATING" and e["date"] == day]
    assert windows, f"the schedule capture has no OPERATING window on {day}"
    return any(opening <= at < closing for opening, closing in windows)


# --- what was stored ------------------------------------------------------------------------


def collect_at(engine: Engine, settings: Settings, at: datetime) -> CycleReport:
    report = collect_once(engine, settings, now=at + timedelta(seconds=20))
    assert report.ok and report.recorded_at == at, report.describe()
    return report


def ride_rows(engine: Engine) -> dict[str, tuple[datetime, str, int | None, bool]]:
    """Every ride snapshot of Magic Kingdom, by ThemeParks.wiki id."""
    rss = t.ride_status_snapshots
    with engine.connect() as conn:
        return {r.themeparks_wiki_id: (r.recorded_at, r.status, r.wait_time, r.counted_down)
                for r in conn.execute(
                    select(t.rides.c.themeparks_wiki_id, rss.c.recorded_at, rss.c.status,
                           rss.c.wait_time, rss.c.counted_down)
                    .join(t.rides, t.rides.c.ride_id == rss.c.ride_id))}


def tiers(engine: Engine) -> dict[str, int | None]:
    with engine.connect() as conn:
        return dict(conn.execute(select(t.rides.c.themeparks_wiki_id, t.rides.c.tier)).all())


def park_row(engine: Engine) -> Any:
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        (row,) = conn.execute(select(
            pas.c.recorded_at, pas.c.park_appears_open, pas.c.rides_open, pas.c.rides_down,
            pas.c.total_rides_tracked, pas.c.active_weight, pas.c.down_weight,
            pas.c.shame_score, pas.c.avg_wait_time, pas.c.max_wait_time, pas.c.wait_sum,
            pas.c.wait_count)).all()
    return row


def issues(engine: Engine) -> list[tuple[Any, ...]]:
    dq = t.data_quality_issues
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(
            t.parks.c.themeparks_wiki_id, dq.c.ride_id, dq.c.recorded_at, dq.c.issue_type)
            .join(t.parks, t.parks.c.park_id == dq.c.park_id))]


# --- collect --catalog ----------------------------------------------------------------------


def test_catalogue_from_the_real_destinations_and_children(
        engine: Engine, upstream: FakeUpstream) -> None:
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False), **upstream.env()}
    result = CliRunner().invoke(main, ["collect", "--catalog"], env=env)
    assert result.exit_code == 0, result.output

    destinations = load(CAPTURES / "destinations.json")["destinations"]
    entity = load(CAPTURES / "mk_entity.json")
    children = load(CAPTURES / "mk_children.json")["children"]
    home = next(d for d in destinations if any(p["id"] == MK_WIKI for p in d["parks"]))
    # Only Magic Kingdom's entity is served: every other park of /destinations is a 404, named
    # in the output and left out (Queue-Times is not served either).
    others = [p for d in destinations for p in d["parks"] if p["id"] != MK_WIKI]
    assert len(others) > 100
    said = [line for line in result.output.splitlines()
            if line.startswith("Problem: ThemeParks.wiki park ") and "HTTP 404" in line]
    assert len(said) == len(others)
    assert all(p["id"] in " ".join(said) for p in others)

    with engine.connect() as conn:
        parks = conn.execute(select(t.parks)).all()
        rides = conn.execute(select(t.rides)).all()
    assert [(p.name, p.themeparks_wiki_id, p.queue_times_id, p.timezone, p.operator)
            for p in parks] == [(entity["name"], MK_WIKI, None, entity["timezone"], home["name"])]
    assert (parks[0].latitude, parks[0].longitude) == (
        pytest.approx(entity["location"]["latitude"]),
        pytest.approx(entity["location"]["longitude"]))
    # Every child is stored once, in Magic Kingdom, with its category; the park is not a ride.
    assert {r.themeparks_wiki_id: r.category for r in rides} == {
        c["id"]: category(c) for c in children}
    assert {r.park_id for r in rides} == {parks[0].park_id}
    # Shows and restaurants (both in the capture) are never attractions.
    kind = {c["id"]: c["entityType"] for c in children}
    assert {"SHOW", "RESTAURANT"} <= set(kind.values())
    assert {r.themeparks_wiki_id for r in rides if r.category == "ATTRACTION"} <= {
        i for i, k in kind.items() if k == "ATTRACTION"}


# --- collect --schedules --------------------------------------------------------------------


def test_schedules_store_the_real_operating_windows_and_nothing_else(
        engine: Engine, settings: Settings) -> None:
    schedule = load(CAPTURES / "mk_schedule.json")["schedule"]
    operating = [e for e in schedule if e["type"] == "OPERATING"]
    assert 0 < len(operating) < len(schedule)  # the capture has other types to leave out
    first = min(instant(e["openingTime"]) for e in operating)  # the capture's first day on

    report = refresh_schedules(engine, settings, now=first)

    assert (report.parks, report.windows) == (1, len(operating))
    s = t.park_schedules
    with engine.connect() as conn:
        rows = conn.execute(select(s.c.local_date, s.c.opening_time_utc, s.c.closing_time_utc,
                                   s.c.schedule_type)).all()
    assert sorted(tuple(r) for r in rows) == sorted(
        (date.fromisoformat(e["date"]), instant(e["openingTime"]), instant(e["closingTime"]),
         "OPERATING") for e in operating)


# --- collect --once -------------------------------------------------------------------------


@LIVES
def test_a_cycle_stores_every_attraction_as_the_capture_says(
        engine: Engine, settings: Settings, upstream: FakeUpstream, live: Path) -> None:
    upstream.files = real_files(live)
    payload = load(live)
    at = slot_after(payload)
    refresh_schedules(engine, settings, now=at)

    report = collect_at(engine, settings, at)

    park_open = open_by_schedule(at)
    assert park_open is (live == REAL_LIVE_MIDDAY)  # the two captures are the two cases
    listed = attractions(payload)
    # Each attraction: the feed's status and standby wait; counted down only if DOWN while the
    # park is open (a first cycle: nothing CLOSED has operated yet today).
    assert ride_rows(engine) == {
        e["id"]: (at, status(e), wait(e), park_open and status(e) == "DOWN") for e in listed}
    # Shows, meet-and-greets and restaurants are read and dropped; the park is not a reading.
    assert report.ingest.dropped_readings == len(entities(payload)) - len(listed) > 0
    assert report.unknown_entries == 0

    operating = [e for e in listed if status(e) == "OPERATING"] if park_open else []
    waits = [w for e in operating if (w := wait(e)) is not None]
    tier = tiers(engine)
    active_weight = sum(WEIGHT.get(tier[e["id"]] or 2, 2) for e in operating)
    row = park_row(engine)
    assert tuple(row[:8]) == (
        at, park_open, len(operating), 0, len(listed), active_weight, 0,
        0 if park_open else None)
    assert (row.max_wait_time, row.wait_sum, row.wait_count) == (
        max(waits, default=None), sum(waits), len(waits))
    assert row.avg_wait_time == (pytest.approx(float(round(sum(waits) / len(waits), 2)))
                                 if waits else None)
    assert issues(engine) == []


@LIVES
def test_attractions_without_a_queue_have_no_wait(
        engine: Engine, settings: Settings, upstream: FakeUpstream, live: Path) -> None:
    upstream.files = real_files(live)
    payload = load(live)
    at = slot_after(payload)
    collect_at(engine, settings, at)
    no_queue = [e for e in attractions(payload) if "queue" not in e]
    assert no_queue  # both captures have some (a castle, a splash pad, a refurbishment)
    stored = ride_rows(engine)
    assert {e["id"]: stored[e["id"]][1:3] for e in no_queue} == {
        e["id"]: (status(e), None) for e in no_queue}


def test_closed_attractions_without_a_queue_are_closed_with_no_wait(
        engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    # The real captures' closed attractions keep a STANDBY queue with a null wait, while their
    # closed shows have no `queue` at all: the mid-day capture with the closed attractions'
    # queues taken away, as the feed does for shows.
    def without_queues(data: Any) -> Any:
        for entry in data["liveData"]:
            if entry["entityType"] == "ATTRACTION" and entry.get("status") == "CLOSED":
                entry.pop("queue", None)
        return data

    upstream.transform(MK_LIVE, without_queues)
    payload = load(REAL_LIVE_MIDDAY)
    closed = [e["id"] for e in attractions(payload) if status(e) == "CLOSED"]
    assert closed
    at = slot_after(payload)
    collect_at(engine, settings, at)
    stored = ride_rows(engine)
    assert {i: stored[i] for i in closed} == {i: (at, "CLOSED", None, False) for i in closed}


# --- staleness (SPEC §1) --------------------------------------------------------------------


@LIVES
def test_the_same_capture_a_day_later_is_a_stale_park_feed(
        engine: Engine, settings: Settings, upstream: FakeUpstream, live: Path) -> None:
    upstream.files = real_files(live)
    payload = load(live)
    at = slot_after(payload) + timedelta(days=1)

    report = collect_at(engine, settings, at)

    assert report.ingest.stale_cycles == 1
    assert {i: row[:2] for i, row in ride_rows(engine).items()} == {
        e["id"]: (at, "UNKNOWN") for e in attractions(payload)}
    assert issues(engine) == [(MK_WIKI, None, at, "STALE_DATA")]  # one for the park
    row = park_row(engine)
    assert (row.rides_open, row.rides_down, row.active_weight, row.wait_count) == (0, 0, 0, 0)
