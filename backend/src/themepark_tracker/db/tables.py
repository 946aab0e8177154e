"""The schema, defined once (SPEC §2–§4). Alembic revisions create exactly this; a test compares.

Conventions: every time is naive UTC; every time column has an explicit default or is NOT NULL
without ON UPDATE (MariaDB must never add an implicit ``ON UPDATE CURRENT_TIMESTAMP`` to
``recorded_at``); a "local date" is the park's own calendar date.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
)

from themepark_tracker.db.types import Dec, LocalDate, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BIGINT AUTO_INCREMENT on MariaDB, INTEGER PRIMARY KEY (the rowid) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def created_column() -> Column[object]:
    return Column("created_at", UtcDateTime, nullable=False, server_default=func.now())


def updated_column() -> Column[object]:
    return Column("updated_at", UtcDateTime, nullable=False, server_default=func.now())


# --- catalogue --------------------------------------------------------------------------------

parks = Table(
    "parks",
    metadata,
    Column("park_id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("operator", String(200)),
    Column("country", String(100)),
    Column("is_disney", Boolean, nullable=False, server_default=false()),
    Column("is_universal", Boolean, nullable=False, server_default=false()),
    Column("reports_down", Boolean, nullable=False, server_default=false()),
    Column("queue_times_id", Integer, unique=True),
    Column("themeparks_wiki_id", String(64), unique=True),
    Column("latitude", Double),
    Column("longitude", Double),
    created_column(),
    updated_column(),
)

rides = Table(
    "rides",
    metadata,
    Column("ride_id", Integer, primary_key=True, autoincrement=False),
    Column("park_id", Integer, ForeignKey("parks.park_id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("tier", SmallInteger),  # NULL = unclassified, weighs as tier 2 (metrics.tier_weight)
    Column("category", String(20), nullable=False, server_default="ATTRACTION"),
    Column("queue_times_id", Integer, unique=True),
    Column("themeparks_wiki_id", String(64), unique=True),
    created_column(),
    updated_column(),
)

park_schedules = Table(
    "park_schedules",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("park_id", Integer, ForeignKey("parks.park_id"), nullable=False),
    Column("local_date", LocalDate, nullable=False),
    Column("opening_time_utc", UtcDateTime, nullable=False),
    Column("closing_time_utc", UtcDateTime, nullable=False),
    Column("schedule_type", String(32), nullable=False, server_default="OPERATING"),
    created_column(),
    UniqueConstraint("park_id", "local_date", "opening_time_utc", "schedule_type"),
)

# --- raw and per-snapshot derived (SPEC §2) ----------------------------------------------------

ride_status_snapshots = Table(
    "ride_status_snapshots",
    metadata,
    # Clustered by park and time: ingest re-reads a park-day, aggregation a park-hour.
    Column("park_id", Integer, primary_key=True, autoincrement=False),
    Column("recorded_at", UtcDateTime, primary_key=True),
    Column("ride_id", Integer, primary_key=True, autoincrement=False),
    Column("status", String(16), nullable=False),
    Column("wait_time", SmallInteger),
    # Derived by ingest from the park-day (SPEC §2), never written by anything else.
    Column("local_date", LocalDate, nullable=False),
    Column("park_open", Boolean, nullable=False),
    Column("operated_today", Boolean, nullable=False),
    Column("counted_down", Boolean, nullable=False),
    Index(None, "recorded_at"),
    Index(None, "ride_id", "recorded_at"),
)

park_activity_snapshots = Table(
    "park_activity_snapshots",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("park_id", Integer, ForeignKey("parks.park_id"), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("local_date", LocalDate, nullable=False),
    Column("park_appears_open", Boolean, nullable=False),
    Column("rides_open", Integer, nullable=False),
    Column("rides_down", Integer, nullable=False),
    Column("total_rides_tracked", Integer, nullable=False),
    Column("active_weight", Integer, nullable=False),
    Column("down_weight", Integer, nullable=False),
    Column("shame_score", Dec(3, 1)),
    Column("avg_wait_time", Dec(6, 2)),
    Column("max_wait_time", Integer),
    # Added by revision 012: the cycle's waits (avg_wait_time is their mean) and the local
    # day's attractions so far that operated / were counted down (ingest.derive.DerivedPark).
    Column("wait_sum", Integer, nullable=False, server_default="0"),
    Column("wait_count", Integer, nullable=False, server_default="0"),
    Column("rides_operated_today", Integer, nullable=False, server_default="0"),
    Column("rides_down_today", Integer, nullable=False, server_default="0"),
    UniqueConstraint("park_id", "recorded_at"),
    Index(None, "recorded_at"),
    Index(None, "park_id", "local_date"),
)

# --- outages and recovery curves (SPEC §10, §11) ------------------------------------------------

#: One row per outage of an attraction (SPEC §10), written only by ingest (ingest/outages.py
#: and its store) and never deleted by retention. ``decided_at`` (not in SPEC §10's list) is the
#: instant of the cycle that ended the outage, NULL while ongoing: for ``gap`` and
#: ``park_closed`` it comes after ``ended_at``, and re-deriving after late data needs it to know
#: which outages were still open at a given instant.
ride_outages = Table(
    "ride_outages",
    metadata,
    Column("outage_id", BigId, primary_key=True, autoincrement=True),
    Column("ride_id", Integer, nullable=False),
    Column("park_id", Integer, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("last_down_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
    Column("end_reason", String(16)),
    Column("decided_at", UtcDateTime),
    Column("down_snapshots", Integer, nullable=False),
    Column("down_minutes", Integer, nullable=False),
    Column("start_local_date", LocalDate, nullable=False),
    created_column(),
    updated_column(),
    UniqueConstraint("ride_id", "started_at"),  # a ride's outages in a time range
    Index(None, "park_id", "started_at"),  # a park's outages in a time range
    Index(None, "ended_at", "park_id"),  # ongoing outages (ended_at IS NULL), by park
)

#: The Kaplan–Meier curves the daily job last fitted (SPEC §11): one row per stratum and
#: distinct duration. A stratum is a park (``park_id``) or, with ``park_id`` 0, every park of
#: one ``feed_kind`` pooled. Replaced whole, per stratum, by each fit.
recovery_curves = Table(
    "recovery_curves",
    metadata,
    Column("park_id", Integer, primary_key=True, autoincrement=False),
    Column("feed_kind", String(16), primary_key=True),
    Column("minutes", Integer, primary_key=True, autoincrement=False),
    Column("at_risk", Integer, nullable=False),
    Column("events", Integer, nullable=False),
    Column("survival", Double, nullable=False),
    Column("fitted_at", UtcDateTime, nullable=False),
    Column("window_start", UtcDateTime, nullable=False),
)

# --- hourly aggregates (SPEC §3) --------------------------------------------------------------

park_hourly_stats = Table(
    "park_hourly_stats",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("park_id", Integer, ForeignKey("parks.park_id"), nullable=False),
    Column("hour_start_utc", UtcDateTime, nullable=False),
    Column("snapshot_count", Integer, nullable=False),
    Column("open_snapshot_count", Integer, nullable=False),
    Column("park_was_open", Boolean, nullable=False),
    Column("shame_score_sum", Double, nullable=False),
    Column("shame_score", Dec(3, 1)),
    Column("avg_wait_time_minutes", Dec(6, 2)),
    Column("wait_sum", Integer, nullable=False),
    Column("wait_count", Integer, nullable=False),
    Column("rides_operating", Integer, nullable=False),
    Column("rides_down", Integer, nullable=False),
    Column("operating_snapshots", Integer, nullable=False),
    Column("down_snapshots", Integer, nullable=False),
    Column("weighted_down_snapshots", Integer, nullable=False),
    Column("total_downtime_hours", Dec(8, 2), nullable=False),
    Column("weighted_downtime_hours", Dec(8, 2), nullable=False),
    Column("effective_park_weight", Integer),
    created_column(),
    updated_column(),
    UniqueConstraint("park_id", "hour_start_utc"),
    Index(None, "hour_start_utc"),
)

ride_hourly_stats = Table(
    "ride_hourly_stats",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ride_id", Integer, ForeignKey("rides.ride_id"), nullable=False),
    Column("park_id", Integer, ForeignKey("parks.park_id"), nullable=False),
    Column("hour_start_utc", UtcDateTime, nullable=False),
    Column("snapshot_count", Integer, nullable=False),
    Column("open_snapshot_count", Integer, nullable=False),
    Column("operating_snapshots", Integer, nullable=False),
    Column("down_snapshots", Integer, nullable=False),
    Column("downtime_hours", Dec(6, 2), nullable=False),
    Column("uptime_percentage", Dec(5, 2)),
    Column("avg_wait_time_minutes", Dec(6, 2)),
    Column("max_wait_time", Integer),
    Column("wait_sum", Integer, nullable=False),
    Column("wait_count", Integer, nullable=False),
    Column("ride_operated", Boolean, nullable=False),
    created_column(),
    updated_column(),
    UniqueConstraint("ride_id", "hour_start_utc"),
    Index(None, "park_id", "hour_start_utc"),
    Index(None, "hour_start_utc"),
)

# --- daily aggregates (SPEC §4) ---------------------------------------------------------------

park_daily_stats = Table(
    "park_daily_stats",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("park_id", Integer, ForeignKey("parks.park_id"), nullable=False),
    Column("stat_date", LocalDate, nullable=False),
    Column("snapshot_count", Integer, nullable=False),
    Column("open_snapshot_count", Integer, nullable=False),
    Column("park_was_open", Boolean, nullable=False),
    Column("operating_minutes", Integer, nullable=False),
    Column("shame_score_sum", Double, nullable=False),
    Column("shame_score", Dec(3, 1)),
    Column("avg_wait_time_minutes", Dec(6, 2)),
    Column("peak_wait_time", Integer),
    Column("wait_sum", Integer, nullable=False),
    Column("wait_count", Integer, nullable=False),
    Column("rides_operating", Integer, nullable=False),
    Column("rides_down", Integer, nullable=False),
    Column("rides_operated", Integer, nullable=False),
    Column("rides_with_downtime", Integer, nullable=False),
    Column("operating_snapshots", Integer, nullable=False),
    Column("down_snapshots", Integer, nullable=False),
    Column("weighted_down_snapshots", Integer, nullable=False),
    Column("total_downtime_hours", Dec(8, 2), nullable=False),
    Column("weighted_downtime_hours", Dec(8, 2), nullable=False),
    Column("uptime_percentage", Dec(5, 2)),
    Column("effective_park_weight", Integer),
    # SPEC §12: open cycles expected that day (schedule minutes ÷ I, or first-to-last open
    # cycle ÷ I + 1); coverage = open_snapshot_count ÷ this. NULL before revision 014's job ran.
    Column("expected_open_cycles", Integer),
    created_column(),
    updated_column(),
    UniqueConstraint("park_id", "stat_date"),
    Index(None, "stat_date"),
)

ride_daily_stats = Table(
    "ride_daily_stats",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ride_id", Integer, ForeignKey("rides.ride_id"), nullable=False),
    Column("park_id", Integer, ForeignKey("parks.park_id"), nullable=False),
    Column("stat_date", LocalDate, nullable=False),
    Column("snapshot_count", Integer, nullable=False),
    Column("open_snapshot_count", Integer, nullable=False),
    Column("operating_snapshots", Integer, nullable=False),
    Column("down_snapshots", Integer, nullable=False),
    Column("operating_minutes", Integer, nullable=False),
    Column("downtime_hours", Dec(6, 2), nullable=False),
    Column("uptime_percentage", Dec(5, 2)),
    Column("avg_wait_time_minutes", Dec(6, 2)),
    Column("peak_wait_time", Integer),
    Column("wait_sum", Integer, nullable=False),
    Column("wait_count", Integer, nullable=False),
    Column("ride_operated", Boolean, nullable=False),
    created_column(),
    updated_column(),
    UniqueConstraint("ride_id", "stat_date"),
    Index(None, "park_id", "stat_date"),
    Index(None, "stat_date"),
)

# --- jobs ---------------------------------------------------------------------------------------

aggregation_log = Table(
    "aggregation_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("aggregation_type", String(16), nullable=False),  # hourly | daily | backfill
    Column("target_period", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # running | success | failure
    Column("parks_processed", Integer, nullable=False, server_default="0"),
    Column("rides_processed", Integer, nullable=False, server_default="0"),
    Column("processing_time_sec", Dec(10, 3)),
    Column("error_message", Text),
    Column("started_at", UtcDateTime, nullable=False, server_default=func.now()),
    created_column(),
    Index(None, "aggregation_type", "created_at"),
)

# Work the ingest path leaves for the aggregation jobs: hours and park-days whose raw data
# changed after (or before) they were aggregated. Ingest inserts a mark or bumps its
# ``version``; a job deletes only the (key, version) pairs it read before aggregating, so a
# mark made while it ran survives for the next run.
stale_hours = Table(
    "stale_hours",
    metadata,
    Column("hour_start_utc", UtcDateTime, primary_key=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("marked_at", UtcDateTime, nullable=False, server_default=func.now()),
)

stale_days = Table(
    "stale_days",
    metadata,
    Column("park_id", Integer, primary_key=True, autoincrement=False),
    Column("local_date", LocalDate, primary_key=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("marked_at", UtcDateTime, nullable=False, server_default=func.now()),
)

data_quality_issues = Table(
    "data_quality_issues",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("park_id", Integer, nullable=False),
    Column("ride_id", Integer),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("issue_type", String(32), nullable=False),  # e.g. STALE_DATA
    Column("source", String(32)),
    Column("detail", Text),
    created_column(),
    UniqueConstraint("park_id", "ride_id", "recorded_at", "issue_type"),
)

job_locks = Table(
    "job_locks",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("owner", String(128), nullable=False),
    Column("acquired_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)


# Tables of later features live in modules of their own on this metadata; importing them here
# registers them wherever the schema is read (Alembic, the schema comparison, the tests).
from themepark_tracker.db import alert_tables, record_tables  # noqa: E402, F401
