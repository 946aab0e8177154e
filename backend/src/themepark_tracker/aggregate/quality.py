"""Feed quality's denominator (SPEC §12): the open cycles a park-day should have had.

``expected_open_cycles`` is the pure rule; ``day_facts`` reads what it needs (the schedule
windows and each park-day's open cycles) for many park-days at once; ``fill_expected`` is
the daily job's hook that stores it on ``park_daily_stats`` (the daily job stays the only
writer of that table). The read side (queries/quality.py) uses the same functions for
today, for days not aggregated yet and for days aggregated before revision 014, so a stored
value and a recomputed one can never differ.
"""

from __future__ import annotations

import logging
import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine, and_, bindparam, func, inspect, or_, select, update

from themepark_tracker import metrics
from themepark_tracker.db import tables as t
from themepark_tracker.timeutil import local_day_bounds, zone_of

logger = logging.getLogger(__name__)

#: A park-day: (park_id, park-local date).
ParkDay = tuple[int, date]


@dataclass
class DayFacts:
    """What one park-day's coverage is made of: its schedule (None without rows for the
    date; OPERATING windows otherwise, possibly none), and its open cycles."""

    windows: list[tuple[datetime, datetime]] | None = None
    open_cycles: int = 0
    first_open: datetime | None = None
    last_open: datetime | None = None


def _cycles(seconds: float, interval_minutes: int) -> int:
    """A length in seconds as a whole number of cycles of ``interval_minutes``, rounded half
    up (the column is an integer; a window of 12.5 cycles expects 13)."""
    return int(metrics.round_half_up(seconds / (interval_minutes * 60), 0) or 0)


def _union_seconds(windows: Iterable[tuple[datetime, datetime]], start: datetime,
                   end: datetime) -> float:
    """Seconds of [start, end) covered by at least one window (overlaps count once)."""
    clipped = sorted((max(a, start), min(b, end)) for a, b in windows)
    total, reach = 0.0, start
    for a, b in clipped:
        a = max(a, reach)
        if b > a:
            total += (b - a).total_seconds()
            reach = b
    return total


def expected_open_cycles(
    day_start: datetime, day_end: datetime, windows: Sequence[tuple[datetime, datetime]] | None,
    first_open: datetime | None, last_open: datetime | None, interval_minutes: int,
) -> int:
    """SPEC §12's cycles expected while open over [day_start, day_end) (the end is ``now``
    for today). With a schedule: the OPERATING windows' minutes within the day ÷ I. Without:
    the span from the first to the last open cycle ÷ I, plus one (0 with no open cycle)."""
    if windows is not None:
        return _cycles(_union_seconds(windows, day_start, day_end), interval_minutes)
    if first_open is None or last_open is None:
        return 0
    return _cycles((last_open - first_open).total_seconds(), interval_minutes) + 1


def coverage(open_cycles: int, expected: int) -> float | None:
    """100 × open cycles ÷ expected, capped at 100, one decimal; None when none expected."""
    if expected <= 0:
        return None
    return min(100.0, metrics.round_half_up(100 * open_cycles / expected, 1) or 0.0)


def day_facts(conn: Connection, park_days: Mapping[int, Sequence[date]],
              until: datetime | None = None) -> dict[ParkDay, DayFacts]:
    """Schedules and open cycles of each park's dates (cycles up to ``until`` if given)."""
    out: dict[ParkDay, DayFacts] = {}
    wanted = {pid: set(days) for pid, days in park_days.items() if days}
    if not wanted:
        return out
    s = t.park_schedules
    spans = [(pid, min(days), max(days)) for pid, days in wanted.items()]
    near = or_(*(and_(s.c.park_id == pid, s.c.local_date.between(
        lo - timedelta(days=1), hi + timedelta(days=1))) for pid, lo, hi in spans))
    windows: dict[int, list[tuple[date, str, datetime, datetime]]] = defaultdict(list)
    for r in conn.execute(select(s.c.park_id, s.c.local_date, s.c.schedule_type,
                                 s.c.opening_time_utc, s.c.closing_time_utc).where(near)):
        windows[r.park_id].append((r.local_date, r.schedule_type, r.opening_time_utc,
                                   r.closing_time_utc))
    for pid, days in wanted.items():
        dated = {d for d, *_ in windows.get(pid, [])}
        for day in days:
            facts = out.setdefault((pid, day), DayFacts())
            if day in dated:
                # Any OPERATING window, whichever date it belongs to (one crossing midnight
                # keeps the park open into the next date, SPEC §2), clipped to the day later.
                facts.windows = [(a, b) for d, kind, a, b in windows[pid]
                                 if kind == "OPERATING" and abs((d - day).days) <= 1]
    _add_open_cycles(conn, out, wanted, until)
    return out


