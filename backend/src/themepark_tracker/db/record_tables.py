"""Tables of the long record and of upstream history (revision 014): local-hour rollups for
the heatmaps (SPEC §7) and the days a backfill from ThemeParks.wiki's history has filled.
Same metadata as ``tables``; ``tables`` imports this module so the schema is read whole."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, SmallInteger, String, Table

from themepark_tracker.db.tables import created_column, metadata, updated_column
from themepark_tracker.db.types import LocalDate, UtcDateTime

#: Per park and park-local hour (SPEC §7 heatmap): open park cycles, and the attraction
#: snapshots taken in them, counted down or not. Kept by the hourly job from the raw snapshots,
#: so a year's heatmap does not depend on raw retention and half-hour zones get their own hour.
park_local_hour_stats = Table(
    "park_local_hour_stats",
    metadata,
    Column("park_id", Integer, primary_key=True, autoincrement=False),
    Column("local_date", LocalDate, primary_key=True),
    Column("local_hour", SmallInteger, primary_key=True, autoincrement=False),
    Column("open_cycles", Integer, nullable=False),
    Column("open_ride_snapshots", Integer, nullable=False),
    Column("down_ride_snapshots", Integer, nullable=False),
    updated_column(),
)

#: The same per attraction: its snapshots while the park was open, and those counted down.
ride_local_hour_stats = Table(
    "ride_local_hour_stats",
    metadata,
    Column("ride_id", Integer, primary_key=True, autoincrement=False),
    Column("local_date", LocalDate, primary_key=True),
    Column("local_hour", SmallInteger, primary_key=True, autoincrement=False),
    Column("park_id", Integer, nullable=False),
    Column("open_snapshots", Integer, nullable=False),
    Column("down_snapshots", Integer, nullable=False),
    updated_column(),
    Index(None, "park_id", "local_date"),
)

#: Per park and local date a backfill from upstream history completed (resumable, idempotent).
upstream_backfill_days = Table(
    "upstream_backfill_days",
    metadata,
    Column("park_id", Integer, primary_key=True, autoincrement=False),
    Column("local_date", LocalDate, primary_key=True),
    Column("source", String(16), nullable=False),
    Column("cycles", Integer, nullable=False),
    Column("completed_at", UtcDateTime, nullable=False),
    created_column(),
)
