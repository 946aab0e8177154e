"""The delivery worker of ``themepark run``: a thread of its own, so a slow or dead receiver
never delays a collection cycle. The scheduler wakes it after each cycle (``wake``); it also
looks every ``WEBHOOK_POLL_SECONDS`` for retries that have come due.

Each round queues the new events (outbox.fan_out) and hands every subscription with a due
delivery to a pool of ``WEBHOOK_CONCURRENCY`` threads; one subscription is only ever in one
thread, which sends its deliveries in order and stops at the first failure (it is retried
later with backoff). Every request has ``WEBHOOK_TIMEOUT_SECONDS`` and goes to an address
checked at that moment (send.py).
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from themepark_tracker.config import Settings
from themepark_tracker.db.alert_tables import events
from themepark_tracker.db.migrate import current_revision
from themepark_tracker.sources.http import user_agent
from themepark_tracker.timeutil import Clock, utcnow
from themepark_tracker.webhooks import outbox, store
from themepark_tracker.webhooks.messages import build, event_document
from themepark_tracker.webhooks.send import Attempt, post

logger = logging.getLogger(__name__)

#: The schema revision that made the webhook tables.
NEEDED_REVISION = "014"
#: How often recording an attempt is tried, and the pause between tries.
RECORD_TRIES, RECORD_PAUSE_SECONDS = 5, 0.1
#: Outbox rows read per round (the rest are read by the next round, which follows at once).
ROUND_LIMIT = 5000


def make_client(settings: Settings) -> httpx.Client:
    return httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False,
                        headers={"User-Agent": user_agent()})


def schema_ready(engine: Engine) -> bool:
    current = current_revision(engine)
    return current is not None and current >= NEEDED_REVISION


class DeliveryWorker:
    def __init__(self, engine: Engine, settings: Settings, clock: Clock = utcnow) -> None:
        self.engine, self.settings, self.clock = engine, settings, clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._busy: set[int] = set()
        self._said = False
        self._running = threading.Event()  # cleared while a collection cycle runs
        self._running.set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(settings.webhook_concurrency, "webhook")
        self._client = make_client(settings)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="webhooks", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def pause(self) -> None:
        """Hold new deliveries while a collection cycle runs (requests in flight finish):
        the worker's threads would otherwise compete with the cycle for the interpreter and
        the database (bench/alerts.py: seconds added to an 80-park cycle by a burst)."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()
        self._wake.set()

    def stop(self) -> None:
        """Stop taking work; let requests in flight finish (each is bounded by its timeout)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._client.close()

    def _loop(self) -> None:
        ready = False
        while not self._stop.is_set():
            self._wake.clear()
            try:
                ready = ready or self._ready()
                if ready and self._running.is_set():
                    self.run_once()
            except SQLAlchemyError as exc:
                logger.error("webhooks: database error: %s", getattr(exc, "orig", None) or exc)
            except Exception:
                logger.exception("webhooks: round failed")
            self._wake.wait(self.settings.webhook_poll_seconds)

    def _ready(self) -> bool:
        """A database before revision 014 has no webhook tables: the worker waits (and says
        so once) rather than failing every round."""
        if schema_ready(self.engine):
            return True
        if not self._said:
            self._said = True
            logger.info("webhooks: off until the database is at revision %s "
                        "(`themepark db upgrade`)", NEEDED_REVISION)
        return False

    def run_once(self) -> int:
        """Queue new events and start the due deliveries; return how many were queued."""
        now = self.clock().replace(microsecond=0)
        with self.engine.begin() as conn:
            queued = outbox.fan_out(conn, now)
        with self.engine.connect() as conn:
            owed = outbox.due(conn, self.clock(), ROUND_LIMIT)
        for subscription_id in owed:
            with self._lock:
                if subscription_id in self._busy:
                    continue
                self._busy.add(subscription_id)
            self._pool.submit(self._deliver_all, subscription_id)
        return queued

    def _deliver_all(self, subscription_id: int) -> None:
        """Its due deliveries, read afresh now that this thread owns the subscription (a list
        read before could hold rows another thread has delivered since), and again until
        none is left: what was queued for it meanwhile goes out without waiting for a poll."""
        try:
            while not self._stop.is_set() and self._deliver_due(subscription_id):
                pass
        except SQLAlchemyError as exc:
            logger.error("webhooks: subscription %d: database error: %s", subscription_id,
                         getattr(exc, "orig", None) or exc)
        except Exception:
            logger.exception("webhooks: subscription %d failed", subscription_id)
        finally:
            with self._lock:
                self._busy.discard(subscription_id)

    def _deliver_due(self, subscription_id: int) -> bool:
        """Send the subscription's due deliveries in order, up to the first failure; True if
        all went out (there may be more)."""
        with self.engine.connect() as conn:
            subscription = store.get(conn, subscription_id)
            rows = outbox.due(conn, self.clock(), ROUND_LIMIT, subscription_id).get(
                subscription_id, [])
        if subscription is None or not rows:
            return False
        for row in rows:
            while not self._running.wait(0.5):
                if self._stop.is_set():
                    return False
            if self._stop.is_set() or deliver(
                    self.engine, self.settings, self._client, subscription, row,
                    self.clock) != outbox.DELIVERED:
                return False
        return True


def deliver(engine: Engine, settings: Settings, client: httpx.Client,
            subscription: dict[str, Any], row: outbox.Due, clock: Clock = utcnow) -> str:
    """Send one queued event to its subscription and record the attempt; its new state."""
    with engine.connect() as conn:
        event = conn.execute(select(events).where(events.c.seq == row.event_seq)).first()
    if event is None:
        attempt = Attempt(None, 0, "the event is no longer stored")
    else:
        document = event_document(event.event_id, event.event_type, event.occurred_at,
                                  event.payload)
        message = build(subscription["format"], subscription["secret"], document,
                        int(time.time()))
        attempt = post(client, subscription["url"], message,
                       allow_private=settings.webhook_allow_private)
    state = _record(engine, settings, row, attempt, clock)
    if not attempt.succeeded:
        logger.warning("webhooks: subscription %d, event %s: %s (attempt %d)",
                       row.subscription_id, row.event_id, attempt.error, row.attempts + 1)
    return state


def _record(engine: Engine, settings: Settings, row: outbox.Due, attempt: Attempt,
            clock: Clock) -> str:
    """``outbox.record`` in its own transaction, tried again when the database gives up on it
    (a deadlock or lock wait with the fan-out, "database is locked" on SQLite): the request
    has been answered, and an attempt left unrecorded would be sent again."""
    for tries_left in range(RECORD_TRIES - 1, -1, -1):
        try:
            with engine.begin() as conn:
                return outbox.record(conn, row, attempt, clock().replace(microsecond=0),
                                     settings)
        except OperationalError:
            if tries_left == 0:
                raise
            time.sleep(RECORD_PAUSE_SECONDS)
    raise AssertionError("unreachable")


def send_test(engine: Engine, settings: Settings, subscription_id: int,
              clock: Clock = utcnow) -> Attempt | None:
    """Send a ``webhook.test`` event to one subscription now, signed like any other, and log
    the attempt; None if there is no such subscription."""
    from uuid import uuid4

    from themepark_tracker.webhooks.messages import TEST_EVENT

    with engine.connect() as conn:
        subscription = store.get(conn, subscription_id)
    if subscription is None:
        return None
    now = clock().replace(microsecond=0)
    document = event_document(f"test-{uuid4().hex}", TEST_EVENT, now, {
        "text": "Test from themepark-tracker: this webhook works.",
        "subscription_id": subscription_id})
    message = build(subscription["format"], subscription["secret"], document, int(time.time()))
    with make_client(settings) as client:
        attempt = post(client, subscription["url"], message,
                       allow_private=settings.webhook_allow_private)
    with engine.begin() as conn:
        outbox.log_attempt(conn, subscription_id, document["id"], 1, attempt, now)
    return attempt
