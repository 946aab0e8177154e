"""``themepark mirror --from URL [--days N]``: copy one database into the configured one.

The Python twin of ``deployment/scripts/mirror-production-db.sh``, between any two SQLAlchemy
URLs (MariaDB production into the embedded SQLite file of a laptop without MariaDB, say):

- the source is only read (SQLite opened read-only, MariaDB sessions ``READ ONLY``, in UTC);
- the target is built by Alembic at the source's own revision (so ``themepark db upgrade`` or
  the quickstart's 012 SQL file carries on from there), then filled table by table;
- ``days=N`` keeps the time-series and aggregate tables to the N days ending at the source's
  newest ``park_activity_snapshots.recorded_at`` (from the whole UTC hour N days before that
  snapshot's hour); every mode stops at that newest snapshot, so what is copied is one cut of
  a source that may still be written; the catalogue and schedules are copied whole and
  ``job_locks`` is left empty (a lock held on production must not block local jobs);
- an audit compares every table, source within those bounds against target: row count and
  the first and last value of its time column.

``TABLE_BOUNDS`` is the single list of which column bounds which table; the shell script
carries the same list and a test pins the two together.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Engine,
    MetaData,
    Table,
    and_,
    create_engine,
    event,
    func,
    inspect,
    select,
    true,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from themepark_tracker.config import sqlite_path
from themepark_tracker.db import tables as t
from themepark_tracker.db.bulk import bulk_insert
from themepark_tracker.db.engine import make_engine
from themepark_tracker.errors import UserError

logger = logging.getLogger(__name__)

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
                         "dropped and replaced.")
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
                       f"(if the source was written during the copy, mirror again). "
                       f"Elapsed {self.elapsed:.1f} s.")
        else:
            out.append(f"Audit: all {len(self.lines)} tables MATCH. The target is at revision "
                       f"{self.plan.revision}. Elapsed {self.elapsed:.1f} s.")
        return "\n".join(out)


# --- opening the two ends --------------------------------------------------------------------


def refuse_prod_target(url: str) -> None:
    """A target whose database name (or SQLite file name) contains "prod" is refused."""
    parsed = make_url(url)
    path = sqlite_path(url)
    name = path.name if path is not None else (parsed.database or "")
    if "prod" in name.lower():
        raise UserError(f"refusing to write to {name!r}: the target's name contains 'prod' "
                        "(point DATABASE_NAME or DATABASE_URL at a dev database)")


def open_source(url: str) -> Engine:
    """An engine that can only read: SQLite opened with mode=ro (a missing file is an error, not
    a new empty database), MariaDB/MySQL sessions in UTC and READ ONLY."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserError(f"--from {url!r} is not a database URL "
                        "(e.g. mysql+pymysql://user@host/themepark_tracker)") from None
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is None or not path.is_file():
            raise UserError(f"--from {url!r}: no SQLite database file there")
        return create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")
    engine = make_engine(url)
    event.listen(engine, "connect", _read_only_session)
    return engine


def _read_only_session(dbapi_conn: Any, _record: object) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("SET SESSION TRANSACTION READ ONLY")
    cursor.close()


def _same_database(source: Engine, target: Engine) -> bool:
    if source.dialect.name != target.dialect.name:
        return False
    if source.dialect.name == "sqlite":
        a, b = source.url.database or "", target.url.database or ""
        a = a.removeprefix("file:").split("?")[0]
        return Path(a).resolve() == Path(b).resolve()
    keys = ("host", "port", "database")
    return all(getattr(source.url, k) == getattr(target.url, k) for k in keys)


# --- plan, copy, audit ---------------------------------------------------------------------


