"""When rides break: the SPEC §7 heatmap of a park or an attraction over a period, by
park-local ISO weekday and hour, read from the local-hour rollup that the hourly job keeps
(aggregate/local_hours.py).

Why the rollup for every zone, not the hourly tables for whole-hour ones: a park's cell needs
Σ attraction snapshots taken while the park was open, which no park hourly column holds (it
would mean summing ~50 ride hourly rows per park hour: 113,000 rows for a park's 90 days,
against 2,160 rollup rows), and one path reads the same for Kolkata and New York.

A cell counts the local hours the hourly job has aggregated: the current, unfinished hour is
not in it until its job has run (such an hour has fewer than 12 cycles, so null anyway at the
default 5-minute interval). A database before revision 014 has no rollup: every cell is then
null with zero counts, never an error.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, inspect, select

from themepark_tracker import metrics
from themepark_tracker.db import record_tables as rt
from themepark_tracker.db import tables as t
from themepark_tracker.queries.periods import KIND_NOT_BEGUN, ParkWindow, park_window
from themepark_tracker.timeutil import iso_utc

#: SPEC §7: a cell with fewer open park cycles than this is null.
MIN_OPEN_CYCLES = 12
WEEKDAYS = range(1, 8)  # ISO, 1 = Monday
HOURS = range(24)

Sums = dict[tuple[int, int], list[int]]


_HAVE_ROLLUP: weakref.WeakSet[Engine] = weakref.WeakSet()


def _has_rollup(conn: Connection) -> bool:
    """Whether the database has the rollup (revision 014 or later). Remembered per engine once
    true; a database before 014 is asked again (it may be upgraded meanwhile)."""
    if conn.engine in _HAVE_ROLLUP:
        return True
    if rt.park_local_hour_stats.name in inspect(conn).get_table_names():
        _HAVE_ROLLUP.add(conn.engine)
        return True
    return False


def cells(sums: Sums) -> list[dict[str, Any]]:
    """The 168 cells, Monday 00 first: [open cycles, down snapshots, open snapshots] per
    (weekday, hour) -> the share, null where fewer than ``MIN_OPEN_CYCLES`` open cycles (or
    no attraction snapshot at all)."""
    out = []
    for weekday in WEEKDAYS:
        for hour in HOURS:
            cycles, down, seen = sums.get((weekday, hour), (0, 0, 0))
            share = down / seen if cycles >= MIN_OPEN_CYCLES and seen else None
            out.append({"weekday": weekday, "hour": hour, "down_share": share,
                        "open_cycles": cycles, "down_snapshots": down, "open_snapshots": seen})
    return out


def _sum_rows(rows: Iterable[Any]) -> Sums:
    """Rollup rows (local_date, local_hour, open cycles, down, open) -> sums per cell."""
    sums: Sums = {}
    for day, hour, cycles, down, seen in rows:
        local = date.fromisoformat(day) if isinstance(day, str) else day
        cell = sums.setdefault((local.isoweekday(), int(hour)), [0, 0, 0])
        cell[0] += int(cycles)
        cell[1] += int(down)
        cell[2] += int(seen)
    return sums


def _read(conn: Connection, table: Table, columns: tuple[str, str, str], where: Any,
          window: ParkWindow) -> Sums:
    """Sums per cell of ``columns`` (open cycles, down, open snapshots) over the window's
    local dates."""
    if window.kind == KIND_NOT_BEGUN or not _has_rollup(conn):
        return {}
    labelled = (table.c[name].label(f"c{n}") for n, name in enumerate(columns))
    return _sum_rows(conn.execute(
        select(table.c.local_date, table.c.local_hour, *labelled)
        .where(where, table.c.local_date >= window.first_date,
               table.c.local_date <= window.last_date)))


def _head(window: ParkWindow, park: Any) -> dict[str, Any]:
    return {"timezone": park.timezone, "period": window.period,
            "period_start": iso_utc(window.start), "period_end": iso_utc(window.end),
            "min_open_cycles": MIN_OPEN_CYCLES}


def park_heatmap(conn: Connection, park_id: int, period: str, now: datetime
                 ) -> dict[str, Any] | None:
    """A park's heatmap over ``period``, or None for an unknown park."""
    p = t.parks
    park = conn.execute(select(p.c.park_id, p.c.name, p.c.timezone)
                        .where(p.c.park_id == park_id)).first()
    if park is None:
        return None
    window = park_window(period, park.timezone, now)
    pl = rt.park_local_hour_stats
    sums = _read(conn, pl, ("open_cycles", "down_ride_snapshots", "open_ride_snapshots"),
                 pl.c.park_id == park_id, window)
    return {"park_id": park.park_id, "park_name": park.name, **_head(window, park),
            "cells": cells(sums)}


def ride_heatmap(conn: Connection, ride_id: int, period: str, now: datetime
                 ) -> dict[str, Any] | None:
    """An attraction's heatmap over ``period`` from its own snapshots, or None if there is no
    such attraction. Its open cycles are the open park cycles that observed it (its open
    snapshots): a ride added last week is thin where its park is not."""
    r, p = t.rides, t.parks
    found = conn.execute(
        select(r.c.ride_id, r.c.name.label("ride_name"), p.c.park_id, p.c.name, p.c.timezone)
        .join(p, p.c.park_id == r.c.park_id)
        .where(and_(r.c.ride_id == ride_id, r.c.category == metrics.ATTRACTION))).first()
    if found is None:
        return None
    window = park_window(period, found.timezone, now)
    rl = rt.ride_local_hour_stats
    sums = _read(conn, rl, ("open_snapshots", "down_snapshots", "open_snapshots"),
                 rl.c.ride_id == ride_id, window)
    return {"park_id": found.park_id, "park_name": found.name, "ride_id": found.ride_id,
            "ride_name": found.ride_name, **_head(window, found), "cells": cells(sums)}
