"""create aggregation log: aggregation_log.

One row per aggregation job run.

Revision ID: 008
Revises: 007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from themepark_tracker.db.types import Dec, UtcDateTime

revision = "008"
down_revision = "007"
branch_labels = None
depends_on = None

# BIGINT AUTO_INCREMENT on MariaDB, INTEGER PRIMARY KEY (the rowid) on SQLite.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "aggregation_log",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("aggregation_type", sa.String(length=16), nullable=False),
        sa.Column("target_period", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parks_processed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rides_processed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("processing_time_sec", Dec(10, 3), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("started_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.Column("created_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aggregation_log")),
    )
    op.create_index(
        op.f("ix_aggregation_log_aggregation_type_created_at"),
        "aggregation_log",
        ["aggregation_type", "created_at"],
    )


def downgrade() -> None:
    # Dropping a table drops its indexes (MariaDB refuses to drop an index a foreign key uses).
    op.drop_table("aggregation_log")
