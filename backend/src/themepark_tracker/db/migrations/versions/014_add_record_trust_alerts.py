"""add the long record, feed quality and alerts tables (SPEC §7, §12, §13).

- ``park_local_hour_stats``, ``ride_local_hour_stats``: rollups by park-local hour for the
  heatmaps, kept by the hourly job (half-hour zones need the cycles' own local hour).
- ``park_daily_stats.expected_open_cycles``: the denominator of SPEC §12's coverage.
- ``upstream_backfill_days``: the park-days a backfill from upstream history completed.
- ``events``, ``webhook_subscriptions``, ``webhook_outbox``, ``webhook_deliveries``: events
  and their delivery to webhooks.

Revision ID: 014
Revises: 013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from themepark_tracker.db.types import LocalDate, UtcDateTime

revision = "014"
down_revision = "013"
branch_labels = None
depends_on = None

# BIGINT AUTO_INCREMENT on MariaDB, INTEGER PRIMARY KEY (the rowid) on SQLite.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _created() -> sa.Column[object]:
    return sa.Column("created_at", UtcDateTime, server_default=sa.func.now(), nullable=False)


def _updated() -> sa.Column[object]:
    return sa.Column("updated_at", UtcDateTime, server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    _create_record_tables()
    _create_alert_tables()
    with op.batch_alter_table("park_daily_stats") as batch_op:
        batch_op.add_column(sa.Column("expected_open_cycles", sa.Integer(), nullable=True))


def _create_record_tables() -> None:
    op.create_table(
        "park_local_hour_stats",
        sa.Column("park_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("local_date", LocalDate, nullable=False),
        sa.Column("local_hour", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("open_cycles", sa.Integer(), nullable=False),
        sa.Column("open_ride_snapshots", sa.Integer(), nullable=False),
        sa.Column("down_ride_snapshots", sa.Integer(), nullable=False),
        _updated(),
        sa.PrimaryKeyConstraint("park_id", "local_date", "local_hour",
                                name=op.f("pk_park_local_hour_stats")),
    )
    op.create_table(
        "ride_local_hour_stats",
        sa.Column("ride_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("local_date", LocalDate, nullable=False),
        sa.Column("local_hour", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("open_snapshots", sa.Integer(), nullable=False),
        sa.Column("down_snapshots", sa.Integer(), nullable=False),
        _updated(),
        sa.PrimaryKeyConstraint("ride_id", "local_date", "local_hour",
                                name=op.f("pk_ride_local_hour_stats")),
    )
    op.create_index(op.f("ix_ride_local_hour_stats_park_id_local_date"),
                    "ride_local_hour_stats", ["park_id", "local_date"])
    op.create_table(
        "upstream_backfill_days",
        sa.Column("park_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("local_date", LocalDate, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("cycles", sa.Integer(), nullable=False),
        sa.Column("completed_at", UtcDateTime, nullable=False),
        _created(),
        sa.PrimaryKeyConstraint("park_id", "local_date", name=op.f("pk_upstream_backfill_days")),
    )


def _create_alert_tables() -> None:
    op.create_table(
        "events",
        sa.Column("seq", BigId, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("ride_id", sa.Integer(), nullable=True),
        sa.Column("threshold", sa.Double(), nullable=True),
        sa.Column("occurred_at", UtcDateTime, nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.Column("deliver", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_events_event_id")),
    )
    op.create_index(op.f("ix_events_occurred_at"), "events", ["occurred_at"])
    op.create_index(op.f("ix_events_park_id_occurred_at"), "events", ["park_id", "occurred_at"])
    op.create_index(op.f("ix_events_ride_id_occurred_at"), "events", ["ride_id", "occurred_at"])
    op.create_table(
        "webhook_subscriptions",
        sa.Column("subscription_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=True),
        sa.Column("ride_id", sa.Integer(), nullable=True),
        sa.Column("threshold", sa.Double(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("event_cursor", sa.BigInteger(), nullable=False),
        _created(),
        _updated(),
        sa.PrimaryKeyConstraint("subscription_id", name=op.f("pk_webhook_subscriptions")),
    )
    op.create_table(
        "webhook_outbox",
        sa.Column("subscription_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime, nullable=False),
        _created(),
        _updated(),
        sa.PrimaryKeyConstraint("subscription_id", "event_seq", name=op.f("pk_webhook_outbox")),
    )
    op.create_index(op.f("ix_webhook_outbox_state_next_attempt_at"), "webhook_outbox",
                    ["state", "next_attempt_at"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("delivery_id", BigId, autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("attempted_at", UtcDateTime, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("delivery_id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(op.f("ix_webhook_deliveries_subscription_id_attempted_at"),
                    "webhook_deliveries", ["subscription_id", "attempted_at"])


def downgrade() -> None:
    with op.batch_alter_table("park_daily_stats") as batch_op:
        batch_op.drop_column("expected_open_cycles")
    for table in ("webhook_deliveries", "webhook_outbox", "webhook_subscriptions", "events",
                  "upstream_backfill_days", "ride_local_hour_stats", "park_local_hour_stats"):
        op.drop_table(table)
