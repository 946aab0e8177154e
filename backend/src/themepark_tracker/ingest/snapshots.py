"""The one ingest path: cycles of observations -> raw ride snapshots + derived park snapshots.

Live collection, the simulator and ``import`` all call ``ingest_cycles``. For each park-day
touched it loads the state of that day before the earliest new cycle, merges the new readings
with whatever is stored from that instant on, re-derives the rest of the day (SPEC §2), replaces
those rows, and marks the affected hours and the day for re-aggregation. Ingesting the same
cycles twice changes nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, delete, select, update

from themepark_tracker import metrics
from themepark_tracker.db import tables as t
from themepark_tracker.db.bulk import bulk_insert
from themepark_tracker.db.upsert import bump_marks, upsert_rows
from themepark_tracker.errors import UserError
from themepark_tracker.ingest.derive import DayState, ParkRules, Reading, derive_cycle
from themepark_tracker.ingest.models import Cycle
from themepark_tracker.timeutil import local_date_of, local_day_bounds, utcnow, zone_of

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


class IngestError(UserError):
    """Observations that cannot be stored (unknown park, for instance)."""


@dataclass
class IngestSummary:
    cycles: int = 0
    ride_snapshots: int = 0
    park_days: int = 0
    park_days_unchanged: int = 0
    park_days_rederived: int = 0  # days where stored cycles after the new ones were re-derived
    dropped_readings: int = 0  # non-attractions and rides not in the catalogue
    stale_readings: int = 0
    hours_marked: set[datetime] = field(default_factory=set)
    days_marked: set[tuple[int, date]] = field(default_factory=set)

    def add(self, other: IngestSummary) -> None:
        self.cycles += other.cycles
        self.ride_snapshots += other.ride_snapshots
        self.park_days += other.park_days
        self.park_days_unchanged += other.park_days_unchanged
        self.park_days_rederived += other.park_days_rederived
        self.dropped_readings += other.dropped_readings
        self.stale_readings += other.stale_readings
        self.hours_marked |= other.hours_marked
        self.days_marked |= other.days_marked


@dataclass(frozen=True)
class _Park:
    park_id: int
    zone: ZoneInfo
    reports_down: bool
    weights: dict[int, int]  # attractions only
    known_rides: frozenset[int]


def ingest_cycles(conn: Connection, cycles: Iterable[Cycle]) -> IngestSummary:
    """Store ``cycles`` (any parks, any order) inside the caller's transaction."""
    by_park: dict[int, list[Cycle]] = defaultdict(list)
    for cycle in cycles:
        by_park[cycle.park_id].append(cycle)
    summary = IngestSummary()
    if not by_park:
        return summary
    parks = _load_parks(conn, by_park.keys())
    for park_id, park_cycles in by_park.items():
        park = parks[park_id]
        if not park.reports_down and any(
            metrics.effective_status(r.status, r.last_updated, c.recorded_at) == metrics.DOWN
            for c in park_cycles for r in c.rides if r.ride_id in park.weights
        ):
            # SPEC §1: a feed that has sent DOWN is down-reporting, from this day's start on.
            conn.execute(update(t.parks).where(t.parks.c.park_id == park_id)
                         .values(reports_down=True))
            park = _Park(park.park_id, park.zone, True, park.weights, park.known_rides)
            logger.info("Park %s sent DOWN: now treated as down-reporting", park_id)
            flipped = True
        else:
            flipped = False
        by_day: dict[date, list[Cycle]] = defaultdict(list)
        for cycle in park_cycles:
            by_day[local_date_of(cycle.recorded_at, park.zone)].append(cycle)
        for day, day_cycles in sorted(by_day.items()):
            summary.add(_ingest_park_day(conn, park, day, day_cycles, from_day_start=flipped))
    _mark_stale(conn, summary)
    return summary


def _load_parks(conn: Connection, park_ids: Iterable[int]) -> dict[int, _Park]:
    ids = list(park_ids)
    park_rows = conn.execute(
        select(t.parks.c.park_id, t.parks.c.timezone, t.parks.c.reports_down)
        .where(t.parks.c.park_id.in_(ids))
    ).all()
    missing = set(ids) - {r.park_id for r in park_rows}
    if missing:
        raise IngestError(f"unknown park_id(s): {sorted(missing)}; sync the catalogue first")
    ride_rows = conn.execute(
        select(t.rides.c.ride_id, t.rides.c.park_id, t.rides.c.tier, t.rides.c.category)
        .where(t.rides.c.park_id.in_(ids))
    ).all()
    weights: dict[int, dict[int, int]] = defaultdict(dict)
    known: dict[int, set[int]] = defaultdict(set)
    for r in ride_rows:
        known[r.park_id].add(r.ride_id)
        if r.category == metrics.ATTRACTION:
            weights[r.park_id][r.ride_id] = metrics.tier_weight(r.tier)
    return {
        r.park_id: _Park(
            r.park_id, zone_of(r.timezone), bool(r.reports_down),
            weights[r.park_id], frozenset(known[r.park_id]),
        )
        for r in park_rows
    }


def _readings(
    cycle: Cycle, park: _Park, summary: IngestSummary, quality: list[dict[str, object]]
) -> dict[int, Reading]:
    out: dict[int, Reading] = {}
    for obs in cycle.rides:
        if obs.ride_id not in park.weights:
            summary.dropped_readings += 1
            continue
        status = metrics.effective_status(obs.status, obs.last_updated, cycle.recorded_at)
        if metrics.is_stale(obs.last_updated, cycle.recorded_at):
            summary.stale_readings += 1
            quality.append({
                "park_id": park.park_id, "ride_id": obs.ride_id,
                "recorded_at": cycle.recorded_at, "issue_type": "STALE_DATA",
                "source": cycle.source,
                "detail": f"upstream said {obs.status} at {obs.last_updated:%Y-%m-%d %H:%M:%S}",
            })
        out[obs.ride_id] = Reading(obs.ride_id, status, obs.wait_time)
    return out


