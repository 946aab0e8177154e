"""Webhook delivery against a real local receiver, on SQLite and MariaDB: what is sent (only
the matching, deliverable events recorded after the subscription), the signature (checked
with the recipe of SPEC §13 written out in tests/webhook_support.py), every format's body,
retries until a receiver that was down comes back (each event once, in order), giving up,
and the re-check of the target at delivery time."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from tests.factories import make_park
from tests.webhook_support import Receiver, add_event, serve_receiver, verify
from themepark_tracker.config import Settings
from themepark_tracker.db.alert_tables import (
    webhook_deliveries,
    webhook_outbox,
    webhook_subscriptions,
)
from themepark_tracker.webhooks import store
from themepark_tracker.webhooks.worker import DeliveryWorker

NOW = datetime(2026, 7, 1, 15, 0)


def settings_for(engine: Engine, **overrides: Any) -> Settings:
    base: dict[str, Any] = {"webhook_allow_private": True, "webhook_retry_base_seconds": 0.2,
                            "webhook_retry_max_seconds": 0.5, "webhook_poll_seconds": 0.1}
    return Settings(database_url=engine.url.render_as_string(hide_password=False),
                    **(base | overrides))


def subscribe(engine: Engine, url: str, event: str = "ride.down", **fields: Any
              ) -> dict[str, Any]:
    with engine.begin() as conn:
        return store.add(conn, store.NewSubscription(url, event, **fields), NOW,
                         allow_private=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve_receiver() as found:
        yield found


@pytest.fixture
def worker(engine: Engine) -> Iterator[Callable[..., DeliveryWorker]]:
    made: list[DeliveryWorker] = []

    def build(**overrides: Any) -> DeliveryWorker:
        made.append(DeliveryWorker(engine, settings_for(engine, **overrides)))
        made[-1].start()
        return made[-1]

    yield build
    for one in made:
        one.stop()


def wait_until(what: str, condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def attempts(engine: Engine) -> list[Any]:
    d = webhook_deliveries.c
    with engine.connect() as conn:
        return list(conn.execute(select(webhook_deliveries).order_by(d.delivery_id)))


def test_only_matching_new_deliverable_events_go_out_signed(
        engine: Engine, receiver: Receiver, worker: Callable[..., DeliveryWorker]) -> None:
    ride, other, _ = make_park(engine, 7)
    with engine.begin() as conn:
        add_event(conn, "ride.down", 7, ride, NOW - timedelta(hours=1))  # before subscribing
    sub = subscribe(engine, receiver.url, ride_id=ride)
    park_sub = subscribe(engine, receiver.url, "ride.up", park_id=7)
    with engine.begin() as conn:
        wanted = add_event(conn, "ride.down", 7, ride, NOW, text="Ride 701 is down")
        add_event(conn, "ride.down", 7, other, NOW)  # another ride
        add_event(conn, "ride.down", 7, ride, NOW + timedelta(minutes=5), deliver=False)
        up = add_event(conn, "ride.up", 7, other, NOW + timedelta(minutes=9))  # park-wide
    worker()
    wait_until("two deliveries", lambda: len(receiver.received) >= 2)
    time.sleep(0.5)  # anything more would have arrived by now
    by_id = {r.event_id: r for r in receiver.received}
    assert sorted(by_id) == sorted([wanted, up]) and len(receiver.received) == 2

    got = by_id[wanted]
    assert verify(sub["secret"], got)
    assert not verify(park_sub["secret"], got)
    assert abs(int(got.headers["X-Themepark-Timestamp"]) - time.time()) < 60
    assert got.headers["Content-Type"] == "application/json"
    assert got.json() == {"id": wanted, "type": "ride.down", "text": "Ride 701 is down",
                          "occurred_at": "2026-07-01T15:00:00Z"}
    assert verify(park_sub["secret"], by_id[up])
    log = attempts(engine)
    assert [(r.event_id, r.status_code, r.succeeded, r.attempt) for r in log] in (
        [(wanted, 204, True, 1), (up, 204, True, 1)], [(up, 204, True, 1), (wanted, 204, True, 1)])
    assert all(r.duration_ms >= 0 and r.error is None for r in log)


@pytest.mark.parametrize(("fmt", "expected", "content_type"), [
    ("slack", {"text": "Ride 701 is down"}, "application/json"),
    ("discord", {"content": "Ride 701 is down"}, "application/json"),
    ("ntfy", "Ride 701 is down", "text/plain; charset=utf-8"),
])
def test_chat_formats(engine: Engine, receiver: Receiver, worker: Callable[..., DeliveryWorker],
                      fmt: str, expected: Any, content_type: str) -> None:
    ride = make_park(engine, 7)[0]
    sub = subscribe(engine, receiver.url, ride_id=ride, format=fmt)
    with engine.begin() as conn:
        add_event(conn, "ride.down", 7, ride, NOW, text="Ride 701 is down")
    worker()
    wait_until("the delivery", lambda: len(receiver.received) == 1)
    got = receiver.received[0]
    assert verify(sub["secret"], got)
    assert got.headers["Content-Type"] == content_type
    assert (got.body.decode() if fmt == "ntfy" else json.loads(got.body)) == expected
    if fmt == "ntfy":
        assert got.headers["Title"] == "ride.down"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_receiver_down_then_back_gets_every_event_once_in_order(
        engine: Engine, worker: Callable[..., DeliveryWorker]) -> None:
    rides = make_park(engine, 7)
    port = free_port()  # nothing listens there yet: connections are refused
    url = f"http://127.0.0.1:{port}/hook"
    first = subscribe(engine, url, park_id=7)
    second = subscribe(engine, url, "ride.up", ride_id=rides[1])
    with engine.begin() as conn:
        down = [add_event(conn, "ride.down", 7, r, NOW + timedelta(minutes=i))
                for i, r in enumerate(rides)]
        up = [add_event(conn, "ride.up", 7, rides[1], NOW + timedelta(minutes=10 + i))
              for i in range(2)]
    worker(webhook_failing_after=2)
    wait_until("failed attempts", lambda: len(attempts(engine)) >= 6)
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(webhook_subscriptions.c.subscription_id,
                                            webhook_subscriptions.c.status)).all())
    assert statuses == {first["subscription_id"]: "failing",
                        second["subscription_id"]: "failing"}
    failed = attempts(engine)
    assert all(not r.succeeded and r.status_code is None and r.error for r in failed)
    # Only the oldest event of each subscription was tried while it failed: order holds.
    assert {r.event_id for r in failed} == {down[0], up[0]}

    with serve_receiver(port) as receiver:
        wait_until("every event", lambda: len(receiver.received) == len(down) + len(up))
        time.sleep(0.5)
    for sub, ids in ((first, down), (second, up)):
        got = [r for r in receiver.received if verify(sub["secret"], r)]
        assert [r.event_id for r in got] == ids  # each once, in the order recorded
    assert len(receiver.received) == len(down) + len(up)
    with engine.connect() as conn:
        assert set(conn.execute(select(webhook_subscriptions.c.status)).scalars()) == {"active"}
        assert set(conn.execute(select(webhook_outbox.c.state)).scalars()) == {"delivered"}


def test_a_delivery_is_given_up_after_the_retry_window_and_the_next_goes_out(
        engine: Engine, receiver: Receiver, worker: Callable[..., DeliveryWorker]) -> None:
    ride = make_park(engine, 7)[0]
    subscribe(engine, receiver.url, ride_id=ride)
    receiver.status = 500
    with engine.begin() as conn:
        lost = add_event(conn, "ride.down", 7, ride, NOW)
    worker(webhook_retry_hours=2 / 3600)  # two seconds
    wait_until("the give-up", lambda: _states(engine) == {lost: "given_up"})
    assert len(receiver.refused) >= 2
    assert {r.status_code for r in attempts(engine)} == {500}
    receiver.status = 204
    with engine.begin() as conn:
        later = add_event(conn, "ride.down", 7, ride, NOW + timedelta(minutes=30))
    wait_until("the next event", lambda: receiver.ids() == [later])


def _states(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(webhook_outbox.c.event_id, webhook_outbox.c.state)
                                 ).all())


def test_a_target_is_checked_again_at_delivery_time(
        engine: Engine, receiver: Receiver, worker: Callable[..., DeliveryWorker]) -> None:
    """Made while private targets were allowed (as a DNS answer may change after the check):
    a worker that does not allow them refuses to send, and logs why."""
    ride = make_park(engine, 7)[0]
    subscribe(engine, receiver.url, ride_id=ride)
    with engine.begin() as conn:
        add_event(conn, "ride.down", 7, ride, NOW)
    worker(webhook_allow_private=False)
    wait_until("an attempt", lambda: len(attempts(engine)) >= 1)
    time.sleep(0.3)
    assert receiver.received == [] and receiver.refused == []
    assert "127.0.0.1" in attempts(engine)[0].error
    assert "loopback, private or link-local" in attempts(engine)[0].error


def test_removing_a_subscription_drops_what_it_is_owed(engine: Engine) -> None:
    ride = make_park(engine, 7)[0]
    sub = subscribe(engine, "http://127.0.0.1:9/hook", ride_id=ride)
    with engine.begin() as conn:
        add_event(conn, "ride.down", 7, ride, NOW)
    worker = DeliveryWorker(engine, settings_for(engine))
    try:
        with engine.begin() as conn:
            from themepark_tracker.webhooks.outbox import fan_out
            assert fan_out(conn, NOW) == 1
            assert fan_out(conn, NOW) == 0  # the cursor moved: nothing queued twice
            assert store.remove(conn, sub["subscription_id"])
            assert not store.remove(conn, sub["subscription_id"])
        assert _states(engine) == {}
    finally:
        worker.stop()
