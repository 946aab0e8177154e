"""The catalogue: parks, rides and opening schedules, upserted on their natural keys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict

from sqlalchemy import Connection, update

from themepark_tracker.db import tables as t
from themepark_tracker.db.upsert import upsert_rows
from themepark_tracker.ingest.models import ParkRecord, RideRecord, ScheduleRecord
from themepark_tracker.timeutil import utcnow


def upsert_parks(conn: Connection, parks: Iterable[ParkRecord]) -> int:
    """Insert or update parks. ``reports_down`` only ever turns on here (SPEC §1): a park whose
    feed has once sent DOWN stays down-reporting even if a later catalogue sync says otherwise."""
    now = utcnow()
    records = list(parks)
    rows = []
    for park in records:
        row = asdict(park)
        row.pop("reports_down")
        row["updated_at"] = now
        rows.append(row)
    count = upsert_rows(conn, t.parks, rows, key=["park_id"])
    reporting = [p.park_id for p in records if p.reports_down]
    if reporting:
        conn.execute(
            update(t.parks).where(t.parks.c.park_id.in_(reporting)).values(reports_down=True)
        )
    return count


def upsert_rides(conn: Connection, rides: Iterable[RideRecord]) -> int:
    now = utcnow()
    rows = [{**asdict(ride), "updated_at": now} for ride in rides]
    return upsert_rows(conn, t.rides, rows, key=["ride_id"])


def upsert_schedules(conn: Connection, schedules: Iterable[ScheduleRecord]) -> int:
    rows = [asdict(s) for s in schedules]
    return upsert_rows(
        conn, t.park_schedules, rows,
        key=["park_id", "local_date", "opening_time_utc", "schedule_type"],
    )
