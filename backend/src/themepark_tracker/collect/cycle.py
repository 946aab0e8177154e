"""``themepark collect --once``: one cycle of every park, fetched concurrently, one
``recorded_at`` per cycle, ingested park by park through the SPEC §2 path."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from themepark_tracker.collect.fetching import fetch_all
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t
from themepark_tracker.db.lock import job_lock, release_dead_locks
from themepark_tracker.errors import UserError
from themepark_tracker.ingest.events import EventSummary, derive_events
from themepark_tracker.ingest.models import Cycle, RideObservation
from themepark_tracker.ingest.quality import INGEST_FAILED, ParkIssue, replace_park_issues
from themepark_tracker.ingest.snapshots import IngestSummary, ingest_cycles
from themepark_tracker.sources import queue_times as qt
from themepark_tracker.sources import themeparks_wiki as wiki
from themepark_tracker.sources.http import HttpClient
from themepark_tracker.sources.models import QUEUE_TIMES, THEMEPARKS_WIKI, LiveAnswer
from themepark_tracker.timeutil import slot_start, utcnow

logger = logging.getLogger(__name__)

_DERIVING = threading.Lock()

#: A cycle that takes longer than this (it should take seconds) no longer keeps others out.
COLLECT_LOCK_TTL = timedelta(minutes=10)


@dataclass(frozen=True)
class _Target:
    park_id: int
    name: str
    source: str
    source_id: str


@dataclass
class CycleReport:
    recorded_at: datetime
    parks_collected: int = 0
    parks_failed: dict[str, str] = field(default_factory=dict)  # park name -> problem
    ingest: IngestSummary = field(default_factory=IngestSummary)
    unknown_entries: int = 0  # upstream entries not in the catalogue (run --catalog)
    events: EventSummary | None = None  # SPEC §13, None when not derived

    @property
    def ok(self) -> bool:
        return not self.parks_failed

    def describe(self) -> str:
        line = (f"Cycle {self.recorded_at:%Y-%m-%d %H:%M:%S} UTC: {self.parks_collected} parks, "
                f"{self.ingest.ride_snapshots:,} ride snapshots, "
                f"{self.ingest.stale_cycles} stale park feeds (rides stored as UNKNOWN)")
        if self.unknown_entries:
            line += (f", {self.unknown_entries} upstream entries not in the catalogue "
                     "(run `themepark collect --catalog`)")
        if self.events is not None and self.events.recorded:
            line += f"; {self.events.describe()}"
        failed = [f"  {name}: {problem}" for name, problem in sorted(self.parks_failed.items())]
        if failed:
            line += f"\n{len(failed)} park(s) skipped:\n" + "\n".join(failed)
        return line


def has_feed_parks(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(t.parks.c.park_id).where(
            t.parks.c.queue_times_id.is_not(None) | t.parks.c.themeparks_wiki_id.is_not(None)
        ).limit(1)).first() is not None


def _targets(engine: Engine) -> tuple[list[_Target], dict[tuple[str, str], int]]:
    """Parks to collect (ThemeParks.wiki when the park has it: it tells DOWN from CLOSED) and
    the ride id of each (source, source id)."""
    with engine.connect() as conn:
        parks = conn.execute(select(t.parks.c.park_id, t.parks.c.name, t.parks.c.queue_times_id,
                                    t.parks.c.themeparks_wiki_id)).all()
        rides = conn.execute(select(t.rides.c.ride_id, t.rides.c.queue_times_id,
                                    t.rides.c.themeparks_wiki_id)).all()
    targets = []
    for p in parks:
        if p.themeparks_wiki_id:
            targets.append(_Target(p.park_id, p.name, THEMEPARKS_WIKI, p.themeparks_wiki_id))
        elif p.queue_times_id is not None:
            targets.append(_Target(p.park_id, p.name, QUEUE_TIMES, str(p.queue_times_id)))
    ride_of: dict[tuple[str, str], int] = {}
    for r in rides:
        if r.queue_times_id is not None:
            ride_of[(QUEUE_TIMES, str(r.queue_times_id))] = r.ride_id
        if r.themeparks_wiki_id:
            ride_of[(THEMEPARKS_WIKI, r.themeparks_wiki_id)] = r.ride_id
    return targets, ride_of


def collect_once(engine: Engine, settings: Settings, now: datetime | None = None, *,
                 events_in_background: bool = False) -> CycleReport:
    """Fetch every park, build one cycle each, ingest each park in its own transaction. A park
    whose fetch or ingest fails is logged and skipped (a failed ingest, whatever raised, also
    as an INGEST_FAILED data-quality record); the others are stored. Two collections never
    overlap (a lock named "collect"). Then the events of the cycle are derived (SPEC §13):
    before returning, or, with ``events_in_background`` (``themepark run``), in a thread of
    their own, so that their cost is never added to the cycle."""
    release_dead_locks(engine)  # a cron run killed mid-cycle must not block the next ones
    with job_lock(engine, "collect", ttl=COLLECT_LOCK_TTL):
        return _collect(engine, settings, now, events_in_background)


def _collect(engine: Engine, settings: Settings, now: datetime | None, background: bool
             ) -> CycleReport:
    recorded_at = slot_start(now or utcnow(), settings.collection_period)
    targets, ride_of = _targets(engine)
    if not targets:
        raise UserError("no park in the catalogue comes from a feed; "
                        "run `themepark collect --catalog` first")
    report = CycleReport(recorded_at)
    for target, answer in _fetch_live(settings, targets, report).items():
        cycle = _cycle(target, answer, ride_of, report)
        if cycle is not None:
            _ingest_park(engine, target, cycle, report)
    if background:
        threading.Thread(target=_derive_events, args=(engine, settings, report, now),
                         name="events").start()
    else:
        _derive_events(engine, settings, report, now)
    logger.info("%s", report.describe())
    return report


def _derive_events(engine: Engine, settings: Settings, report: CycleReport,
                   now: datetime | None) -> None:
    """SPEC §13: the events of the park-days this cycle stored, once its parks are committed.
    A failure is logged and the cycle stands: the next cycle re-derives the whole day, so an
    event missed here is recorded then (with ``deliver`` decided by its cause's age)."""
    if not report.ingest.days_marked:
        return
    try:
        with _DERIVING:  # one derivation at a time: two would record the same new events
            report.events = derive_events(engine, settings, report.ingest.days_marked,
                                          now=now)
    except Exception:  # noqa: BLE001 - events must never break a collection cycle
        logger.exception("Deriving this cycle's events failed; the cycle is stored")


def _fetch_live(settings: Settings, targets: list[_Target], report: CycleReport
                ) -> dict[_Target, LiveAnswer]:
    """Every park's live answer, fetched concurrently; a park whose fetch fails is reported."""
    def fetch(target: _Target) -> LiveAnswer:
        if target.source == THEMEPARKS_WIKI:
            return wiki.fetch_live(client, settings.themeparks_wiki_base_url, target.source_id)
        return qt.fetch_live(client, settings.queue_times_base_url, target.source_id)

    with HttpClient(settings) as client:
        answers, problems = fetch_all(targets, fetch, settings.http_concurrency)
    for target, problem in problems.items():
        logger.warning("Park %s (%s): %s; skipped this cycle", target.name, target.park_id,
                       problem)
        report.parks_failed[target.name] = problem
    return answers


def _cycle(target: _Target, answer: LiveAnswer, ride_of: dict[tuple[str, str], int],
           report: CycleReport) -> Cycle | None:
    """The park's cycle: its known rides, and the answer's newest update time, by which
    ingest judges whether the feed is stale (SPEC §1: per park feed, not per ride)."""
    observations = []
    for reading in answer.readings:
        ride_id = ride_of.get((target.source, reading.source_id))
        if ride_id is None:
            report.unknown_entries += 1
            continue
        observations.append(RideObservation(ride_id, reading.status, reading.wait_time))
    if not observations:
        logger.warning("Park %s (%s): the feed listed no known ride; nothing stored",
                       target.name, target.park_id)
        return None
    return Cycle(target.park_id, report.recorded_at, tuple(observations), target.source,
                 feed_updated=answer.newest_update)


def _ingest_park(engine: Engine, target: _Target, cycle: Cycle, report: CycleReport) -> None:
    """Ingest one park's cycle in its own transaction. Whatever goes wrong stays with this park:
    it is logged, reported, and recorded as a data-quality issue; the other parks go on."""
    try:
        with engine.begin() as conn:
            report.ingest.add(ingest_cycles(conn, [cycle]))
    except Exception as exc:  # noqa: BLE001 - one park's failure must not stop the others
        problem = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        logger.error("Park %s (%s): ingest failed, skipped this cycle: %s", target.name,
                     target.park_id, problem, exc_info=not isinstance(exc, UserError))
        report.parks_failed[target.name] = f"ingest failed: {problem}"
        _record_failure(engine, cycle, problem)
        return
    report.parks_collected += 1


def _record_failure(engine: Engine, cycle: Cycle, problem: str) -> None:
    try:
        with engine.begin() as conn:
            replace_park_issues(conn, cycle.park_id, INGEST_FAILED, [cycle.recorded_at], [
                ParkIssue(cycle.park_id, cycle.recorded_at, INGEST_FAILED, cycle.source,
                          problem)])
    except Exception:  # noqa: BLE001 - the database itself may be what failed
        logger.warning("Park %s: could not record the failed ingest either", cycle.park_id,
                       exc_info=True)
