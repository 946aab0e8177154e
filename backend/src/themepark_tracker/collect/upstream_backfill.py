"""``themepark backfill-upstream``: a real past week from ThemeParks.wiki's history API.

For every park with a ThemeParks.wiki id and every complete local day of the window (the
``days`` local dates ending yesterday: today belongs to the live collector), newest first:
fetch the day's status changes (``sources.wiki_history``), turn them into cycles on the
collection grid (``history_grid``), and store them through the one ingest path; in the same
transaction aggregate the day's UTC hours and the local day, and record the day in
``upstream_backfill_days``. A day is therefore stored whole or not at all: a run killed at any
point and run again fetches only the days not yet recorded, and a second run changes nothing.

Live wins. A day that already has snapshots the backfill did not write (live collection, an
import, a simulation) is left alone unless ``replace`` is given; the check is made again
inside the transaction that would write the day. Past days are the only ones filled, and the
grid is the collector's, so a collector running meanwhile (which only ever writes the current
slot) and a backfill never write the same park-day; with ``replace``, the backfill's cycle of a
slot replaces the live one of that slot (one row per ride and instant, never two).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select

from themepark_tracker.aggregate.daily import aggregate_date
from themepark_tracker.aggregate.hourly import aggregate_range
from themepark_tracker.aggregate.recovery import fit_curves
from themepark_tracker.collect.history_grid import grid, park_day_cycles
from themepark_tracker.collect.schedules import replace_schedule_dates
from themepark_tracker.config import Settings
from themepark_tracker.db import record_tables as rt
from themepark_tracker.db import tables as t
from themepark_tracker.db.lock import job_lock
from themepark_tracker.db.migrate import require_revision
from themepark_tracker.errors import UserError
from themepark_tracker.ingest.models import ScheduleRecord
from themepark_tracker.ingest.snapshots import ingest_cycles
from themepark_tracker.progress import ProgressBar
from themepark_tracker.sources import wiki_history as history
from themepark_tracker.sources.http import SourceError
from themepark_tracker.sources.models import THEMEPARKS_WIKI
from themepark_tracker.timeutil import (
    ceil_hour,
    floor_hour,
    local_date_of,
    local_day_bounds,
    utcnow,
    zone_of,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    park_id: int
    name: str
    zone: ZoneInfo
    wiki_id: str


@dataclass
class ParkResult:
    name: str
    filled: list[date] = field(default_factory=list)
    already: int = 0  # days recorded by an earlier run
    live: list[date] = field(default_factory=list)  # days left alone: they have live data
    left: list[date] = field(default_factory=list)  # days not done (the run stopped)
    outside_window: list[date] = field(default_factory=list)
    cycles: int = 0
    schedule_problem: str | None = None

    def describe(self) -> str:
        parts = [f"{len(self.filled)} day(s) filled ({self.cycles} cycles)"]
        if self.already:
            parts.append(f"{self.already} already done")
        if self.live:
            parts.append(f"{len(self.live)} with live data left alone "
                         f"({', '.join(map(str, sorted(self.live)))}; --replace overwrites)")
        if self.outside_window:
            parts.append(f"{len(self.outside_window)} outside the history window")
        if self.left:
            parts.append(f"{len(self.left)} left to do ({', '.join(map(str, sorted(self.left)))})")
        if self.schedule_problem:
            parts.append(f"no past schedule ({self.schedule_problem}): park hours inferred")
        return f"{self.name}: " + "; ".join(parts)


@dataclass
class BackfillReport:
    parks: list[ParkResult] = field(default_factory=list)
    queue_times_only: list[str] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped early (the budget), if it did
    window: str | None = None  # the window error's message, if some day was outside it
    requests: int = 0
    refitted_outages: int | None = None  # outages the recovery curves were refitted over

    def describe(self) -> str:
        lines = [p.describe() for p in self.parks]
        if self.queue_times_only:
            lines.append(f"{len(self.queue_times_only)} Queue-Times-only park(s) have no history "
                         f"API and were not backfilled: {', '.join(self.queue_times_only)}")
        filled = sum(len(p.filled) for p in self.parks)
        left = sum(len(p.left) for p in self.parks)
        lines.append(f"Backfilled {filled} park-day(s) from ThemeParks.wiki history in "
                     f"{self.requests} request(s); {left} left to do")
        if self.refitted_outages is not None:
            lines.append(f"Recovery curves refitted over {self.refitted_outages} outage(s)")
        return "\n".join(lines)


def _targets(conn: Connection, park_ids: list[int] | None) -> tuple[list[Target], list[str]]:
    p = t.parks
    rows = conn.execute(select(p.c.park_id, p.c.name, p.c.timezone, p.c.themeparks_wiki_id,
                               p.c.queue_times_id).order_by(p.c.name)).all()
    if park_ids:
        unknown = sorted(set(park_ids) - {r.park_id for r in rows})
        if unknown:
            raise UserError(f"--park: no park with id {', '.join(map(str, unknown))}")
        rows = [r for r in rows if r.park_id in set(park_ids)]
    targets = [Target(r.park_id, r.name, zone_of(r.timezone), r.themeparks_wiki_id)
               for r in rows if r.themeparks_wiki_id]
    queue_times_only = [r.name for r in rows
                        if not r.themeparks_wiki_id and r.queue_times_id is not None]
    return targets, queue_times_only


def _ride_of(conn: Connection, park_id: int) -> dict[str, int]:
    r = t.rides
    return {row.themeparks_wiki_id: row.ride_id for row in conn.execute(
        select(r.c.ride_id, r.c.themeparks_wiki_id).where(
            r.c.park_id == park_id, r.c.themeparks_wiki_id.is_not(None)))}


def _recorded_days(conn: Connection, park_id: int) -> set[date]:
    b = rt.upstream_backfill_days
    return set(conn.execute(select(b.c.local_date).where(b.c.park_id == park_id)).scalars())


def _days_with_data(conn: Connection, park_id: int, days: list[date]) -> set[date]:
    ps = t.park_activity_snapshots
    return set(conn.execute(select(ps.c.local_date).distinct().where(
        ps.c.park_id == park_id, ps.c.local_date.in_(days))).scalars())


def window_days(zone: ZoneInfo, days: int, now: datetime) -> list[date]:
    """The ``days`` complete local dates before the park's today, newest first."""
    today = local_date_of(now, zone)
    return [today - timedelta(days=n) for n in range(1, days + 1)]


