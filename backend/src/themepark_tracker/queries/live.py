"""What is happening now: ride status counts over each park's latest cycle, and the time of
the newest data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from themepark_tracker import metrics
from themepark_tracker.db import tables as t
from themepark_tracker.queries.coverage import latest_cycles
from themepark_tracker.queries.outages import ongoing_outages
from themepark_tracker.queries.periods import PARK_CLOSED
from themepark_tracker.timeutil import iso_utc

LIVE_STATUSES = (*metrics.STATUSES, PARK_CLOSED)


def newest_data_at(conn: Connection) -> str | None:
    """The newest snapshot in the database, ISO UTC, or None when there is none."""
    newest = conn.execute(select(func.max(t.park_activity_snapshots.c.recorded_at))).scalar()
    return iso_utc(newest) if newest is not None else None


def from_live_feeds(conn: Connection) -> bool:
    """True when every park came from a live feed (it carries a Queue-Times or ThemeParks.wiki
    id); a simulated park, or one imported without ids, has neither, and a page must not pass
    its figures off as a real park's record."""
    p = t.parks
    unsourced = conn.execute(select(func.count()).select_from(p).where(
        p.c.queue_times_id.is_(None), p.c.themeparks_wiki_id.is_(None))).scalar()
    return not unsourced


def status_summary(conn: Connection, now: datetime, park_id: int | None = None
                   ) -> dict[str, Any]:
    """Attractions by status in each park's latest cycle of the live window; a ride of a park
    that is closed at that instant counts as PARK_CLOSED whatever the feed says."""
    ids = [park_id] if park_id is not None else list(
        conn.execute(select(t.parks.c.park_id)).scalars())
    latest = latest_cycles(conn, ids, now) if ids else {}
    counts = dict.fromkeys(LIVE_STATUSES, 0)
    if latest:
        rss, r = t.ride_status_snapshots, t.rides
        rows = conn.execute(
            select(rss.c.status, rss.c.park_open, func.count())
            .join(r, and_(r.c.ride_id == rss.c.ride_id, r.c.category == metrics.ATTRACTION))
            .where(or_(*(and_(rss.c.park_id == p, rss.c.recorded_at == at)
                         for p, (at, _) in latest.items())))
            .group_by(rss.c.status, rss.c.park_open))
        for status, park_open, count in rows:
            counts[status if park_open else PARK_CLOSED] += int(count)
    return {
        "as_of": iso_utc(max(at for at, _ in latest.values())) if latest else None,
        "park_id": park_id,
        "counts": counts,
        "parks_reporting": len(latest),
        "down_rides": down_rides(conn, latest, now),
    }


def down_rides(conn: Connection, latest: dict[int, tuple[datetime, bool]], now: datetime
               ) -> list[dict[str, Any]]:
    """The attractions counted down in each park's newest cycle (SPEC §11), each with its
    ongoing outage and the "stay or go" estimate (null where outages are not recorded)."""
    if not latest:
        return []
    rss, r, p = t.ride_status_snapshots, t.rides, t.parks
    rows = conn.execute(
        select(rss.c.ride_id, r.c.name, rss.c.park_id, p.c.name.label("park_name"),
               p.c.timezone)
        .join(r, and_(r.c.ride_id == rss.c.ride_id, r.c.category == metrics.ATTRACTION))
        .join(p, p.c.park_id == rss.c.park_id)
        .where(rss.c.counted_down.is_(True),
               or_(*(and_(rss.c.park_id == pid, rss.c.recorded_at == at)
                     for pid, (at, _) in latest.items())))
        .order_by(p.c.name, r.c.name, rss.c.ride_id)).all()
    outages = ongoing_outages(conn, now, ride_ids=[row.ride_id for row in rows])
    return [{"ride_id": row.ride_id, "ride_name": row.name, "park_id": row.park_id,
             "park_name": row.park_name, "timezone": row.timezone,
             "outage": outages.get(row.ride_id)} for row in rows]
