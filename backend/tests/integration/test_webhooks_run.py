"""Webhooks from a real ``themepark run`` (a subprocess, a cycle every 2 s, against the fake
upstream and a real local receiver), on SQLite and MariaDB: a breakdown steered in the feed
gives exactly one signed ride.down (after ALERT_MIN_DOWN_CYCLES) and one ride.up; and a
``kill -9`` in the middle of deliveries, then a restart, loses no event and repeats one only
with its own id, each subscription's events still in order."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from tests.integration.test_run import BACKEND, MK_LIVE, Proc, run_env, wait_for
from tests.upstream import FakeUpstream, serve_upstream, set_live
from tests.webhook_support import Receiver, add_event, serve_receiver, verify
from themepark_tracker.db import tables as t
from themepark_tracker.timeutil import utcnow

pytestmark = pytest.mark.slow


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with serve_upstream() as fake:
        yield fake


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve_receiver() as found:
        yield found


def env_for(engine: Engine, upstream: FakeUpstream) -> dict[str, str]:
    return {**run_env(engine, upstream), "WEBHOOK_ALLOW_PRIVATE": "true",
            "WEBHOOK_POLL_SECONDS": "0.2", "WEBHOOK_RETRY_BASE_SECONDS": "0.2",
            "ALERT_MIN_DOWN_CYCLES": "2"}


def themepark(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "themepark_tracker", *args], env=env,
                          cwd=BACKEND, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def secret_of(output: str) -> str:
    found = re.search(r"Secret \(shown only now[^)]*\): ([0-9a-f]{64})", output)
    assert found, output
    return found.group(1)


def ride_id(engine: Engine, name: str) -> int:
    with engine.connect() as conn:
        found = conn.scalar(select(t.rides.c.ride_id).where(t.rides.c.name == name))
    assert found is not None
    return int(found)


def test_a_breakdown_is_one_signed_ride_down_and_one_ride_up(
        engine: Engine, upstream: FakeUpstream, receiver: Receiver, tmp_path: Path) -> None:
    # Cycles 5 s apart: the events of a cycle are derived in a thread of their own, and on
    # SQLite a cycle committing meanwhile makes that derivation fail (it is tried again at
    # the next cycle); 2 s left it no room on a loaded machine.
    env = {**env_for(engine, upstream), "COLLECTION_PERIOD_SECONDS": "5"}
    proc = Proc([sys.executable, "-m", "themepark_tracker", "run"], env, tmp_path / "run.log")
    try:
        wait_for("the catalogue", lambda: _has_ride(engine, "Space Mountain"), proc)
        space = ride_id(engine, "Space Mountain")
        down = secret_of(themepark(env, "webhooks", "add", receiver.url, "--event",
                                   "ride.down", "--ride", str(space)))
        up = secret_of(themepark(env, "webhooks", "add", receiver.url, "--event", "ride.up",
                                 "--ride", str(space), "--format", "slack"))
        upstream.transform(MK_LIVE, lambda d: set_live(d, "space", "DOWN"))
        wait_for("the ride.down", lambda: len(receiver.received) >= 1, proc)
        upstream.reset()
        wait_for("the ride.up", lambda: len(receiver.received) >= 2, proc)
        time.sleep(5)  # two more cycles: nothing else may arrive
    finally:
        assert proc.stop() == 0, proc.output()
    assert len(receiver.received) == 2, [r.body for r in receiver.received]
    first, second = receiver.received
    assert verify(down, first) and not verify(up, first)
    assert first.json()["type"] == "ride.down" and first.json()["ride"]["id"] == space
    assert "Space Mountain" in first.json()["text"]
    assert verify(up, second) and second.json()["text"].startswith("Space Mountain")
    assert first.event_id.startswith("ride.down:") and second.event_id.startswith("ride.up:")


def _has_ride(engine: Engine, name: str) -> bool:
    with engine.connect() as conn:
        return conn.scalar(select(t.rides.c.ride_id).where(t.rides.c.name == name)) is not None


def test_kill_9_mid_deliveries_loses_nothing_and_repeats_only_the_same_ids(
        engine: Engine, upstream: FakeUpstream, tmp_path: Path) -> None:
    env = env_for(engine, upstream)
    command = [sys.executable, "-m", "themepark_tracker", "run"]
    with serve_receiver(delay=0.25) as receiver:  # a slow receiver: deliveries take a while
        first = Proc(command, env, tmp_path / "run1.log")
        wait_for("the catalogue", lambda: _has_ride(engine, "Space Mountain"), first)
        rides = [ride_id(engine, n) for n in ("Space Mountain", "Haunted Mansion")]
        with engine.connect() as conn:
            park = conn.scalar(select(t.rides.c.park_id).where(t.rides.c.ride_id == rides[0]))
        secrets = [secret_of(themepark(env, "webhooks", "add", receiver.url, "--event",
                                       "ride.down", "--ride", str(r))) for r in rides]
        start = utcnow().replace(microsecond=0)
        with engine.begin() as conn:  # 2 x 12 events, as if the writer had recorded them
            ids = {r: [add_event(conn, "ride.down", park, r, start + timedelta(minutes=i))
                       for i in range(12)] for r in rides}
        wait_for("some deliveries", lambda: len(receiver.received) >= 6, first)
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL
        before = receiver.ids()
        assert len(before) < 24  # the kill came mid-deliveries

        second = Proc(command, env, tmp_path / "run2.log")
        wait_for("every event", lambda: set(receiver.ids()) >= set(ids[rides[0]] + ids[rides[1]]),
                 second)
        time.sleep(1)
        assert second.stop() == 0, second.output()

    got = receiver.received
    for ride, secret in zip(rides, secrets, strict=True):
        mine = [r.event_id for r in got if verify(secret, r)]
        assert set(mine) == set(ids[ride])  # nothing lost, nothing foreign
        firsts = list(dict.fromkeys(mine))
        assert firsts == ids[ride]  # in the order recorded
        repeats = len(mine) - len(firsts)
        assert repeats <= 1  # at most the one in flight at the kill, with its own id
    assert all(r.event_id in ids[rides[0]] + ids[rides[1]] for r in got)
