"""Fast multi-row INSERT for the big raw tables, straight through the DB-API ``executemany``.

SQLAlchemy's per-row processing costs more than the insert itself at millions of rows, so the
ingest path hands tuples to the driver. On SQLite, times and dates are formatted exactly as
``db.types`` stores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, Table

from themepark_tracker.db.types import SQLITE_DATETIME_FORMAT

CHUNK_ROWS = 20_000


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime(SQLITE_DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    return value


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[object, ...]]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) in chunks; returns the number inserted."""
    if not rows:
        return 0
    sqlite = conn.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    quote = conn.dialect.identifier_preparer.quote
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(table.name), ", ".join(quote(c) for c in columns), ", ".join([mark] * len(columns))
    )
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start:start + CHUNK_ROWS]
        if sqlite:
            # One cycle's rows share their time and date: format each distinct value once.
            seen: dict[object, object] = {}
            chunk = [tuple(seen[v] if v in seen else seen.setdefault(v, _sqlite_value(v))
                           if isinstance(v, date) else v for v in row) for row in chunk]
        conn.exec_driver_sql(sql, list(chunk))
    return len(rows)
