"""``themepark cleanup``: delete raw snapshots older than RAW_RETENTION_DAYS, but only whole
park-days whose daily row and every hourly row exist and are not waiting for re-aggregation
(SPEC §9: retention never deletes what is not yet aggregated). Hourly and daily rows stay."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, delete, func, select

from themepark_tracker.db import tables as t
from themepark_tracker.db.lock import job_lock
from themepark_tracker.db.types import hour_floor
from themepark_tracker.timeutil import local_day_bounds, utcnow, zone_of

logger = logging.getLogger(__name__)


@dataclass
class CleanupReport:
    cutoff: datetime
    park_days_deleted: int = 0
    ride_snapshots_deleted: int = 0
    park_snapshots_deleted: int = 0
    kept_not_aggregated: list[tuple[int, date]] = field(default_factory=list)
    dry_run: bool = False

    def describe(self) -> str:
        verb = "Would delete" if self.dry_run else "Deleted"
        line = (f"{verb} raw snapshots before {self.cutoff:%Y-%m-%d %H:%M} UTC: "
                f"{self.park_days_deleted} park-days, {self.ride_snapshots_deleted:,} ride and "
                f"{self.park_snapshots_deleted:,} park snapshots")
        if self.kept_not_aggregated:
            line += (f"; kept {len(self.kept_not_aggregated)} older park-days that are not "
                     "aggregated yet (run `themepark aggregate-hourly` and `aggregate-daily`)")
        return line


def cleanup(engine: Engine, retention_days: int, *, now: datetime | None = None,
            dry_run: bool = False) -> CleanupReport:
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    report = CleanupReport(cutoff, dry_run=dry_run)
    pas, rss = t.park_activity_snapshots, t.ride_status_snapshots
    with job_lock(engine, "cleanup"):
        with engine.connect() as conn:
            zones = {r.park_id: zone_of(r.timezone)
                     for r in conn.execute(select(t.parks.c.park_id, t.parks.c.timezone))}
            candidates = conn.execute(
                select(pas.c.park_id, pas.c.local_date).distinct()
                .where(pas.c.recorded_at < cutoff)).all()
            daily = set(map(tuple, conn.execute(
                select(t.park_daily_stats.c.park_id, t.park_daily_stats.c.stat_date)).all()))
            day_marks = set(map(tuple, conn.execute(
                select(t.stale_days.c.park_id, t.stale_days.c.local_date)).all()))
            hour_marks = set(conn.execute(select(t.stale_hours.c.hour_start_utc)).scalars())
        for park_id, day in sorted(candidates):
            start, end = local_day_bounds(day, zones[park_id])
            if end > cutoff:
                continue  # only whole park-days, all of them past the cutoff
            if (park_id, day) not in daily or (park_id, day) in day_marks or not _hours_done(
                    engine, park_id, start, end, hour_marks):
                report.kept_not_aggregated.append((park_id, day))
                continue
            in_day = (rss.c.park_id == park_id, rss.c.local_date == day,
                      rss.c.recorded_at >= start, rss.c.recorded_at < end)
            park_in_day = (pas.c.park_id == park_id, pas.c.local_date == day)
            with engine.begin() as conn:
                if dry_run:
                    rides = conn.scalar(select(func.count()).select_from(rss).where(*in_day))
                    parks = conn.scalar(select(func.count()).select_from(pas)
                                        .where(*park_in_day))
                else:
                    rides = conn.execute(delete(rss).where(*in_day)).rowcount
                    parks = conn.execute(delete(pas).where(*park_in_day)).rowcount
            report.park_days_deleted += 1
            report.ride_snapshots_deleted += int(rides or 0)
            report.park_snapshots_deleted += int(parks or 0)
    logger.info("%s", report.describe())
    return report


def _hours_done(engine: Engine, park_id: int, start: datetime, end: datetime,
                hour_marks: set[datetime]) -> bool:
    """Every UTC hour of the park-day that has snapshots has an hourly row and no mark."""
    pas, phs = t.park_activity_snapshots, t.park_hourly_stats
    with engine.connect() as conn:
        with_data = set(conn.execute(
            select(hour_floor(pas.c.recorded_at)).distinct()
            .where(pas.c.park_id == park_id, pas.c.recorded_at >= start,
                   pas.c.recorded_at < end)).scalars())
        aggregated = set(conn.execute(
            select(phs.c.hour_start_utc).where(
                phs.c.park_id == park_id, phs.c.hour_start_utc >= start - timedelta(hours=1),
                phs.c.hour_start_utc < end)).scalars())
    return not (with_data - aggregated) and not (with_data & hour_marks)


