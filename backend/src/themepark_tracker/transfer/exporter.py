"""``export DIR``: the catalogue and the raw snapshots as SPEC §8 files.

Only what the format carries is written: the derived columns are a function of it (SPEC §2)
and come back when the files are imported. Rows are in a fixed order (parks and rides by id,
schedules by park, date, opening and type, snapshots by park, time and ride: the primary key,
so the big table is read in its own order), values in one spelling (``csvformat``), so the same
data always gives the same bytes; a text cell a spreadsheet would run as a formula gets a
leading ``'`` (``csvformat.quote_formula``), which the import takes off. All four files are
read in one transaction, streamed, and each replaces its old version only once all four are
written.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Select, select

from themepark_tracker.db import tables as t
from themepark_tracker.transfer.csvformat import (
    FILE_ORDER,
    HEADERS,
    PARKS,
    RIDES,
    SCHEDULES,
    SNAPSHOTS,
    format_instant,
    format_value,
)

YIELD_PER = 10_000


@dataclass
class ExportSummary:
    directory: Path
    rows: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        counts = ", ".join(f"{self.rows[name]:,} {name.removesuffix('.csv')}"
                           for name in FILE_ORDER)
        return f"Exported {counts} to {self.directory}"


def _queries() -> dict[str, Select[Any]]:
    s = t.park_schedules
    rss = t.ride_status_snapshots
    return {
        PARKS: select(*(t.parks.c[c] for c in HEADERS[PARKS])).order_by(t.parks.c.park_id),
        RIDES: select(*(t.rides.c[c] for c in HEADERS[RIDES])).order_by(t.rides.c.ride_id),
        SCHEDULES: select(*(s.c[c] for c in HEADERS[SCHEDULES])).order_by(
            s.c.park_id, s.c.local_date, s.c.opening_time_utc, s.c.schedule_type),
        SNAPSHOTS: select(rss.c.recorded_at, rss.c.ride_id, rss.c.status, rss.c.wait_time)
        .order_by(rss.c.park_id, rss.c.recorded_at, rss.c.ride_id),
    }


def export_dir(engine: Engine, directory: Path) -> ExportSummary:
    """Write parks.csv, rides.csv, schedules.csv and snapshots.csv into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    summary = ExportSummary(directory)
    partial = {name: directory / f".{name}.partial" for name in FILE_ORDER}
    try:
        with engine.connect() as conn, conn.begin():
            for name, query in _queries().items():
                summary.rows[name] = _write(conn, query, name, partial[name])
        for name in FILE_ORDER:
            os.replace(partial[name], directory / name)
    finally:
        for path in partial.values():
            path.unlink(missing_ok=True)
    return summary


def _write(conn: Connection, query: Select[Any], name: str, path: Path) -> int:
    rows = conn.execute(query, execution_options={"stream_results": True,
                                                  "yield_per": YIELD_PER})
    values = _snapshot_values(rows) if name == SNAPSHOTS else (
        [format_value(v) for v in row] for row in rows
    )
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADERS[name])
        for row in values:
            writer.writerow(row)
            count += 1
    return count


def _snapshot_values(rows: Any) -> Iterator[tuple[str, int, str, int | str]]:
    """The big file, fast: a cycle's rows share one time, formatted once."""
    last: datetime | None = None
    text = ""
    for recorded_at, ride_id, status, wait_time in rows:
        if recorded_at != last:
            last, text = recorded_at, format_instant(recorded_at)
        yield text, ride_id, status, "" if wait_time is None else wait_time
