"""Backfill: aggregate a range of past hours, newest first, a UTC day per statement.

The rows are the same as hour-by-hour runs give (tested); a day that fails is retried hour by
hour so one bad hour does not sink its neighbours, and the run still exits non-zero.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select

from themepark_tracker.aggregate.hourly import HOUR_FORMAT, HourCount, aggregate_range
from themepark_tracker.aggregate.runlog import BACKFILL, logged_run
from themepark_tracker.db import tables as t
from themepark_tracker.db.lock import job_lock
from themepark_tracker.db.migrate import require_revision
from themepark_tracker.errors import UserError
from themepark_tracker.progress import ProgressBar
from themepark_tracker.timeutil import HOUR, floor_hour, utcnow

logger = logging.getLogger(__name__)


class BackfillFailed(UserError):
    pass


@dataclass
class BackfillSummary:
    start: datetime
    end: datetime  # exclusive
    park_hours: int = 0
    ride_hours: int = 0
    hours_done: int = 0
    failed_hours: list[datetime] = field(default_factory=list)

    def describe(self) -> str:
        text = (f"Backfill complete: {self.park_hours:,} park hours, "
                f"{self.ride_hours:,} ride hours")
        if self.failed_hours:
            failed = ", ".join(f"{h:{HOUR_FORMAT}}" for h in self.failed_hours[:10])
            text += f"; {len(self.failed_hours)} hour(s) FAILED: {failed}"
        return text


def resolve_range(
    engine: Engine, *, days: int | None, start: datetime | None, end: datetime | None,
    now: datetime,
) -> tuple[datetime, datetime]:
    """[start, end) of the hours to backfill.

    ``--days N``: the N×24 hours before the hour of the newest snapshot (that hour may still be
    collecting; ``aggregate-hourly`` takes it when it ends), never past the current hour.
    ``--start/--end``: those UTC hours, both included.
    """
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        oldest, newest = conn.execute(
            select(func.min(pas.c.recorded_at), func.max(pas.c.recorded_at))
        ).one()
    if newest is None:
        raise UserError("No snapshots found: nothing to backfill (simulate, import or mirror "
                        "data first)")
    if start is not None or end is not None:
        first = floor_hour(start or oldest)
        stop = floor_hour(end) + HOUR if end is not None else floor_hour(now)
    else:
        assert days is not None
        stop = min(floor_hour(newest), floor_hour(now))
        first = stop - timedelta(days=days)
    if stop > floor_hour(now):
        raise UserError(f"--end {stop - HOUR:{HOUR_FORMAT}} has not finished yet")
    if first >= stop:
        raise UserError(f"empty range: {first:{HOUR_FORMAT}} to {stop:{HOUR_FORMAT}}")
    if not conn_has_snapshots(engine, first, stop):
        raise UserError(
            f"No snapshots found between {first:{HOUR_FORMAT}} and {stop:{HOUR_FORMAT}} UTC "
            f"(the database holds {oldest:{HOUR_FORMAT}} to {newest:{HOUR_FORMAT}})"
        )
    return first, stop


def conn_has_snapshots(engine: Engine, start: datetime, end: datetime) -> bool:
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        return conn.execute(
            select(pas.c.park_id).where(pas.c.recorded_at >= start, pas.c.recorded_at < end)
            .limit(1)
        ).first() is not None


def day_chunks(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at UTC midnights, newest chunk first."""
    chunks = []
    stop = end
    while stop > start:
        midnight = stop.replace(hour=0)
        chunk_start = max(start, midnight if midnight < stop else midnight - timedelta(days=1))
        chunks.append((chunk_start, stop))
        stop = chunk_start
    return chunks


def backfill(
    engine: Engine, interval_minutes: int, *, days: int | None = None,
    start: datetime | None = None, end: datetime | None = None, now: datetime | None = None,
) -> BackfillSummary:
    require_revision(engine, "012", "hourly aggregation")
    now = now or utcnow()
    first, stop = resolve_range(engine, days=days, start=start, end=end, now=now)
    summary = BackfillSummary(first, stop)
    label = f"{first:{HOUR_FORMAT}} to {stop:{HOUR_FORMAT}}"
    if days is not None and start is None and end is None:
        logger.info("Starting hourly backfill for last %d days", days)
    else:
        logger.info("Starting hourly backfill for %s", label)
    total_hours = int((stop - first) / HOUR)
    with job_lock(engine, "aggregate-hourly"), logged_run(engine, BACKFILL, label) as run, \
            ProgressBar(total_hours, "Backfilling", "hours") as progress:
        for chunk_start, chunk_end in day_chunks(first, stop):
            logger.info("Backfilling hours %s to %s", f"{chunk_start:{HOUR_FORMAT}}",
                        f"{chunk_end:{HOUR_FORMAT}}")
            for count in _chunk(engine, chunk_start, chunk_end, interval_minutes, now, summary):
                summary.park_hours += count.parks
                summary.ride_hours += count.rides
                logger.info("Hour %s: %d parks, %d rides processed",
                            f"{count.hour:{HOUR_FORMAT}}", count.parks, count.rides)
            summary.hours_done += int((chunk_end - chunk_start) / HOUR)
            progress.advance(int((chunk_end - chunk_start) / HOUR))
        run.parks_processed, run.rides_processed = summary.park_hours, summary.ride_hours
        if summary.failed_hours:
            raise BackfillFailed(summary.describe())
    logger.info(summary.describe())
    return summary


def _chunk(
    engine: Engine, start: datetime, end: datetime, interval_minutes: int, now: datetime,
    summary: BackfillSummary,
) -> list[HourCount]:
    try:
        with engine.begin() as conn:
            return aggregate_range(conn, start, end, interval_minutes)
    except Exception as exc:  # noqa: BLE001 - retried hour by hour below, failures recorded
        logger.warning("Hours %s to %s failed together (%s); retrying one by one",
                       f"{start:{HOUR_FORMAT}}", f"{end:{HOUR_FORMAT}}", exc)
    counts: list[HourCount] = []
    hour = end - HOUR
    while hour >= start:
        try:
            with engine.begin() as conn:
                counts += aggregate_range(conn, hour, hour + HOUR, interval_minutes)
        except Exception as exc:  # noqa: BLE001 - logged, counted, and the run fails at the end
            logger.error("Hour %s failed: %s", f"{hour:{HOUR_FORMAT}}", exc)
            summary.failed_hours.append(hour)
        hour -= HOUR
    return counts