def _ingest_park_day(
    conn: Connection, park: _Park, day: date, cycles: Sequence[Cycle], from_day_start: bool
) -> IngestSummary:
    summary = IngestSummary(park_days=1)
    quality: list[dict[str, object]] = []
    incoming: dict[datetime, dict[int, Reading]] = {}
    for cycle in cycles:
        incoming.setdefault(cycle.recorded_at, {}).update(
            _readings(cycle, park, summary, quality)
        )
    day_start, day_end = local_day_bounds(day, park.zone)
    t0 = day_start if from_day_start else min(incoming)

    rss = t.ride_status_snapshots
    pas = t.park_activity_snapshots
    # Bounded by the day's instants too, so the (park_id, recorded_at, ...) key range is the
    # day's, not the park's whole history.
    in_day = and_(rss.c.park_id == park.park_id, rss.c.local_date == day,
                  rss.c.recorded_at < day_end)
    stored: dict[datetime, dict[int, Reading]] = defaultdict(dict)
    for row in conn.execute(
        select(rss.c.recorded_at, rss.c.ride_id, rss.c.status, rss.c.wait_time)
        .where(in_day, rss.c.recorded_at >= t0)
    ):
        stored[row.recorded_at][row.ride_id] = Reading(row.ride_id, row.status, row.wait_time)
    stored_cycles = set(
        conn.execute(
            select(pas.c.recorded_at).where(
                pas.c.park_id == park.park_id, pas.c.local_date == day,
                pas.c.recorded_at >= t0, pas.c.recorded_at < day_end,
            )
        ).scalars()
    )

    unchanged = not from_day_start and all(
        at in stored_cycles and all(stored[at].get(i) == r for i, r in readings.items())
        for at, readings in incoming.items()
    )
    if unchanged:
        summary.park_days_unchanged = 1
        return summary

    merged: dict[datetime, dict[int, Reading]] = {at: dict(stored[at]) for at in stored_cycles}
    for at, readings in incoming.items():
        merged.setdefault(at, {}).update(readings)
    if stored_cycles - set(incoming):
        summary.park_days_rederived = 1

    state = _state_before(conn, park.park_id, day, day_start, t0)
    rules = ParkRules(park.weights, park.reports_down, _schedule(conn, park.park_id, day))
    ride_rows: list[tuple[object, ...]] = []
    park_rows: list[tuple[object, ...]] = []
    for at in sorted(merged):
        ordered = sorted(merged[at].values(), key=lambda r: r.ride_id)
        rides, p = derive_cycle(at, day, ordered, rules, state)
        ride_rows.extend(
            (park.park_id, at, r.ride_id, r.status, r.wait_time, day,
             r.park_open, r.operated_today, r.counted_down)
            for r in rides
        )
        park_rows.append((
            park.park_id, at, day, p.park_appears_open, p.rides_open, p.rides_down,
            p.total_rides_tracked, p.active_weight, p.down_weight, p.shame_score,
            p.avg_wait_time, p.max_wait_time, p.wait_sum, p.wait_count,
            p.rides_operated_today, p.rides_down_today,
        ))
        summary.hours_marked.add(at.replace(minute=0, second=0))

    if stored_cycles:
        conn.execute(delete(rss).where(in_day, rss.c.recorded_at >= t0))
        conn.execute(delete(pas).where(
            pas.c.park_id == park.park_id, pas.c.local_date == day,
            pas.c.recorded_at >= t0, pas.c.recorded_at < day_end,
        ))
    bulk_insert(conn, rss, RIDE_SNAPSHOT_COLUMNS, ride_rows)
    bulk_insert(conn, pas, PARK_SNAPSHOT_COLUMNS, park_rows)
    if quality:
        upsert_rows(conn, t.data_quality_issues, quality,
                    key=["park_id", "ride_id", "recorded_at", "issue_type"])
    summary.days_marked.add((park.park_id, day))
    summary.cycles = len(incoming)
    summary.ride_snapshots = len(ride_rows)
    return summary


def _state_before(conn: Connection, park_id: int, day: date, day_start: datetime,
                  t0: datetime) -> DayState:
    """What the park-day established before ``t0``: rows before it are already derived."""
    rss = t.ride_status_snapshots
    rides_before = select(rss.c.ride_id).distinct().where(
        rss.c.park_id == park_id, rss.c.local_date == day,
        rss.c.recorded_at >= day_start, rss.c.recorded_at < t0,
    )
    base = rides_before.where(rss.c.status == metrics.OPERATING)
    seen = set(conn.execute(base).scalars())
    operated = set(conn.execute(base.where(rss.c.park_open)).scalars()) if seen else set()
    down = set(conn.execute(rides_before.where(rss.c.counted_down)).scalars())
    return DayState(seen_operating=seen, operated_today=operated, down_today=down)


def _schedule(conn: Connection, park_id: int, day: date) -> list[metrics.ScheduleWindow]:
    """Schedule rows of the day and its neighbours (a window may cross local midnight)."""
    s = t.park_schedules
    rows = conn.execute(
        select(s.c.local_date, s.c.opening_time_utc, s.c.closing_time_utc, s.c.schedule_type)
        .where(s.c.park_id == park_id,
               s.c.local_date.between(day - timedelta(days=1), day + timedelta(days=1)))
    ).all()
    return [
        metrics.ScheduleWindow(r.local_date.isoformat(), r.opening_time_utc,
                               r.closing_time_utc, r.schedule_type)
        for r in rows
    ]


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
