"""create ride status snapshots: ride_status_snapshots.

Raw ride snapshots with their per-ride derived flags (SPEC section 2).

Revision ID: 004
Revises: 003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from themepark_tracker.db.types import LocalDate, UtcDateTime

revision = "004"
down_revision = "003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ride_status_snapshots",
        sa.Column("park_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.Column("ride_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("wait_time", sa.SmallInteger(), nullable=True),
        sa.Column("local_date", LocalDate, nullable=False),
        sa.Column("park_open", sa.Boolean(), nullable=False),
        sa.Column("operated_today", sa.Boolean(), nullable=False),
        sa.Column("counted_down", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint(
            "park_id", "recorded_at", "ride_id", name=op.f("pk_ride_status_snapshots")
        ),
    )
    op.create_index(
        op.f("ix_ride_status_snapshots_recorded_at"), "ride_status_snapshots", ["recorded_at"]
    )
    op.create_index(
        op.f("ix_ride_status_snapshots_ride_id_recorded_at"),
        "ride_status_snapshots",
        ["ride_id", "recorded_at"],
    )


def downgrade() -> None:
    # Dropping a table drops its indexes (MariaDB refuses to drop an index a foreign key uses).
    op.drop_table("ride_status_snapshots")
