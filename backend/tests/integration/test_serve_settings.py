"""What ``themepark serve`` hands its workers: each worker builds its settings with
``Settings.from_env`` from the environment ``worker_environment`` gives it, so that
environment must give back exactly the settings the command checked, or be refused; and
``TRUSTED_PROXIES`` decides whether ``X-Forwarded-For`` names the client."""

from __future__ import annotations

import dataclasses
import resource
from pathlib import Path

import pytest
from flask import Flask

from themepark_tracker.config import Settings
from themepark_tracker.db.engine import make_engine
from themepark_tracker.db.migrate import upgrade
from themepark_tracker.errors import UserError
from themepark_tracker.web.serve import (
    CONNECTIONS_PER_WORKER,
    TRUSTED_PROXIES,
    granian_argv,
    raise_open_files_limit,
    trusted_proxies,
    worker_app,
    worker_environment,
)


def test_settings_from_the_environment_reach_the_workers_unchanged() -> None:
    env = {"DATABASE_NAME": "tpt_x", "DB_PASSWORD": "s3cret", "CACHE_URL": "none",
           "API_RATE_LIMIT": "off", "USE_HOURLY_TABLES": "false",
           "COLLECTION_INTERVAL_MINUTES": "10", "HTTP_RETRIES": "0", "PATH": "/bin"}
    settings = Settings.from_env(env)
    out = worker_environment(settings, env)
    assert Settings.from_env(out) == settings
    assert out["PATH"] == "/bin"


def test_settings_changed_in_code_reach_the_workers() -> None:
    """The reason for the function: before, only DATABASE_URL was written, so a setting
    changed after reading the environment silently reverted in the workers."""
    settings = dataclasses.replace(
        Settings.from_env({}), cache_url="redis://127.0.0.1:6379/13",
        api_rate_limit="20/second", use_hourly_tables=False, collection_interval_minutes=15,
    ).with_database("sqlite:////tmp/x.sqlite3")
    out = worker_environment(settings, {"CACHE_URL": "none", "API_RATE_LIMIT": "off"})
    carried = Settings.from_env(out)
    assert carried == settings
    assert carried.cache_url == "redis://127.0.0.1:6379/13"
    assert carried.api_rate_limit == "20/second"


def test_settings_the_environment_cannot_carry_are_refused_by_name() -> None:
    settings = dataclasses.replace(Settings.from_env({}), cache_ttl_seconds=60)
    with pytest.raises(UserError, match="cache_ttl_seconds"):
        worker_environment(settings, {})


def test_granian_is_told_the_workers_threads_and_access_log() -> None:
    argv = granian_argv("127.0.0.1", 5009, 3, 5, access_log=False)
    assert argv[1:3] == ["-m", "granian"]
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--blocking-threads") + 1] == "5"
    assert argv[argv.index("--port") + 1] == "5009"
    assert argv[argv.index("--backpressure") + 1] == str(CONNECTIONS_PER_WORKER)
    assert "--no-access-log" in argv and "--access-log" not in argv
    assert "--access-log" in granian_argv("127.0.0.1", 5009, 1, 1)


def test_open_files_limit_is_lifted_for_the_workers_connections() -> None:
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        soft, hard = before
        if hard != resource.RLIM_INFINITY and hard < 2048:
            pytest.skip(f"hard limit on open files is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
        got = raise_open_files_limit(1)
        assert got > 1024
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == got
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, before)


@pytest.fixture
def limited_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a worker's environment holds: a migrated SQLite file, two requests a minute."""
    database = tmp_path / "proxy.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    engine.dispose()
    for name in ("DATABASE_NAME", "CACHE_URL", TRUSTED_PROXIES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("API_RATE_LIMIT", "2 per minute")


def statuses(app: Flask, forwarded_for: list[str]) -> list[int]:
    client = app.test_client()
    return [client.get("/api/openapi.json", headers={"X-Forwarded-For": ip}).status_code
            for ip in forwarded_for]


def test_behind_a_trusted_proxy_each_client_has_its_own_rate_limit(
        limited_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TRUSTED_PROXIES, "1")
    got = statuses(worker_app(), ["203.0.113.7", "203.0.113.7", "203.0.113.7",
                                  "198.51.100.2"])
    assert got == [200, 200, 429, 200]


def test_without_trusted_proxies_x_forwarded_for_is_ignored(limited_env: None) -> None:
    """Rotating the header must not buy a client a fresh bucket (probe 1.40)."""
    got = statuses(worker_app(), ["203.0.113.7", "198.51.100.2", "192.0.2.9"])
    assert got == [200, 200, 429]


@pytest.mark.parametrize("raw", ["127.0.0.1", "-1", "6", "one"])
def test_a_trusted_proxies_value_that_is_not_a_small_count_is_refused(raw: str) -> None:
    with pytest.raises(UserError, match=TRUSTED_PROXIES):
        trusted_proxies({TRUSTED_PROXIES: raw})
