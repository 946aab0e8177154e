"""Fast multi-row INSERT for the big raw tables (millions of rows per simulated week).

SQLAlchemy's per-row processing, and PyMySQL's per-value escaping, cost more than the insert
itself at this scale. Rows here repeat the same few values (one cycle's time and date, five
statuses), so each distinct value is turned into SQL text once:

- MariaDB/MySQL: literal ``INSERT ... VALUES (...), (...)`` statements of ``CHUNK_ROWS`` rows,
  strings escaped by the driver's own connection;
- SQLite: ``executemany`` with times and dates formatted exactly as ``db.types`` stores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table

from themepark_tracker.db.types import SQLITE_DATETIME_FORMAT

CHUNK_ROWS = 20_000


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime(SQLITE_DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    return value


class _MysqlLiterals:
    """SQL literals for plain Python values, memoised (times, dates and strings repeat)."""

    def __init__(self, dbapi_connection: Any) -> None:
        self._escape = dbapi_connection.escape
        self._memo: dict[object, str] = {}

    def __call__(self, value: object) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, int):
            return str(value)
        text = self._memo.get(value)
        if text is None:
            if isinstance(value, datetime):
                text = f"'{value:%Y-%m-%d %H:%M:%S}'"
            elif isinstance(value, date):
                text = f"'{value.isoformat()}'"
            elif isinstance(value, float):
                text = repr(value)
            elif isinstance(value, str):
                text = self._escape(value)
            else:
                raise TypeError(f"bulk_insert cannot write {type(value).__name__} values")
            self._memo[value] = text
        return text


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[object, ...]]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) in chunks inside the caller's transaction;
    returns the number inserted."""
    if not rows:
        return 0
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if conn.dialect.name == "sqlite":
        sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join('?' * len(columns))})"
        for start in range(0, len(rows), CHUNK_ROWS):
            seen: dict[object, object] = {}
            chunk = [tuple(seen[v] if v in seen else seen.setdefault(v, _sqlite_value(v))
                           if isinstance(v, date) else v for v in row)
                     for row in rows[start:start + CHUNK_ROWS]]
            conn.exec_driver_sql(sql, chunk)
        return len(rows)
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None  # None only once the pooled connection is closed/invalidated
    literal = _MysqlLiterals(dbapi)
    head = f"INSERT INTO {quote(table.name)} ({names}) VALUES "
    cursor = dbapi.cursor()
    try:
        for start in range(0, len(rows), CHUNK_ROWS):
            values = ",".join("(" + ",".join(map(literal, row)) + ")"
                              for row in rows[start:start + CHUNK_ROWS])
            cursor.execute(head + values)  # no parameters: nothing is %-formatted
    finally:
        cursor.close()
    return len(rows)
