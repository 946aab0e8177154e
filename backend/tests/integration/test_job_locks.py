"""Job locks (db/lock.py) on SQLite and MariaDB: renewed while held, taken over from a holder
that stopped, waited for by the catalogue and schedule syncs; and two catalogue syncs started
together against the fake upstream (a real local HTTP server) store every park once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, Engine, func, select

from tests.upstream import FIXTURES, FakeUpstream, serve_upstream
from themepark_tracker.cli import main
from themepark_tracker.collect import catalog, schedules
from themepark_tracker.collect.catalog import sync_catalog
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t
from themepark_tracker.db.lock import LockHeld, job_lock
from themepark_tracker.timeutil import utcnow

FOREVER = datetime(2100, 1, 1)
T0 = datetime(2025, 12, 5, 15, 0)  # 10:00 in Orlando


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with serve_upstream() as fake:
        yield fake


def settings_for(engine: Engine, upstream: FakeUpstream) -> Settings:
    url = engine.url.render_as_string(hide_password=False)
    return replace(upstream.settings(Settings(database_url=url)), http_retries=0)


def hold(engine: Engine, name: str, owner: str, expires_at: datetime) -> None:
    """A lock row as another run would have left it."""
    with engine.begin() as conn:
        conn.execute(t.job_locks.insert().values(name=name, owner=owner,
                                                 acquired_at=utcnow(), expires_at=expires_at))


def lock_rows(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [(r.name, r.owner) for r in conn.execute(select(t.job_locks))]


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def free(engine: Engine, name: str) -> bool:
    """Whether another taker gets the lock now (and lets it go again)."""
    try:
        with job_lock(engine, name):
            return True
    except LockHeld:
        return False


# --- renewal and takeover ---------------------------------------------------------------------


def test_a_lock_is_renewed_while_its_body_runs_past_the_ttl(engine: Engine) -> None:
    ttl = timedelta(seconds=3)
    refused = 0
    with job_lock(engine, "backfill-like", ttl=ttl):
        acquired = utcnow()
        started = time.monotonic()
        while time.monotonic() - started < 7:  # more than twice the TTL
            assert not free(engine, "backfill-like"), \
                f"taken by another run {time.monotonic() - started:.1f} s into a 3 s TTL"
            refused += 1
            time.sleep(0.25)
        with engine.connect() as conn:
            expires = conn.scalar(select(t.job_locks.c.expires_at))
        assert expires >= acquired + timedelta(seconds=6)  # pushed on by the heartbeat
    assert refused >= 20
    assert lock_rows(engine) == []
    assert free(engine, "backfill-like")  # free right after the body
    assert not [th for th in threading.enumerate() if th.name == "lock-backfill-like"]


def test_an_expired_lock_of_a_crashed_run_is_taken_over(engine: Engine) -> None:
    hold(engine, "aggregate-daily", "gone-host:4242", utcnow() - timedelta(seconds=5))
    with job_lock(engine, "aggregate-daily"):
        assert lock_rows(engine) == [("aggregate-daily", f"{socket.gethostname()}:{os.getpid()}")]
    assert lock_rows(engine) == []


def test_a_waiting_run_takes_the_lock_when_the_holder_stops_renewing(engine: Engine) -> None:
    hold(engine, "catalog", "gone-host:4242", utcnow() + timedelta(seconds=2))
    with pytest.raises(LockHeld, match="another 'catalog' run holds the lock by gone-host:4242"), \
            job_lock(engine, "catalog"):
        pass
    started = time.monotonic()
    with job_lock(engine, "catalog", wait=timedelta(seconds=20)):
        waited = time.monotonic() - started
        assert lock_rows(engine) == [("catalog", f"{socket.gethostname()}:{os.getpid()}")]
    assert 0.5 < waited < 10


def test_a_lock_of_a_dead_process_of_this_host_is_taken_over_at_once(engine: Engine) -> None:
    hold(engine, "schedules", f"{socket.gethostname()}:{dead_pid()}", FOREVER)
    with job_lock(engine, "schedules"):
        assert lock_rows(engine) == [("schedules", f"{socket.gethostname()}:{os.getpid()}")]
    hold(engine, "schedules", f"{socket.gethostname()}:{os.getpid()}", FOREVER)  # alive
    assert not free(engine, "schedules")


# --- the catalogue and schedule syncs ---------------------------------------------------------


def _without_park(data: Any, qt_id: int) -> Any:
    for operator in data:
        operator["parks"] = [p for p in operator["parks"] if p["id"] != qt_id]
    return data


def _block_writes(conn: Connection) -> None:
    """Make writers of new parks wait (readers go on) until ``conn`` ends its transaction."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DELETE FROM job_locks WHERE 1 = 0")  # takes SQLite's write lock
    else:  # a next-key lock on the (empty) parks table: inserts into it wait
        conn.execute(select(t.parks.c.park_id).with_for_update())


