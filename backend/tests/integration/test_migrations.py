"""Alembic migrations build exactly ``tables.metadata``, on SQLite and on MariaDB.

Each test gets an empty database of its own: a temporary SQLite file, or a throwaway MariaDB
database ``tpt_test_mig_*`` created for it and dropped after it (skipped when MariaDB is
unreachable, a failure under ``CI=true``; see tests/conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from pprint import pformat

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, insert, inspect, select, text

from tests.conftest import (
    create_throwaway_mariadb,
    drop_throwaway_mariadb,
    mariadb_reachable_or_skip,
)
from themepark_tracker.db import migrate, tables
from themepark_tracker.db.engine import make_engine

REVISION_IDS = [f"{n:03d}" for n in range(1, 15)]
HEAD = REVISION_IDS[-1]
HOURLY_TABLES = {"park_hourly_stats", "ride_hourly_stats"}
OUTAGE_TABLES = {"ride_outages", "recovery_curves"}
RECORD_ALERT_TABLES = {"park_local_hour_stats", "ride_local_hour_stats", "upstream_backfill_days",
                       "events", "webhook_subscriptions", "webhook_outbox", "webhook_deliveries"}
ALL_TABLES = set(tables.metadata.tables)


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb_only)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database with no tables at all, on the dialect under test."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    mariadb_reachable_or_skip()
    url = create_throwaway_mariadb("tpt_test_mig")
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_throwaway_mariadb(url)


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def assert_same_schema(engine: Engine) -> None:
    # migrate.schema_diffs compares with compare_type and compare_server_default on; the only
    # noise it folds away is MariaDB reading DEFAULT now() back as current_timestamp() and
    # DEFAULT false as 0 (see migrate._DEFAULT_SYNONYMS).
    diffs = migrate.schema_diffs(engine)
    assert diffs == [], "migrated schema differs from tables.metadata:\n" + pformat(diffs)


def test_upgrade_on_empty_database_gives_metadata(empty_engine: Engine) -> None:
    assert migrate.current_revision(empty_engine) is None

    assert migrate.upgrade(empty_engine) == HEAD

    assert migrate.current_revision(empty_engine) == HEAD
    assert table_names(empty_engine) == ALL_TABLES
    assert_same_schema(empty_engine)


def test_upgrade_twice_is_harmless(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(insert(tables.parks).values(park_id=1, name="P", timezone="UTC"))

    assert migrate.upgrade(empty_engine) == HEAD
    assert migrate.upgrade(empty_engine, "head") == HEAD

    with empty_engine.connect() as conn:
        assert conn.execute(select(tables.parks.c.name)).scalars().all() == ["P"]
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    assert versions == [(HEAD,)]
    assert_same_schema(empty_engine)


def test_revision_012_adds_exactly_the_hourly_tables(empty_engine: Engine) -> None:
    later = OUTAGE_TABLES | RECORD_ALERT_TABLES
    assert migrate.upgrade(empty_engine, "011") == "011"
    assert table_names(empty_engine) == ALL_TABLES - HOURLY_TABLES - later

    assert migrate.upgrade(empty_engine, "012") == "012"
    assert table_names(empty_engine) == ALL_TABLES - later


def test_revision_013_adds_exactly_the_outage_tables(empty_engine: Engine) -> None:
    assert migrate.upgrade(empty_engine, "012") == "012"
    assert migrate.upgrade(empty_engine, "013") == "013"
    assert table_names(empty_engine) == ALL_TABLES - RECORD_ALERT_TABLES
    with empty_engine.begin() as conn:
        command.downgrade(migrate.make_config(connection=conn), "012")
    assert table_names(empty_engine) == ALL_TABLES - OUTAGE_TABLES - RECORD_ALERT_TABLES


def test_revision_014_adds_the_record_and_alert_tables_and_the_coverage_column(
        empty_engine: Engine) -> None:
    assert migrate.upgrade(empty_engine, "013") == "013"
    assert "expected_open_cycles" not in column_names(empty_engine, "park_daily_stats")
    assert migrate.upgrade(empty_engine, "014") == "014"
    assert table_names(empty_engine) == ALL_TABLES
    assert "expected_open_cycles" in column_names(empty_engine, "park_daily_stats")
    assert_same_schema(empty_engine)
    with empty_engine.begin() as conn:
        command.downgrade(migrate.make_config(connection=conn), "013")
    assert table_names(empty_engine) == ALL_TABLES - RECORD_ALERT_TABLES
    assert "expected_open_cycles" not in column_names(empty_engine, "park_daily_stats")


def test_downgrade_to_base_and_back(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with empty_engine.begin() as conn:
        command.downgrade(migrate.make_config(connection=conn), "base")
    assert table_names(empty_engine) == set()
    assert migrate.current_revision(empty_engine) is None

    assert migrate.upgrade(empty_engine) == HEAD
    assert_same_schema(empty_engine)


def test_schema_comparison_sees_differences(empty_engine: Engine) -> None:
    # Guards the guard: a schema that differs from metadata must produce diffs.
    migrate.upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_park_hourly_stats_hour_start_utc"
                          + (" ON park_hourly_stats" if conn.dialect.name == "mysql" else "")))
        if conn.dialect.name == "mysql":
            conn.execute(text("ALTER TABLE parks MODIFY is_disney BOOL NOT NULL DEFAULT 1"))
            conn.execute(text("ALTER TABLE park_hourly_stats MODIFY shame_score DECIMAL(4, 1)"))
    diffs = pformat(migrate.schema_diffs(empty_engine))
    assert "add_index" in diffs and "ix_park_hourly_stats_hour_start_utc" in diffs
    if empty_engine.dialect.name == "mysql":
        assert "'modify_default'" in diffs and "'is_disney'" in diffs
        assert "'modify_type'" in diffs and "'shame_score'" in diffs


def test_revision_files_form_a_linear_frozen_history() -> None:
    scripts = ScriptDirectory.from_config(migrate.make_config())
    chain = [s.revision for s in reversed(list(scripts.walk_revisions()))]
    assert chain == REVISION_IDS
    assert scripts.get_heads() == [HEAD]
    assert migrate.head_revision() == HEAD

    versions = migrate.MIGRATIONS_DIR / "versions"
    files = sorted(p.name for p in versions.glob("*.py"))
    assert [name[:3] for name in files] == REVISION_IDS
    assert "012_add_hourly_stats.py" in files
    for path in versions.glob("*.py"):
        assert re.fullmatch(r"\d{3}_[a-z0-9_]+\.py", path.name)
        source = path.read_text(encoding="utf-8")
        # Frozen history: a revision spells its tables out, it never imports the live ones.
        assert "db.tables" not in source and "import tables" not in source, path.name


def column_names(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}
