"""What ingest reads back before it derives a park-day: the parks and their attractions, the
stored readings of the day from the first new instant on, what the day established before that
instant, and the day's schedule. Read only; ``snapshots`` writes."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, and_, select

from themepark_tracker import metrics
from themepark_tracker.db import tables as t
from themepark_tracker.errors import UserError
from themepark_tracker.ingest.derive import DayState, Reading
from themepark_tracker.timeutil import zone_of

logger = logging.getLogger(__name__)


class IngestError(UserError):
    """Observations that cannot be stored (unknown park, for instance)."""


@dataclass(frozen=True)
class ParkInfo:
    park_id: int
    zone: ZoneInfo
    reports_down: bool
    weights: dict[int, int]  # the park's current attractions only -> weight


@dataclass(frozen=True)
class DaySpan:
    """The part of one park-day that is re-derived: from ``t0`` to the day's end."""

    park_id: int
    day: date
    day_start: datetime
    t0: datetime
    day_end: datetime

    def ride_rows(self) -> ColumnElement[bool]:
        """The ride snapshots of the span. Bounded by the day's instants too, so the
        (park_id, recorded_at, ...) key range is the day's, not the park's whole history."""
        rss = t.ride_status_snapshots
        return and_(rss.c.park_id == self.park_id, rss.c.local_date == self.day,
                    rss.c.recorded_at >= self.t0, rss.c.recorded_at < self.day_end)

    def park_rows(self) -> ColumnElement[bool]:
        pas = t.park_activity_snapshots
        return and_(pas.c.park_id == self.park_id, pas.c.local_date == self.day,
                    pas.c.recorded_at >= self.t0, pas.c.recorded_at < self.day_end)


@dataclass
class StoredDay:
    """What is stored of a span: the attractions' readings by instant, the instants that have a
    park snapshot, and the rides stored there that are no longer attractions (SPEC §1: never
    counted; their raw rows are left as they are, out of the derivation)."""

    readings: dict[datetime, dict[int, Reading]] = field(default_factory=dict)
    cycles: set[datetime] = field(default_factory=set)
    not_attractions: set[int] = field(default_factory=set)

    def holds(self, incoming: dict[datetime, dict[int, Reading]]) -> bool:
        """Every incoming reading is already stored, as it is."""
        return all(
            at in self.cycles and all(self.readings.get(at, {}).get(i) == r
                                      for i, r in readings.items())
            for at, readings in incoming.items()
        )


def load_parks(conn: Connection, park_ids: Iterable[int]) -> dict[int, ParkInfo]:
    ids = list(park_ids)
    park_rows = conn.execute(
        select(t.parks.c.park_id, t.parks.c.timezone, t.parks.c.reports_down)
        .where(t.parks.c.park_id.in_(ids))
    ).all()
    missing = set(ids) - {r.park_id for r in park_rows}
    if missing:
        raise IngestError(f"unknown park_id(s): {sorted(missing)}; sync the catalogue first")
    ride_rows = conn.execute(
        select(t.rides.c.ride_id, t.rides.c.park_id, t.rides.c.tier)
        .where(t.rides.c.park_id.in_(ids), t.rides.c.category == metrics.ATTRACTION)
    ).all()
    weights: dict[int, dict[int, int]] = defaultdict(dict)
    for r in ride_rows:
        weights[r.park_id][r.ride_id] = metrics.tier_weight(r.tier)
    return {
        r.park_id: ParkInfo(r.park_id, zone_of(r.timezone), bool(r.reports_down),
                            weights[r.park_id])
        for r in park_rows
    }


def load_stored(conn: Connection, park: ParkInfo, span: DaySpan) -> StoredDay:
    rss = t.ride_status_snapshots
    pas = t.park_activity_snapshots
    stored = StoredDay()
    for row in conn.execute(
        select(rss.c.recorded_at, rss.c.ride_id, rss.c.status, rss.c.wait_time)
        .where(span.ride_rows())
    ):
        if row.ride_id not in park.weights:
            stored.not_attractions.add(row.ride_id)
            continue
        stored.readings.setdefault(row.recorded_at, {})[row.ride_id] = Reading(
            row.ride_id, row.status, row.wait_time)
    stored.cycles = set(conn.execute(select(pas.c.recorded_at).where(span.park_rows()))
                        .scalars())
    return stored


def state_before(conn: Connection, park: ParkInfo, span: DaySpan) -> DayState:
    """What the park-day established before ``span.t0`` (rows before it are already derived),
    among the park's current attractions: a ride reclassified since is left out (SPEC §1)."""
    rss = t.ride_status_snapshots
    rides_before = select(rss.c.ride_id).distinct().where(
        rss.c.park_id == park.park_id, rss.c.local_date == span.day,
        rss.c.recorded_at >= span.day_start, rss.c.recorded_at < span.t0,
    )
    base = rides_before.where(rss.c.status == metrics.OPERATING)
    seen = set(conn.execute(base).scalars()) & park.weights.keys()
    operated = set(conn.execute(base.where(rss.c.park_open)).scalars()) if seen else set()
    down = set(conn.execute(rides_before.where(rss.c.counted_down)).scalars())
    return DayState(seen_operating=seen, operated_today=operated & park.weights.keys(),
                    down_today=down & park.weights.keys())


def schedule(conn: Connection, park_id: int, day: date) -> list[metrics.ScheduleWindow]:
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
