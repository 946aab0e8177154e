"""The read side of the Atom feeds: a ride's, a park's, or every park's ``ride.down`` and
``ride.up`` events (SPEC §13), newest first, as plain dicts. On a database before revision 014
(no ``events`` table) every feed is empty rather than an error."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, inspect, or_, select

from themepark_tracker.db import alert_tables as at
from themepark_tracker.db import tables as t

#: The events a feed carries: outages going down and coming back up.
FEED_EVENTS = ("ride.down", "ride.up")
#: Entries per feed, newest first.
FEED_SIZE = 50


@dataclass(frozen=True)
class FeedSubject:
    """What a feed is about: its title and, for a ride or a park, the page it links to."""

    kind: str  # "ride", "park" or "outages"
    item_id: int | None
    title: str


def ride_subject(conn: Connection, ride_id: int) -> FeedSubject | None:
    row = conn.execute(select(t.rides.c.name, t.parks.c.name.label("park"))
                       .join(t.parks, t.parks.c.park_id == t.rides.c.park_id)
                       .where(t.rides.c.ride_id == ride_id)).first()
    return None if row is None else FeedSubject("ride", ride_id, f"{row.name} ({row.park})")


def park_subject(conn: Connection, park_id: int) -> FeedSubject | None:
    name = conn.execute(select(t.parks.c.name).where(t.parks.c.park_id == park_id)).scalar()
    return None if name is None else FeedSubject("park", park_id, str(name))


def feed_entries(conn: Connection, subject: FeedSubject, *, disney_universal_only: bool = False,
                 limit: int = FEED_SIZE) -> list[dict[str, Any]]:
    """The subject's newest ``limit`` events (instant, then order recorded), each with its
    stored payload."""
    if at.events.name not in inspect(conn).get_table_names():
        return []
    ev = at.events
    query = select(ev.c.event_id, ev.c.event_type, ev.c.park_id, ev.c.ride_id,
                   ev.c.occurred_at, ev.c.recorded_at, ev.c.payload).where(
        ev.c.event_type.in_(FEED_EVENTS))
    if subject.kind == "ride":
        query = query.where(ev.c.ride_id == subject.item_id)
    elif subject.kind == "park":
        query = query.where(ev.c.park_id == subject.item_id)
    elif disney_universal_only:
        chosen = select(t.parks.c.park_id).where(or_(t.parks.c.is_disney, t.parks.c.is_universal))
        query = query.where(ev.c.park_id.in_(chosen))
    rows = conn.execute(query.order_by(ev.c.occurred_at.desc(), ev.c.seq.desc()).limit(limit))
    return [_entry(r) for r in rows]


def _entry(row: Any) -> dict[str, Any]:
    payload = json.loads(row.payload)
    occurred: datetime = row.occurred_at
    return {"event_id": row.event_id, "event_type": row.event_type, "park_id": row.park_id,
            "ride_id": row.ride_id, "occurred_at": occurred, "recorded_at": row.recorded_at,
            "payload": payload}
