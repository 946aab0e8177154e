"""SPEC §1: staleness is judged per park feed, not per ride, through the collector against the
fake upstream (a real local HTTP server), for both feeds, on SQLite and MariaDB.

A ride's own ``last_updated``/``lastUpdated`` is the time of its last *change*: one old time in
a fresh answer is normal and the ride's status stands. Only when even the newest time of the
whole answer is more than 60 minutes older than the cycle is every ride of that park UNKNOWN,
with one data-quality record for the park. Expected values are worked by hand from the
fixture payloads (tests/fixtures/upstream/).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from tests.integration.test_collect import (
    GA_LIVE,
    MK_LIVE,
    T0,
    statuses,
    synced_settings,
)
from tests.upstream import RIDE, FakeUpstream, serve_upstream
from themepark_tracker.aggregate.hourly import run_hourly
from themepark_tracker.collect.cycle import collect_once
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t

MK = "Magic Kingdom Park"  # ThemeParks.wiki
GA = "California's Great America"  # Queue-Times only
ALL_PARKS = {MK, GA, "Universal Studios Florida", "Europa-Park"}


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with serve_upstream() as fake:
        yield fake


@pytest.fixture
def settings(engine: Engine, upstream: FakeUpstream) -> Settings:
    return synced_settings(engine, upstream)


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def set_wiki_updated(data: Any, ride: str, at: datetime) -> Any:
    for entry in data["liveData"]:
        if entry["id"] == RIDE[ride]:
            entry["lastUpdated"] = iso(at)
    return data


def set_qt(data: Any, ride_id: int, *, is_open: bool | None = None,
           updated: datetime | None = None) -> Any:
    for ride in data["rides"]:
        if ride["id"] == ride_id:
            if is_open is not None:
                ride["is_open"] = is_open
            if updated is not None:
                ride["last_updated"] = iso(updated)
    return data


def park_issues(engine: Engine) -> list[tuple[str, Any, datetime, str]]:
    dq = t.data_quality_issues
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            select(t.parks.c.name, dq.c.ride_id, dq.c.recorded_at, dq.c.issue_type)
            .join(t.parks, t.parks.c.park_id == dq.c.park_id)
            .order_by(dq.c.recorded_at, t.parks.c.name))]


def collect_at(engine: Engine, settings: Settings, upstream: FakeUpstream, at: datetime,
               served_at: datetime | None = None) -> None:
    """One cycle at ``at``; the fixtures' "@NOW-2m" times are relative to ``served_at``."""
    upstream.now = lambda: served_at or at
    report = collect_once(engine, settings, now=at + timedelta(seconds=20))
    assert report.ok and report.recorded_at == at, report.describe()


# --- a whole answer that is old -----------------------------------------------------------------


