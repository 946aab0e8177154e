"""create park schedules: park_schedules.

Published opening hours per park-local date.

Revision ID: 003
Revises: 002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from themepark_tracker.db.types import LocalDate, UtcDateTime

revision = "003"
down_revision = "002"
branch_labels = None
depends_on = None

# BIGINT AUTO_INCREMENT on MariaDB, INTEGER PRIMARY KEY (the rowid) on SQLite.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "park_schedules",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("local_date", LocalDate, nullable=False),
        sa.Column("opening_time_utc", UtcDateTime, nullable=False),
        sa.Column("closing_time_utc", UtcDateTime, nullable=False),
        sa.Column(
            "schedule_type", sa.String(length=32), server_default="OPERATING", nullable=False
        ),
        sa.Column("created_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.park_id"], name=op.f("fk_park_schedules_park_id_parks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_park_schedules")),
        sa.UniqueConstraint(
            "park_id",
            "local_date",
            "opening_time_utc",
            "schedule_type",
            name=op.f("uq_park_schedules_park_id_local_date_opening_time_utc_schedule_type"),
        ),
    )


def downgrade() -> None:
    op.drop_table("park_schedules")
