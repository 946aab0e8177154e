"""create stale marks: stale_hours, stale_days.

Hours and park-days left by ingest for re-aggregation.

Revision ID: 010
Revises: 009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from themepark_tracker.db.types import LocalDate, UtcDateTime

revision = "010"
down_revision = "009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stale_hours",
        sa.Column("hour_start_utc", UtcDateTime, nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("marked_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("hour_start_utc", name=op.f("pk_stale_hours")),
    )
    op.create_table(
        "stale_days",
        sa.Column("park_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("local_date", LocalDate, nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("marked_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("park_id", "local_date", name=op.f("pk_stale_days")),
    )


def downgrade() -> None:
    op.drop_table("stale_days")
    op.drop_table("stale_hours")
