"""The local-hour rollup (SPEC §7 heatmap): raw snapshots -> park_local_hour_stats,
ride_local_hour_stats. This module is the only writer of both tables.

Kept by the hourly job (``aggregate_range`` calls ``rollup_local_hours`` in its transaction,
so ``backfill-hourly`` fills it too) from the raw snapshots, so that a year's heatmap needs
no raw snapshot older than ``RAW_RETENTION_DAYS`` and a half-hour zone gets each cycle's own
local hour. Re-running a UTC hour recomputes every local hour it touches *whole* from the raw
snapshots (for Asia/Kolkata, the two local hours it straddles, each over its own UTC span):
the touched rows are deleted and written again in the caller's transaction. A park with no
raw snapshot in that span (deleted by retention) keeps its rows.

Rows: a park row per local hour with at least one cycle (its open cycles, and the attraction
snapshots taken in them, counted down or not); a ride row per attraction and local hour with
at least one snapshot taken while the park was open. A database before revision 014 has
neither table: the rollup is then skipped (the quickstart runs the hourly job at 012).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Table, and_, case, delete, func, insert, literal, or_, select
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.expression import literal_column
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import SmallInteger

from themepark_tracker import metrics
from themepark_tracker.aggregate.local_plan import LocalPlan, Segment, local_plan
from themepark_tracker.db import record_tables as rt
from themepark_tracker.db import tables as t
from themepark_tracker.db.types import UtcDateTime
from themepark_tracker.timeutil import utcnow

logger = logging.getLogger(__name__)

#: The revision that made both rollup tables.
ROLLUP_REVISION = "014"

PARK_COLUMNS = ("open_cycles", "open_ride_snapshots", "down_ride_snapshots")
RIDE_COLUMNS = ("park_id", "open_snapshots", "down_snapshots")


class local_hour(GenericFunction[Any]):  # noqa: N801 - an SQL function, named as in SQL
    """The hour (0-23) of a naive-UTC DATETIME shifted by a fixed number of minutes: the
    local hour while a zone's offset is that. Never ``CONVERT_TZ`` (stock MariaDB has no
    zone tables); the caller cuts time at offset changes (``local_plan``)."""

    type = SmallInteger()
    inherit_cache = True


def shifted_hour(expr: Any, offset_minutes: int) -> local_hour:
    """``local_hour`` with the offset written into the SQL as literal text, so that it is part
    of the compiled-statement cache key (as ``db.types.clock_hour_floor`` does)."""
    return local_hour(expr, literal_column(str(int(offset_minutes))))


def _args(element: local_hour, compiler: SQLCompiler, **kw: Any) -> tuple[str, int]:
    expr, offset = list(element.clauses)
    if not isinstance(offset, ColumnClause):
        raise TypeError("pass the offset through shifted_hour()")
    return compiler.process(expr, **kw), int(offset.name)


@compiles(local_hour, "sqlite")
def _local_hour_sqlite(element: local_hour, compiler: SQLCompiler, **kw: Any) -> str:
    arg, offset = _args(element, compiler, **kw)
    return f"CAST(strftime('%H', {arg}, '{offset:+d} minutes') AS INTEGER)"


@compiles(local_hour, "mysql")
@compiles(local_hour, "mariadb")
def _local_hour_mysql(element: local_hour, compiler: SQLCompiler, **kw: Any) -> str:
    arg, offset = _args(element, compiler, **kw)
    return f"HOUR({arg} + INTERVAL {offset} MINUTE)"


def has_rollup(conn: Connection) -> bool:
    """Whether the database has the rollup tables (revision 014 or later)."""
    current = MigrationContext.configure(conn).get_current_revision()
    return current is not None and current >= ROLLUP_REVISION


def key_condition(table: Table, plan: LocalPlan) -> ColumnElement[bool]:
    return or_(*(and_(table.c.local_date == day, table.c.local_hour.in_(hours))
                 for day, hours in plan.hours_by_date().items()))


def ride_rows_select(park_ids: Sequence[int], segment: Segment) -> Select[Any]:
    """Per attraction and local hour of ``segment``: its snapshots while the park was open,
    and those counted down (SPEC §2). Only open snapshots are read, so a ride row exists
    exactly where there is one.

    Grouped first, then joined to the rides to keep the attractions: joined before grouping,
    MariaDB walked every ride of the catalogue and each ride's whole (ride_id, recorded_at)
    index (minutes per backfilled day), instead of reading the parks' ranges of the
    (park_id, recorded_at, ride_id) key."""
    rss, r = t.ride_status_snapshots, t.rides
    hour = shifted_hour(rss.c.recorded_at, segment.offset_minutes)
    g = (
        select(rss.c.ride_id, rss.c.local_date, hour.label("local_hour"), rss.c.park_id,
               func.count().label("open_snapshots"),
               func.sum(case((rss.c.counted_down, 1), else_=0)).label("down_snapshots"))
        .where(rss.c.park_id.in_(list(park_ids)), rss.c.recorded_at >= segment.start,
               rss.c.recorded_at < segment.end, rss.c.park_open)
        .group_by(rss.c.ride_id, rss.c.local_date, hour, rss.c.park_id)
        .subquery("ride_groups")
    )
    return (
        select(g.c.ride_id, g.c.local_date, g.c.local_hour, g.c.park_id, g.c.open_snapshots,
               g.c.down_snapshots)
        .select_from(g.join(r, and_(r.c.ride_id == g.c.ride_id,
                                    r.c.category == metrics.ATTRACTION)))
    )


def park_cycles_select(park_ids: Sequence[int], segment: Segment) -> Select[Any]:
    """Per park and local hour of ``segment``: its cycles, and those with the park open."""
    pas = t.park_activity_snapshots
    hour = shifted_hour(pas.c.recorded_at, segment.offset_minutes)
    return (
        select(pas.c.park_id, pas.c.local_date, hour.label("local_hour"),
               func.sum(case((pas.c.park_appears_open, 1), else_=0)).label("open_cycles"))
        .where(pas.c.park_id.in_(list(park_ids)), pas.c.recorded_at >= segment.start,
               pas.c.recorded_at < segment.end)
        .group_by(pas.c.park_id, pas.c.local_date, hour)
    )


def _add_on_conflict(conn: Connection, stmt_select: Select[Any], columns: Sequence[str]
                     ) -> Any:
    """INSERT ... SELECT into ride_local_hour_stats that adds to a row already written: the
    two UTC spans of a DST-repeated hour are two segments with one key."""
    table, key = rt.ride_local_hour_stats, ("ride_id", "local_date", "local_hour")
    summed = ("open_snapshots", "down_snapshots")
    if conn.dialect.name == "sqlite":
        lite = sqlite.insert(table).from_select(list(columns), stmt_select)
        return lite.on_conflict_do_update(
            index_elements=list(key),
            set_={c: table.c[c] + lite.excluded[c] for c in summed})
    my = mysql.insert(table).from_select(list(columns), stmt_select)
    return my.on_duplicate_key_update({c: table.c[c] + my.inserted[c] for c in summed})


def _park_rows(conn: Connection, park_ids: Sequence[int], plan: LocalPlan
               ) -> dict[tuple[int, date, int], list[int]]:
    """[cycles seen, open cycles] per (park, local key) of the plan, over all its segments."""
    found: dict[tuple[int, date, int], list[int]] = defaultdict(lambda: [0])
    for segment in plan.segments:
        for park_id, day, hour, open_cycles in conn.execute(park_cycles_select(park_ids,
                                                                                segment)):
            found[(park_id, _day(day), int(hour))][0] += int(open_cycles or 0)
    return found


def _day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def rollup_group(conn: Connection, park_ids: Sequence[int], plan: LocalPlan,
                 stamp: datetime) -> int:
    """Recompute the plan's local hours whole for parks sharing it; returns park rows
    written. Parks without a raw cycle in the plan's span keep their rows."""
    cycles = _park_rows(conn, park_ids, plan)
    present = sorted({park_id for park_id, _, _ in cycles})
    if not present:
        return 0
    pl, rl = rt.park_local_hour_stats, rt.ride_local_hour_stats
    for table in (rl, pl):
        conn.execute(delete(table).where(table.c.park_id.in_(present),
                                         key_condition(table, plan)))
    columns = ("ride_id", "local_date", "local_hour", *RIDE_COLUMNS, "updated_at")
    for segment in plan.segments:
        rides = ride_rows_select(present, segment).add_columns(
            literal(stamp, UtcDateTime).label("updated_at"))
        conn.execute(_add_on_conflict(conn, rides, columns))
    sums = {(p, _day(d), int(h)): (int(o), int(n)) for p, d, h, o, n in conn.execute(
        select(rl.c.park_id, rl.c.local_date, rl.c.local_hour, func.sum(rl.c.open_snapshots),
               func.sum(rl.c.down_snapshots))
        .where(rl.c.park_id.in_(present), key_condition(rl, plan))
        .group_by(rl.c.park_id, rl.c.local_date, rl.c.local_hour))}
    rows = [{"park_id": p, "local_date": d, "local_hour": h, "open_cycles": c[0],
             "open_ride_snapshots": sums.get((p, d, h), (0, 0))[0],
             "down_ride_snapshots": sums.get((p, d, h), (0, 0))[1], "updated_at": stamp}
            for (p, d, h), c in sorted(cycles.items())]
    conn.execute(insert(pl), rows)
    return len(rows)


