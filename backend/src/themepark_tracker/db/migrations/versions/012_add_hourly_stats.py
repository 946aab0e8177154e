"""add hourly stats: park_hourly_stats, ride_hourly_stats.

Hourly park and ride aggregates (SPEC section 3).

Revision ID: 012
Revises: 011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from themepark_tracker.db.types import Dec, UtcDateTime

revision = "012"
down_revision = "011"
branch_labels = None
depends_on = None

# BIGINT AUTO_INCREMENT on MariaDB, INTEGER PRIMARY KEY (the rowid) on SQLite.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "park_hourly_stats",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("hour_start_utc", UtcDateTime, nullable=False),
        sa.Column("snapshot_count", sa.Integer(), nullable=False),
        sa.Column("open_snapshot_count", sa.Integer(), nullable=False),
        sa.Column("park_was_open", sa.Boolean(), nullable=False),
        sa.Column("shame_score_sum", sa.Double(), nullable=False),
        sa.Column("shame_score", Dec(3, 1), nullable=True),
        sa.Column("avg_wait_time_minutes", Dec(6, 2), nullable=True),
        sa.Column("wait_sum", sa.Integer(), nullable=False),
        sa.Column("wait_count", sa.Integer(), nullable=False),
        sa.Column("rides_operating", sa.Integer(), nullable=False),
        sa.Column("rides_down", sa.Integer(), nullable=False),
        sa.Column("operating_snapshots", sa.Integer(), nullable=False),
        sa.Column("down_snapshots", sa.Integer(), nullable=False),
        sa.Column("weighted_down_snapshots", sa.Integer(), nullable=False),
        sa.Column("total_downtime_hours", Dec(8, 2), nullable=False),
        sa.Column("weighted_downtime_hours", Dec(8, 2), nullable=False),
        sa.Column("effective_park_weight", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.park_id"], name=op.f("fk_park_hourly_stats_park_id_parks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_park_hourly_stats")),
        sa.UniqueConstraint(
            "park_id", "hour_start_utc", name=op.f("uq_park_hourly_stats_park_id_hour_start_utc")
        ),
    )
    op.create_index(
        op.f("ix_park_hourly_stats_hour_start_utc"), "park_hourly_stats", ["hour_start_utc"]
    )
    op.create_table(
        "ride_hourly_stats",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("ride_id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("hour_start_utc", UtcDateTime, nullable=False),
        sa.Column("snapshot_count", sa.Integer(), nullable=False),
        sa.Column("open_snapshot_count", sa.Integer(), nullable=False),
        sa.Column("operating_snapshots", sa.Integer(), nullable=False),
        sa.Column("down_snapshots", sa.Integer(), nullable=False),
        sa.Column("downtime_hours", Dec(6, 2), nullable=False),
        sa.Column("uptime_percentage", Dec(5, 2), nullable=True),
        sa.Column("avg_wait_time_minutes", Dec(6, 2), nullable=True),
        sa.Column("max_wait_time", sa.Integer(), nullable=True),
        sa.Column("wait_sum", sa.Integer(), nullable=False),
        sa.Column("wait_count", sa.Integer(), nullable=False),
        sa.Column("ride_operated", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.park_id"], name=op.f("fk_ride_hourly_stats_park_id_parks")
        ),
        sa.ForeignKeyConstraint(
            ["ride_id"], ["rides.ride_id"], name=op.f("fk_ride_hourly_stats_ride_id_rides")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ride_hourly_stats")),
        sa.UniqueConstraint(
            "ride_id", "hour_start_utc", name=op.f("uq_ride_hourly_stats_ride_id_hour_start_utc")
        ),
    )
    op.create_index(
        op.f("ix_ride_hourly_stats_hour_start_utc"), "ride_hourly_stats", ["hour_start_utc"]
    )
    op.create_index(
        op.f("ix_ride_hourly_stats_park_id_hour_start_utc"),
        "ride_hourly_stats",
        ["park_id", "hour_start_utc"],
    )


def downgrade() -> None:
    # Dropping a table drops its indexes (MariaDB refuses to drop an index a foreign key uses).
    op.drop_table("ride_hourly_stats")
    op.drop_table("park_hourly_stats")
