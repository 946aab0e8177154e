"""Tables of events and their delivery (SPEC §13, revision 014): ``events`` (one writer: the
event derivation after each cycle), webhook subscriptions, the outbox of deliveries owed and
the log of every attempt. Same metadata as ``tables``, which imports this module."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from themepark_tracker.db.tables import BigId, created_column, metadata, updated_column
from themepark_tracker.db.types import UtcDateTime

#: Every event (SPEC §13), in the order recorded (``seq``); ``event_id`` is the stable id
#: derived from type, subject and instant. ``deliver`` is false for events whose cause was
#: older than ``EVENT_MAX_AGE_MINUTES`` when recorded (shown in feeds, never delivered).
events = Table(
    "events",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("event_type", String(32), nullable=False),
    Column("park_id", Integer, nullable=False),
    Column("ride_id", Integer),
    Column("threshold", Double),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("deliver", Boolean, nullable=False, server_default=false()),
    Column("payload", Text, nullable=False),
    UniqueConstraint("event_id"),
    Index(None, "occurred_at"),
    Index(None, "park_id", "occurred_at"),
    Index(None, "ride_id", "occurred_at"),
)

#: Webhook subscriptions (``themepark webhooks add`` / ``POST /api/subscriptions``).
webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("subscription_id", Integer, primary_key=True, autoincrement=True),
    Column("url", String(2048), nullable=False),
    Column("event_type", String(32), nullable=False),
    Column("park_id", Integer),
    Column("ride_id", Integer),
    Column("threshold", Double),
    Column("minutes", Integer),
    Column("format", String(16), nullable=False),
    Column("secret", String(128), nullable=False),
    Column("status", String(16), nullable=False),
    Column("consecutive_failures", Integer, nullable=False),
    Column("event_cursor", BigInteger, nullable=False),
    created_column(),
    updated_column(),
)

#: What each subscription is owed: one row per (subscription, event) until delivered or given up.
webhook_outbox = Table(
    "webhook_outbox",
    metadata,
    Column("subscription_id", Integer, primary_key=True, autoincrement=False),
    Column("event_seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    created_column(),
    updated_column(),
    Index(None, "state", "next_attempt_at"),
)

#: Every delivery attempt: status code, duration, error.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("delivery_id", BigId, primary_key=True, autoincrement=True),
    Column("subscription_id", Integer, nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("attempted_at", UtcDateTime, nullable=False),
    Column("status_code", Integer),
    Column("duration_ms", Integer, nullable=False),
    Column("error", Text),
    Column("succeeded", Boolean, nullable=False),
    Index(None, "subscription_id", "attempted_at"),
)
