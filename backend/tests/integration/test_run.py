"""``themepark run`` as a real subprocess against the fake upstream, with a cycle every few
seconds (COLLECTION_PERIOD_SECONDS; the metric interval I stays 5 minutes): it collects every
cycle, survives ``kill -9`` mid-cycle without losing or duplicating anything, aggregates the
hour that has just finished, and reports itself healthy."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from tests.upstream import MK_WIKI, FakeUpstream, serve_upstream
from themepark_tracker.aggregate.verify import verify
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t
from themepark_tracker.queries.health import health_report
from themepark_tracker.timeutil import HOUR, floor_hour, utcnow
from themepark_tracker.web import create_app

pytestmark = pytest.mark.slow

BACKEND = Path(__file__).resolve().parents[2]
PERIOD = 2  # seconds between cycles
MK_LIVE = f"/wiki/entity/{MK_WIKI}/live"
#: Ride snapshots per park cycle in the fixtures (attractions the catalogue knows).
RIDES_PER_CYCLE = {"Magic Kingdom Park": 6, "California's Great America": 3,
                   "Universal Studios Florida": 2, "Europa-Park": 3}


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with serve_upstream() as fake:
        yield fake


class Proc:
    """A ``themepark run`` (or tests/run_shifted.py) subprocess with its output in a file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("ab")
        self.popen = subprocess.Popen(args, env=env, cwd=BACKEND, stdout=self._out,
                                      stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        code = self.popen.wait(timeout=60)
        self._out.close()
        return code


def run_env(engine: Engine, upstream: FakeUpstream) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_NAME", "DATABASE_URL", "COLLECTION_INTERVAL_MINUTES"}}
    env.update(upstream.env())
    env.update({"DATABASE_URL": engine.url.render_as_string(hide_password=False),
                "COLLECTION_PERIOD_SECONDS": str(PERIOD), "HTTP_RETRIES": "0",
                "HTTP_TIMEOUT_SECONDS": "20", "PYTHONPATH": f"{BACKEND / 'src'}:{BACKEND}"})
    return env


def wait_for(what: str, condition: Callable[[], bool], proc: Proc, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if proc.popen.poll() is not None:
            pytest.fail(f"the scheduler exited ({proc.popen.returncode}) before {what}:\n"
                        + proc.output())
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n" + proc.output())


def cycles(engine: Engine) -> dict[tuple[str, datetime], int]:
    """Ride snapshots per (park, recorded_at)."""
    rss = t.ride_status_snapshots
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.parks.c.name, rss.c.recorded_at, func.count())
            .join(t.parks, t.parks.c.park_id == rss.c.park_id)
            .group_by(t.parks.c.name, rss.c.recorded_at)).all()
    return {(name, at): n for name, at, n in rows}


def park_snapshots(engine: Engine) -> list[tuple[int, datetime]]:
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(pas.c.park_id, pas.c.recorded_at))]


def instants(engine: Engine) -> set[datetime]:
    return {at for _, at in cycles(engine)}


def all_rows(engine: Engine) -> set[tuple[Any, ...]]:
    rss = t.ride_status_snapshots
    with engine.connect() as conn:
        return {tuple(r) for r in conn.execute(
            select(rss.c.ride_id, rss.c.recorded_at, rss.c.status, rss.c.wait_time))}


