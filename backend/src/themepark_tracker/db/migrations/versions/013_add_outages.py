"""add outages: ride_outages and recovery_curves (SPEC §10, §11).

Outages as records, and the Kaplan–Meier curves fitted from them. The outages of data stored
before this revision are derived by ``themepark outages rebuild`` (``db upgrade`` runs it).

Revision ID: 013
Revises: 012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from themepark_tracker.db.types import LocalDate, UtcDateTime

revision = "013"
down_revision = "012"
branch_labels = None
depends_on = None

# BIGINT AUTO_INCREMENT on MariaDB, INTEGER PRIMARY KEY (the rowid) on SQLite.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ride_outages",
        sa.Column("outage_id", BigId, autoincrement=True, nullable=False),
        sa.Column("ride_id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("last_down_at", UtcDateTime, nullable=False),
        sa.Column("ended_at", UtcDateTime, nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.Column("decided_at", UtcDateTime, nullable=True),
        sa.Column("down_snapshots", sa.Integer(), nullable=False),
        sa.Column("down_minutes", sa.Integer(), nullable=False),
        sa.Column("start_local_date", LocalDate, nullable=False),
        sa.Column("created_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("outage_id", name=op.f("pk_ride_outages")),
        sa.UniqueConstraint("ride_id", "started_at",
                            name=op.f("uq_ride_outages_ride_id_started_at")),
    )
    op.create_index(op.f("ix_ride_outages_park_id_started_at"), "ride_outages",
                    ["park_id", "started_at"])
    op.create_index(op.f("ix_ride_outages_ended_at_park_id"), "ride_outages",
                    ["ended_at", "park_id"])
    op.create_table(
        "recovery_curves",
        sa.Column("park_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("feed_kind", sa.String(length=16), nullable=False),
        sa.Column("minutes", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at_risk", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("survival", sa.Double(), nullable=False),
        sa.Column("fitted_at", UtcDateTime, nullable=False),
        sa.Column("window_start", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("park_id", "feed_kind", "minutes",
                                name=op.f("pk_recovery_curves")),
    )


def downgrade() -> None:
    op.drop_table("recovery_curves")
    op.drop_index(op.f("ix_ride_outages_ended_at_park_id"), table_name="ride_outages")
    op.drop_index(op.f("ix_ride_outages_park_id_started_at"), table_name="ride_outages")
    op.drop_table("ride_outages")
