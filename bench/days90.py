"""The long data set of ``bench/api.py --days 90`` (issue 14): 80 parks / 4,200 attractions
over 90 days on MariaDB, in ``tpt_bench_days90``, kept between runs (it takes long to build).

Built as the short one is (``simulate`` through the ingest path, ``backfill``, the daily job)
when ``--simulate-days`` is 90. On a shared, loaded machine simulating 90 days takes hours, so
``--simulate-days N`` (a multiple of 7, at most the whole) simulates the first N+1 days only,
aggregates them, and then copies the N whole UTC days after the first (partial) one forward,
block after block, until the 90 days are full: the park snapshots and every aggregate (hourly,
daily, the local-hour rollup), shifted by whole weeks so weekdays stay weekdays. The raw *ride*
snapshots are not copied (they are 95% of the rows and none of the periods measured here reads
them: past dates read the daily tables, heatmaps the rollup); ``docs/performance.md`` says which
way a figure's data was built. A benchmark's data, never a served database's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Column, Engine, Table, delete, insert, literal_column, select, text
from themepark_tracker.db import record_tables as rt
from themepark_tracker.db import tables as t

DATABASE = "tpt_bench_days90"
SCALE = {"parks": 80, "rides": 4200, "days": 90, "seed": 1}


@dataclass(frozen=True)
class Copied:
    """(table, time column, is a date column): what a block copy shifts."""

    table: Table
    column: str
    is_date: bool


#: The tables copied forward, each by the column that places its rows in time. Other time
#: columns of a row (outages' ends) are not in this list: no measured path reads them.
COPIED = (
    Copied(t.park_activity_snapshots, "recorded_at", False),
    Copied(t.park_hourly_stats, "hour_start_utc", False),
    Copied(t.ride_hourly_stats, "hour_start_utc", False),
    Copied(t.park_daily_stats, "stat_date", True),
    Copied(t.ride_daily_stats, "stat_date", True),
    Copied(rt.park_local_hour_stats, "local_date", True),
    Copied(rt.ride_local_hour_stats, "local_date", True),
)
#: Columns shifted with the row's own (a snapshot's local date moves with its instant).
ALSO_SHIFTED = {"local_date"}


def _bounds(copied: Copied, start: datetime, end: datetime) -> tuple[date | datetime, ...]:
    return (start.date(), end.date()) if copied.is_date else (start, end)


def _shifted(copied: Copied, column: Column[object], days: int) -> object:
    if column.name == copied.column or column.name in ALSO_SHIFTED:
        return literal_column(f"`{column.name}` + INTERVAL {days} DAY").label(column.name)
    return column


def trim(engine: Engine, end: datetime) -> None:
    """Delete what lies at or after ``end`` (a simulation stopped midway) from every copied
    table and the raw ride snapshots, so that the block before it is whole and alone."""
    with engine.begin() as conn:
        conn.execute(delete(t.ride_status_snapshots).where(
            t.ride_status_snapshots.c.recorded_at >= end))
        for copied in COPIED:
            bound = end.date() if copied.is_date else end
            conn.execute(delete(copied.table).where(copied.table.c[copied.column] >= bound))


def copy_forward(engine: Engine, start: datetime, block_days: int, until: datetime) -> float:
    """Copy the rows of [start, start + block_days) forward by block_days, 2 x block_days, ...
    while the copy starts before ``until``. Returns the seconds it took."""
    began = time.perf_counter()
    # The local dates after the block (a zone ahead of UTC had begun the next one) make way.
    trim(engine, start + timedelta(days=block_days))
    shift = block_days
    while start + timedelta(days=shift) < until:
        end = start + timedelta(days=block_days)
        for copied in COPIED:
            table = copied.table
            columns = [c for c in table.columns if not (c.primary_key and c.autoincrement is True
                                                        and c.name == "id")]
            first, last = _bounds(copied, start, end)
            stop = _bounds(copied, until, until)[0]
            source = (select(*(_shifted(copied, c, shift) for c in columns))
                      .where(table.c[copied.column] >= first, table.c[copied.column] < last)
                      .where(literal_column(f"`{copied.column}` + INTERVAL {shift} DAY")
                             < stop))
            with engine.begin() as conn:
                conn.execute(insert(table).from_select([c.name for c in columns], source))
        print(f"  copied {start:%Y-%m-%d}..{end:%Y-%m-%d} forward by {shift} days")
        shift += block_days
    with engine.begin() as conn:
        names = ", ".join(f"`{c.table.name}`" for c in COPIED)
        conn.execute(text(f"ANALYZE TABLE {names}")).all()
    return time.perf_counter() - began
