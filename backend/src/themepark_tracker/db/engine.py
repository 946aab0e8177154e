"""Engines: one function makes them, for SQLite and MariaDB/MySQL alike.

Every MariaDB session runs in UTC. Every SQLite connection gets the SQL functions the queries
use (``round_half_up``) from ``metrics``, so both dialects round the same way.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

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
    engine = create_engine(url, pool_pre_ping=True, pool_recycle=3600, **kwargs)
    event.listen(engine, "connect", _on_mysql_connect)
    return engine


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
