"""create rides: rides.

The ride catalogue.

Revision ID: 002
Revises: 001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from themepark_tracker.db.types import UtcDateTime

revision = "002"
down_revision = "001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rides",
        sa.Column("ride_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tier", sa.SmallInteger(), nullable=True),
        sa.Column("category", sa.String(length=20), server_default="ATTRACTION", nullable=False),
        sa.Column("queue_times_id", sa.Integer(), nullable=True),
        sa.Column("themeparks_wiki_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.park_id"], name=op.f("fk_rides_park_id_parks")
        ),
        sa.PrimaryKeyConstraint("ride_id", name=op.f("pk_rides")),
        sa.UniqueConstraint("queue_times_id", name=op.f("uq_rides_queue_times_id")),
        sa.UniqueConstraint("themeparks_wiki_id", name=op.f("uq_rides_themeparks_wiki_id")),
    )
    op.create_index(op.f("ix_rides_park_id"), "rides", ["park_id"])


def downgrade() -> None:
    # Dropping a table drops its indexes (MariaDB refuses to drop an index a foreign key uses).
    op.drop_table("rides")
