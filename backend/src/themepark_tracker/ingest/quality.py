"""Data-quality records of a whole park's cycle (``ride_id`` NULL): a stale feed, a failed
ingest. The table's unique key cannot dedupe NULL ride ids (NULLs are distinct in MariaDB and
SQLite), so these are replaced per (park, instant, issue type) instead of upserted."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert

from themepark_tracker.db import tables as t

logger = logging.getLogger(__name__)

STALE_DATA = "STALE_DATA"
INGEST_FAILED = "INGEST_FAILED"
#: The catalogue sync's record of a park it could not store (no usable time zone), under
#: ``NOT_STORED_PARK`` since no park id exists for it (stored park ids start at 1).
CATALOG_PREFIX = "CATALOG_"  # every catalogue finding's issue_type starts so
CATALOG_NOT_STORED = "CATALOG_SKIPPED"
NOT_STORED_PARK = 0
#: A detail is a short line: an exception's text is cut to this.
DETAIL_CHARS = 500


@dataclass(frozen=True, slots=True)
class ParkIssue:
    park_id: int
    recorded_at: datetime
    issue_type: str
    source: str | None
    detail: str


def replace_park_issues(conn: Connection, park_id: int, issue_type: str,
                        instants: Collection[datetime], issues: Sequence[ParkIssue]) -> None:
    """Make ``issues`` the park-level records of ``issue_type`` at ``instants``: any earlier
    one at those instants is dropped, so recording the same cycle twice keeps one record."""
    dq = t.data_quality_issues
    if instants:
        conn.execute(delete(dq).where(
            dq.c.park_id == park_id, dq.c.ride_id.is_(None), dq.c.issue_type == issue_type,
            dq.c.recorded_at.in_(sorted(instants))))
    if issues:
        conn.execute(insert(dq), [
            {"park_id": i.park_id, "ride_id": None, "recorded_at": i.recorded_at,
             "issue_type": i.issue_type, "source": i.source, "detail": i.detail[:DETAIL_CHARS]}
            for i in issues
        ])


@dataclass(frozen=True, slots=True)
class CatalogIssueRow:
    """A finding of the catalogue sync about one stored park, or about a park not stored
    (``park_id`` then the caller's placeholder, 0)."""
    park_id: int
    issue_type: str
    source: str | None
    detail: str


def record_catalog_issues(conn: Connection, recorded_at: datetime,
                          rows: Sequence[CatalogIssueRow]) -> None:
    """Make ``rows`` the catalogue's findings, at the sync's instant. They describe the
    catalogue as the feeds list it now, so each sync replaces the previous one's (all
    ``CATALOG_*`` rows): a re-run gives the same rows, and the table does not grow daily."""
    dq = t.data_quality_issues
    conn.execute(delete(dq).where(dq.c.issue_type.like(f"{CATALOG_PREFIX}%")))
    if rows:
        conn.execute(insert(dq), [
            {"park_id": r.park_id, "ride_id": None, "recorded_at": recorded_at,
             "issue_type": r.issue_type, "source": r.source, "detail": r.detail[:DETAIL_CHARS]}
            for r in rows
        ])
