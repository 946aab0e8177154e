"""``db.bulk.bulk_insert`` writes SQL literals by hand on MariaDB and formats times itself on
SQLite: whatever it is given must read back equal, through SQLAlchemy's ordinary SELECT.

Values: any text the column can hold (quotes, backslashes, ``%``, line breaks, NUL, astral
emoji; never lone surrogates, which no UTF-8 column can store), up to the column's length in
characters; finite floats; None; integers at the bounds of INT and SMALLINT; whole-second
datetimes over the whole DATETIME range (1000-9999) and dates.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select

from themepark_tracker.db import tables as t
from themepark_tracker.db.bulk import bulk_insert

INT = (-(2**31), 2**31 - 1)
SMALLINT = (-(2**15), 2**15 - 1)

examples = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

HOSTILE = st.sampled_from(["'", "\\", "\\'", "''", "%s", "%(x)s", "100%", '"', "\n\r\t",
                           "\x00", "\x1a", "🎢🎡", "𝔘𝔫𝔦", "Ω≈ç√", "); DROP TABLE parks; --",
                           " trailing ", "é"])


def text(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    chars = st.characters(blacklist_categories=("Cs",))
    return (st.lists(HOSTILE | st.text(chars, max_size=8), max_size=6).map("".join)
            | st.text(chars, min_size=min_size, max_size=max_size)
            ).map(lambda s: s[:max_size]).filter(lambda s: len(s) >= min_size)


FLOAT = st.floats(allow_nan=False, allow_infinity=False)
INTS = st.sampled_from(INT) | st.integers(*INT)
INSTANT = st.datetimes(datetime(1000, 1, 1), datetime(9999, 12, 31, 23, 59, 59)).map(
    lambda d: d.replace(microsecond=0))

PARK_COLUMNS = ("park_id", "name", "timezone", "operator", "country", "is_disney",
                "latitude", "longitude", "created_at", "updated_at")
park_rows = st.lists(
    st.tuples(INTS, text(200, 1), text(64), st.none() | text(200), st.none() | text(100),
              st.booleans(), st.none() | FLOAT, st.none() | FLOAT, INSTANT, INSTANT),
    max_size=6, unique_by=lambda r: r[0])

SNAPSHOT_COLUMNS = ("park_id", "recorded_at", "ride_id", "status", "wait_time", "local_date",
                    "park_open", "operated_today", "counted_down")
snapshot_rows = st.lists(
    st.tuples(INTS, INSTANT, INTS, text(16),
              st.none() | st.sampled_from(SMALLINT) | st.integers(*SMALLINT),
              st.dates(date(1000, 1, 1), date(9999, 12, 31)),
              st.booleans(), st.booleans(), st.booleans()),
    max_size=6, unique_by=lambda r: r[:3])


@examples
@given(parks=park_rows, snapshots=snapshot_rows)
def test_bulk_insert_reads_back_what_it_was_given(
        session_engine: Engine, parks: list[tuple[object, ...]],
        snapshots: list[tuple[object, ...]]) -> None:
    # session_engine, not engine: Hypothesis runs many examples in one test, so each cleans up.
    engine = session_engine
    try:
        with engine.begin() as conn:
            assert bulk_insert(conn, t.parks, PARK_COLUMNS, parks) == len(parks)
            assert bulk_insert(conn, t.ride_status_snapshots, SNAPSHOT_COLUMNS,
                               snapshots) == len(snapshots)
        with engine.connect() as conn:
            stored_parks = {tuple(r) for r in conn.execute(
                select(*(t.parks.c[c] for c in PARK_COLUMNS)))}
            stored_snapshots = {tuple(r) for r in conn.execute(
                select(*(t.ride_status_snapshots.c[c] for c in SNAPSHOT_COLUMNS)))}
        assert stored_parks == set(parks)
        assert stored_snapshots == set(snapshots)
    finally:
        with engine.begin() as conn:
            conn.execute(delete(t.ride_status_snapshots))
            conn.execute(delete(t.parks))


@pytest.mark.mariadb_only
def test_mariadb_literals_are_not_percent_formatted(engine: Engine) -> None:
    """The MariaDB path sends one statement without parameters: a ``%s`` in the data must not
    be taken for a placeholder. (``mariadb_only``: the SQLite path binds parameters.)"""
    assert engine.dialect.name in ("mysql", "mariadb")
    rows = [(1, "%s %d %% %(name)s", "UTC", datetime(2025, 1, 1), datetime(2025, 1, 1))]
    with engine.begin() as conn:
        bulk_insert(conn, t.parks, ("park_id", "name", "timezone", "created_at", "updated_at"),
                    rows)
    with engine.connect() as conn:
        assert conn.scalar(select(t.parks.c.name)) == "%s %d %% %(name)s"
