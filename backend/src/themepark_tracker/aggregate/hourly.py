"""The hourly job (SPEC §3): raw snapshots of UTC hours -> park_hourly_stats, ride_hourly_stats,
and the local-hour rollup of the heatmaps (aggregate/local_hours.py) in the same transaction.

Set-based: one INSERT ... SELECT ... upsert per table for a whole range of hours, in one
transaction. Re-running an hour recomputes all its rows and upserts those whose values changed
(or are missing); there is no "skip if a row exists". A row's ``updated_at`` is when its
values last changed. This module is the only writer of both hourly tables.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, Table, delete, func, literal, select, text

from themepark_tracker.aggregate import sql
from themepark_tracker.aggregate.local_hours import rollup_local_hours
from themepark_tracker.aggregate.runlog import HOURLY, logged_run
from themepark_tracker.db import tables as t
from themepark_tracker.db.lock import job_lock
from themepark_tracker.db.migrate import require_revision
from themepark_tracker.db.types import UtcDateTime, hour_floor
from themepark_tracker.db.upsert import upsert_changed_from_select
from themepark_tracker.errors import UserError
from themepark_tracker.timeutil import HOUR, floor_hour, utcnow

logger = logging.getLogger(__name__)

HOUR_FORMAT = "%Y-%m-%d %H:%M:%S"

#: MariaDB's stock tmp_table_size (16M) spills a week's GROUP BY to disk; jobs raise it for
#: their own session only (docs/performance.md).
MYSQL_JOB_SESSION = (
    "SET SESSION tmp_table_size = 268435456",
    "SET SESSION max_heap_table_size = 268435456",
)


@dataclass(frozen=True)
class HourCount:
    hour: datetime
    parks: int
    rides: int


def prepare_job_session(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        for statement in MYSQL_JOB_SESSION:
            conn.execute(text(statement))


@contextmanager
def no_lateral_derived(conn: Connection) -> Iterator[None]:
    """Turn off MariaDB's split materialisation ("LATERAL DERIVED") while the write path runs.

    Soon after the hourly tables were emptied or filled, their statistics promise about one
    row per hour, and MariaDB then re-runs the grouped ride rows of the park step once per park hour
    (1,920 times for a day, each reading the 4,200 rows of its hour) instead of grouping them
    once: more than a minute instead of a few seconds per backfilled day (docs/performance.md).
    """
    if not getattr(conn.dialect, "is_mariadb", False):
        yield
        return
    conn.execute(text("SET SESSION optimizer_switch = 'split_materialized=off'"))
    try:
        yield
    finally:
        conn.execute(text("SET SESSION optimizer_switch = 'split_materialized=default'"))


def aggregate_range(
    conn: Connection, start: datetime, end: datetime, interval_minutes: int,
) -> list[HourCount]:
    """Aggregate every UTC hour in [start, end) inside the caller's transaction and clear the
    stale marks it saw before reading. Returns the rows per hour, newest first."""
    marks = t.stale_hours
    seen = conn.execute(select(marks.c.hour_start_utc, marks.c.version).where(
        marks.c.hour_start_utc >= start, marks.c.hour_start_utc < end)).all()
    prepare_job_session(conn)
    params = {"interval_minutes": interval_minutes}
    park_ids = list(conn.execute(select(t.parks.c.park_id)).scalars())
    stamp = literal(utcnow(), UtcDateTime).label("updated_at")
    # Two steps, each a grouped read joined only to indexed tables (see sql.py), each writing
    # only the rows that are new or differ from the stored ones: a re-run of an hour rewrites
    # nothing that is already right.
    with no_lateral_derived(conn):
        upsert_changed_from_select(conn, t.ride_hourly_stats, sql.RIDE_HOURLY_COLUMNS,
                                   sql.ride_hourly_written_select(start, end, park_ids),
                                   key=["ride_id", "hour_start_utc"], params=params,
                                   stamp=stamp, fill=sql.ride_hourly_zero_select(start, end))
        upsert_changed_from_select(conn, t.park_hourly_stats, sql.PARK_HOURLY_COLUMNS,
                                   sql.park_hourly_written_select(start, end, park_ids),
                                   key=["park_id", "hour_start_utc"], params=params, stamp=stamp)
        rollup_local_hours(conn, start, end)
    clear_marks(conn, marks, seen)
    return _counts(conn, start, end)


def clear_marks(conn: Connection, marks: Table, seen: Sequence[Row[*tuple[Any, ...]]]) -> None:
    """Delete the marks read before aggregating, unless ingest bumped them meanwhile."""
    key = [c for c in marks.primary_key.columns]
    for row in seen:
        *values, version = row
        conn.execute(delete(marks).where(
            *(c == v for c, v in zip(key, values, strict=True)), marks.c.version == version))


def _counts(conn: Connection, start: datetime, end: datetime) -> list[HourCount]:
    def per_hour(table: Table) -> dict[datetime, int]:
        return dict(conn.execute(
            select(table.c.hour_start_utc, func.count())
            .where(table.c.hour_start_utc >= start, table.c.hour_start_utc < end)
            .group_by(table.c.hour_start_utc)
        ).all())

    parks = per_hour(t.park_hourly_stats)
    rides = per_hour(t.ride_hourly_stats)
    return [HourCount(h, parks[h], rides.get(h, 0)) for h in sorted(parks, reverse=True)]


def check_finished(hour: datetime, now: datetime, force: bool) -> None:
    if hour + HOUR > now and not force:
        raise UserError(
            f"hour {hour:{HOUR_FORMAT}} has not finished yet (it ends at "
            f"{hour + HOUR:{HOUR_FORMAT}} UTC, now is {now:{HOUR_FORMAT}} UTC); "
            "use --force to aggregate the partial hour anyway"
        )


def aggregate_hour(
    engine: Engine, hour: datetime, interval_minutes: int, *, force: bool = False,
    now: datetime | None = None,
) -> HourCount:
    """Aggregate one finished UTC hour in one transaction, logged in aggregation_log."""
    now = now or utcnow()
    check_finished(hour, now, force)
    with logged_run(engine, HOURLY, f"{hour:{HOUR_FORMAT}}") as run, engine.begin() as conn:
        counts = aggregate_range(conn, hour, hour + HOUR, interval_minutes)
        count = counts[0] if counts else HourCount(hour, 0, 0)
        run.parks_processed, run.rides_processed = count.parks, count.rides
    logger.info("Hour %s: %d parks, %d rides processed", f"{hour:{HOUR_FORMAT}}",
                count.parks, count.rides)
    return count


def hours_due(engine: Engine, now: datetime, lookback: timedelta) -> list[datetime]:
    """The last complete hour, plus earlier complete hours within ``lookback`` that have
    snapshots but no aggregate, or were marked stale by ingest. Oldest first."""
    last_complete = floor_hour(now) - HOUR
    since = floor_hour(now - lookback)
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        with_data = set(conn.execute(
            select(hour_floor(pas.c.recorded_at)).distinct()
            .where(pas.c.recorded_at >= since, pas.c.recorded_at < last_complete + HOUR)
        ).scalars())
        aggregated = set(conn.execute(
            select(t.park_hourly_stats.c.hour_start_utc).distinct()
            .where(t.park_hourly_stats.c.hour_start_utc >= since)
        ).scalars())
        marked = set(conn.execute(
            select(t.stale_hours.c.hour_start_utc)
            .where(t.stale_hours.c.hour_start_utc <= last_complete)
        ).scalars())
    due = (with_data - aggregated) | marked | {last_complete}
    return sorted(due)


def run_hourly(
    engine: Engine, interval_minutes: int, *, hour: datetime | None = None, force: bool = False,
    lookback: timedelta = timedelta(days=90), now: datetime | None = None,
) -> list[HourCount]:
    """The ``aggregate-hourly`` command: one given hour, or every hour that is due."""
    require_revision(engine, "012", "hourly aggregation")
    now = now or utcnow()
    with job_lock(engine, "aggregate-hourly"):
        hours: Iterable[datetime] = [hour] if hour is not None else hours_due(
            engine, now, lookback
        )
        return [aggregate_hour(engine, h, interval_minutes, force=force, now=now) for h in hours]
