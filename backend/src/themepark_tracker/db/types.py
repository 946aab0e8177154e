"""Column types and SQL functions that read the same on SQLite and MariaDB/MySQL.

Times are stored as naive UTC ``DATETIME``. On SQLite they are text in the fixed form
``YYYY-MM-DD HH:MM:SS`` (no microseconds: every time we store is whole seconds), so string
order is time order and ``hour_floor`` is a ``strftime``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Numeric, literal_column
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import Double

from themepark_tracker import metrics

SQLITE_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

UtcDateTime = DateTime().with_variant(
    # sqlite.DATETIME.__init__ is unannotated (*args, **kwargs) in SQLAlchemy's sources.
    sqlite.DATETIME(  # type: ignore[no-untyped-call]
        storage_format="%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d",
        regexp=r"(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)",
    ),
    "sqlite",
)
LocalDate = Date()


def Dec(precision: int, scale: int) -> Numeric[Any]:
    """DECIMAL that comes back as float, so JSON numbers stay numbers (SPEC §6)."""
    return Numeric(precision, scale, asdecimal=False)


class hour_floor(GenericFunction[Any]):
    """The start of the hour containing a DATETIME expression; with a second argument of N
    minutes, hours start N minutes past the UTC hour (local clock hours of a +05:30 zone)."""

    type = UtcDateTime
    inherit_cache = True


def clock_hour_floor(expr: Any, offset_minutes: int) -> hour_floor:
    """``hour_floor`` of hours starting ``offset_minutes`` past the UTC hour. The offset is
    written into the SQL as literal text, so it is part of SQLAlchemy's compiled-statement
    cache key: a bound value is not, and a statement compiled for one offset would be
    reused for another."""
    if not offset_minutes:
        return hour_floor(expr)
    return hour_floor(expr, literal_column(str(int(offset_minutes))))


def _hour_floor_args(element: hour_floor, compiler: SQLCompiler, **kw: Any) -> tuple[str, int]:
    args = list(element.clauses)
    offset = 0
    if len(args) > 1:
        if not isinstance(args[1], ColumnClause):
            raise TypeError("pass an hour offset through clock_hour_floor()")
        offset = int(args[1].name)
    return compiler.process(args[0], **kw), offset


@compiles(hour_floor, "sqlite")
def _hour_floor_sqlite(element: hour_floor, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite uses the qmark paramstyle, so "%" needs no escaping here.
    arg, offset = _hour_floor_args(element, compiler, **kw)
    if not offset:
        return f"strftime('%Y-%m-%d %H:00:00', {arg})"
    return (f"datetime(strftime('%Y-%m-%d %H:00:00', {arg}, '-{offset} minutes'), "
            f"'+{offset} minutes')")


@compiles(hour_floor, "mysql")
@compiles(hour_floor, "mariadb")
def _hour_floor_mysql(element: hour_floor, compiler: SQLCompiler, **kw: Any) -> str:
    # DATE() and HOUR() rather than DATE_FORMAT: no string per row (2-3x faster to group by).
    arg, offset = _hour_floor_args(element, compiler, **kw)
    if not offset:
        return f"(DATE({arg}) + INTERVAL HOUR({arg}) HOUR)"
    shifted = f"({arg} - INTERVAL {offset} MINUTE)"
    return f"(DATE({shifted}) + INTERVAL HOUR({shifted}) HOUR + INTERVAL {offset} MINUTE)"


class round_half_up(GenericFunction[Any]):
    """``round_half_up(x, places)`` with the same result as ``metrics.round_half_up``."""

    type = Double()
    inherit_cache = True


@compiles(round_half_up, "sqlite")
def _round_sqlite(element: round_half_up, compiler: SQLCompiler, **kw: Any) -> str:
    # A Python function registered on every SQLite connection (db.engine): metrics.round_half_up.
    return f"round_half_up({compiler.process(element.clauses, **kw)})"


@compiles(round_half_up, "mysql")
@compiles(round_half_up, "mariadb")
def _round_mysql(element: round_half_up, compiler: SQLCompiler, **kw: Any) -> str:
    value, places = list(element.clauses)
    settle = metrics.SETTLE_PLACES
    return (
        f"ROUND(CAST({compiler.process(value, **kw)} AS DECIMAL(38,{settle})), "
        f"{compiler.process(places, **kw)})"
    )


def plain(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row with MariaDB's Decimal sums turned into int or float, as SQLite returns them."""
    return {k: (int(v) if v == v.to_integral_value() else float(v))
            if isinstance(v, Decimal) else v for k, v in row.items()}
