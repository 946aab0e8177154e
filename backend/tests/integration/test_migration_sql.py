"""The generated 012_add_hourly_stats.sql: fresh, and equivalent to the Alembic path.

The MariaDB test pipes the file through the real ``mysql`` client, twice, into a throwaway
database ``tpt_test_mig_*`` at revision 011 (seed step 2), then compares the schema with
``tables.metadata`` as the Alembic path does.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from pprint import pformat
from types import ModuleType

import pytest
from sqlalchemy import Engine, inspect, text

from tests.conftest import (
    create_throwaway_mariadb,
    drop_throwaway_mariadb,
    mariadb_reachable_or_skip,
    require,
)
from tests.revisions import AFTER_012, diffs_at_012
from themepark_tracker.db import migrate, tables
from themepark_tracker.db.engine import make_engine

BACKEND = Path(__file__).resolve().parents[2]
GENERATOR = BACKEND / "scripts" / "generate_migration_sql.py"
SQL_FILE = BACKEND / "src" / "database" / "migrations" / "012_add_hourly_stats.sql"
REGENERATE = "cd backend && python scripts/generate_migration_sql.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_migration_sql", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_sql_file_is_fresh() -> None:
    generated = load_generator().render("012")
    assert SQL_FILE.exists(), f"{SQL_FILE} is missing; run: {REGENERATE}"
    assert SQL_FILE.read_text(encoding="utf-8") == generated, f"stale; run: {REGENERATE}"


def test_check_flag_fails_on_a_stale_file(tmp_path: Path) -> None:
    generator = load_generator()
    assert generator.main(["--check"]) == 0  # the committed file

    assert generator.main(["--check", "--output-dir", str(tmp_path)]) == 1  # missing
    assert generator.main(["--output-dir", str(tmp_path)]) == 0  # writes it
    written = tmp_path / SQL_FILE.name
    assert written.read_text(encoding="utf-8") == SQL_FILE.read_text(encoding="utf-8")
    assert generator.main(["--check", "--output-dir", str(tmp_path)]) == 0

    written.write_text(written.read_text(encoding="utf-8") + "-- edited by hand\n")
    assert generator.main(["--check", "--output-dir", str(tmp_path)]) == 1


def test_sql_file_is_idempotent_by_construction() -> None:
    sql = SQL_FILE.read_text(encoding="utf-8")
    assert "GENERATED" in sql.splitlines()[2] and REGENERATE in sql
    statements = [s.strip() for s in re.sub(r"(?m)^--.*$", "", sql).split(";") if s.strip()]
    creates = [s for s in statements if s.startswith("CREATE")]
    assert [s.split("(")[0].strip() for s in creates] == [
        "CREATE TABLE IF NOT EXISTS park_hourly_stats",
        "CREATE TABLE IF NOT EXISTS ride_hourly_stats",
    ]
    # The four new park snapshot columns, each added only while missing...
    guarded = statements[2:18]
    for k, column in enumerate(
            ("wait_sum", "wait_count", "rides_operated_today", "rides_down_today")):
        set_ddl, prepare, execute, deallocate = guarded[4 * k: 4 * k + 4]
        assert set_ddl.startswith("SET @ddl = IF(EXISTS(SELECT 1 FROM information_schema.columns")
        assert f"column_name = '{column}'), 'DO 0', 'ALTER TABLE park_activity_snapshots " \
               f"ADD COLUMN {column} INTEGER NOT NULL" in set_ddl
        assert (prepare, execute, deallocate) == (
            "PREPARE ddl FROM @ddl", "EXECUTE ddl", "DEALLOCATE PREPARE ddl")
    # ...then filled by one recomputation, then the guarded version move.
    assert statements[18].startswith("UPDATE park_activity_snapshots p JOIN (")
    assert statements[19:] == [
        "UPDATE alembic_version SET version_num='012' "
        "WHERE alembic_version.version_num = '011'"
    ]


@pytest.fixture
def mariadb_at_011() -> Iterator[tuple[str, Engine]]:
    """A throwaway MariaDB database migrated to revision 011: (database name, engine)."""
    mariadb_reachable_or_skip()
    require(shutil.which("mysql") is not None, "the mysql client is not installed")
    url = create_throwaway_mariadb("tpt_test_mig")
    engine = make_engine(url)
    try:
        assert migrate.upgrade(engine, "011") == "011"
        yield engine.url.database or "", engine
    finally:
        engine.dispose()
        drop_throwaway_mariadb(url)



def run_mysql_client(dbname: str) -> subprocess.CompletedProcess[bytes]:
    with SQL_FILE.open("rb") as sql:
        return subprocess.run(
            ["mysql", "-h", "127.0.0.1", "-u", "root", dbname],
            stdin=sql, capture_output=True, timeout=120, check=False,
        )


@pytest.mark.mariadb_only
def test_sql_file_through_mysql_client_twice_matches_alembic(
    mariadb_at_011: tuple[str, Engine],
) -> None:
    dbname, engine = mariadb_at_011
    assert dbname.startswith("tpt_test_mig_")
    assert not {"park_hourly_stats", "ride_hourly_stats"} & set(inspect(engine).get_table_names())

    for attempt in (1, 2):
        result = run_mysql_client(dbname)
        assert result.returncode == 0, f"run {attempt}: {result.stderr.decode()}"
        engine.dispose()  # a fresh connection sees the new tables
        names = set(inspect(engine).get_table_names())
        assert {"park_hourly_stats", "ride_hourly_stats"} <= names
        # Revision 012's tables: everything but what later revisions add.
        assert names - {"alembic_version"} == set(tables.metadata.tables) - AFTER_012
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert versions == [("012",)], f"run {attempt}"
        assert migrate.current_revision(engine) == "012"

    # Every difference from tables.metadata is a table a later revision adds.
    diffs = diffs_at_012(engine)
    assert diffs == [], "SQL-file schema differs from tables.metadata:\n" + pformat(diffs)

    # Seed step 2: DESCRIBE park_hourly_stats. MariaDB shows integer display widths
    # (bigint(20), int(11)); MySQL 8 does not. Compare without them.
    with engine.connect() as conn:
        described = {
            row[0]: re.sub(r"^((?:big|small|tiny)?int)\(\d+\)", r"\1", row[1])
            for row in conn.execute(text("DESCRIBE park_hourly_stats"))
        }
    assert described["id"] == "bigint"
    assert described["park_id"] == "int"
    assert described["hour_start_utc"] == "datetime"
    assert described["shame_score"] == "decimal(3,1)"
    assert described["avg_wait_time_minutes"] == "decimal(6,2)"

    # And Alembic agrees it has nothing left to do but the revisions after 012.
    assert migrate.upgrade(engine) == migrate.head_revision()
    assert migrate.schema_diffs(engine) == []
