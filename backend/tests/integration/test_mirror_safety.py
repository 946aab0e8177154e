"""``themepark mirror`` never wipes its source, never writes to production, and never leaves
the target half-copied (issue 12 item 3; the security probe's D3, D9 and D13's bad --from URL).

Sources here are small simulations (one park, three attractions, a day ending NEWEST, daily and
hourly stats) in a throwaway MariaDB database or a SQLite file. Every run is the command as a
user runs it, with --yes, so that a refusal that did not happen would show as lost rows.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL, make_url

from tests.conftest import (
    MARIADB_SERVER_URL,
    create_throwaway_mariadb,
    drop_throwaway_mariadb,
    mariadb_reachable_or_skip,
)
from tests.integration.test_mirror_support import (
    BACKEND,
    NEWEST,
    database_exists,
    dev_database,
    run_cli,
    url_of,
)
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.config import Settings
from themepark_tracker.db import migrate
from themepark_tracker.db.engine import make_engine
from themepark_tracker.simulate import simulate

HELPERS = ("__mirror_new", "__mirror_old")


def fill_small(engine: Engine) -> None:
    migrate.upgrade(engine)
    simulate(engine, parks=1, rides=3, days=1, seed=11, end=NEWEST)
    run_daily(engine, 5)
    backfill(engine, 5, days=1)


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: int(conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar() or 0)
                for name in sorted(inspect(engine).get_table_names())}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_line_error(done: object, *fragments: str) -> None:
    stderr = getattr(done, "stderr", "")
    assert getattr(done, "returncode", None) == 1, stderr
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, stderr
    for fragment in fragments:
        assert fragment in errors[0], stderr


@pytest.fixture
def mariadb_source() -> Iterator[tuple[str, Engine]]:
    """A filled throwaway database: (its name, an engine on it)."""
    mariadb_reachable_or_skip()
    url = create_throwaway_mariadb("tpt_test_src")
    engine = make_engine(url)
    try:
        fill_small(engine)
        yield engine.url.database or "", engine
    finally:
        engine.dispose()
        drop_throwaway_mariadb(url)


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("source") / "source.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    fill_small(engine)
    engine.dispose()
    return path


@pytest.fixture
def dev_name() -> Iterator[str]:
    yield from dev_database()


def server_spellings(name: str) -> dict[str, str]:
    """The one test database, written as a user might write it."""
    base = make_url(MARIADB_SERVER_URL)
    if base.host not in ("127.0.0.1", "localhost") or (base.port or 3306) != 3306:
        pytest.skip("these spellings assume the test server on this machine's port 3306")
    def spell(host: str, port: int | None, query: bool = True) -> URL:
        return URL.create(base.drivername, base.username, base.password, host, port, name,
                          base.query if query else {})

    spelled = {
        "no port": spell("127.0.0.1", None),
        "localhost": spell("localhost", None),
        "127.0.0.1:3306": spell("127.0.0.1", 3306),
        "localhost:3306 without charset": spell("localhost", 3306, query=False),
        "mariadb dialect": spell("127.0.0.1", None).set(drivername="mariadb+pymysql"),
    }
    return {k: v.render_as_string(hide_password=False) for k, v in spelled.items()}


def server_socket(engine: Engine) -> str | None:
    with engine.connect() as conn:
        socket = conn.execute(text("SELECT @@socket")).scalar()
    return str(socket) if socket and Path(str(socket)).exists() else None


# --- D3: the same database, however it is spelled -----------------------------------------


@pytest.mark.mariadb_only
@pytest.mark.parametrize("spelling", ["no port", "localhost", "127.0.0.1:3306",
                                      "localhost:3306 without charset", "mariadb dialect",
                                      "unix socket"])
def test_the_source_spelled_differently_is_refused_and_keeps_its_rows(
    mariadb_source: tuple[str, Engine], spelling: str,
) -> None:
    name, engine = mariadb_source
    spellings = server_spellings(name)
    socket = server_socket(engine)
    if spelling == "unix socket":
        if socket is None:
            pytest.skip("the server has no unix socket here")
        spellings[spelling] = f"mysql+pymysql://root@localhost/{name}?unix_socket={socket}"
    before = row_counts(engine)
    assert before["ride_status_snapshots"] > 0 and before["ride_hourly_stats"] > 0
    # The target as the deployment names it (DATABASE_NAME: 127.0.0.1:3306), the source spelled.
    done = run_cli("mirror", "--from", spellings[spelling], "--yes",
                   env={"DATABASE_NAME": name})
    assert_one_line_error(done, "the same database")
    assert row_counts(engine) == before
    assert not any(database_exists(name + suffix) for suffix in HELPERS)


@pytest.mark.mariadb_only
def test_the_target_spelled_differently_is_refused_too(mariadb_source: tuple[str, Engine]
                                                      ) -> None:
    name, engine = mariadb_source
    before = row_counts(engine)
    socket = server_socket(engine)
    target = (f"mysql+pymysql://root@localhost/{name}?unix_socket={socket}" if socket
              else server_spellings(name)["localhost"])
    done = run_cli("mirror", "--from", url_of(name), "--yes", env={"DATABASE_URL": target})
    assert_one_line_error(done, "the same database")
    assert row_counts(engine) == before


@pytest.mark.mariadb_only
def test_a_source_that_is_the_targets_staging_schema_is_refused(dev_name: str) -> None:
    """The copy is staged in <target>__mirror_new, dropped first: that must not be the source."""
    mariadb_reachable_or_skip()
    source_url = url_of(dev_name + "__mirror_new")
    server = make_engine(MARIADB_SERVER_URL)
    with server.begin() as conn:
        conn.execute(text(f"CREATE DATABASE `{dev_name}__mirror_new`"))
        conn.execute(text(f"CREATE DATABASE `{dev_name}`"))
    server.dispose()
    source = make_engine(source_url)
    try:
        fill_small(source)
        before = row_counts(source)
        done = run_cli("mirror", "--from", source_url, "--yes",
                       env={"DATABASE_NAME": dev_name})
        assert_one_line_error(done, "the same database")
        assert row_counts(source) == before
    finally:
        source.dispose()


def sqlite_spellings(path: Path) -> dict[str, str]:
    link = path.with_name("link.sqlite3")
    link.symlink_to(path.name)
    hard = path.with_name("hard.sqlite3")
    os.link(path, hard)
    dotted = path.parent / ".." / path.parent.name / path.name
    return {"relative": f"sqlite:///{os.path.relpath(path, BACKEND)}",
            "through ..": f"sqlite:///{dotted}",
            "symlink": f"sqlite:///{link}",
            "hard link": f"sqlite:///{hard}"}


@pytest.mark.parametrize("spelling", ["relative", "through ..", "symlink", "hard link"])
def test_a_sqlite_source_spelled_differently_is_refused(
    sqlite_source: Path, tmp_path: Path, spelling: str,
) -> None:
    path = tmp_path / "dev.sqlite3"
    path.write_bytes(sqlite_source.read_bytes())
    digest = sha256(path)
    done = run_cli("mirror", "--from", sqlite_spellings(path)[spelling], "--yes",
                   env={"DATABASE_URL": f"sqlite:///{path}"})
    assert_one_line_error(done, "the same database")
    assert sha256(path) == digest
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert row_counts(engine)["ride_status_snapshots"] > 0
    finally:
        engine.dispose()
    assert not path.with_name("dev.sqlite3.mirror-new").exists()


# --- production by name ----------------------------------------------------------------------


def test_the_production_name_is_a_setting_defaulting_to_the_deployments() -> None:
    example = (BACKEND.parent / "deployment" / "themepark-tracker.env.example").read_text()
    assert "DATABASE_NAME=themepark_tracker\n" in example
    assert Settings.from_env({}).production_database_name == "themepark_tracker"
    assert Settings.from_env({"PRODUCTION_DATABASE_NAME": "live"}).production_database_name \
        == "live"


@pytest.mark.parametrize("name", ["themepark_tracker", "ThemePark_Tracker"])
def test_the_default_production_name_is_refused_before_anything_is_opened(
    name: str, tmp_path: Path,
) -> None:
    # A source that does not exist: the refusal must come first, from the name alone, and
    # the production database is never connected to.
    missing = tmp_path / "missing.sqlite3"
    done = run_cli("mirror", "--from", f"sqlite:///{missing}", "--yes",
                   env={"DATABASE_NAME": name})
    assert_one_line_error(done, f"refusing to write to '{name}'", "production database")


@pytest.mark.mariadb_only
def test_a_configured_production_name_is_refused(mariadb_source: tuple[str, Engine]) -> None:
    name, engine = mariadb_source
    live = f"tpt_test_live_{os.getpid()}"
    done = run_cli("mirror", "--from", url_of(name), "--yes",
                   env={"DATABASE_NAME": live, "PRODUCTION_DATABASE_NAME": live.upper()})
    assert_one_line_error(done, f"refusing to write to '{live}'", "PRODUCTION_DATABASE_NAME")
    assert not database_exists(live) and not database_exists(live + "__mirror_new")


# --- D9: a copy that fails halfway -----------------------------------------------------------


def broken_copy(source: Path, into: Path) -> Path:
    """A copy of ``source`` whose last copied table has a datetime nothing can parse (D9)."""
    with sqlite3.connect(source) as good, sqlite3.connect(into) as bad:
        good.backup(bad)
        bad.execute("UPDATE ride_hourly_stats SET created_at = 'not-a-date' "
                    "WHERE rowid = (SELECT MAX(rowid) FROM ride_hourly_stats)")
    return into


def test_a_sqlite_copy_failing_halfway_leaves_the_target_byte_for_byte(
    sqlite_source: Path, tmp_path: Path,
) -> None:
    target = tmp_path / "dev.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{target}"}
    # An existing target (in WAL mode, a table of its own) is replaced by a good copy.
    existing = make_engine(f"sqlite:///{target}")
    with existing.begin() as conn:
        conn.execute(text("CREATE TABLE marker (n INTEGER)"))
    existing.dispose()
    good = run_cli("mirror", "--from", f"sqlite:///{sqlite_source}", "--yes", env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    source = make_engine(f"sqlite:///{sqlite_source}")
    copied = make_engine(f"sqlite:///{target}")
    try:
        expected = row_counts(source)
        assert row_counts(copied) == {**expected, "job_locks": 0}
        assert expected["ride_hourly_stats"] > 0
    finally:
        source.dispose()
        copied.dispose()

    digest = sha256(target)
    broken = broken_copy(sqlite_source, tmp_path / "broken.sqlite3")
    done = run_cli("mirror", "--from", f"sqlite:///{broken}", "--yes", env=env)
    assert sha256(target) == digest
    assert sorted(p.name for p in tmp_path.iterdir() if "mirror" in p.name) == []
    assert_one_line_error(done, "copying ride_hourly_stats failed", "not-a-date",
                          "is unchanged")


@pytest.mark.mariadb_only
def test_a_mariadb_copy_failing_halfway_leaves_the_target_row_for_row(
    sqlite_source: Path, tmp_path: Path, dev_name: str,
) -> None:
    mariadb_reachable_or_skip()
    server = make_engine(MARIADB_SERVER_URL)
    with server.begin() as conn:
        conn.execute(text(f"CREATE DATABASE `{dev_name}`"))
    server.dispose()
    env = {"DATABASE_NAME": dev_name}
    good = run_cli("mirror", "--from", f"sqlite:///{sqlite_source}", "--yes", env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    target = make_engine(url_of(dev_name))
    try:
        before = row_counts(target)
        assert before["ride_hourly_stats"] > 0
        with target.connect() as conn:
            checksums = conn.execute(text("CHECKSUM TABLE " + ", ".join(before))).all()
        target.dispose()

        broken = broken_copy(sqlite_source, tmp_path / "broken.sqlite3")
        done = run_cli("mirror", "--from", f"sqlite:///{broken}", "--yes", env=env)
        assert row_counts(target) == before
        with target.connect() as conn:
            assert conn.execute(text("CHECKSUM TABLE " + ", ".join(before))).all() == checksums
    finally:
        target.dispose()
    assert not any(database_exists(dev_name + suffix) for suffix in HELPERS)
    assert_one_line_error(done, "copying ride_hourly_stats failed", "is unchanged")


def test_a_sqlite_target_open_elsewhere_is_not_replaced(sqlite_source: Path, tmp_path: Path
                                                        ) -> None:
    target = tmp_path / "dev.sqlite3"
    held = make_engine(f"sqlite:///{target}")
    try:
        with held.connect() as conn:  # a running server's connection, say
            conn.execute(text("CREATE TABLE marker (n INTEGER)"))
            conn.commit()
            done = run_cli("mirror", "--from", f"sqlite:///{sqlite_source}", "--yes",
                           env={"DATABASE_URL": f"sqlite:///{target}"})
            assert_one_line_error(done, "open in another process", "is unchanged")
            assert inspect(conn).get_table_names() == ["marker"]
    finally:
        held.dispose()
    assert not target.with_name("dev.sqlite3.mirror-new").exists()


# --- D13: a URL that names no database this command can read ---------------------------------


@pytest.mark.parametrize(("url", "message"), [
    ("http://example.com/db", "'http' is not a database this command reads"),
    ("oracle://u@127.0.0.1/db", "'oracle' is not a database this command reads"),
    ("postgresql://u:secret@127.0.0.1:5999/db", "'postgresql' is not a database"),
    ("mysql+nodriver://root@127.0.0.1/db", "unknown database dialect or driver"),
    ("mysql+pymysql://root@127.0.0.1:notaport/db", "is not a database URL"),
    ("", "is not a database URL"),
])
def test_a_url_of_no_usable_database_gets_one_line(url: str, message: str, tmp_path: Path
                                                   ) -> None:
    done = run_cli("mirror", "--from", url, "--dry-run",
                   env={"DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"})
    assert_one_line_error(done, message)
    assert "secret" not in done.stderr


def test_an_audit_mismatch_keeps_the_target(sqlite_source: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The copy is audited before it replaces anything: a table that came out short (here one
    park_schedules row lost on the way in) leaves the target as it was."""
    from themepark_tracker.mirror import mirror, open_source, plan_mirror, run

    real_insert = run.bulk_insert

    def lossy(conn: Any, table: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> int:
        return real_insert(conn, table, columns,
                           rows[1:] if table.name == "park_schedules" else rows)

    monkeypatch.setattr(run, "bulk_insert", lossy)
    path = tmp_path / "dev.sqlite3"
    target = make_engine(f"sqlite:///{path}")
    source = open_source(f"sqlite:///{sqlite_source}")
    try:
        with target.begin() as conn:
            conn.execute(text("CREATE TABLE marker (n INTEGER)"))
        report = mirror(source, target, plan_mirror(source, target, None))
        assert (report.ok, report.replaced) == (False, False)
        lines = {line.table: line for line in report.lines}
        assert lines["park_schedules"].source[0] == lines["park_schedules"].target[0] + 1
        assert [name for name, line in lines.items() if not line.ok] == ["park_schedules"]
        assert "the target was not replaced" in report.describe()
        assert inspect(target).get_table_names() == ["marker"]
    finally:
        source.dispose()
        target.dispose()
    assert not path.with_name("dev.sqlite3.mirror-new").exists()
