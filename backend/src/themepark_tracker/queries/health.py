"""Is the tracker healthy? A plain JSON-able dict for ``themepark status`` and ``/api/health``.

- database: can we read it at all (if not, the status is "down");
- collection: the newest cycle is at most three collection periods old;
- hourly aggregation: every finished hour with snapshots has been aggregated (the hour that
  has just ended gets a few minutes' grace, the scheduler takes it after the next cycle);
- daily aggregation: no park-day that ended a while ago is waiting to be aggregated.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from themepark_tracker.aggregate.daily import days_due
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t
from themepark_tracker.timeutil import HOUR, floor_hour, iso_utc, utcnow

#: Collection is stale after this many collection periods without a new cycle.
STALE_AFTER_PERIODS = 3
#: How long after an hour ends its aggregate may still be missing without alarm.
HOURLY_GRACE = timedelta(minutes=15)
#: How long after a park's local day ends its daily aggregate may still be missing.
DAILY_GRACE = timedelta(hours=2)

OK, DEGRADED, DOWN = "ok", "degraded", "down"

logger = logging.getLogger(__name__)


def health_report(engine: Engine, settings: Settings, now: datetime | None = None, *,
                  public: bool = False) -> dict[str, Any]:
    """``public``: for anyone (``/api/health``): a database failure is named by its kind
    only, the driver's message (user, host, database names) goes to the log. Otherwise (the
    operator's ``themepark status``) the report carries the driver's first line."""
    now = now or utcnow()
    report: dict[str, Any] = {"status": OK, "checked_at": iso_utc(now)}
    try:
        report["collection"] = _collection(engine, settings, now)
        report["hourly_aggregation"] = _hourly(engine, now)
        report["daily_aggregation"] = _daily(engine, now)
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        detail = str(reason).splitlines()[0]
        if public:
            logger.warning("health check: database error: %s", detail)
            detail = (f"database unavailable or not migrated ({type(exc).__name__}); "
                      "see the server log")
        report.update(status=DOWN, database={"ok": False, "error": detail})
        return report
    report["database"] = {"ok": True}
    healthy = (report["collection"]["fresh"] and report["hourly_aggregation"]["ok"]
               and report["daily_aggregation"]["ok"])
    report["status"] = OK if healthy else DEGRADED
    return report


def _collection(engine: Engine, settings: Settings, now: datetime) -> dict[str, Any]:
    with engine.connect() as conn:
        newest = conn.scalar(select(func.max(t.park_activity_snapshots.c.recorded_at)))
    stale_after = STALE_AFTER_PERIODS * settings.collection_period
    age = None if newest is None else int((now - newest).total_seconds())
    return {
        "newest_snapshot_at": None if newest is None else iso_utc(newest),
        "age_seconds": age,
        "stale_after_seconds": stale_after,
        "fresh": age is not None and age <= stale_after,
    }


def _hourly(engine: Engine, now: datetime) -> dict[str, Any]:
    this_hour = floor_hour(now)
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        newest = conn.scalar(select(func.max(t.park_hourly_stats.c.hour_start_utc)))
        last_data = conn.scalar(select(func.max(pas.c.recorded_at))
                                .where(pas.c.recorded_at < this_hour))
        marked = conn.scalar(select(func.min(t.stale_hours.c.hour_start_utc))
                             .where(t.stale_hours.c.hour_start_utc < this_hour))
    pending = set()
    if last_data is not None and (newest is None or floor_hour(last_data) > newest):
        pending.add(floor_hour(last_data))
    if marked is not None:
        pending.add(marked)
    overdue = [h for h in pending if h + HOUR + HOURLY_GRACE <= now]
    if not pending:
        lag: int | None = 0
    else:
        lag = None if newest is None else round((this_hour - HOUR - newest) / HOUR)
    return {
        "newest_hour": None if newest is None else iso_utc(newest),
        "lag_hours": lag,
        "ok": not overdue,
    }


def _daily(engine: Engine, now: datetime) -> dict[str, Any]:
    with engine.connect() as conn:
        newest = conn.scalar(select(func.max(t.park_daily_stats.c.stat_date)))
    overdue = days_due(engine, now - DAILY_GRACE, None, False)
    oldest: date | None = min(overdue, default=None)
    return {
        "newest_date": None if newest is None else newest.isoformat(),
        "lag_days": 0 if oldest is None else (now.date() - oldest).days,
        "pending_park_days": sum(len(p) for p in overdue.values()),
        "ok": not overdue,
    }
