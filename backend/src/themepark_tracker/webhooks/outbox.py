"""The outbox of deliveries owed and the log of every attempt: the one writer of
``webhook_outbox`` and ``webhook_deliveries``.

At-least-once: ``fan_out`` writes one outbox row per (subscription, deliverable event) and
moves the subscriptions' cursors in the same transaction, before anything is sent; a delivery
is marked done only after its request has been answered, in one transaction with its log row.
A crash between the two re-sends that event later, with the same event id; nothing is lost.
Per subscription, events go out in the order recorded: only the oldest pending row of a
subscription is ever due, so a failing one holds back the later ones until it succeeds or is
given up (after ``WEBHOOK_RETRY_HOURS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    true,
    update,
)

from themepark_tracker.config import Settings
from themepark_tracker.db.alert_tables import (
    events,
    webhook_deliveries,
    webhook_outbox,
    webhook_subscriptions,
)
from themepark_tracker.db.types import UtcDateTime
from themepark_tracker.webhooks import store
from themepark_tracker.webhooks.send import Attempt

PENDING, DELIVERED, GIVEN_UP = "pending", "delivered", "given_up"
outbox = webhook_outbox


@dataclass(frozen=True)
class Due:
    subscription_id: int
    event_seq: int
    event_id: str
    attempts: int
    created_at: datetime


def _matches() -> Any:
    """An event a subscription is owed: its type, subject and threshold, recorded after the
    subscription's cursor, and deliverable (SPEC §13: old causes are never delivered)."""
    e, s = events.c, webhook_subscriptions.c
    return and_(
        e.event_type == s.event_type,
        e.seq > s.event_cursor,
        e.deliver.is_(true()),
        or_(s.ride_id.is_(None), s.ride_id == e.ride_id),
        or_(s.park_id.is_(None), s.park_id == e.park_id),
        or_(e.threshold.is_(None), e.threshold == func.coalesce(s.threshold, s.minutes)),
    )


def fan_out(conn: Connection, now: datetime) -> int:
    """Queue every new deliverable event for each subscription it matches; return how many
    deliveries were queued. Call it inside a transaction."""
    top = conn.scalar(select(func.max(events.c.seq)))
    if top is None or conn.execute(
            select(webhook_subscriptions.c.subscription_id)
            .where(webhook_subscriptions.c.event_cursor < top).limit(1)).first() is None:
        return 0  # nothing new: no lock taken (the worker asks often)
    # Every subscription row locked for writing at once, before the INSERT ... SELECT reads
    # them (MariaDB: shared locks) and the UPDATE writes them: a shared lock upgraded while a
    # delivery's record waits for the same row would be a deadlock.
    conn.execute(select(webhook_subscriptions.c.subscription_id).with_for_update())
    at = bindparam("now", now, type_=UtcDateTime)
    query = (select(webhook_subscriptions.c.subscription_id, events.c.seq, events.c.event_id,
                    literal(PENDING), literal(0), at, at, at)
             .select_from(webhook_subscriptions.join(events, _matches()))
             .where(events.c.seq <= top))
    columns = ["subscription_id", "event_seq", "event_id", "state", "attempts",
               "next_attempt_at", "created_at", "updated_at"]
    queued = conn.execute(outbox.insert().from_select(columns, query)).rowcount
    store.advance_cursors(conn, top, now)
    return max(queued, 0)


def due(conn: Connection, now: datetime, limit: int, subscription_id: int | None = None
        ) -> dict[int, list[Due]]:
    """The pending deliveries of each subscription (or of one) whose oldest one is due,
    oldest first."""
    o = outbox.c
    query = (select(o.subscription_id, o.event_seq, o.event_id, o.attempts, o.next_attempt_at,
                    o.created_at)
             .where(o.state == PENDING).order_by(o.subscription_id, o.event_seq).limit(limit))
    if subscription_id is not None:
        query = query.where(o.subscription_id == subscription_id)
    rows = conn.execute(query)
    found: dict[int, list[Due]] = {}
    held: set[int] = set()
    for row in rows:
        if row.subscription_id in held:
            continue
        if row.subscription_id not in found and row.next_attempt_at > now:
            held.add(row.subscription_id)  # its head is backing off: the rest waits
            continue
        found.setdefault(row.subscription_id, []).append(Due(
            row.subscription_id, row.event_seq, row.event_id, row.attempts, row.created_at))
    return found


def pending_count(conn: Connection) -> int:
    return int(conn.scalar(select(func.count()).select_from(outbox)
                           .where(outbox.c.state == PENDING)) or 0)


def log_attempt(conn: Connection, subscription_id: int, event_id: str, number: int,
                attempt: Attempt, now: datetime) -> None:
    conn.execute(webhook_deliveries.insert().values(
        subscription_id=subscription_id, event_id=event_id, attempt=number,
        attempted_at=now, status_code=attempt.status_code, duration_ms=attempt.duration_ms,
        error=attempt.error, succeeded=attempt.succeeded))


def next_state(due_row: Due, succeeded: bool, now: datetime, settings: Settings
               ) -> tuple[str, datetime]:
    """Delivered; or retried after base·2^(n−1) seconds (at most the maximum, and never past
    the end of the retry window, where one last attempt is made); or given up."""
    if succeeded:
        return DELIVERED, now
    window_end = due_row.created_at + timedelta(hours=settings.webhook_retry_hours)
    if now >= window_end:
        return GIVEN_UP, now
    pause = min(settings.webhook_retry_base_seconds * 2 ** due_row.attempts,
                settings.webhook_retry_max_seconds)
    return PENDING, min(now + timedelta(seconds=pause), window_end)


def record(conn: Connection, due_row: Due, attempt: Attempt, now: datetime,
           settings: Settings) -> str:
    """Log one attempt and move its outbox row on (one transaction: call it inside one);
    return the row's new state. The subscription's row is locked first, as ``fan_out`` locks
    subscriptions before outbox rows: the same order, so the two never deadlock."""
    number = due_row.attempts + 1
    store.record_result(conn, due_row.subscription_id, attempt.succeeded,
                        settings.webhook_failing_after, now)
    state, next_at = next_state(due_row, attempt.succeeded, now, settings)
    conn.execute(update(outbox).where(
        outbox.c.subscription_id == due_row.subscription_id,
        outbox.c.event_seq == due_row.event_seq, outbox.c.state == PENDING,
    ).values(state=state, attempts=number, next_attempt_at=next_at, updated_at=now))
    log_attempt(conn, due_row.subscription_id, due_row.event_id, number, attempt, now)
    return state


def forget(conn: Connection, subscription_id: int) -> None:
    """A removed subscription is owed nothing (its log of attempts stays)."""
    conn.execute(delete(outbox).where(outbox.c.subscription_id == subscription_id))
