"""Which parts of a period the aggregate tables cover, and which must come from raw snapshots:
the read side's planning helpers, shared by park sums (``park_stats``) and ride sums
(``rides``). Nothing here adds anything up."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, func, or_, select
from sqlalchemy.sql import ColumnElement

from themepark_tracker.aggregate import scopes
from themepark_tracker.db import tables as t
from themepark_tracker.queries import sql as read_sql
from themepark_tracker.queries.periods import KIND_TODAY, LIVE_MAX_AGE, ParkWindow
from themepark_tracker.timeutil import HOUR, ceil_hour, floor_hour

#: What a group of park windows shares: its local dates and an excluded UTC range, if any.
WindowKey = tuple[tuple[date, ...], tuple[datetime, datetime] | None]
#: A filter over a table with ``park_id`` and ``hour_start_utc`` (an hourly table).
HourFilter = Callable[[Table], ColumnElement[bool]]


def group_windows(windows: Mapping[int, ParkWindow],
                  key: Callable[[ParkWindow], WindowKey]) -> list[scopes.DayGroup]:
    """Parks whose windows share ``key(window)`` = (dates, excluded range) share one
    OR-branch of a query. TODAY's groups stop at the window's end, now."""
    grouped: dict[tuple[WindowKey, datetime | None], list[int]] = defaultdict(list)
    for park_id, window in windows.items():
        until = window.end if window.kind == KIND_TODAY else None
        grouped[(key(window), until)].append(park_id)
    return [scopes.DayGroup(tuple(ids), dates, exclude, until)
            for ((dates, exclude), until), ids in grouped.items()]


def latest_cycles(conn: Connection, ids: Sequence[int], now: datetime
                  ) -> dict[int, tuple[datetime, bool]]:
    """Each park's newest cycle in the live window [now - 15 min, now]: (when, park open)."""
    pas = t.park_activity_snapshots
    since = now - LIVE_MAX_AGE
    newest = (
        select(pas.c.park_id, func.max(pas.c.recorded_at).label("at"))
        .where(pas.c.park_id.in_(ids), pas.c.recorded_at >= since, pas.c.recorded_at <= now)
        .group_by(pas.c.park_id).subquery()
    )
    rows = conn.execute(
        select(pas.c.park_id, pas.c.recorded_at, pas.c.park_appears_open)
        .join(newest, and_(newest.c.park_id == pas.c.park_id, newest.c.at == pas.c.recorded_at))
    )
    return {r.park_id: (r.recorded_at, bool(r.park_appears_open)) for r in rows}


def covered_until(conn: Connection, since: datetime, now: datetime) -> datetime:
    """The end of the run of hours from ``since`` that the hourly tables hold up to date:
    aggregated and not marked stale, and never past the current, unfinished hour."""
    limit = floor_hour(now)
    aggregated = set(conn.execute(
        select(t.park_hourly_stats.c.hour_start_utc).distinct().where(
            t.park_hourly_stats.c.hour_start_utc >= since,
            t.park_hourly_stats.c.hour_start_utc < limit)
    ).scalars())
    stale = set(conn.execute(
        select(t.stale_hours.c.hour_start_utc).where(
            t.stale_hours.c.hour_start_utc >= since,
            t.stale_hours.c.hour_start_utc < limit)
    ).scalars())
    hour = since
    while hour < limit and hour in aggregated and hour not in stale:
        hour += HOUR
    return hour


@dataclass(frozen=True)
class TodaySplit:
    """How TODAY is read on the fast path, the same for park and ride sums: each park's whole
    UTC hours from its ``first_whole`` hour up to ``until`` come from the hourly tables
    (``in_hours``); everything else of its local today comes from raw snapshots (``raw``)."""

    until: datetime
    in_hours: HourFilter | None  # None when no hour is covered
    raw: scopes.Scope


