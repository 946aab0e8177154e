"""Insert-or-update on a natural key, for both dialects (ON CONFLICT / ON DUPLICATE KEY UPDATE).

Writing only what changed (``upsert_changed_from_select``): on InnoDB an ``ON DUPLICATE KEY
UPDATE`` costs about as much when it changes nothing as when it changes everything
(docs/performance.md), so rows that would be overwritten with their own values are left out.
The new rows are first stored in a temporary *scratch* table whose columns have the types of
the target table's: each value is converted exactly as a direct insert would convert it, so
the comparison (NULL-safe, ``<=>`` / ``IS``) sees what would be stored. A derived table would
not do: MariaDB materialises a DECIMAL expression at its display scale, which would both make
every row differ and lose the full precision of DOUBLE sums.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    Table,
    and_,
    insert,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import Label


def upsert_statement(
    conn: Connection, table: Table, key: Sequence[str], update: Iterable[str],
    source: tuple[Sequence[str], Select[Any]] | None = None,
) -> Insert:
    """``INSERT ... ON CONFLICT(key) DO UPDATE`` (SQLite) or ``ON DUPLICATE KEY UPDATE`` (MySQL)
    that overwrites ``update`` columns from the inserted row. Values are bound by the caller
    (``conn.execute(stmt, rows)``), or come from ``source`` = (columns, SELECT)."""
    update = list(update)
    if conn.dialect.name == "sqlite":
        lite = sqlite.insert(table)
        if source is not None:
            # SQLite's parser needs a WHERE before ON CONFLICT in INSERT ... SELECT.
            lite = lite.from_select(list(source[0]), source[1].where(text("1 = 1")))
        return lite.on_conflict_do_update(
            index_elements=list(key), set_={c: lite.excluded[c] for c in update}
        )
    my = mysql.insert(table)
    if source is not None:
        my = my.from_select(list(source[0]), source[1])
    return my.on_duplicate_key_update({c: my.inserted[c] for c in update})


def upsert_rows(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: Sequence[str]
) -> int:
    """Upsert plain dict rows; every non-key column present in the rows is overwritten."""
    if not rows:
        return 0
    update = [c for c in rows[0] if c not in key]
    conn.execute(upsert_statement(conn, table, key, update), list(rows))
    return len(rows)


def upsert_from_select(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    select: Select[Any],
    key: Sequence[str],
    params: Mapping[str, Any] | None = None,
) -> int:
    """``INSERT INTO table (columns) SELECT ...`` with the upsert clause; returns rows
    affected."""
    update = [c for c in columns if c not in key]
    stmt = upsert_statement(conn, table, key, update, source=(columns, select))
    return conn.execute(stmt, dict(params or {})).rowcount


def upsert_changed_from_select(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    source: Select[Any],
    key: Sequence[str],
    params: Mapping[str, Any] | None = None,
    stamp: Label[Any] | None = None,
    fill: Select[Any] | None = None,
) -> int:
    """Upsert the rows of ``source`` (its columns named ``columns``) that are new or differ
    from the stored row with the same ``key`` in any of ``columns``; returns rows affected.
    ``fill`` adds rows (same columns) for keys that ``source`` does not have: default rows,
    say, where ``source`` has nothing to group.

    The same rows end up stored as with ``upsert_from_select`` over all of ``source`` (how and
    why: the module docstring). ``stamp`` (an ``updated_at`` value, say) is written with the
    rows that change and takes no part in the comparison, so it tells when a row's values last
    changed. Stored rows that ``source`` lacks are kept, as an upsert keeps them.
    """
    scratch = _scratch_table(table, columns, key)
    _drop_scratch(conn, scratch)  # one left by a failed run on this connection
    scratch.create(conn)
    conn.execute(insert(scratch).from_select(list(columns), source), dict(params or {}))
    if fill is not None:
        # Only into the scratch table: keys already there are skipped (a hash lookup on
        # MariaDB's MEMORY engine), the stored table is still written by an upsert below.
        add = (insert(scratch).prefix_with("IGNORE", dialect="mysql")
               .prefix_with("OR IGNORE", dialect="sqlite")
               .from_select(list(columns), fill))
        conn.execute(add, dict(params or {}))
    changed = _changed_rows(table, scratch, columns, key)
    names = list(columns)
    if stamp is not None:
        changed = changed.add_columns(stamp)
        names.append(stamp.name)
    written = upsert_from_select(conn, table, names, changed, key=key)
    _drop_scratch(conn, scratch)
    return written


def _scratch_table(table: Table, columns: Sequence[str], key: Sequence[str]) -> Table:
    """A temporary table of ``columns`` with ``table``'s types, keyed on ``key``."""
    return Table(
        f"scratch_{table.name}", MetaData(),
        *(Column(c, table.c[c].type, nullable=c not in key, primary_key=c in key,
                 autoincrement=False)
          for c in columns),
        prefixes=["TEMPORARY"],
        mysql_engine="MEMORY",  # ignored by SQLite
    )


def _changed_rows(table: Table, scratch: Table, columns: Sequence[str], key: Sequence[str]
                  ) -> Select[Any]:
    """The scratch rows with no stored row of their key, or one that differs in a column."""
    stored = table.alias("stored")
    differs: list[ColumnElement[bool]] = [
        stored.c[key[0]].is_(None),
        *(scratch.c[c].is_distinct_from(stored.c[c]) for c in columns if c not in key),
    ]
    return (
        select(*scratch.c)
        .select_from(scratch.outerjoin(stored,
                                       and_(*(stored.c[k] == scratch.c[k] for k in key))))
        .where(or_(*differs))
    )


def _drop_scratch(conn: Connection, scratch: Table) -> None:
    # TEMPORARY spelled out: a plain DROP TABLE would commit the transaction on MariaDB.
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"DROP TABLE IF EXISTS temp.{scratch.name}"))
    else:
        conn.execute(text(f"DROP TEMPORARY TABLE IF EXISTS {scratch.name}"))


def bump_marks(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]],
               key: Sequence[str]) -> None:
    """Insert marks, or add 1 to the ``version`` of those that exist (and refresh
    ``marked_at``)."""
    if not rows:
        return
    # A literal, not a bound 1: PyMySQL's executemany rewrites the statement per row and
    # cannot carry a parameter that is not in the rows.
    bumped = table.c.version + literal_column("1")
    if conn.dialect.name == "sqlite":
        lite = sqlite.insert(table)
        stmt: Insert = lite.on_conflict_do_update(
            index_elements=list(key),
            set_={"version": bumped, "marked_at": lite.excluded.marked_at})
    else:
        my = mysql.insert(table)
        stmt = my.on_duplicate_key_update(version=bumped,
                                          marked_at=my.inserted.marked_at)
    conn.execute(stmt, list(rows))
