"""create data quality issues: data_quality_issues.

Data-quality records (stale upstream data and the like).

Revision ID: 009
Revises: 008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from themepark_tracker.db.types import UtcDateTime

revision = "009"
down_revision = "008"
branch_labels = None
depends_on = None

# BIGINT AUTO_INCREMENT on MariaDB, INTEGER PRIMARY KEY (the rowid) on SQLite.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "data_quality_issues",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("ride_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.Column("issue_type", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_quality_issues")),
        sa.UniqueConstraint(
            "park_id",
            "ride_id",
            "recorded_at",
            "issue_type",
            name=op.f("uq_data_quality_issues_park_id_ride_id_recorded_at_issue_type"),
        ),
    )


def downgrade() -> None:
    op.drop_table("data_quality_issues")
