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
    """Insert or update parks; ``reports_down`` only ever turns on (``turn_on_reports_down``)."""
    now = utcnow()
    records = list(parks)
    rows = []
    for park in records:
        row = asdict(park)
        row.pop("reports_down")
        row["updated_at"] = now
        rows.append(row)
    count = upsert_rows(conn, t.parks, rows, key=["park_id"])
    turn_on_reports_down(conn, [p.park_id for p in records if p.reports_down])
    return count


def reports_down_after(stored: bool, says_down: bool) -> bool:
    """SPEC §1: ``reports_down`` only ever turns on. A park whose feed has once sent DOWN (or
    that is once configured so) stays down-reporting, whatever a later catalogue says."""
    return stored or says_down


def turn_on_reports_down(conn: Connection, park_ids: Iterable[int]) -> None:
    """Make ``park_ids`` down-reporting: the one statement that writes the column (a new park is
    inserted without it), and it only ever turns it on (``reports_down_after``)."""
    ids = sorted(set(park_ids))
    if ids:
        conn.execute(update(t.parks).where(t.parks.c.park_id.in_(ids))
                     .values(reports_down=True))


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
