"""``themepark collect --schedules``: opening schedules from ThemeParks.wiki (Queue-Times has
none), replaced date by date, under the job lock "schedules"."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, select, tuple_

from themepark_tracker.collect.fetching import fetch_all
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t
from themepark_tracker.db.lock import job_lock
from themepark_tracker.ingest.catalog import upsert_schedules
from themepark_tracker.ingest.models import ScheduleRecord
from themepark_tracker.sources import themeparks_wiki as wiki
from themepark_tracker.sources.http import HttpClient
from themepark_tracker.timeutil import local_date_of, utcnow, zone_of

logger = logging.getLogger(__name__)

#: How long a refresh waits for another one (``run``'s daily refresh, a cron job) to finish
#: before it gives up with ``LockHeld``; a refresh takes seconds to a few minutes.
SCHEDULES_LOCK_WAIT = timedelta(minutes=5)


@dataclass
class ScheduleReport:
    parks: int = 0
    windows: int = 0
    parks_failed: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        line = f"Schedules: {self.windows} opening windows for {self.parks} parks"
        if self.parks_failed:
            line += "\n" + "\n".join(f"  {n}: {p}" for n, p in sorted(self.parks_failed.items()))
        return line


def refresh_schedules(engine: Engine, settings: Settings, now: datetime | None = None
                      ) -> ScheduleReport:
    """Opening schedules from ThemeParks.wiki, from each park's local today on. The dates the
    feed covers are replaced whole, so a changed window does not linger next to its
    replacement. Two refreshes never overlap: this one waits up to ``SCHEDULES_LOCK_WAIT`` for
    another to finish, then raises ``LockHeld`` (the CLI prints it and exits 1)."""
    with job_lock(engine, "schedules", wait=SCHEDULES_LOCK_WAIT):
        return _refresh(engine, settings, now or utcnow())


def _refresh(engine: Engine, settings: Settings, now: datetime) -> ScheduleReport:
    with engine.connect() as conn:
        parks = conn.execute(select(t.parks.c.park_id, t.parks.c.name, t.parks.c.timezone,
                                    t.parks.c.themeparks_wiki_id)
                             .where(t.parks.c.themeparks_wiki_id.is_not(None))).all()
    report = ScheduleReport()
    with HttpClient(settings) as client:
        got, problems = fetch_all(
            parks, lambda p: wiki.fetch_schedule(client, settings.themeparks_wiki_base_url,
                                                 p.themeparks_wiki_id),
            settings.http_concurrency)
    report.parks_failed = {p.name: msg for p, msg in problems.items()}
    keep: list[ScheduleRecord] = []
    for park, windows in got.items():
        today = local_date_of(now, zone_of(park.timezone))
        keep += [ScheduleRecord(park.park_id, w.local_date, w.opening_time_utc,
                                w.closing_time_utc, "OPERATING")
                 for w in windows if w.local_date >= today]
        report.parks += 1
    with engine.begin() as conn:
        replace_schedule_dates(conn, keep)
    report.windows = len(keep)
    logger.info("%s", report.describe())
    return report


def replace_schedule_dates(conn: Connection, windows: list[ScheduleRecord]) -> None:
    """Store ``windows``, replacing whole every (park, local date) they cover, so a changed
    window does not linger next to its replacement. The one writer of ``park_schedules``
    (the daily refresh and the upstream backfill's past months both come here)."""
    dates: dict[int, set[object]] = defaultdict(set)
    for w in windows:
        dates[w.park_id].add(w.local_date)
    s = t.park_schedules
    pairs = [(p, d) for p, ds in dates.items() for d in ds]
    for chunk in range(0, len(pairs), 500):
        conn.execute(delete(s).where(
            tuple_(s.c.park_id, s.c.local_date).in_(pairs[chunk:chunk + 500])))
    upsert_schedules(conn, windows)
