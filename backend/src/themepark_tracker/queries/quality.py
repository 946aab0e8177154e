"""Feed quality of each park over a period (SPEC §12): ``feed_kind``, ``coverage``, ``stale``.

Coverage comes from park snapshots and the park's open time, never from ride snapshots:
past days read ``park_daily_stats`` (open cycles and the daily job's
``expected_open_cycles``); today, and any past day without a usable daily row (not
aggregated yet, marked stale, or aggregated before revision 014 left the column empty), are
recomputed from that day's park snapshots and schedule by the same rule the daily job uses
(aggregate/quality.py). Every ranking row and detail answer carries the result, so a reader
can tell a quiet park from a silent feed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, select

from themepark_tracker import metrics
from themepark_tracker.aggregate import quality as rule
from themepark_tracker.db import tables as t
from themepark_tracker.queries.coverage import group_windows, in_days, stale_park_days
from themepark_tracker.queries.park_stats import ParkInfo
from themepark_tracker.queries.periods import (
    KIND_DAYS,
    KIND_LIVE,
    KIND_TODAY,
    LIVE_MAX_AGE,
    ParkWindow,
    park_window,
)

REPORTS_DOWN, CLOSED_ONLY = "reports_down", "closed_only"
FEED_KINDS = (REPORTS_DOWN, CLOSED_ONLY)
_DAY = timedelta(days=1)
#: Where a park's newest cycle is looked for first (any park collected today has one).
RECENT = timedelta(hours=6)


def period_quality(
    conn: Connection, parks: Sequence[ParkInfo], period: str, now: datetime, *,
    interval_minutes: int, use_hourly: bool,
) -> dict[int, dict[str, Any]]:
    """``{park_id: {"feed_kind", "coverage", "stale"}}`` for ``period`` at ``now``.
    ``stale`` is null outside live and today; ``coverage`` is null when no open cycle was
    expected (and for a date the park has not reached)."""
    if not parks:
        return {}
    ids = [p.park_id for p in parks]
    zones = {p.park_id: p.timezone for p in parks}
    windows = {p.park_id: park_window(period, p.timezone, now) for p in parks}
    current = {pid: w for pid, w in windows.items() if w.kind in (KIND_LIVE, KIND_TODAY)}
    past = {pid: w for pid, w in windows.items() if w.kind == KIND_DAYS}
    sums = _today_sums(conn, current, zones, now, interval_minutes)
    sums |= _days_sums(conn, past, zones, interval_minutes, use_hourly)
    stale = stale_parks(conn, current, now)
    kinds = {r.park_id: bool(r.reports_down) for r in conn.execute(
        select(t.parks.c.park_id, t.parks.c.reports_down).where(t.parks.c.park_id.in_(ids)))}
    return {pid: {"feed_kind": REPORTS_DOWN if kinds.get(pid) else CLOSED_ONLY,
                  "coverage": rule.coverage(*sums[pid]) if pid in sums else None,
                  "stale": stale.get(pid)}
            for pid in ids}


def _today_sums(conn: Connection, windows: Mapping[int, ParkWindow], zones: Mapping[int, str],
                now: datetime, interval_minutes: int) -> dict[int, tuple[int, int]]:
    """(open cycles, expected) of each park's local today up to ``now`` (live shows today's
    coverage: one cycle says nothing about a feed)."""
    wanted = {pid: [w.last_date] for pid, w in windows.items()}
    facts = rule.day_facts(conn, wanted, until=now)
    expected = rule.expected_for(facts, zones, interval_minutes, until=now)
    return {pid: (facts[(pid, days[0])].open_cycles, expected[(pid, days[0])])
            for pid, days in wanted.items()}


def _days_sums(conn: Connection, windows: Mapping[int, ParkWindow], zones: Mapping[int, str],
               interval_minutes: int, use_hourly: bool) -> dict[int, tuple[int, int]]:
    """(open cycles, expected) summed over each park's whole past dates: stored daily rows
    where they are whole and current, the rest recomputed from park snapshots (all of it on
    the reference path, ``use_hourly`` false)."""
    out = {pid: (0, 0) for pid in windows}
    if not windows:
        return out
    have: set[rule.ParkDay] = set()
    if use_hourly and rule.stores_expected(conn):
        pd = t.park_daily_stats
        groups = group_windows(windows, lambda w: (w.dates, None))
        stale = stale_park_days(conn, groups)
        for r in conn.execute(
            select(pd.c.park_id, pd.c.stat_date, pd.c.open_snapshot_count,
                   pd.c.expected_open_cycles)
            .where(in_days(pd, groups), pd.c.expected_open_cycles.is_not(None))
        ):
            if (r.park_id, r.stat_date) in stale:
                continue
            have.add((r.park_id, r.stat_date))
            _add(out, r.park_id, int(r.open_snapshot_count), int(r.expected_open_cycles))
    missing: dict[int, list[date]] = {
        pid: [d for d in w.dates if (pid, d) not in have] for pid, w in windows.items()}
    facts = rule.day_facts(conn, missing)
    for (pid, day), expected in rule.expected_for(facts, zones, interval_minutes).items():
        _add(out, pid, facts[(pid, day)].open_cycles, expected)
    return out


def _add(out: dict[int, tuple[int, int]], park_id: int, open_cycles: int, expected: int) -> None:
    seen, wanted = out[park_id]
    out[park_id] = (seen + open_cycles, wanted + expected)


def newest_cycles(conn: Connection, ids: Sequence[int], now: datetime
                  ) -> dict[int, tuple[datetime, bool]]:
    """Each park's newest cycle up to ``now``: (when, park open). Looked for in the last
    ``RECENT`` first (a short range of the (park_id, recorded_at) key), then, for the parks
    without one there, over all time."""
    found = _newest(conn, ids, now, now - RECENT)
    rest = [pid for pid in ids if pid not in found]
    return found | (_newest(conn, rest, now, None) if rest else {})


def _newest(conn: Connection, ids: Sequence[int], now: datetime, since: datetime | None
            ) -> dict[int, tuple[datetime, bool]]:
    pas = t.park_activity_snapshots
    cond = and_(pas.c.park_id.in_(list(ids)), pas.c.recorded_at <= now)
    if since is not None:
        cond = and_(cond, pas.c.recorded_at >= since)
    newest = (select(pas.c.park_id, func.max(pas.c.recorded_at).label("at"))
              .where(cond).group_by(pas.c.park_id).subquery())
    return {r.park_id: (r.recorded_at, bool(r.park_appears_open)) for r in conn.execute(
        select(pas.c.park_id, pas.c.recorded_at, pas.c.park_appears_open)
        .join(newest, and_(newest.c.park_id == pas.c.park_id,
                           newest.c.at == pas.c.recorded_at)))}


def stale_parks(conn: Connection, windows: Mapping[int, ParkWindow], now: datetime
                ) -> dict[int, bool]:
    """SPEC §12's ``stale``: the park's newest cycle is over 15 minutes old (or there is
    none) while its schedule says it is open now, or, without a schedule for its local
    today, while that newest cycle was open."""
    if not windows:
        return {}
    ids = list(windows)
    s = t.park_schedules
    latest = newest_cycles(conn, ids, now)
    schedule: dict[int, list[metrics.ScheduleWindow]] = {pid: [] for pid in ids}
    days = {w.last_date for w in windows.values()}
    for r in conn.execute(
        select(s.c.park_id, s.c.local_date, s.c.opening_time_utc, s.c.closing_time_utc,
               s.c.schedule_type)
        .where(s.c.park_id.in_(ids),
               s.c.local_date.between(min(days) - _DAY, max(days) + _DAY))
    ):
        schedule[r.park_id].append(metrics.ScheduleWindow(
            r.local_date.isoformat(), r.opening_time_utc, r.closing_time_utc, r.schedule_type))
    out: dict[int, bool] = {}
    for pid, window in windows.items():
        at, was_open = latest.get(pid, (None, False))
        if at is not None and now - at <= LIVE_MAX_AGE:
            out[pid] = False
            continue
        by_schedule = metrics.park_open_by_schedule(
            now, window.last_date.isoformat(), schedule[pid])
        out[pid] = by_schedule if by_schedule is not None else was_open
    return out
