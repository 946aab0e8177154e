"""The one ingest path: cycles of observations -> raw ride snapshots + derived park snapshots.

Live collection, the simulator and ``import`` all call ``ingest_cycles``. For each park-day
touched it loads the state of that day before the earliest new cycle, merges the new readings
with whatever is stored from that instant on, re-derives the rest of the day (SPEC §2), replaces
those rows, and marks the affected hours and the day for re-aggregation. Then the park's
outages (SPEC §10) are re-derived from the earliest instant re-derived in the park on
(``outage_store``). Ingesting the same cycles twice changes nothing. What is read back lives in
``state``.

A cycle whose feed is stale (SPEC §1, judged per park feed: ``metrics.feed_is_stale``) is stored
with every ride UNKNOWN and one park-level data-quality record. Only the park's current
attractions are derived: a ride reclassified mid-day drops out of the rest of the day, and its
raw rows stay as stored.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import Connection, delete

from themepark_tracker import metrics
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t
from themepark_tracker.db.bulk import bulk_insert
from themepark_tracker.db.upsert import bump_marks
from themepark_tracker.ingest.catalog import turn_on_reports_down
from themepark_tracker.ingest.derive import ParkRules, Reading, derive_cycle
from themepark_tracker.ingest.models import Cycle
from themepark_tracker.ingest.outage_store import maintain_outages
from themepark_tracker.ingest.quality import STALE_DATA, ParkIssue, replace_park_issues
from themepark_tracker.ingest.state import (
    DaySpan,
    IngestError,
    ParkInfo,
    StoredDay,
    load_parks,
    load_stored,
    schedule,
    state_before,
)
from themepark_tracker.timeutil import local_date_of, local_day_bounds, utcnow

logger = logging.getLogger(__name__)

RIDE_SNAPSHOT_COLUMNS = (
    "park_id", "recorded_at", "ride_id", "status", "wait_time",
    "local_date", "park_open", "operated_today", "counted_down",
)
PARK_SNAPSHOT_COLUMNS = (
    "park_id", "recorded_at", "local_date", "park_appears_open", "rides_open", "rides_down",
    "total_rides_tracked", "active_weight", "down_weight", "shame_score", "avg_wait_time",
    "max_wait_time", "wait_sum", "wait_count", "rides_operated_today", "rides_down_today",
)


__all__ = ["IngestError", "IngestSummary", "ingest_cycles"]

Readings = dict[datetime, dict[int, Reading]]  # by instant, by ride


@dataclass
class IngestSummary:
    cycles: int = 0
    ride_snapshots: int = 0
    park_days: int = 0
    park_days_unchanged: int = 0
    park_days_rederived: int = 0  # days where stored cycles after the new ones were re-derived
    dropped_readings: int = 0  # non-attractions and rides not in the catalogue
    stale_cycles: int = 0  # park cycles whose feed was stale: every ride stored as UNKNOWN
    hours_marked: set[datetime] = field(default_factory=set)
    days_marked: set[tuple[int, date]] = field(default_factory=set)

    def add(self, other: IngestSummary) -> None:
        self.cycles += other.cycles
        self.ride_snapshots += other.ride_snapshots
        self.park_days += other.park_days
        self.park_days_unchanged += other.park_days_unchanged
        self.park_days_rederived += other.park_days_rederived
        self.dropped_readings += other.dropped_readings
        self.stale_cycles += other.stale_cycles
        self.hours_marked |= other.hours_marked
        self.days_marked |= other.days_marked


def ingest_cycles(conn: Connection, cycles: Iterable[Cycle], *,
                  interval_minutes: int | None = None) -> IngestSummary:
    """Store ``cycles`` (any parks, any order) inside the caller's transaction, and keep the
    parks' outages (``outage_store``) from the earliest instant re-derived on. The collection
    interval I defaults to the ``COLLECTION_INTERVAL_MINUTES`` setting."""
    interval = (interval_minutes if interval_minutes is not None
                else Settings.from_env().collection_interval_minutes)
    by_park: dict[int, list[Cycle]] = defaultdict(list)
    for cycle in cycles:
        by_park[cycle.park_id].append(cycle)
    summary = IngestSummary()
    if not by_park:
        return summary
    parks = load_parks(conn, by_park.keys())
    for park_id, park_cycles in by_park.items():
        park = parks[park_id]
        flipped = not park.reports_down and _sends_down(park, park_cycles)
        if flipped:
            # SPEC §1: a feed that has sent DOWN is down-reporting, from this day's start on.
            turn_on_reports_down(conn, [park_id])
            park = replace(park, reports_down=True)
            logger.info("Park %s sent DOWN: now treated as down-reporting", park_id)
        by_day: dict[date, list[Cycle]] = defaultdict(list)
        for cycle in park_cycles:
            by_day[local_date_of(cycle.recorded_at, park.zone)].append(cycle)
        rederived_from: list[datetime] = []
        for day, day_cycles in sorted(by_day.items()):
            day_summary, t0 = _ingest_park_day(conn, park, day, day_cycles,
                                               from_day_start=flipped)
            summary.add(day_summary)
            rederived_from += [t0] if t0 is not None else []
        if rederived_from:
            maintain_outages(conn, park, min(rederived_from), interval)
    _mark_stale(conn, summary)
    return summary


def _sends_down(park: ParkInfo, cycles: Sequence[Cycle]) -> bool:
    """Some fresh cycle has an attraction DOWN (a stale cycle's statuses say nothing)."""
    return any(r.status == metrics.DOWN and r.ride_id in park.weights
               for c in cycles if not _stale(c) for r in c.rides)


def _stale(cycle: Cycle) -> bool:
    return metrics.feed_is_stale(cycle.feed_updated, cycle.recorded_at)


def _incoming(park: ParkInfo, cycles: Sequence[Cycle], summary: IngestSummary) -> Readings:
    """The attractions' readings by instant; every ride of a stale cycle is UNKNOWN (SPEC §1)."""
    out: Readings = {}
    for cycle in cycles:
        stale = _stale(cycle)
        summary.stale_cycles += stale
        readings = out.setdefault(cycle.recorded_at, {})
        for obs in cycle.rides:
            if obs.ride_id not in park.weights:
                summary.dropped_readings += 1
                continue
            status = metrics.UNKNOWN if stale else obs.status
            readings[obs.ride_id] = Reading(obs.ride_id, status, obs.wait_time)
    return out


def _ingest_park_day(
    conn: Connection, park: ParkInfo, day: date, cycles: Sequence[Cycle], from_day_start: bool
) -> tuple[IngestSummary, datetime | None]:
    """Load what is stored of the day from the first new instant on, merge the new readings
    in, re-derive from there and replace those rows (see the module docstring). Also return
    the instant re-derived from, None when nothing changed."""
    summary = IngestSummary(park_days=1)
    incoming = _incoming(park, cycles, summary)
    day_start, day_end = local_day_bounds(day, park.zone)
    t0 = day_start if from_day_start else min(incoming)
    span = DaySpan(park.park_id, day, day_start, t0, day_end)
    stored = load_stored(conn, park, span)
    if not from_day_start and stored.holds(incoming):
        summary.park_days_unchanged = 1
        return summary, None

    merged = _merge(stored, incoming, summary)
    ride_rows, park_rows = _rederive(conn, park, span, merged)
    _replace(conn, span, stored, ride_rows, park_rows)
    _record_stale_feeds(conn, park, cycles, summary)
    summary.hours_marked |= {at.replace(minute=0, second=0) for at in merged}
    summary.days_marked.add((park.park_id, day))
    summary.cycles = len(incoming)
    summary.ride_snapshots = len(ride_rows)
    return summary, t0


def _merge(stored: StoredDay, incoming: Readings, summary: IngestSummary) -> Readings:
    """The stored cycles with the incoming readings laid over them (a new reading of a ride
    replaces the stored one at the same instant)."""
    merged: Readings = {at: dict(stored.readings.get(at, {})) for at in stored.cycles}
    for at, readings in incoming.items():
        merged.setdefault(at, {}).update(readings)
    if stored.cycles - set(incoming):
        summary.park_days_rederived = 1
    return merged


def _rederive(conn: Connection, park: ParkInfo, span: DaySpan, merged: Readings
              ) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """SPEC §2 over the span, in time order, from what the day established before it."""
    state = state_before(conn, park, span)
    rules = ParkRules(park.weights, park.reports_down, schedule(conn, park.park_id, span.day))
    ride_rows: list[tuple[object, ...]] = []
    park_rows: list[tuple[object, ...]] = []
    for at in sorted(merged):
        ordered = sorted(merged[at].values(), key=lambda r: r.ride_id)
        rides, p = derive_cycle(at, span.day, ordered, rules, state)
        ride_rows.extend(
            (park.park_id, at, r.ride_id, r.status, r.wait_time, span.day,
             r.park_open, r.operated_today, r.counted_down)
            for r in rides
        )
        park_rows.append((
            park.park_id, at, span.day, p.park_appears_open, p.rides_open, p.rides_down,
            p.total_rides_tracked, p.active_weight, p.down_weight, p.shame_score,
            p.avg_wait_time, p.max_wait_time, p.wait_sum, p.wait_count,
            p.rides_operated_today, p.rides_down_today,
        ))
    return ride_rows, park_rows


def _replace(conn: Connection, span: DaySpan, stored: StoredDay,
             ride_rows: list[tuple[object, ...]], park_rows: list[tuple[object, ...]]) -> None:
    """Swap the span's rows for the re-derived ones. Stored rows of rides that are no longer
    attractions stay as they are (raw data is not thrown away; they are never counted)."""
    rss = t.ride_status_snapshots
    if stored.cycles or stored.readings:
        condition = span.ride_rows()
        if stored.not_attractions:
            condition = condition & rss.c.ride_id.not_in(sorted(stored.not_attractions))
        conn.execute(delete(rss).where(condition))
        conn.execute(delete(t.park_activity_snapshots).where(span.park_rows()))
    bulk_insert(conn, rss, RIDE_SNAPSHOT_COLUMNS, ride_rows)
    bulk_insert(conn, t.park_activity_snapshots, PARK_SNAPSHOT_COLUMNS, park_rows)


def _record_stale_feeds(conn: Connection, park: ParkInfo, cycles: Sequence[Cycle],
                        summary: IngestSummary) -> None:
    """One data-quality record per stale park cycle (SPEC §1), replacing any earlier record of
    the same cycle, so a re-sent cycle keeps one, and one re-sent fresh keeps none."""
    judged = {c.recorded_at for c in cycles if c.feed_updated is not None}
    if not judged:
        return  # no source time (import, simulate): nothing to judge, nothing to replace
    issues = {
        c.recorded_at: ParkIssue(
            park.park_id, c.recorded_at, STALE_DATA, c.source,
            f"newest upstream update {c.feed_updated:%Y-%m-%d %H:%M:%S} UTC is more than "
            f"{metrics.STALE_AFTER} older than the cycle: every ride stored as UNKNOWN")
        for c in cycles if _stale(c)
    }
    replace_park_issues(conn, park.park_id, STALE_DATA, judged, list(issues.values()))


def _mark_stale(conn: Connection, summary: IngestSummary) -> None:
    """Queue the changed hours and park-days for the aggregation jobs (see tables.stale_hours)."""
    now = utcnow()
    bump_marks(conn, t.stale_hours,
               [{"hour_start_utc": h, "marked_at": now} for h in sorted(summary.hours_marked)],
               key=["hour_start_utc"])
    bump_marks(conn, t.stale_days,
               [{"park_id": p, "local_date": d, "marked_at": now}
                for p, d in sorted(summary.days_marked)],
               key=["park_id", "local_date"])