def test_a_park_whose_whole_answer_is_old_is_unknown_with_one_record_per_cycle(
        engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    # Every fixture time is rendered relative to "now": serve them as of 2 hours before the
    # cycle, so each park's newest update is ~2 h old (> 60 min) in both feeds.
    old = T0 - timedelta(hours=2)
    collect_at(engine, settings, upstream, T0, served_at=old)
    assert {n: s for n, (_, s, _) in statuses(engine, MK).items()} == {
        "Space Mountain": "UNKNOWN", "Seven Dwarfs Mine Train": "UNKNOWN",
        "Big Thunder Mountain Railroad": "UNKNOWN", "Haunted Mansion": "UNKNOWN",
        "Peter Pan’s Flight": "UNKNOWN",
        "Walt Disney World Railroad - Main Street, U.S.A.": "UNKNOWN"}
    assert {n: s for n, (_, s, _) in statuses(engine, GA).items()} == {
        "Gold Striker": "UNKNOWN", "RailBlazer": "UNKNOWN", "Flight Deck": "UNKNOWN"}
    # One record per park (ride_id NULL), not one per ride.
    assert park_issues(engine) == [(p, None, T0, "STALE_DATA") for p in sorted(ALL_PARKS)]
    # A stale DOWN (Big Thunder) does not make Magic Kingdom down-reporting, and nothing counts.
    with engine.connect() as conn:
        assert conn.scalar(select(t.parks.c.reports_down).where(t.parks.c.name == MK)) is False
        assert conn.scalar(select(func.count()).select_from(t.park_activity_snapshots).where(
            t.park_activity_snapshots.c.park_appears_open)) == 0

    # The same slot collected again: still one record per park and cycle.
    collect_at(engine, settings, upstream, T0, served_at=old)
    assert len(park_issues(engine)) == 4
    # The next cycle is stale too: one more record per park.
    collect_at(engine, settings, upstream, T0 + timedelta(minutes=5), served_at=old)
    assert park_issues(engine) == (
        [(p, None, T0, "STALE_DATA") for p in sorted(ALL_PARKS)]
        + [(p, None, T0 + timedelta(minutes=5), "STALE_DATA") for p in sorted(ALL_PARKS)])


def test_the_cli_summary_counts_stale_park_feeds(engine: Engine, settings: Settings,
                                                 upstream: FakeUpstream) -> None:
    upstream.now = lambda: T0 - timedelta(hours=2)
    report = collect_once(engine, settings, now=T0)
    assert report.ingest.stale_cycles == 4
    assert "4 stale park feeds (rides stored as UNKNOWN)" in report.describe()


# --- a fresh answer with one old ride -----------------------------------------------------------


def test_a_fresh_park_keeps_an_operating_ride_whose_time_is_nine_hours_old(
        engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    nine_hours = T0 - timedelta(hours=9)
    upstream.transform(MK_LIVE, lambda d: set_wiki_updated(d, "space", nine_hours))
    upstream.transform(GA_LIVE, lambda d: set_qt(d, 831, updated=nine_hours))  # Gold Striker
    collect_at(engine, settings, upstream, T0)
    # Both feeds' other entities were updated a minute or a few ago: the parks are current,
    # so the posted statuses and waits stand.
    assert statuses(engine, MK)["Space Mountain"] == (T0, "OPERATING", 45)
    assert statuses(engine, GA)["Gold Striker"] == (T0, "OPERATING", 25)
    assert park_issues(engine) == []


# --- an outage longer than an hour --------------------------------------------------------------


def test_a_ride_down_for_hours_stays_down_and_its_downtime_passes_an_hour_wiki(
        engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    # Big Thunder has been DOWN since three hours before T0: its lastUpdated stays there while
    # every other entity of the answer is a minute old. 16 cycles, T0 .. T0 + 75 min.
    went_down = T0 - timedelta(hours=3)
    upstream.transform(MK_LIVE, lambda d: set_wiki_updated(d, "thunder", went_down))
    cycles = [T0 + timedelta(minutes=5 * n) for n in range(16)]
    for at in cycles:
        collect_at(engine, settings, upstream, at)
    assert _ride_rows(engine, "Big Thunder Mountain Railroad") == [(at, "DOWN", True)
                                                                   for at in cycles]
    # Magic Kingdom sent DOWN: down-reporting, so DOWN counts (SPEC §2.3). 16 down snapshots
    # x 5 min = 80 min: 12 in the 15:00 hour (1.00 h), 4 in the 16:00 hour (0.33 h).
    assert _downtime_hours(engine, "Big Thunder Mountain Railroad") == [1.0, 0.33]
    assert park_issues(engine) == []


def test_a_ride_closed_for_over_an_hour_stays_down_queue_times(
        engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    # California's Great America (Queue-Times: open/closed only). RailBlazer runs all along, so
    # with Flight Deck the park stays open by its rides (2 of the 3 attractions operating).
    # Gold Striker operates at T0, then closes at T0 + 5 and stays closed: its last_updated
    # stays at T0 + 5 while the other rides' are minutes old.
    upstream.transform(GA_LIVE, lambda d: set_qt(d, 5467, is_open=True))
    collect_at(engine, settings, upstream, T0)
    closed_at = T0 + timedelta(minutes=5)
    upstream.transform(GA_LIVE, lambda d: set_qt(set_qt(d, 5467, is_open=True), 831,
                                                 is_open=False, updated=closed_at))
    cycles = [T0 + timedelta(minutes=5 * n) for n in range(1, 16)]  # T0 + 5 .. T0 + 75
    for at in cycles:
        collect_at(engine, settings, upstream, at)
    # Not down-reporting: CLOSED after it operated today counts down (SPEC §2.3), also when its
    # last_updated is 70 min old (T0 + 75).
    assert _ride_rows(engine, "Gold Striker") == [(T0, "OPERATING", False)] + [
        (at, "CLOSED", True) for at in cycles]
    # 15 down snapshots x 5 min = 75 min: 11 in the 15:00 hour (0.92 h), 4 after (0.33 h).
    assert _downtime_hours(engine, "Gold Striker") == [0.92, 0.33]
    assert park_issues(engine) == []


def _ride_rows(engine: Engine, name: str) -> list[tuple[datetime, str, bool]]:
    rss = t.ride_status_snapshots
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            select(rss.c.recorded_at, rss.c.status, rss.c.counted_down)
            .join(t.rides, t.rides.c.ride_id == rss.c.ride_id)
            .where(t.rides.c.name == name).order_by(rss.c.recorded_at))]


def _downtime_hours(engine: Engine, name: str) -> list[float]:
    run_hourly(engine, 5, now=T0 + timedelta(hours=3))
    rh = t.ride_hourly_stats
    with engine.connect() as conn:
        return [float(v) for v in conn.execute(
            select(rh.c.downtime_hours).join(t.rides, t.rides.c.ride_id == rh.c.ride_id)
            .where(t.rides.c.name == name).order_by(rh.c.hour_start_utc)).scalars()]
