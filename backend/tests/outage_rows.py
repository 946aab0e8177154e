"""Test helper: fill ``ride_outages`` from the stored snapshots with the pure SPEC §10 fold
(``ingest.outages``), park by park, for parks that have no outage rows yet.

Until ingest maintains ``ride_outages`` itself nothing fills it; once it does, every park
already has its rows and this helper leaves them alone. Also: ``add_outages`` inserts
hand-made rows directly (for the recovery estimate, which needs hundreds).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, insert, select

from themepark_tracker import metrics
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.outages import Outage, OutageCycle, ParkOutageState, step
from themepark_tracker.timeutil import local_date_of, utcnow, zone_of


def park_cycles(engine: Engine, park_id: int) -> list[OutageCycle]:
    """The park's cycles in time order: open/closed from the park snapshots, counted-down
    and status from the attractions' snapshots."""
    pas, rss, r = t.park_activity_snapshots, t.ride_status_snapshots, t.rides
    with engine.connect() as conn:
        parks = conn.execute(select(pas.c.recorded_at, pas.c.park_appears_open)
                             .where(pas.c.park_id == park_id)
                             .order_by(pas.c.recorded_at)).all()
        rides = conn.execute(
            select(rss.c.recorded_at, rss.c.ride_id, rss.c.counted_down, rss.c.status)
            .join(r, r.c.ride_id == rss.c.ride_id)
            .where(rss.c.park_id == park_id, r.c.category == metrics.ATTRACTION)).all()
    down: dict[datetime, set[int]] = defaultdict(set)
    statuses: dict[datetime, dict[int, str]] = defaultdict(dict)
    for at, ride_id, counted, status in rides:
        statuses[at][ride_id] = status
        if counted:
            down[at].add(ride_id)
    return [OutageCycle(at, bool(is_open), frozenset(down[at]), statuses[at])
            for at, is_open in parks]


def fold(cycles: Iterable[OutageCycle], *, reports_down: bool, interval_minutes: int
         ) -> list[tuple[Outage, datetime | None]]:
    """Every outage with its ``decided_at`` (the instant of the cycle that ended it)."""
    state = ParkOutageState()
    out: dict[tuple[int, datetime], tuple[Outage, datetime | None]] = {}
    for cycle in cycles:
        for o in step(cycle, state, reports_down=reports_down,
                      interval_minutes=interval_minutes):
            out[(o.ride_id, o.started_at)] = (o, None if o.ongoing else cycle.recorded_at)
    return sorted(out.values(), key=lambda pair: (pair[0].started_at, pair[0].ride_id))


def fill_outages(engine: Engine, interval_minutes: int) -> int:
    """Derive and insert the outages of every park that has none stored; the rows added."""
    with engine.connect() as conn:
        parks = conn.execute(select(t.parks.c.park_id, t.parks.c.reports_down,
                                    t.parks.c.timezone)).all()
        filled = set(conn.execute(select(t.ride_outages.c.park_id).distinct()).scalars())
    added = 0
    for park_id, reports_down, timezone in parks:
        if park_id in filled:
            continue
        pairs = fold(park_cycles(engine, park_id), reports_down=bool(reports_down),
                     interval_minutes=interval_minutes)
        zone = zone_of(timezone)
        rows = [outage_row(o, park_id, interval_minutes, local_date_of(o.started_at, zone),
                           decided) for o, decided in pairs]
        insert_rows(engine, rows)
        added += len(rows)
    return added


def outage_row(o: Outage, park_id: int, interval_minutes: int, start_date: date,
               decided_at: datetime | None) -> dict[str, object]:
    now = utcnow()
    return {"ride_id": o.ride_id, "park_id": park_id, "started_at": o.started_at,
            "last_down_at": o.last_down_at, "ended_at": o.ended_at,
            "end_reason": o.end_reason, "decided_at": decided_at,
            "down_snapshots": o.down_snapshots,
            "down_minutes": o.down_minutes(interval_minutes),
            "start_local_date": start_date, "created_at": now, "updated_at": now}


def insert_rows(engine: Engine, rows: Sequence[dict[str, object]]) -> None:
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(t.ride_outages), list(rows))


def add_outages(engine: Engine, park_id: int, ride_id: int, start: datetime,
                spec: Sequence[tuple[int, str | None]], interval_minutes: int,
                spacing_minutes: int = 600) -> None:
    """Insert hand-made outages of one ride: (down_minutes, end_reason) each, the k-th
    starting ``k × spacing_minutes`` after ``start`` (None: ongoing)."""
    rows = []
    for k, (minutes, reason) in enumerate(spec):
        began = start + timedelta(minutes=k * spacing_minutes)
        snaps = minutes // interval_minutes
        last = began + timedelta(minutes=(snaps - 1) * interval_minutes)
        ended = None if reason is None else last + timedelta(minutes=interval_minutes)
        o = Outage(ride_id, began, last, snaps, ended, reason)
        rows.append(outage_row(o, park_id, interval_minutes, began.date(), ended))
    insert_rows(engine, rows)


def outage_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(t.ride_outages)) or 0)


def stock_outages(engine: Engine, interval_minutes: int, now: datetime, *,
                  minutes: int = 300, count: int = 250) -> None:
    """Fill the outages of the snapshots, then give one park of each feed kind ``count``
    recovered outages of ``minutes`` in the 180 days before ``now`` (enough for a pooled
    estimate at every bucket below ``minutes``), and fit the curves as of ``now``."""
    from themepark_tracker.aggregate.recovery import fit_curves

    fill_outages(engine, interval_minutes)
    with engine.connect() as conn:
        rows = conn.execute(select(t.rides.c.park_id, t.parks.c.reports_down,
                                   func.min(t.rides.c.ride_id))
                            .join(t.parks, t.parks.c.park_id == t.rides.c.park_id)
                            .where(t.rides.c.category == metrics.ATTRACTION)
                            .group_by(t.rides.c.park_id, t.parks.c.reports_down)
                            .order_by(t.rides.c.park_id)).all()
    kinds: dict[bool, tuple[int, int]] = {}
    for park_id, reports_down, ride_id in rows:
        kinds.setdefault(bool(reports_down), (park_id, ride_id))
    start = now - timedelta(days=170)
    for park_id, ride_id in kinds.values():
        add_outages(engine, park_id, ride_id, start, [(minutes, "recovered")] * count,
                    interval_minutes, spacing_minutes=(160 * 24 * 60) // count)
    fit_curves(engine, 180, now=now)
