"""What the event derivation (``events``) reads: the stored outages, park cycles and posted
waits of the park-days re-derived, and the thresholds subscribers asked for. Read only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, func, or_, select

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

    def all_minutes(self) -> set[float]:
        return set().union(*self.waits_by_ride.values(), *self.waits_by_park.values())

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


def outages_touched(conn: Connection, since: dict[int, datetime]) -> list[Row[Any]]:
    """Each park's outages still ongoing or ended at or after its ``since``: every one that can
    have reached the down count, or recovered, in the cycles re-derived (ended_at ≥
    last_down_at). One query for all the parks."""
    ro = t.ride_outages
    rows = conn.execute(select(ro).where(
        ro.c.park_id.in_(sorted(since)),
        or_(ro.c.ended_at.is_(None), ro.c.ended_at >= min(since.values()))))
    return [r for r in rows if r.ended_at is None or r.ended_at >= since[r.park_id]]


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


def park_cycles(conn: Connection, days: dict[int, set[date]]
                ) -> dict[tuple[int, date], list[ParkCycle]]:
    """The stored cycles of each park-day, in time order; one query for all of them."""
    pas = t.park_activity_snapshots
    rows = conn.execute(select(pas.c.park_id, pas.c.local_date, pas.c.recorded_at,
                               pas.c.park_appears_open, pas.c.down_weight, pas.c.active_weight)
                        .where(pas.c.park_id.in_(sorted(days)),
                               pas.c.local_date.in_(sorted(set().union(*days.values()))))
                        .order_by(pas.c.park_id, pas.c.recorded_at))
    out: dict[tuple[int, date], list[ParkCycle]] = defaultdict(list)
    for park_id, day, at_, open_, down, active in rows:
        if day in days[park_id]:
            out[(park_id, day)].append(ParkCycle(at_, bool(open_), down or 0, active or 0))
    return out


@dataclass(frozen=True)
class WaitDrop:
    """An operating ride's posted wait below the one it posted before that day."""

    park_id: int
    ride_id: int
    recorded_at: datetime
    wait: int
    before: int


def wait_drops(conn: Connection, spans: dict[int, list[tuple[date, datetime, datetime]]],
               rides: Iterable[int] | None, lowest: float, highest: float) -> list[WaitDrop]:
    """Within the park-days of ``spans`` (park -> (local date, start, end)), each posted wait
    of an OPERATING ride (``rides``, or all) paired with the ride's previous such wait of the
    same local day (SQL ``LAG``), kept where a subscriber's minutes between ``lowest`` and
    ``highest`` may lie between them. The database reads the days by the primary key's
    prefix and hands back only these pairs."""
    rss = t.ride_status_snapshots
    condition = and_(rss.c.park_id.in_(sorted(spans)),
                     rss.c.recorded_at >= min(s for v in spans.values() for _, s, _ in v),
                     rss.c.recorded_at < max(e for v in spans.values() for _, _, e in v),
                     rss.c.local_date.in_(sorted({d for v in spans.values() for d, _, _ in v})),
                     rss.c.status == metrics.OPERATING, rss.c.wait_time.is_not(None))
    if rides is not None:
        condition = and_(condition, rss.c.ride_id.in_(sorted(set(rides))))
    before = func.lag(rss.c.wait_time).over(partition_by=(rss.c.ride_id, rss.c.local_date),
                                            order_by=rss.c.recorded_at)
    inner = select(rss.c.park_id, rss.c.ride_id, rss.c.local_date, rss.c.recorded_at,
                   rss.c.wait_time, before.label("before")).where(condition).subquery()
    rows = conn.execute(select(inner).where(inner.c.before > lowest,
                                            inner.c.wait_time <= highest,
                                            inner.c.before > inner.c.wait_time)
                        .order_by(inner.c.ride_id, inner.c.recorded_at))
    wanted = {(p, d) for p, v in spans.items() for d, _, _ in v}
    return [WaitDrop(r.park_id, r.ride_id, r.recorded_at, r.wait_time, r.before)
            for r in rows if (r.park_id, r.local_date) in wanted]


def stored_park_days(conn: Connection) -> list[tuple[int, date]]:
    """Every park-day with a stored cycle."""
    pas = t.park_activity_snapshots
    return [(r.park_id, r.local_date) for r in conn.execute(
        select(pas.c.park_id, pas.c.local_date).distinct())]


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
