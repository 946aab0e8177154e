"""What a mirror copies and what its audit found: the window, the plan, the audit lines.

``TABLE_BOUNDS`` is the single list of which column bounds which table; the shell script
carries the same list and a test pins the two together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

#: datetime: bounded by the window's instants; date: by its dates (park-local dates);
#: run: a job run, bounded below by the window's start and above by the moment the mirror began.
BoundKind = Literal["datetime", "date", "run"]

#: table -> (the column that bounds it, its kind). Tables not listed are copied whole,
#: except those in SCHEMA_ONLY.
TABLE_BOUNDS: dict[str, tuple[str, BoundKind]] = {
    "park_activity_snapshots": ("recorded_at", "datetime"),
    "ride_status_snapshots": ("recorded_at", "datetime"),
    "park_hourly_stats": ("hour_start_utc", "datetime"),
    "ride_hourly_stats": ("hour_start_utc", "datetime"),
    "park_daily_stats": ("stat_date", "date"),
    "ride_daily_stats": ("stat_date", "date"),
    "stale_hours": ("hour_start_utc", "datetime"),
    "stale_days": ("local_date", "date"),
    "data_quality_issues": ("recorded_at", "datetime"),
    "aggregation_log": ("started_at", "run"),
}
WHOLE = ("parks", "rides", "park_schedules", "alembic_version")
SCHEMA_ONLY = ("job_locks",)
ALEMBIC_TABLE = "alembic_version"
YIELD_PER = 10_000


@dataclass(frozen=True)
class Window:
    """What is copied: up to ``newest`` (the newest snapshot), from ``start`` when --days."""

    newest: datetime
    start: datetime | None
    as_of: datetime  # when the mirror began: the upper bound of job runs

    def bounds(self, kind: BoundKind) -> tuple[datetime | date | None, datetime | date]:
        if kind == "date":
            return (self.start.date() if self.start else None), self.newest.date()
        upper = self.as_of if kind == "run" else self.newest
        return self.start, upper

    def describe(self) -> str:
        if self.start is None:
            return f"everything up to the newest snapshot, {self.newest:%Y-%m-%d %H:%M:%S} UTC"
        return (f"{self.start:%Y-%m-%d %H:%M:%S} to {self.newest:%Y-%m-%d %H:%M:%S} UTC "
                "(the newest snapshot)")


def window_for(newest: datetime, days: int | None, as_of: datetime) -> Window:
    """The N days ending at ``newest``, starting at the whole UTC hour N days before its hour
    (so every copied hour is complete and a backfill recomputes production's hourly rows)."""
    start = None
    if days is not None:
        start = newest.replace(minute=0, second=0, microsecond=0) - timedelta(days=days)
    return Window(newest, start, as_of)


@dataclass(frozen=True)
class Plan:
    source: str
    target: str
    revision: str
    tables: tuple[str, ...]  # the source's tables, as the target will get them
    window: Window
    target_tables: tuple[str, ...]  # what the target holds now (replaced)

    def what(self, table: str) -> str:
        if table in SCHEMA_ONLY:
            return "table only, no rows"
        if table not in TABLE_BOUNDS:
            return "every row"
        column, kind = TABLE_BOUNDS[table]
        lower, upper = self.window.bounds(kind)
        if lower is None:
            return f"rows where {column} <= {upper}"
        return f"rows where {column} >= {lower} and <= {upper}"

    def describe(self) -> str:
        lines = [f"Mirror: {self.source} -> {self.target}",
                 f"Source schema revision: {self.revision} ({len(self.tables)} tables)",
                 f"Window: {self.window.describe()}", "Plan:"]
        lines += [f"  {name:<26} {self.what(name)}" for name in self.tables]
        if self.target_tables:
            lines.append(f"The target holds {len(self.target_tables)} tables: they will be "
                         "replaced once the copy is complete and audited.")
        return "\n".join(lines)


@dataclass(frozen=True)
class AuditLine:
    table: str
    source: tuple[Any, ...]  # (rows, first, last) within the copied bounds
    target: tuple[Any, ...]  # (rows, first, last) of the whole target table

    @property
    def ok(self) -> bool:
        return self.source == self.target

    def describe(self) -> str:
        first, last = self.target[1], self.target[2]
        span = "-" if first is None else str(first) if last is None else f"{first} .. {last}"
        result = "MATCH" if self.ok else f"MISMATCH (source {self.source})"
        counts = f"{self.source[0]:>12,} {self.target[0]:>12,}"
        return f"  {self.table:<26} {counts}  {span:<43} {result}"


@dataclass
class Report:
    plan: Plan
    lines: list[AuditLine] = field(default_factory=list)
    elapsed: float = 0.0
    replaced: bool = False  # the target now holds the copy (only after a clean audit)

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)

    def describe(self) -> str:
        head = (f"  {'table':<26} {'source rows':>12} {'target rows':>12}  "
                f"{'first .. last':<43} result")
        out = ["Audit (source within the copied bounds against target):", head]
        out += [line.describe() for line in self.lines]
        bad = sum(not line.ok for line in self.lines)
        if bad:
            out.append(f"Audit: {bad} of {len(self.lines)} tables MISMATCH "
                       f"(if the source was written during the copy, mirror again); "
                       f"the target was not replaced. Elapsed {self.elapsed:.1f} s.")
        else:
            out.append(f"Audit: all {len(self.lines)} tables MATCH. The target is at revision "
                       f"{self.plan.revision}. Elapsed {self.elapsed:.1f} s.")
        return "\n".join(out)
