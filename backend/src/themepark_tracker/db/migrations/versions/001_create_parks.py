"""create parks: parks.

The park catalogue.

Revision ID: 001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from themepark_tracker.db.types import UtcDateTime

revision = "001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parks",
        sa.Column("park_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("is_disney", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("is_universal", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("reports_down", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("queue_times_id", sa.Integer(), nullable=True),
        sa.Column("themeparks_wiki_id", sa.String(length=64), nullable=True),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("created_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("park_id", name=op.f("pk_parks")),
        sa.UniqueConstraint("queue_times_id", name=op.f("uq_parks_queue_times_id")),
        sa.UniqueConstraint("themeparks_wiki_id", name=op.f("uq_parks_themeparks_wiki_id")),
    )


def downgrade() -> None:
    op.drop_table("parks")
