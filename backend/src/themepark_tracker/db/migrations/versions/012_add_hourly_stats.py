"""add hourly stats: park_hourly_stats, ride_hourly_stats.

Hourly park and ride aggregates (SPEC section 3), and four sums on each park snapshot that let
"today" be read from the hourly rows and the park snapshots of the unfinished hour alone,
without the ride snapshots: the cycle's waits (wait_sum, wait_count) and the attractions of
the local day so far that operated (rides_operated_today) or were counted down
(rides_down_today). Ingest writes them from now on; this revision computes them for the
snapshots already stored, from their ride snapshots.

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
    _create_park_hourly_stats()
    _create_ride_hourly_stats()
    _add_snapshot_sums()


def _create_park_hourly_stats() -> None:
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


def _create_ride_hourly_stats() -> None:
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


def _add_snapshot_sums() -> None:
    """The four sums on each park snapshot, computed for those already stored."""
    for name in SNAPSHOT_SUMS:
        op.add_column("park_activity_snapshots",
                      sa.Column(name, sa.Integer(), server_default="0", nullable=False))
    op.execute(fill_snapshot_sums(op.get_context().dialect.name))


# New columns of park_activity_snapshots (see the module docstring).
SNAPSHOT_SUMS = ("wait_sum", "wait_count", "rides_operated_today", "rides_down_today")

# Per park snapshot: its cycle's waits, and the running count of the day's attractions that
# have operated (OPERATING while the park was open) or been counted down by that cycle. A
# ride's first such cycle adds it; a cumulative sum over the day's cycles counts them.
def _running_count(name: str, condition: str) -> tuple[str, str]:
    """The column ``name`` and the join it reads: how many attractions first met
    ``condition`` in each cycle of their local day, summed over the day up to the cycle."""
    column = (f"SUM(COALESCE({name}.n, 0)) OVER (PARTITION BY s.park_id, s.local_date\n"
              f"       ORDER BY s.recorded_at ROWS UNBOUNDED PRECEDING) AS {name}")
    join = (f"LEFT JOIN (SELECT park_id, at, COUNT(*) AS n\n"
            f"           FROM (SELECT park_id, MIN(recorded_at) AS at FROM ride_status_snapshots\n"
            f"                 WHERE {condition}\n"
            f"                 GROUP BY park_id, local_date, ride_id) f\n"
            f"           GROUP BY park_id, at) {name}\n"
            f"       ON {name}.park_id = s.park_id AND {name}.at = s.recorded_at")
    return column, join


_OPERATED = _running_count("rides_operated_today", "park_open = 1 AND status = 'OPERATING'")
_DOWN = _running_count("rides_down_today", "counted_down = 1")
_SNAPSHOT_SUMS_SELECT = f"""
SELECT s.id,
       COALESCE(w.wait_sum, 0) AS wait_sum,
       COALESCE(w.wait_count, 0) AS wait_count,
       {_OPERATED[0]},
       {_DOWN[0]}
FROM park_activity_snapshots s
LEFT JOIN (SELECT park_id, recorded_at, SUM(wait_time) AS wait_sum, COUNT(*) AS wait_count
           FROM ride_status_snapshots
           WHERE park_open = 1 AND status = 'OPERATING' AND wait_time IS NOT NULL
           GROUP BY park_id, recorded_at) w
       ON w.park_id = s.park_id AND w.recorded_at = s.recorded_at
{_OPERATED[1]}
{_DOWN[1]}
"""


def fill_snapshot_sums(dialect: str) -> str:
    """The UPDATE that computes the new columns of the stored park snapshots from their ride
    snapshots, as ingest derives them (ingest.derive). Running it again changes nothing."""
    if dialect == "sqlite":
        columns = ", ".join(f"{name} = c.{name}" for name in SNAPSHOT_SUMS)
        return (f"UPDATE park_activity_snapshots SET {columns} "
                f"FROM ({_SNAPSHOT_SUMS_SELECT}) AS c WHERE c.id = park_activity_snapshots.id")
    columns = ", ".join(f"p.{name} = c.{name}" for name in SNAPSHOT_SUMS)
    return (f"UPDATE park_activity_snapshots p JOIN ({_SNAPSHOT_SUMS_SELECT}) c "
            f"ON c.id = p.id SET {columns}")


def downgrade() -> None:
    for name in reversed(SNAPSHOT_SUMS):
        op.drop_column("park_activity_snapshots", name)
    # Dropping a table drops its indexes (MariaDB refuses to drop an index a foreign key uses).
    op.drop_table("ride_hourly_stats")
    op.drop_table("park_hourly_stats")