def plan_mirror(source: Engine, target: Engine, days: int | None,
                now: datetime | None = None) -> Plan:
    """Read what the source holds and what the target would get; changes nothing."""
    from themepark_tracker.db.migrate import current_revision, head_revision

    from_name = source.url.render_as_string(hide_password=True)
    to_name = target.url.render_as_string(hide_password=True)
    if _same_database(source, target):
        raise UserError(f"the source and the target are the same database ({to_name})")
    refuse_prod_target(target.url.render_as_string(hide_password=False))
    names = set(inspect(source).get_table_names())
    revision = current_revision(source)
    if revision is None:
        raise UserError(f"the source {from_name} has no Alembic revision "
                        "(an empty database, or one this project did not create)")
    if revision > head_revision():
        raise UserError(f"the source is at revision {revision}, newer than this code "
                        f"({head_revision()}); update the code first")
    unknown = sorted(names - set(t.metadata.tables) - {ALEMBIC_TABLE})
    if unknown:
        raise UserError(f"the source has tables this schema does not know: {', '.join(unknown)} "
                        "(deployment/scripts/mirror-production-db.sh copies them as they are)")
    if t.park_activity_snapshots.name not in names:
        raise UserError("the source has no park_activity_snapshots table")
    with source.connect() as conn:
        newest = conn.execute(select(func.max(t.park_activity_snapshots.c.recorded_at))).scalar()
    if newest is None:
        raise UserError("the source's park_activity_snapshots is empty: no newest snapshot "
                        "to mirror up to")
    as_of = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
    ordered = [tb.name for tb in t.metadata.sorted_tables if tb.name in names]
    return Plan(
        source=from_name, target=to_name, revision=revision,
        tables=(ALEMBIC_TABLE, *ordered),
        window=window_for(newest, days, as_of),
        target_tables=tuple(sorted(inspect(target).get_table_names())),
    )


def _where(plan: Plan, table: Table) -> ColumnElement[bool]:
    if table.name in SCHEMA_ONLY:
        return ~true()
    if table.name not in TABLE_BOUNDS:
        return true()
    column_name, kind = TABLE_BOUNDS[table.name]
    column = table.c[column_name]
    lower, upper = plan.window.bounds(kind)
    if lower is None:
        return column <= upper
    return and_(column >= lower, column <= upper)


def _rows(source: Engine, table: Table, columns: list[str], where: ColumnElement[bool]
          ) -> Iterator[list[tuple[Any, ...]]]:
    stmt = select(*(table.c[c] for c in columns)).where(where)
    with source.connect() as conn:
        result = conn.execution_options(yield_per=YIELD_PER).execute(stmt)
        for part in result.partitions():
            yield [tuple(row) for row in part]


def _replace_target(target: Engine) -> None:
    existing = MetaData()
    existing.reflect(target)
    existing.drop_all(target)


def mirror(source: Engine, target: Engine, plan: Plan) -> Report:
    """Replace the target with the source's rows within ``plan``; then audit every table."""
    from themepark_tracker.db.migrate import upgrade

    began = time.monotonic()
    if plan.target_tables:
        _replace_target(target)
    upgrade(target, plan.revision)
    logger.info("Created the schema at revision %s in %.1f s", plan.revision,
                time.monotonic() - began)
    source_columns = {name: [c["name"] for c in inspect(source).get_columns(name)]
                      for name in plan.tables if name != ALEMBIC_TABLE}
    with target.begin() as conn:
        for n, name in enumerate(plan.tables, start=1):
            if name == ALEMBIC_TABLE or name in SCHEMA_ONLY:
                continue
            table = t.metadata.tables[name]
            columns = source_columns[name]
            missing = [c for c in columns if c not in table.c]
            if missing:
                raise UserError(f"{name} has columns the target schema lacks: {missing}")
            step = time.monotonic()
            copied = 0
            for chunk in _rows(source, table, columns, _where(plan, table)):
                copied += bulk_insert(conn, table, columns, chunk)
            logger.info("[%d/%d] %s: %s rows in %.1f s (total %.1f s)", n, len(plan.tables),
                        name, f"{copied:,}", time.monotonic() - step, time.monotonic() - began)
    report = Report(plan, audit(source, target, plan))
    report.elapsed = time.monotonic() - began
    return report


def audit(source: Engine, target: Engine, plan: Plan) -> list[AuditLine]:
    """Per table: (rows, first, last) of the source within the plan's bounds, and of the
    whole target table; the schema revision compared as alembic_version's row."""
    from themepark_tracker.db.migrate import current_revision

    lines = [AuditLine(ALEMBIC_TABLE, (1, current_revision(source), None),
                       (1, current_revision(target), None))]
    with source.connect() as src, target.connect() as dst:
        for name in plan.tables[1:]:
            table = t.metadata.tables[name]
            bound = TABLE_BOUNDS.get(name)
            column = table.c[bound[0]] if bound else None
            measures: list[ColumnElement[Any]] = [func.count()]
            if column is not None:
                measures += [func.min(column), func.max(column)]
            src_row = tuple(src.execute(select(*measures).select_from(table)
                                        .where(_where(plan, table))).one())
            dst_row = tuple(dst.execute(select(*measures).select_from(table)).one())
            if column is None:
                src_row, dst_row = (*src_row, None, None), (*dst_row, None, None)
            lines.append(AuditLine(name, src_row, dst_row))
    return lines
