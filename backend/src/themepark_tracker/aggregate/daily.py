"""The daily job (SPEC §4): each park's local day -> park_daily_stats, ride_daily_stats.

Days are grouped by the park-local date ingest stored next to every snapshot, so no time-zone
arithmetic happens in SQL. For a park whose UTC offset is a whole number of hours the result
equals the sum of that day's hourly rows (tested); for Asia/Kolkata and friends it is the only
correct way. This module is the only writer of both daily tables.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, literal, select

from themepark_tracker.aggregate import quality, scopes, sql
from themepark_tracker.aggregate.hourly import clear_marks, prepare_job_session
from themepark_tracker.aggregate.runlog import DAILY, logged_run
from themepark_tracker.db import tables as t
from themepark_tracker.db.lock import job_lock
from themepark_tracker.db.types import UtcDateTime
from themepark_tracker.db.upsert import upsert_from_select
from themepark_tracker.errors import UserError
from themepark_tracker.timeutil import local_day_bounds, utcnow, zone_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DayCount:
    stat_date: date
    parks: int
    rides: int


def aggregate_date(
    conn: Connection, stat_date: date, park_ids: list[int], interval_minutes: int,
) -> DayCount:
    """Aggregate local date ``stat_date`` for ``park_ids`` inside the caller's transaction and
    clear the stale marks it saw before reading."""
    marks = t.stale_days
    seen = conn.execute(select(marks.c.park_id, marks.c.local_date, marks.c.version).where(
        marks.c.local_date == stat_date, marks.c.park_id.in_(park_ids))).all()
    prepare_job_session(conn)
    scope = scopes.local_dates(park_ids, [stat_date])
    params = {"interval_minutes": interval_minutes}
    stamp = literal(utcnow(), UtcDateTime).label("updated_at")
    upsert_from_select(
        conn, t.ride_daily_stats, (*sql.RIDE_DAILY_COLUMNS, "updated_at"),
        sql.ride_daily_select(scope).add_columns(stamp), key=["ride_id", "stat_date"],
        params=params,
    )
    upsert_from_select(
        conn, t.park_daily_stats, (*sql.PARK_DAILY_COLUMNS, "updated_at"),
        sql.park_daily_select(scope).add_columns(stamp), key=["park_id", "stat_date"],
        params=params,
    )
    quality.fill_expected(conn, stat_date, park_ids, interval_minutes)
    clear_marks(conn, marks, seen)
    parks = conn.scalar(select(func.count()).select_from(t.park_daily_stats).where(
        t.park_daily_stats.c.stat_date == stat_date,
        t.park_daily_stats.c.park_id.in_(park_ids)))
    rides = conn.scalar(select(func.count()).select_from(t.ride_daily_stats).where(
        t.ride_daily_stats.c.stat_date == stat_date,
        t.ride_daily_stats.c.park_id.in_(park_ids)))
    return DayCount(stat_date, int(parks or 0), int(rides or 0))


def _zones(conn: Connection) -> dict[int, ZoneInfo]:
    return {r.park_id: zone_of(r.timezone)
            for r in conn.execute(select(t.parks.c.park_id, t.parks.c.timezone))}


def days_due(engine: Engine, now: datetime, stat_date: date | None, force: bool
             ) -> dict[date, list[int]]:
    """Park-days to aggregate, by date. With ``stat_date``: every park with snapshots that day
    (whose day has ended, unless ``force``). Without: park-days marked stale by ingest or with
    snapshots but no daily row, whose local day has ended."""
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        zones = _zones(conn)
        if stat_date is not None:
            candidates = {(p, stat_date) for p in conn.execute(
                select(pas.c.park_id).distinct().where(pas.c.local_date == stat_date)
            ).scalars()}
        else:
            with_data = set(map(tuple, conn.execute(
                select(pas.c.park_id, pas.c.local_date).distinct()
            ).all()))
            done = set(map(tuple, conn.execute(
                select(t.park_daily_stats.c.park_id, t.park_daily_stats.c.stat_date)
            ).all()))
            marked = set(map(tuple, conn.execute(
                select(t.stale_days.c.park_id, t.stale_days.c.local_date)
            ).all()))
            candidates = (with_data - done) | (marked & with_data)
    due: dict[date, list[int]] = defaultdict(list)
    unfinished = []
    for park_id, day in sorted(candidates):
        if force or local_day_bounds(day, zones[park_id])[1] <= now:
            due[day].append(park_id)
        else:
            unfinished.append(park_id)
    if stat_date is not None and unfinished and due:
        logger.info("%s has not ended yet for park(s) %s: left for a later run (or --force)",
                    stat_date, ", ".join(map(str, unfinished)))
    if stat_date is not None and unfinished and not due:
        raise UserError(
            f"{stat_date} has not ended yet in any park's time zone with data "
            "(use --force to aggregate the partial day anyway)"
        )
    return dict(due)


def run_daily(
    engine: Engine, interval_minutes: int, *, stat_date: date | None = None,
    force: bool = False, now: datetime | None = None,
) -> list[DayCount]:
    """The ``aggregate-daily`` command: one transaction and one log row per local date."""
    now = now or utcnow()
    results = []
    with job_lock(engine, "aggregate-daily"):
        for day, park_ids in sorted(days_due(engine, now, stat_date, force).items()):
            with logged_run(engine, DAILY, day.isoformat()) as run, engine.begin() as conn:
                count = aggregate_date(conn, day, park_ids, interval_minutes)
                run.parks_processed, run.rides_processed = count.parks, count.rides
            logger.info("Day %s: %d parks, %d rides processed", day, count.parks, count.rides)
            results.append(count)
    return results