def backfill_upstream(engine: Engine, settings: Settings, days: int, *,
                      park_ids: list[int] | None = None, api_key: str | None = None,
                      replace: bool = False, now: datetime | None = None) -> BackfillReport:
    """Fill each ThemeParks.wiki park's last ``days`` local days from upstream history (see
    the module's docstring). Stops cleanly when the history budget is spent: the report says
    what is done and what is left, and the same command resumes."""
    require_revision(engine, "014", "backfill-upstream")
    now = now or utcnow()
    report = BackfillReport()
    with job_lock(engine, "backfill-upstream"):
        with engine.connect() as conn:
            targets, report.queue_times_only = _targets(conn, park_ids)
            plans = [_plan(conn, target, days, now, replace) for target in targets]
        total = sum(len(todo) for _, _, todo in plans)
        with history.HistoryClient(settings, api_key) as client, \
                ProgressBar(total, "Backfilling", "park-days") as progress:
            run = _Run(engine, settings, client, report, progress, replace)
            for target, result, todo in plans:
                report.parks.append(result)
                run.park(target, result, todo)
            report.requests = client.requests
    if any(p.filled for p in report.parks):
        # Recovery estimates (SPEC §11) from the outages just filled, not a day from now.
        fit = fit_curves(engine, settings.recovery_window_days, now=now)
        report.refitted_outages = fit.outages
    logger.info("%s", report.describe())
    return report


