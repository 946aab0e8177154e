"""Shared fixtures: the same integration tests run on SQLite and on MariaDB.

MariaDB tests use a throwaway database created for the test session and dropped after it.
Nothing here ever touches a database named ``*_dev`` or containing ``prod``. When MariaDB is
unreachable the MariaDB half is skipped, except under ``CI=true``, where that is a failure
(``require``, the one place that rule lives).

Markers (``pyproject.toml``): every test that uses a database (any test under ``integration/``,
and any test that asks for the ``engine`` fixture) is marked ``db`` here, so
``pytest -m "not db and not browser"`` is the pure, fast run. A test marked ``mariadb_only``
that runs on the ``engine`` fixture has its SQLite half deselected (never a skip).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, text

from themepark_tracker.db import tables
from themepark_tracker.db.engine import make_engine
from themepark_tracker.db.migrate import upgrade

MARIADB_SERVER_URL = os.environ.get(
    "TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/?charset=utf8mb4"
)


def assert_throwaway(name: str) -> None:
    if name.endswith("_dev") or "prod" in name:
        raise RuntimeError(f"refusing to touch database {name!r} from the test suite")


def require(condition: bool, message: str) -> None:
    """Something the environment must provide (a server, a program): without it the test is
    skipped, except under ``CI=true``, where a missing piece is a failure, never a skip."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true)")
    pytest.skip(message)


@pytest.fixture
def redis_url() -> str:
    """A Redis database for the tests (``TEST_REDIS_URL``, default database 15 on the local
    server): required under CI, skipped without it elsewhere."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        error = None
    except redis.RedisError as exc:
        error = exc
    require(error is None, f"Redis is unreachable at {url}: {error}")
    return url


def mariadb_reachable_or_skip() -> None:
    server = make_engine(MARIADB_SERVER_URL)
    error: Exception | None = None
    try:
        with server.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "unreachable"
        error = exc
    finally:
        server.dispose()
    require(error is None, f"MariaDB is unreachable: {error}")


_INTEGRATION = Path(__file__).parent / "integration"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark database tests ``db``; leave out (deselect, not skip) the SQLite half of
    ``mariadb_only`` tests: there is nothing to run there, so nothing is skipped."""
    keep, dropped = [], []
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "session_engine" in fixtures or Path(str(item.path)).is_relative_to(_INTEGRATION):
            item.add_marker(pytest.mark.db)
        callspec = getattr(item, "callspec", None)
        on_sqlite = callspec is not None and callspec.params.get("session_engine") == "sqlite"
        if on_sqlite and item.get_closest_marker("mariadb_only") is not None:
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def create_throwaway_mariadb(prefix: str = "tpt_test") -> str:
    """Create an empty database and return its URL."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    assert_throwaway(name)
    server = make_engine(MARIADB_SERVER_URL)
    with server.begin() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    server.dispose()
    return MARIADB_SERVER_URL.replace("/?", f"/{name}?")


def drop_throwaway_mariadb(url: str) -> None:
    name = url.split("/")[-1].split("?")[0]
    assert_throwaway(name)
    server = make_engine(MARIADB_SERVER_URL)
    with server.begin() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    server.dispose()


# The schema comes from the Alembic revisions, as in production (test_migrations.py checks
# that they build exactly tables.metadata).
@pytest.fixture(scope="session", params=["sqlite", "mariadb"])
def session_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "test.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    mariadb_reachable_or_skip()
    url = create_throwaway_mariadb()
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        drop_throwaway_mariadb(url)


@pytest.fixture
def engine(session_engine: Engine) -> Iterator[Engine]:
    """An empty schema on the dialect under test; emptied again after the test."""
    yield session_engine
    with session_engine.begin() as conn:
        for table in reversed(tables.metadata.sorted_tables):
            conn.execute(delete(table))


@pytest.fixture
def make_api(engine: Engine) -> Iterator[Any]:
    """``make_api(now, **settings)`` -> a Flask test client of the API over the database under
    test, with "now" pinned."""
    from themepark_tracker.config import Settings
    from themepark_tracker.web import create_app

    apps = []

    def build(now: datetime, **overrides: Any) -> Any:
        url = engine.url.render_as_string(hide_password=False)
        settings = Settings(database_url=url, **overrides)
        app = create_app(settings, clock=lambda: now)
        apps.append(app)
        return app.test_client()

    yield build
    for app in apps:
        app.extensions["themepark"].engine.dispose()
