"""Our own downtime per attraction for one park-local date, for the parks ThemeParks.wiki also
covers (``themepark crosscheck`` compares it with ThemeParks.wiki's published figures)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, select

from themepark_tracker.db import tables as t
from themepark_tracker.metrics import ATTRACTION


@dataclass
class OurRide:
    ride_id: int
    name: str
    themeparks_wiki_id: str | None
    #: SPEC §3–4: counted-down snapshots × I; None when the day has no row for the ride.
    down_minutes: int | None


@dataclass
class OurPark:
    park_id: int
    name: str
    themeparks_wiki_id: str
    rides: list[OurRide] = field(default_factory=list)
    #: ThemeParks.wiki ids of its rides that are not attractions (shows, single-rider lines,
    #: meet-and-greets...): known to us, never compared.
    not_attractions: set[str] = field(default_factory=set)


def wiki_parks_downtime(conn: Connection, day: date, interval_minutes: int) -> list[OurPark]:
    """Every park with a ThemeParks.wiki id, by name, and each of its attractions with our
    downtime minutes on its local date ``day`` (from ride_daily_stats)."""
    p, r, rds = t.parks, t.rides, t.ride_daily_stats
    parks = {row.park_id: OurPark(row.park_id, row.name, row.themeparks_wiki_id)
             for row in conn.execute(select(p.c.park_id, p.c.name, p.c.themeparks_wiki_id)
                                     .where(p.c.themeparks_wiki_id.is_not(None))
                                     .order_by(p.c.name, p.c.park_id))}
    if not parks:
        return []
    rows = conn.execute(
        select(r.c.ride_id, r.c.park_id, r.c.name, r.c.themeparks_wiki_id, r.c.category,
               rds.c.down_snapshots)
        .outerjoin(rds, (rds.c.ride_id == r.c.ride_id) & (rds.c.stat_date == day))
        .where(r.c.park_id.in_(list(parks)))
        .order_by(r.c.name, r.c.ride_id))
    for row in rows:
        if row.category != ATTRACTION:
            if row.themeparks_wiki_id:
                parks[row.park_id].not_attractions.add(row.themeparks_wiki_id)
            continue
        down = None if row.down_snapshots is None else int(row.down_snapshots) * interval_minutes
        parks[row.park_id].rides.append(
            OurRide(row.ride_id, row.name, row.themeparks_wiki_id, down))
    return list(parks.values())