def test_run_collects_every_cycle_and_a_kill_loses_and_duplicates_nothing(
        engine: Engine, upstream: FakeUpstream, tmp_path: Path) -> None:
    env = run_env(engine, upstream)
    command = [sys.executable, "-m", "themepark_tracker", "run"]
    first = Proc(command, env, tmp_path / "run1.log")
    wait_for("three cycles", lambda: len(instants(engine)) >= 3, first)

    # Make the next cycle hang on one park, and kill -9 while it does.
    hits = len(upstream.hits(MK_LIVE))
    upstream.slow(MK_LIVE, 5)
    wait_for("a cycle in progress", lambda: len(upstream.hits(MK_LIVE)) > hits, first)
    time.sleep(0.5)
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    before = all_rows(engine)
    stored = instants(engine)
    with engine.connect() as conn:
        assert conn.scalar(select(t.job_locks.c.name)) == "collect"  # left behind by the kill

    upstream.reset()
    second = Proc(command, env, tmp_path / "run2.log")
    wait_for("three more cycles", lambda: len(instants(engine) - stored) >= 3, second)
    settings = Settings.from_env(env)
    report = health_report(engine, settings)
    api_health = create_app(settings).test_client().get("/api/health")  # as a monitor sees it
    assert second.stop() == 0, second.output()
    assert "Released lock 'collect'" in second.output()

    # Nothing lost: every row stored before the kill is still there, unchanged.
    assert before <= all_rows(engine)
    # Every park cycle is whole, and there is one per park per slot: no duplicates.
    per_cycle = cycles(engine)
    assert all(n == RIDES_PER_CYCLE[name] for (name, _), n in per_cycle.items()), per_cycle
    snaps = park_snapshots(engine)
    assert len(snaps) == len(set(snaps)) == len(per_cycle)
    slots = sorted(instants(engine))
    assert all((b - a).total_seconds() >= PERIOD for a, b in zip(slots, slots[1:], strict=False))
    assert all(at.second % PERIOD == 0 for at in slots)  # stamped with their slot's start
    # Every cycle of every park: each instant has all four parks, except perhaps the one the
    # kill interrupted (parks are ingested one by one) and it holds whole park cycles only.
    by_instant: dict[datetime, int] = {}
    for _, at in per_cycle:
        by_instant[at] = by_instant.get(at, 0) + 1
    assert sum(1 for n in by_instant.values() if n != 4) <= 1, by_instant

    assert report["status"] == "ok", report
    assert report["collection"]["stale_after_seconds"] == 3 * PERIOD
    assert api_health.status_code == 200, api_health.get_json()

    status = subprocess.run([sys.executable, "-m", "themepark_tracker", "status"], env={
        **env, "COLLECTION_PERIOD_SECONDS": "3600"}, cwd=BACKEND, capture_output=True,
        text=True, timeout=60)
    assert status.returncode == 0, status.stdout + status.stderr
    assert json.loads(status.stdout)["status"] == "ok"


def test_run_aggregates_the_hour_that_has_just_finished(
        engine: Engine, upstream: FakeUpstream, tmp_path: Path) -> None:
    # The scheduler's clock starts 8 seconds before the next hour; the fake upstream's too.
    real = utcnow()
    offset = (floor_hour(real) + HOUR - timedelta(seconds=8)) - real
    upstream.now = lambda: utcnow() + offset
    env = run_env(engine, upstream)
    proc = Proc([sys.executable, str(BACKEND / "tests" / "run_shifted.py"),
                 str(offset.total_seconds())], env, tmp_path / "shifted.log")
    finished = floor_hour(real + offset)  # the hour about to end on the shifted clock

    def aggregated() -> bool:
        with engine.connect() as conn:
            return bool(conn.scalar(select(func.count()).select_from(t.park_hourly_stats)
                                    .where(t.park_hourly_stats.c.hour_start_utc == finished)))

    wait_for("the finished hour's aggregate", aggregated, proc)
    wait_for("a cycle after the hour", lambda: max(instants(engine)) >= finished + HOUR, proc)
    settings = Settings.from_env(env)
    report = health_report(engine, settings, now=utcnow() + offset)
    assert proc.stop() == 0, proc.output()

    in_hour = {(name, at): n for (name, at), n in cycles(engine).items()
               if finished <= at < finished + HOUR}
    assert in_hour, "cycles before the hour ended"
    with engine.connect() as conn:
        rows = {r.name: r.snapshot_count for r in conn.execute(
            select(t.parks.c.name, t.park_hourly_stats.c.snapshot_count)
            .join(t.parks, t.parks.c.park_id == t.park_hourly_stats.c.park_id)
            .where(t.park_hourly_stats.c.hour_start_utc == finished))}
    expected = {name: sum(1 for (n, _) in in_hour if n == name) for name in RIDES_PER_CYCLE}
    assert rows == expected
    # The aggregate equals a recomputation from the raw snapshots.
    check = verify(engine, settings.collection_interval_minutes, days=1,
                   now=finished + HOUR + timedelta(minutes=1))
    assert check.ok, check.describe()
    assert check.rows_checked >= 4 and check.pending_hours == 0
    assert report["status"] == "ok", report
    assert report["hourly_aggregation"]["newest_hour"] == finished.strftime("%Y-%m-%dT%H:%M:%SZ")
