"""create park activity snapshots: park_activity_snapshots.

Per-cycle park snapshots with the derived shame values (SPEC section 2).

Revision ID: 005
Revises: 004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from themepark_tracker.db.types import Dec, LocalDate, UtcDateTime

revision = "005"
down_revision = "004"
branch_labels = None
depends_on = None

# BIGINT AUTO_INCREMENT on MariaDB, INTEGER PRIMARY KEY (the rowid) on SQLite.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "park_activity_snapshots",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.Column("local_date", LocalDate, nullable=False),
        sa.Column("park_appears_open", sa.Boolean(), nullable=False),
        sa.Column("rides_open", sa.Integer(), nullable=False),
        sa.Column("rides_down", sa.Integer(), nullable=False),
        sa.Column("total_rides_tracked", sa.Integer(), nullable=False),
        sa.Column("active_weight", sa.Integer(), nullable=False),
        sa.Column("down_weight", sa.Integer(), nullable=False),
        sa.Column("shame_score", Dec(3, 1), nullable=True),
        sa.Column("avg_wait_time", Dec(6, 2), nullable=True),
        sa.Column("max_wait_time", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.park_id"], name=op.f("fk_park_activity_snapshots_park_id_parks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_park_activity_snapshots")),
        sa.UniqueConstraint(
            "park_id", "recorded_at", name=op.f("uq_park_activity_snapshots_park_id_recorded_at")
        ),
    )
    op.create_index(
        op.f("ix_park_activity_snapshots_park_id_local_date"),
        "park_activity_snapshots",
        ["park_id", "local_date"],
    )
    op.create_index(
        op.f("ix_park_activity_snapshots_recorded_at"), "park_activity_snapshots", ["recorded_at"]
    )


def downgrade() -> None:
    # Dropping a table drops its indexes (MariaDB refuses to drop an index a foreign key uses).
    op.drop_table("park_activity_snapshots")
