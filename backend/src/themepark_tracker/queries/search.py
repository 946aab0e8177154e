"""Parks and attractions whose name contains a text, for the search box."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from themepark_tracker import metrics
from themepark_tracker.db import tables as t

SEARCH_LIMIT = 20


def _contains(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(conn: Connection, text: str, limit: int = SEARCH_LIMIT) -> dict[str, Any]:
    """Case-insensitive substring match on park and attraction names, shortest names first.
    ``%``, ``_`` and ``\\`` match themselves. ``text`` must hold no NUL: SQLite's LIKE ends
    the pattern there, so ``%\\0%`` would match every name (the API refuses control
    characters before they get here)."""
    if "\0" in text:
        raise ValueError("search text must not contain NUL")
    pattern = _contains(text.strip())
    p, r = t.parks, t.rides
    parks = conn.execute(
        select(p.c.park_id, p.c.name, p.c.country)
        .where(p.c.name.ilike(pattern, escape="\\"))
        .order_by(p.c.name).limit(limit)).all()
    rides = conn.execute(
        select(r.c.ride_id, r.c.name, r.c.park_id, p.c.name.label("park_name"))
        .join(p, p.c.park_id == r.c.park_id)
        .where(r.c.name.ilike(pattern, escape="\\"), r.c.category == metrics.ATTRACTION)
        .order_by(r.c.name, p.c.name).limit(limit)).all()
    return {
        "query": text,
        "parks": [{"park_id": x.park_id, "name": x.name, "location": x.country} for x in parks],
        "rides": [{"ride_id": x.ride_id, "name": x.name, "park_id": x.park_id,
                   "park_name": x.park_name} for x in rides],
    }