def split_today(conn: Connection, windows: Mapping[int, ParkWindow], now: datetime
                ) -> TodaySplit:
    first_whole = {pid: ceil_hour(w.start) for pid, w in windows.items()}
    until = covered_until(conn, min(first_whole.values()), now)
    hourly_groups: dict[datetime, list[int]] = defaultdict(list)
    for pid, start in first_whole.items():
        if start < until:
            hourly_groups[start].append(pid)

    def in_hours(tb: Table) -> ColumnElement[bool]:
        return or_(*(and_(tb.c.park_id.in_(ids), tb.c.hour_start_utc >= start,
                          tb.c.hour_start_utc < until)
                     for start, ids in hourly_groups.items()))

    # The rest of each park's today, [local midnight, now), as time ranges: the part-hour
    # before its first whole hour (a +05:30 zone's) and everything from ``until`` on.
    raw_groups: dict[tuple[tuple[datetime, datetime], ...], list[int]] = defaultdict(list)
    for pid, w in windows.items():
        start = first_whole[pid]
        ranges = ((w.start, start), (until, w.end)) if start < until else ((w.start, w.end),)
        raw_groups[tuple((a, b) for a, b in ranges if a < b)].append(pid)
    raw_groups.pop((), None)
    return TodaySplit(until, in_hours if hourly_groups else None, read_sql.park_ranges(raw_groups))


def in_days(tb: Any, groups: Sequence[scopes.DayGroup]) -> Any:
    """Rows of a daily table for the groups' parks and dates."""
    return or_(*(and_(tb.c.park_id.in_(g.park_ids),
                      tb.c.stat_date.between(g.dates[0], g.dates[-1])) for g in groups))


def stale_park_days(conn: Connection, groups: Sequence[scopes.DayGroup]) -> set[tuple[int, date]]:
    """The groups' park-days that ingest marked for re-aggregation: their daily rows are not
    to be trusted."""
    marks = t.stale_days
    return set(map(tuple, conn.execute(
        select(marks.c.park_id, marks.c.local_date).where(or_(*(
            and_(marks.c.park_id.in_(g.park_ids), marks.c.local_date.in_(g.dates))
            for g in groups)))
    ).all()))


def missing_days(windows: Mapping[int, ParkWindow], have: set[tuple[int, date]],
                 conn: Connection | None = None) -> scopes.Scope | None:
    """A scope over the park-days of the windows that the daily tables did not supply.
    Parks missing the same dates share one OR-branch (usually all of them share one), which
    MariaDB reads as ranges of the (park_id, local_date) index.

    With ``conn``, only the park-days that have raw park snapshots: a period before the data
    begins (a new database's last_90_days, the rankings' previous period) otherwise sent the
    raw path over every park-day of it, and MariaDB read it as a scan of every park snapshot
    joined to the ride snapshots (1.35 s on 90 days of 80 parks, to find nothing), where
    asking first is a loose scan of the (park_id, local_date) index (a few ms)."""
    missing: dict[tuple[date, ...], list[int]] = defaultdict(list)
    for pid, window in windows.items():
        dates = tuple(day for day in window.dates if (pid, day) not in have)
        if dates:
            missing[dates].append(pid)
    if missing and conn is not None:
        missing = _with_raw(conn, missing)
    if not missing:
        return None
    return scopes.day_groups([scopes.DayGroup(tuple(ids), dates) for dates, ids in missing.items()])


def _with_raw(conn: Connection, missing: Mapping[tuple[date, ...], list[int]]
              ) -> dict[tuple[date, ...], list[int]]:
    """``missing`` (dates -> parks) cut to the park-days that have raw park snapshots."""
    pas = t.park_activity_snapshots
    groups = [scopes.DayGroup(tuple(ids), dates) for dates, ids in missing.items()]
    by_park: dict[int, list[date]] = defaultdict(list)
    for pid, day in conn.execute(select(pas.c.park_id, pas.c.local_date).distinct()
                                 .where(or_(*(g.condition(pas) for g in groups)))):
        by_park[pid].append(day)
    found: dict[tuple[date, ...], list[int]] = defaultdict(list)
    for pid, days in sorted(by_park.items()):
        found[tuple(sorted(days))].append(pid)
    return found
