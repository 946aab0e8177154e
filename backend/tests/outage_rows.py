"""Test helper: hand-made ``ride_outages`` rows, inserted directly, for the recovery estimate
(which needs hundreds of past outages); the outages of ingested snapshots are ingest's own."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, insert, select

from themepark_tracker import metrics
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.outages import Outage
from themepark_tracker.timeutil import utcnow


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
    """Give one park of each feed kind ``count``
    recovered outages of ``minutes`` in the 180 days before ``now`` (enough for a pooled
    estimate at every bucket below ``minutes``), and fit the curves as of ``now``."""
    from themepark_tracker.aggregate.recovery import fit_curves

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