def _qt_ride_ids(park: int) -> set[int]:
    data = json.loads((FIXTURES / "queue_times" / "parks" / str(park) / "queue_times.json")
                      .read_text("utf-8"))
    return {r["id"] for r in data["rides"]} | {
        r["id"] for land in data["lands"] for r in land["rides"]}


def test_two_catalogue_syncs_at_once_store_every_park_once_under_its_own_id(
        engine: Engine, upstream: FakeUpstream) -> None:
    # Queue-Times' park list changes between the two syncs' requests: the first sees no
    # California's Great America (57), the second no Universal Studios Florida (65). Each,
    # alone, would number its three parks 1-3.
    served = []
    guard = threading.Lock()

    def changing(data: Any) -> Any:
        with guard:
            served.append(1)
            n = len(served)
        return _without_park(data, {1: 57, 2: 65}[n]) if n <= 2 else data

    upstream.transform("/qt/parks.json", changing)
    settings = settings_for(engine, upstream)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            sync_catalog(engine, settings)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    with engine.connect() as blocker:
        blocker.begin()
        _block_writes(blocker)  # both syncs fetch and read before either can write
        threads = [threading.Thread(target=run) for _ in range(2)]
        for th in threads:
            th.start()
        deadline = time.monotonic() + 3
        while len(upstream.hits("/qt/parks.json")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)
    for th in threads:
        th.join(timeout=120)
    assert errors == []
    assert len(upstream.hits("/qt/parks.json")) == 2

    with engine.connect() as conn:
        stored = conn.execute(select(t.parks.c.park_id, t.parks.c.name,
                                     t.parks.c.queue_times_id)).all()
        ride_parks = dict(conn.execute(select(t.rides.c.queue_times_id, t.rides.c.park_id)
                                       .where(t.rides.c.queue_times_id.is_not(None))).all())
    assert sorted((r.name, r.queue_times_id) for r in stored) == [
        ("California's Great America", 57), ("Europa-Park", None),
        ("Magic Kingdom Park", 6), ("Universal Studios Florida", 65)]
    assert len({r.park_id for r in stored}) == 4
    id_of = {r.queue_times_id: r.park_id for r in stored}
    for qt_park in (57, 65):  # each Queue-Times-only park's rides hang under that park
        assert {ride_parks[ride] for ride in _qt_ride_ids(qt_park)} == {id_of[qt_park]}


def test_collect_refuses_clearly_when_a_sync_holds_the_lock_past_the_wait(
        engine: Engine, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "CATALOG_LOCK_WAIT", timedelta(seconds=1))
    monkeypatch.setattr(schedules, "SCHEDULES_LOCK_WAIT", timedelta(seconds=1))
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False), **upstream.env()}
    hold(engine, "catalog", "other-host:77", FOREVER)
    result = CliRunner().invoke(main, ["collect", "--catalog"], env=env)
    assert result.exit_code == 1
    assert ("Error: another 'catalog' run holds the lock by other-host:77 since "
            in result.output)
    assert "waited 1 s for it; try again when it has finished" in result.output
    assert "Traceback" not in result.output
    assert count(engine, t.parks) == 0

    with engine.begin() as conn:
        conn.execute(t.job_locks.delete())
    assert CliRunner().invoke(main, ["collect", "--catalog"], env=env).exit_code == 0
    hold(engine, "schedules", "other-host:78", FOREVER)
    result = CliRunner().invoke(main, ["collect", "--schedules"], env=env)
    assert result.exit_code == 1
    assert "Error: another 'schedules' run holds the lock by other-host:78" in result.output
    assert "Traceback" not in result.output
    assert count(engine, t.park_schedules) == 0

    # The fixture's opening windows are for early December 2025: refresh as of then.
    with pytest.raises(LockHeld, match="another 'schedules' run holds the lock"):
        schedules.refresh_schedules(engine, settings_for(engine, upstream), now=T0)
    assert count(engine, t.park_schedules) == 0
    with engine.begin() as conn:
        conn.execute(t.job_locks.delete())
    schedules.refresh_schedules(engine, settings_for(engine, upstream), now=T0)
    assert count(engine, t.park_schedules) > 0
    assert lock_rows(engine) == []
