"""``export-stats``: the daily park and ride tables (SPEC §4) over a range of local dates, for
analysts: one CSV file per table (and Parquet next to it when ``pyarrow`` is importable),
with the park's and ride's names, and ``ATTRIBUTION.txt`` crediting the feeds.

The values are the stored rows as they are (the columns the daily job writes, in its
order); a text cell a spreadsheet would run as a formula gets a leading ``'``
(``names.quote_formula``, as in ``export``). Each file is written beside its final name and
moved into place once complete, so a failed run never leaves half a file under that name.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, select

from themepark_tracker.aggregate.sql import PARK_DAILY_COLUMNS, RIDE_DAILY_COLUMNS
from themepark_tracker.db import tables as t
from themepark_tracker.db.types import plain
from themepark_tracker.errors import UserError
from themepark_tracker.sources.attribution import ATTRIBUTION, attribution_line
from themepark_tracker.transfer.csvformat import format_value

PARK_FILE = "park_daily_stats"
RIDE_FILE = "ride_daily_stats"
ATTRIBUTION_FILE = "ATTRIBUTION.txt"


@dataclass
class StatsSummary:
    directory: Path
    rows: dict[str, int] = field(default_factory=dict)
    parquet: bool = False

    def describe(self) -> str:
        kinds = "CSV and Parquet" if self.parquet else "CSV"
        counts = ", ".join(f"{n:,} {name.replace('_', ' ')} rows"
                           for name, n in self.rows.items())
        return f"Exported {counts} as {kinds} to {self.directory} (with {ATTRIBUTION_FILE})"


def _queries(first: date, last: date) -> dict[str, tuple[tuple[str, ...], Select[Any]]]:
    p, r, pd, rd = t.parks, t.rides, t.park_daily_stats, t.ride_daily_stats
    park_columns = ("park_id", "park_name", "timezone",
                    *(c for c in PARK_DAILY_COLUMNS if c != "park_id"))
    ride_columns = ("ride_id", "ride_name", "park_id", "park_name",
                    *(c for c in RIDE_DAILY_COLUMNS if c not in ("ride_id", "park_id")))
    return {
        PARK_FILE: (park_columns, select(
            pd.c.park_id, p.c.name.label("park_name"), p.c.timezone,
            *(pd.c[c] for c in park_columns[3:]))
            .join(p, p.c.park_id == pd.c.park_id)
            .where(pd.c.stat_date >= first, pd.c.stat_date <= last)
            .order_by(pd.c.stat_date, pd.c.park_id)),
        RIDE_FILE: (ride_columns, select(
            rd.c.ride_id, r.c.name.label("ride_name"), rd.c.park_id,
            p.c.name.label("park_name"), *(rd.c[c] for c in ride_columns[4:]))
            .join(r, r.c.ride_id == rd.c.ride_id).join(p, p.c.park_id == rd.c.park_id)
            .where(rd.c.stat_date >= first, rd.c.stat_date <= last)
            .order_by(rd.c.stat_date, rd.c.park_id, rd.c.ride_id)),
    }


def _directory(directory: Path) -> Path:
    if directory.exists() and not directory.is_dir():
        raise UserError(f"{directory} is a file, not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the directory {directory}: {exc.strerror}") from None
    if not os.access(directory, os.W_OK):
        raise UserError(f"cannot write to the directory {directory}")
    return directory


def _write_csv(path: Path, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    part = path.with_name(path.name + ".part")
    with part.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([format_value(row[c]) for c in columns])
    os.replace(part, path)


def _write_parquet(path: Path, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """Parquet through pyarrow (an optional dependency, imported by name), the attribution
    in the file's metadata."""
    pa: Any = importlib.import_module("pyarrow")
    pq: Any = importlib.import_module("pyarrow.parquet")
    table = pa.Table.from_pylist([{c: row[c] for c in columns} for row in rows])
    table = table.replace_schema_metadata({"attribution": attribution_line()})
    part = path.with_name(path.name + ".part")
    pq.write_table(table, part)
    os.replace(part, path)


def export_daily_stats(engine: Engine, first: date, last: date, directory: Path
                       ) -> StatsSummary:
    """Write the daily tables' rows of the local dates ``first`` to ``last`` into
    ``directory`` (made if missing)."""
    if first > last:
        raise UserError(f"--from must be on or before --to; got --from {first} --to {last}")
    directory = _directory(directory)
    parquet = importlib.util.find_spec("pyarrow") is not None
    summary = StatsSummary(directory, parquet=parquet)
    with engine.connect() as conn:
        tables = {name: (columns, [plain(dict(r)) for r in conn.execute(query).mappings()])
                  for name, (columns, query) in _queries(first, last).items()}
    try:
        for name, (columns, rows) in tables.items():
            _write_csv(directory / f"{name}.csv", columns, rows)
            if parquet:
                _write_parquet(directory / f"{name}.parquet", columns, rows)
            summary.rows[name] = len(rows)
        lines = [attribution_line(), "", *(f"{a['name']}: {a['text']} <{a['url']}>"
                                           for a in ATTRIBUTION),
                 "", f"Daily statistics for the local dates {first} to {last}."]
        (directory / ATTRIBUTION_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write into {directory}: {exc.strerror or exc}") from None
    return summary