def _plan(conn: Connection, target: Target, days: int, now: datetime, replace: bool
          ) -> tuple[Target, ParkResult, list[date]]:
    result = ParkResult(target.name)
    wanted = window_days(target.zone, days, now)
    recorded = _recorded_days(conn, target.park_id)
    result.already = sum(1 for d in wanted if d in recorded)
    todo = [d for d in wanted if d not in recorded]
    if not replace:
        result.live = sorted(_days_with_data(conn, target.park_id, todo))
        todo = [d for d in todo if d not in set(result.live)]
    return target, result, todo


class _Run:
    """One run's shared state: the client, the report, where the window begins."""

    def __init__(self, engine: Engine, settings: Settings, client: history.HistoryClient,
                 report: BackfillReport, progress: ProgressBar, replace: bool) -> None:
        self.engine, self.settings, self.client = engine, settings, client
        self.report, self.progress, self.replace = report, progress, replace
        self.interval = settings.collection_interval_minutes
        self.earliest: date | None = None  # first day the window allows, once told

    def park(self, target: Target, result: ParkResult, todo: list[date]) -> None:
        if self.report.stopped is not None:
            result.left = todo
            return
        if todo:
            self._schedules(target, result, todo)
        for index, day in enumerate(todo):
            if self.earliest is not None and day < self.earliest:
                result.outside_window.append(day)
                self.progress.advance()
                continue
            try:
                entities = history.fetch_park_day(
                    self.client, self.settings.themeparks_wiki_base_url, target.wiki_id, day)
            except history.HistoryWindowExceeded as exc:
                self.report.window, self.earliest = str(exc), exc.earliest or day + timedelta(1)
                result.outside_window.append(day)
                self.progress.advance()
                continue
            except SourceError as exc:  # the budget, or upstream failing for good: stop here
                self.report.stopped = str(exc)
                result.left = todo[index:]
                return
            self._store(target, result, day, entities)
            self.progress.advance()

    def _schedules(self, target: Target, result: ParkResult, todo: list[date]) -> None:
        """The park's published hours for the months of ``todo`` (they decide when the park
        was open, SPEC §2.1). Without them the day is still filled: openness is inferred."""
        windows: list[ScheduleRecord] = []
        try:
            for year, month in sorted({(d.year, d.month) for d in todo}):
                windows += [ScheduleRecord(target.park_id, w.local_date, w.opening_time_utc,
                                           w.closing_time_utc, "OPERATING")
                            for w in history.fetch_schedule_month(
                                self.client, self.settings.themeparks_wiki_base_url,
                                target.wiki_id, year, month) if w.local_date in set(todo)]
        except SourceError as exc:
            result.schedule_problem = str(exc)
            logger.warning("%s: %s", target.name, exc)
            return
        with self.engine.begin() as conn:
            replace_schedule_dates(conn, windows)

    def _store(self, target: Target, result: ParkResult, day: date,
               entities: list[history.EntityHistory]) -> None:
        start, end = local_day_bounds(day, target.zone)
        with self.engine.begin() as conn:
            if not self.replace and _days_with_data(conn, target.park_id, [day]):
                result.live.append(day)  # live data arrived meanwhile: live wins
                return
            cycles = park_day_cycles(target.park_id, entities, _ride_of(conn, target.park_id),
                                     grid(start, end, self.interval * 60))
            ingest_cycles(conn, cycles, interval_minutes=self.interval)
            aggregate_range(conn, floor_hour(start), ceil_hour(end), self.interval)
            aggregate_date(conn, day, [target.park_id], self.interval)
            conn.execute(rt.upstream_backfill_days.insert().values(
                park_id=target.park_id, local_date=day, source=THEMEPARKS_WIKI,
                cycles=len(cycles), completed_at=utcnow()))
        result.filled.append(day)
        result.cycles += len(cycles)
        logger.info("%s %s: %d cycles from %d entities", target.name, day, len(cycles),
                    len(entities))
