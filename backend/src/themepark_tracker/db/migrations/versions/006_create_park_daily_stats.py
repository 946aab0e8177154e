"""create park daily stats: park_daily_stats.

Daily park aggregates (SPEC section 4).

Revision ID: 006
Revises: 005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from themepark_tracker.db.types import Dec, LocalDate, UtcDateTime

revision = "006"
down_revision = "005"
branch_labels = None
depends_on = None

# BIGINT AUTO_INCREMENT on MariaDB, INTEGER PRIMARY KEY (the rowid) on SQLite.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "park_daily_stats",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("stat_date", LocalDate, nullable=False),
        sa.Column("snapshot_count", sa.Integer(), nullable=False),
        sa.Column("open_snapshot_count", sa.Integer(), nullable=False),
        sa.Column("park_was_open", sa.Boolean(), nullable=False),
        sa.Column("operating_minutes", sa.Integer(), nullable=False),
        sa.Column("shame_score_sum", sa.Double(), nullable=False),
        sa.Column("shame_score", Dec(3, 1), nullable=True),
        sa.Column("avg_wait_time_minutes", Dec(6, 2), nullable=True),
        sa.Column("peak_wait_time", sa.Integer(), nullable=True),
        sa.Column("wait_sum", sa.Integer(), nullable=False),
        sa.Column("wait_count", sa.Integer(), nullable=False),
        sa.Column("rides_operating", sa.Integer(), nullable=False),
        sa.Column("rides_down", sa.Integer(), nullable=False),
        sa.Column("rides_operated", sa.Integer(), nullable=False),
        sa.Column("rides_with_downtime", sa.Integer(), nullable=False),
        sa.Column("operating_snapshots", sa.Integer(), nullable=False),
        sa.Column("down_snapshots", sa.Integer(), nullable=False),
        sa.Column("weighted_down_snapshots", sa.Integer(), nullable=False),
        sa.Column("total_downtime_hours", Dec(8, 2), nullable=False),
        sa.Column("weighted_downtime_hours", Dec(8, 2), nullable=False),
        sa.Column("uptime_percentage", Dec(5, 2), nullable=True),
        sa.Column("effective_park_weight", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.park_id"], name=op.f("fk_park_daily_stats_park_id_parks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_park_daily_stats")),
        sa.UniqueConstraint(
            "park_id", "stat_date", name=op.f("uq_park_daily_stats_park_id_stat_date")
        ),
    )
    op.create_index(op.f("ix_park_daily_stats_stat_date"), "park_daily_stats", ["stat_date"])


def downgrade() -> None:
    # Dropping a table drops its indexes (MariaDB refuses to drop an index a foreign key uses).
    op.drop_table("park_daily_stats")
