"""create ride daily stats: ride_daily_stats.

Daily ride aggregates (SPEC section 4).

Revision ID: 007
Revises: 006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from themepark_tracker.db.types import Dec, LocalDate, UtcDateTime

revision = "007"
down_revision = "006"
branch_labels = None
depends_on = None

# BIGINT AUTO_INCREMENT on MariaDB, INTEGER PRIMARY KEY (the rowid) on SQLite.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ride_daily_stats",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("ride_id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("stat_date", LocalDate, nullable=False),
        sa.Column("snapshot_count", sa.Integer(), nullable=False),
        sa.Column("open_snapshot_count", sa.Integer(), nullable=False),
        sa.Column("operating_snapshots", sa.Integer(), nullable=False),
        sa.Column("down_snapshots", sa.Integer(), nullable=False),
        sa.Column("operating_minutes", sa.Integer(), nullable=False),
        sa.Column("downtime_hours", Dec(6, 2), nullable=False),
        sa.Column("uptime_percentage", Dec(5, 2), nullable=True),
        sa.Column("avg_wait_time_minutes", Dec(6, 2), nullable=True),
        sa.Column("peak_wait_time", sa.Integer(), nullable=True),
        sa.Column("wait_sum", sa.Integer(), nullable=False),
        sa.Column("wait_count", sa.Integer(), nullable=False),
        sa.Column("ride_operated", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.park_id"], name=op.f("fk_ride_daily_stats_park_id_parks")
        ),
        sa.ForeignKeyConstraint(
            ["ride_id"], ["rides.ride_id"], name=op.f("fk_ride_daily_stats_ride_id_rides")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ride_daily_stats")),
        sa.UniqueConstraint(
            "ride_id", "stat_date", name=op.f("uq_ride_daily_stats_ride_id_stat_date")
        ),
    )
    op.create_index(
        op.f("ix_ride_daily_stats_park_id_stat_date"), "ride_daily_stats", ["park_id", "stat_date"]
    )
    op.create_index(op.f("ix_ride_daily_stats_stat_date"), "ride_daily_stats", ["stat_date"])


def downgrade() -> None:
    # Dropping a table drops its indexes (MariaDB refuses to drop an index a foreign key uses).
    op.drop_table("ride_daily_stats")