def expected_rows(conn: Connection, park_ids: Sequence[int], plan: LocalPlan
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The park and ride rows of the plan's local hours as a recomputation from the raw
    snapshots gives them (for ``verify``), without writing."""
    rides: dict[tuple[int, date, int], dict[str, Any]] = {}
    for segment in plan.segments:
        for row in conn.execute(ride_rows_select(park_ids, segment)):
            key = (row.ride_id, _day(row.local_date), int(row.local_hour))
            found = rides.setdefault(key, {"ride_id": key[0], "local_date": key[1],
                                           "local_hour": key[2], "park_id": row.park_id,
                                           "open_snapshots": 0, "down_snapshots": 0})
            found["open_snapshots"] += int(row.open_snapshots)
            found["down_snapshots"] += int(row.down_snapshots or 0)
    sums: dict[tuple[int, date, int], list[int]] = defaultdict(lambda: [0, 0])
    for r in rides.values():
        cell = sums[(r["park_id"], r["local_date"], r["local_hour"])]
        cell[0] += r["open_snapshots"]
        cell[1] += r["down_snapshots"]
    parks = [{"park_id": p, "local_date": d, "local_hour": h, "open_cycles": c[0],
              "open_ride_snapshots": sums[(p, d, h)][0],
              "down_ride_snapshots": sums[(p, d, h)][1]}
             for (p, d, h), c in sorted(_park_rows(conn, park_ids, plan).items())]
    return parks, list(rides.values())


def plans_by_park(parks: Iterable[tuple[int, str]], start: datetime, end: datetime
                  ) -> dict[LocalPlan, list[int]]:
    """The parks grouped by their plan for [start, end): one set of statements per group."""
    groups: dict[LocalPlan, list[int]] = defaultdict(list)
    for park_id, timezone in parks:
        groups[local_plan(timezone, start, end)].append(park_id)
    return groups


def rollup_local_hours(conn: Connection, start: datetime, end: datetime) -> int:
    """Recompute, in the caller's transaction, every park-local hour that the UTC instants
    [start, end) touch; skipped on a database before revision 014. Returns park rows."""
    if not has_rollup(conn):
        logger.debug("Local-hour rollup skipped: the database is before revision %s",
                     ROLLUP_REVISION)
        return 0
    parks = conn.execute(select(t.parks.c.park_id, t.parks.c.timezone)).all()
    stamp = utcnow()
    return sum(rollup_group(conn, ids, plan, stamp)
               for plan, ids in plans_by_park(parks, start, end).items())
