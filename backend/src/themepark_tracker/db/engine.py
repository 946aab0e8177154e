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
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from themepark_tracker import metrics
from themepark_tracker.config import sqlite_path

logger = logging.getLogger(__name__)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``. For a SQLite file, its folder is created if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so every
        # transaction is real (a failed hour leaves the previous rows as they were).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    if parsed.get_driver_name() == "pymysql":
        kwargs["connect_args"] = {"conv": pymysql_conversions(),
                                  **kwargs.get("connect_args", {})}
    engine = create_engine(url, pool_pre_ping=True, pool_recycle=3600, **kwargs)
    event.listen(engine, "connect", _on_mysql_connect)
    return engine


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