def _add_open_cycles(conn: Connection, out: Mapping[ParkDay, DayFacts],
                     wanted: Mapping[int, set[date]], until: datetime | None) -> None:
    """Count, first and last open cycle of each wanted park-day, one grouped read: parks
    wanting the same dates share one branch, read through the (park_id, local_date) index."""
    pas = t.park_activity_snapshots
    by_dates: dict[tuple[date, ...], list[int]] = defaultdict(list)
    for pid, days in wanted.items():
        by_dates[tuple(sorted(days))].append(pid)
    cond = or_(*(and_(pas.c.park_id.in_(ids), pas.c.local_date.in_(days))
                 for days, ids in by_dates.items()))
    if until is not None:
        cond = and_(cond, pas.c.recorded_at <= until)
    for r in conn.execute(
        select(pas.c.park_id, pas.c.local_date, func.count().label("n"),
               func.min(pas.c.recorded_at).label("first"),
               func.max(pas.c.recorded_at).label("last"))
        .where(cond, pas.c.park_appears_open)
        .group_by(pas.c.park_id, pas.c.local_date)
    ):
        facts = out.get((r.park_id, r.local_date))
        if facts is not None:
            facts.open_cycles = int(r.n)
            facts.first_open, facts.last_open = r.first, r.last


def expected_for(facts: Mapping[ParkDay, DayFacts], zones: Mapping[int, str],
                 interval_minutes: int, until: datetime | None = None) -> dict[ParkDay, int]:
    """``expected_open_cycles`` of each park-day of ``facts`` (days cut at ``until``)."""
    out: dict[ParkDay, int] = {}
    for (pid, day), f in facts.items():
        if f.windows is None:  # no schedule: the day's bounds do not enter (and cost a lot)
            out[(pid, day)] = expected_open_cycles(day_start=datetime.min, day_end=datetime.min,
                                                   windows=None, first_open=f.first_open,
                                                   last_open=f.last_open,
                                                   interval_minutes=interval_minutes)
            continue
        start, end = local_day_bounds(day, zone_of(zones[pid]))
        if until is not None:
            end = min(end, until)
        out[(pid, day)] = expected_open_cycles(start, end, f.windows, f.first_open,
                                               f.last_open, interval_minutes)
    return out


_HAS_COLUMN: weakref.WeakSet[Engine] = weakref.WeakSet()


def stores_expected(conn: Connection) -> bool:
    """Whether ``park_daily_stats`` has ``expected_open_cycles`` (revision 014 or later; the
    quickstart's jobs run at 012). Remembered per engine once true."""
    if conn.engine in _HAS_COLUMN:
        return True
    names = {c["name"] for c in inspect(conn).get_columns(t.park_daily_stats.name)}
    if "expected_open_cycles" in names:
        _HAS_COLUMN.add(conn.engine)
        return True
    return False


def fill_expected(conn: Connection, stat_date: date, park_ids: Sequence[int],
                  interval_minutes: int) -> int:
    """Store ``expected_open_cycles`` on the park-days the daily job just wrote, inside its
    transaction; skipped (0) on a database before revision 014."""
    if not park_ids or not stores_expected(conn):
        return 0
    zones = {r.park_id: r.timezone for r in conn.execute(
        select(t.parks.c.park_id, t.parks.c.timezone)
        .where(t.parks.c.park_id.in_(list(park_ids))))}
    facts = day_facts(conn, {pid: [stat_date] for pid in zones})
    values = expected_for(facts, zones, interval_minutes)
    pd = t.park_daily_stats
    statement = (update(pd).where(pd.c.park_id == bindparam("pid"),
                                  pd.c.stat_date == bindparam("day"))
                 .values(expected_open_cycles=bindparam("expected")))
    rows = [{"pid": pid, "day": day, "expected": n} for (pid, day), n in values.items()]
    if rows:
        conn.execute(statement, rows)
    return len(rows)
