"""What the event derivation (``events``) reads: the stored outages, park cycles and posted
waits of the park-days re-derived, and the thresholds subscribers asked for. Read only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, or_, select

from themepark_tracker import metrics
from themepark_tracker.db import alert_tables as at
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.event_rules import PARK_SCORE_ABOVE, RIDE_WAIT_BELOW, ParkCycle


@dataclass
class Thresholds:
    """The distinct thresholds of the subscriptions: ``park.score_above`` scores and
    ``ride.wait_below`` minutes, each for one park or ride, or (key None) for all."""

    scores: dict[int | None, set[float]] = field(default_factory=lambda: defaultdict(set))
    waits_by_ride: dict[int, set[float]] = field(default_factory=lambda: defaultdict(set))
    waits_by_park: dict[int | None, set[float]] = field(
        default_factory=lambda: defaultdict(set))

    def scores_for(self, park_id: int) -> set[float]:
        return self.scores.get(park_id, set()) | self.scores.get(None, set())

    def park_wants_waits(self, park_id: int) -> bool:
        return bool(self.waits_by_park.get(park_id) or self.waits_by_park.get(None))

    def waits_for(self, park_id: int, ride_id: int) -> set[float]:
        return (self.waits_by_ride.get(ride_id, set()) | self.waits_by_park.get(park_id, set())
                | self.waits_by_park.get(None, set()))


def thresholds(conn: Connection) -> Thresholds:
    """Every subscription's threshold, whatever its delivery state: an event is a fact about
    the park, recorded once for each threshold someone watches."""
    ws = at.webhook_subscriptions
    out = Thresholds()
    rows = conn.execute(select(ws.c.event_type, ws.c.park_id, ws.c.ride_id, ws.c.threshold,
                               ws.c.minutes).where(
        ws.c.event_type.in_([PARK_SCORE_ABOVE, RIDE_WAIT_BELOW])))
    for row in rows:
        if row.event_type == PARK_SCORE_ABOVE and row.threshold is not None:
            out.scores[row.park_id].add(float(row.threshold))
        elif row.event_type == RIDE_WAIT_BELOW and row.minutes is not None:
            if row.ride_id is not None:
                out.waits_by_ride[row.ride_id].add(float(row.minutes))
            else:
                out.waits_by_park[row.park_id].add(float(row.minutes))
    return out


def outages_touched(conn: Connection, park_id: int, since: datetime) -> list[Row[Any]]:
    """The park's outages still ongoing or ended at or after ``since``: every one that can have
    reached the down count, or recovered, in the cycles re-derived (ended_at ≥ last_down_at)."""
    ro = t.ride_outages
    return list(conn.execute(select(ro).where(
        ro.c.park_id == park_id, or_(ro.c.ended_at.is_(None), ro.c.ended_at >= since))))


def nth_down_cycle(conn: Connection, outage: Row[Any], n: int) -> datetime:
    """The cycle at which ``outage`` reached ``n`` counted-down cycles: every counted-down
    snapshot of the ride from its start to its last down cycle belongs to it (SPEC §10)."""
    if outage.down_snapshots == n:
        return outage.last_down_at  # type: ignore[no-any-return]
    rss = t.ride_status_snapshots
    found = conn.execute(select(rss.c.recorded_at).where(
        rss.c.ride_id == outage.ride_id, rss.c.recorded_at >= outage.started_at,
        rss.c.recorded_at <= outage.last_down_at, rss.c.counted_down.is_(True),
    ).order_by(rss.c.recorded_at).offset(n - 1).limit(1)).scalar()
    return found if found is not None else outage.last_down_at  # type: ignore[no-any-return]


def park_cycles(conn: Connection, park_id: int, day: date) -> list[ParkCycle]:
    pas = t.park_activity_snapshots
    rows = conn.execute(select(pas.c.recorded_at, pas.c.park_appears_open, pas.c.down_weight,
                               pas.c.active_weight).where(
        pas.c.park_id == park_id, pas.c.local_date == day).order_by(pas.c.recorded_at))
    return [ParkCycle(r.recorded_at, bool(r.park_appears_open), r.down_weight or 0,
                      r.active_weight or 0) for r in rows]


def operating_waits(conn: Connection, park_id: int, day: tuple[datetime, datetime],
                    ride_ids: Iterable[int] | None) -> dict[int, list[tuple[datetime, int]]]:
    """Each ride's posted waits while OPERATING over the park-day [start, end), in time order
    (all the park's rides when ``ride_ids`` is None); read by the primary key's prefix."""
    rss = t.ride_status_snapshots
    condition = and_(rss.c.park_id == park_id, rss.c.recorded_at >= day[0],
                     rss.c.recorded_at < day[1],
                     rss.c.status == metrics.OPERATING, rss.c.wait_time.is_not(None))
    if ride_ids is not None:
        condition = and_(condition, rss.c.ride_id.in_(sorted(ride_ids)))
    out: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for row in conn.execute(select(rss.c.ride_id, rss.c.recorded_at, rss.c.wait_time)
                            .where(condition).order_by(rss.c.ride_id, rss.c.recorded_at)):
        out[row.ride_id].append((row.recorded_at, row.wait_time))
    return out


@dataclass(frozen=True)
class Names:
    parks: dict[int, tuple[str, str]]  # park id -> (name, timezone)
    rides: dict[int, str]


def names(conn: Connection, park_ids: Iterable[int], ride_ids: Iterable[int]) -> Names:
    parks = {r.park_id: (r.name, r.timezone) for r in conn.execute(
        select(t.parks.c.park_id, t.parks.c.name, t.parks.c.timezone)
        .where(t.parks.c.park_id.in_(sorted(set(park_ids)))))}
    rides = {r.ride_id: r.name for r in conn.execute(
        select(t.rides.c.ride_id, t.rides.c.name)
        .where(t.rides.c.ride_id.in_(sorted(set(ride_ids)))))}
    return Names(parks, rides)
