"""Engines: one function makes them, for SQLite and MariaDB/MySQL alike.

Every MariaDB session runs in UTC. Every SQLite connection gets the SQL functions the queries
use (``round_half_up``) from ``metrics``, so both dialects round the same way.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from typing import Any

from pymysql import converters
from pymysql.constants import FIELD_TYPE
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from themepark_tracker import metrics
from themepark_tracker.config import sqlite_path
from themepark_tracker.errors import UserError

logger = logging.getLogger(__name__)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``. For a SQLite file, its folder is created if missing.

    A URL that cannot be used (unparsable, an unknown dialect or a driver that is not
    installed, a port that is not a number, a folder that cannot be created) raises
    ``UserError`` naming the problem; the password is never part of the message."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        # int() of the port is the one ValueError whose text is safe to show (no password)
        port = str(exc).partition("invalid literal for int() with base 10: ")[2]
        raise UserError(f"the database URL's port {port} is not a whole number" if port else
                        "the database URL cannot be parsed; expected "
                        "dialect+driver://user:password@host:port/database or "
                        "sqlite:///path/to/file.sqlite3") from None
    try:
        return _make_engine(url, parsed, **kwargs)
    except (ArgumentError, ImportError, ValueError) as exc:
        shown = parsed.render_as_string(hide_password=True)
        raise UserError(f"cannot use the database URL {shown}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, NoSuchModuleError):
        return "unknown database dialect or driver (use sqlite:/// or mysql+pymysql://)"
    if isinstance(exc, ImportError):
        return (f"its driver is not installed ({exc}); this project supports sqlite:/// and "
                f"mysql+pymysql://")
    return str(exc).split("\n", 1)[0]


def _make_engine(url: str, parsed: URL, **kwargs: Any) -> Engine:
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UserError(f"cannot create the folder {path.parent} for the SQLite "
                                f"database: {exc.strerror or exc}") from None
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so every
        # transaction is real (a failed hour leaves the previous rows as they were).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    if parsed.get_driver_name() == "pymysql":
        _check_charset(parsed)
        kwargs["connect_args"] = {"conv": pymysql_conversions(),
                                  **kwargs.get("connect_args", {})}
    engine = create_engine(url, pool_pre_ping=True, pool_recycle=3600, **kwargs)
    event.listen(engine, "connect", _on_mysql_connect)
    return engine


def _check_charset(parsed: URL) -> None:
    """PyMySQL fails with an AttributeError on connecting with a charset it does not know."""
    from pymysql.charset import charset_by_name

    charset = parsed.query.get("charset")
    if isinstance(charset, str) and charset_by_name(charset) is None:
        raise UserError(f"the database URL's charset {charset!r} is not one MySQL knows "
                        f"(use charset=utf8mb4)")


def pymysql_conversions() -> dict[Any, Any]:
    """PyMySQL's converters, with DATETIME and TIMESTAMP read by ``datetime.fromisoformat``.

    PyMySQL parses each DATETIME with a regular expression and int() per field, about 6 µs a
    value: a 24-row hourly chart spent more time there than MariaDB spent answering it
    (docs/performance.md). ``fromisoformat`` (C) gives the same datetime for every value
    MariaDB sends; anything it rejects ('0000-00-00 00:00:00') goes to PyMySQL's own converter,
    which returns it as before."""
    conversions = dict(converters.conversions)
    conversions[FIELD_TYPE.DATETIME] = conversions[FIELD_TYPE.TIMESTAMP] = _datetime_value
    return conversions


def _datetime_value(value: str | bytes) -> Any:
    text = value if isinstance(value, str) else value.decode("ascii")
    if len(text) >= 19:  # a date and a time; PyMySQL turns a bare date into a date
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    return converters.convert_datetime(text)


def take_write_lock(conn: Connection, table: str) -> None:
    """At the start of a transaction that reads before it writes: on SQLite, take the
    database's write lock now. In WAL mode such a transaction, once another connection has
    committed since its first read, fails at once with "database is locked" when it comes to
    write (its snapshot is stale, so waiting cannot help); one that holds the lock from the
    start instead waits its turn (the busy timeout). A no-op UPDATE of ``table`` takes it.
    Nothing to do on MariaDB, which locks rows, not the database."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"UPDATE {table} SET rowid = rowid WHERE 0")  # noqa: S608


def _on_sqlite_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.isolation_level = None  # see the "begin" listener above
    dbapi_conn.create_function(
        "round_half_up", 2, lambda value, places: metrics.round_half_up(value, places),
        deterministic=True,
    )
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _on_mysql_connect(dbapi_conn: Any, _record: object) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("SET time_zone = '+00:00'")
    cursor.close()


def describe(engine: Engine) -> str:
    """A printable name for the database behind ``engine`` (no password)."""
    return engine.url.render_as_string(hide_password=True)
