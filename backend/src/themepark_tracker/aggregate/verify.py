"""``verify``: recompute the hourly and daily rows from the raw snapshots and compare (SPEC §6).

A stored row that differs from its recomputation, a row that should exist but does not, and a
row that exists but should not are all reported by table and key. Hours whose raw data is
newer than their aggregate (still marked stale) are reported as pending, not as mismatches.

The local-hour rollup of the heatmaps (revision 014) is recomputed for the local hours that
lie wholly inside the hours compared, and compared row for row.

Outages (SPEC §10) are recomputed park by park from the raw snapshots of the window on (the
state at its start from the outages ongoing there) and compared row for row, on (ride_id,
started_at) and every derived column, with ``ride_outages``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, select

from themepark_tracker.aggregate import local_hours, scopes, sql
from themepark_tracker.db import record_tables as rt
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.outage_store import OUTAGE_COLUMNS, recompute_outages
from themepark_tracker.ingest.state import load_parks
from themepark_tracker.timeutil import HOUR, floor_hour, utcnow

#: Sums of floats may differ in the last bits between two summation orders.
FLOAT_TOLERANCE = 1e-6


@dataclass
class Mismatch:
    table: str
    key: tuple[Any, ...]
    column: str
    stored: Any
    expected: Any

    def describe(self) -> str:
        key = ", ".join(str(k) for k in self.key)
        return (f"{self.table}[{key}].{self.column}: "
                f"stored {self.stored!r}, expected {self.expected!r}")


@dataclass
class VerifyReport:
    start: datetime
    end: datetime
    rows_checked: int = 0
    outages_checked: int = 0
    local_hour_rows_checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    pending_hours: int = 0
    pending_days: int = 0

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def describe(self, limit: int = 50) -> str:
        outages = f" and {self.outages_checked:,} outages" if self.outages_checked else ""
        if self.local_hour_rows_checked:
            outages = f", {self.local_hour_rows_checked:,} local-hour rows" + outages
        head = (f"Checked {self.rows_checked:,} aggregate rows{outages} from "
                f"{self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} UTC")
        if self.pending_hours or self.pending_days:
            head += (f" ({self.pending_hours} hour(s) and {self.pending_days} park-day(s) await "
                     "re-aggregation and were skipped)")
        if self.ok:
            return head + ": all match the raw snapshots"
        lines = [head + f": {len(self.mismatches)} MISMATCH(ES)"]
        lines += ["  " + m.describe() for m in self.mismatches[:limit]]
        if len(self.mismatches) > limit:
            lines.append(f"  ... and {len(self.mismatches) - limit} more")
        return "\n".join(lines)


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=FLOAT_TOLERANCE)
    if isinstance(a, datetime) and isinstance(b, str):
        return a.strftime("%Y-%m-%d %H:%M:%S") == b
    if isinstance(a, date) and isinstance(b, str):
        return a.isoformat() == b
    return bool(a == b)


def compare_rows(
    table: str, key: Sequence[str], columns: Sequence[str],
    stored: Iterable[Mapping[str, Any]], expected: Iterable[Mapping[str, Any]],
) -> list[Mismatch]:
    """Row-by-row comparison keyed on ``key``; also reports missing and extra rows."""
    def index(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[Any, ...], Mapping[str, Any]]:
        return {tuple(_norm(r[k]) for k in key): r for r in rows}

    have, want = index(stored), index(expected)
    out: list[Mismatch] = []
    for k in sorted(want.keys() - have.keys()):
        out.append(Mismatch(table, k, "(row)", "missing", "present"))
    for k in sorted(have.keys() - want.keys()):
        out.append(Mismatch(table, k, "(row)", "present", "missing"))
    for k in sorted(have.keys() & want.keys()):
        for c in columns:
            if not _same(have[k][c], want[k][c]):
                out.append(Mismatch(table, k, c, have[k][c], want[k][c]))
    return out


def _norm(value: Any) -> Any:
    if isinstance(value, str) and len(value) == 19 and value[10] == " ":
        return datetime.fromisoformat(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return date.fromisoformat(value)
    return value


def _stored(conn: Connection, table: Table, columns: Sequence[str], where: Any
            ) -> list[Mapping[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(
        select(*(table.c[c] for c in columns)).where(where))]


def verify(engine: Engine, interval_minutes: int, *, days: int = 7,
           now: datetime | None = None) -> VerifyReport:
    """Compare the last ``days`` days of aggregates with a recomputation from raw snapshots."""
    end = floor_hour(now or utcnow())
    start = end - timedelta(days=days)
    report = VerifyReport(start, end)
    params = {"interval_minutes": interval_minutes}
    with engine.connect() as conn:
        pending = set(conn.execute(select(t.stale_hours.c.hour_start_utc)).scalars())
        report.pending_hours = len({h for h in pending if start <= h < end})
        hours_with_rows = set(conn.execute(
            select(t.park_hourly_stats.c.hour_start_utc).distinct().where(
                t.park_hourly_stats.c.hour_start_utc >= start,
                t.park_hourly_stats.c.hour_start_utc < end)
        ).scalars())
        # Hours never aggregated are not mismatches of stored rows; they are reported by the
        # jobs' own catch-up. Only hours that have rows and are not pending are compared.
        checked = sorted(h for h in hours_with_rows if h not in pending)
        for table, key, columns, select_fn in (
            (t.park_hourly_stats, ("park_id", "hour_start_utc"), sql.PARK_HOURLY_COLUMNS,
             sql.park_hourly_select),
            (t.ride_hourly_stats, ("ride_id", "hour_start_utc"), sql.RIDE_HOURLY_COLUMNS,
             sql.ride_hourly_select),
        ):
            for hour in checked:
                stored = _stored(conn, table, columns, table.c.hour_start_utc == hour)
                expected = [dict(r._mapping) for r in conn.execute(
                    select_fn(hour, hour + HOUR), params)]
                report.rows_checked += len(stored)
                report.mismatches += compare_rows(table.name, key, columns, stored, expected)
        _verify_days(conn, report, params, start.date(), end.date())
        _verify_local_hours(conn, report, checked)
        _verify_outages(conn, report, interval_minutes, start)
    return report


def hour_runs(hours: Sequence[datetime]) -> list[tuple[datetime, datetime]]:
    """Sorted UTC hours as runs of consecutive hours, [start, end) each."""
    runs: list[tuple[datetime, datetime]] = []
    for hour in hours:
        if runs and runs[-1][1] == hour:
            runs[-1] = (runs[-1][0], hour + HOUR)
        else:
            runs.append((hour, hour + HOUR))
    return runs


def _verify_local_hours(conn: Connection, report: VerifyReport, checked: Sequence[datetime]
                        ) -> None:
    """The local-hour rollup (revision 014) against a recomputation from the raw snapshots,
    for the local hours touching the hours compared, unless a local hour reaches into an hour
    that holds raw snapshots but is not compared (pending, or never aggregated)."""
    if not local_hours.has_rollup(conn):
        return
    parks = conn.execute(select(t.parks.c.park_id, t.parks.c.timezone)).all()
    compared = set(checked)
    for run_start, run_end in hour_runs(checked):
        for plan, ids in local_hours.plans_by_park(parks, run_start, run_end).items():
            if _reaches_unchecked(conn, plan.start, plan.end, compared, ids):
                continue
            want_parks, want_rides = local_hours.expected_rows(conn, ids, plan)
            for table, key, columns, want in (
                (rt.park_local_hour_stats, ("park_id", "local_date", "local_hour"),
                 local_hours.PARK_COLUMNS, want_parks),
                (rt.ride_local_hour_stats, ("ride_id", "local_date", "local_hour"),
                 local_hours.RIDE_COLUMNS, want_rides),
            ):
                where = table.c.park_id.in_(ids) & local_hours.key_condition(table, plan)
                stored = _stored(conn, table, [*key, *columns], where)
                report.local_hour_rows_checked += len(stored)
                report.mismatches += compare_rows(table.name, key, columns, stored, want)


def _reaches_unchecked(conn: Connection, start: datetime, end: datetime,
                       compared: set[datetime], park_ids: Sequence[int]) -> bool:
    """Whether [start, end) holds raw snapshots of ``park_ids`` in an hour not compared."""
    pas = t.park_activity_snapshots
    hour = floor_hour(start)
    while hour < end:
        if hour not in compared and conn.execute(select(pas.c.park_id).where(
                pas.c.park_id.in_(list(park_ids)), pas.c.recorded_at >= max(hour, start),
                pas.c.recorded_at < min(hour + HOUR, end)).limit(1)).first() is not None:
            return True
        hour += HOUR
    return False


def _verify_outages(conn: Connection, report: VerifyReport, interval_minutes: int,
                    start: datetime) -> None:
    """``ride_outages`` from ``start`` on against a recomputation from the raw snapshots."""
    pas, ro = t.park_activity_snapshots, t.ride_outages
    park_ids = sorted(set(conn.execute(
        select(pas.c.park_id).distinct().where(pas.c.recorded_at >= start)).scalars()))
    for park in load_parks(conn, park_ids).values():
        expected = recompute_outages(conn, park, start, interval_minutes)
        ongoing = {r["started_at"] for r in expected if r["started_at"] < start}
        stored = _stored(conn, ro, OUTAGE_COLUMNS, (ro.c.park_id == park.park_id) & (
            (ro.c.started_at >= start) | ro.c.started_at.in_(sorted(ongoing))))
        report.outages_checked += len(stored)
        report.mismatches += compare_rows(ro.name, ("ride_id", "started_at"), OUTAGE_COLUMNS,
                                          stored, expected)


def _verify_days(conn: Connection, report: VerifyReport, params: Mapping[str, Any],
                 first: date, last: date) -> None:
    pending = set(map(tuple, conn.execute(
        select(t.stale_days.c.park_id, t.stale_days.c.local_date)).all()))
    pd = t.park_daily_stats
    stored_pairs = [tuple(r) for r in conn.execute(
        select(pd.c.park_id, pd.c.stat_date).where(pd.c.stat_date.between(first, last)))]
    report.pending_days = sum(1 for p in stored_pairs if p in pending)
    by_date: dict[date, list[int]] = {}
    for park_id, day in stored_pairs:
        if (park_id, day) not in pending:
            by_date.setdefault(day, []).append(park_id)
    for day, park_ids in sorted(by_date.items()):
        scope = scopes.local_dates(park_ids, [day])
        for table, key, columns, select_fn in (
            (t.park_daily_stats, ("park_id", "stat_date"), sql.PARK_DAILY_COLUMNS,
             sql.park_daily_select),
            (t.ride_daily_stats, ("ride_id", "stat_date"), sql.RIDE_DAILY_COLUMNS,
             sql.ride_daily_select),
        ):
            stored = _stored(conn, table, columns,
                             (table.c.stat_date == day) & table.c.park_id.in_(park_ids))
            expected = [dict(r._mapping) for r in conn.execute(select_fn(scope), params)]
            report.rows_checked += len(stored)
            report.mismatches += compare_rows(table.name, key, columns, stored, expected)
