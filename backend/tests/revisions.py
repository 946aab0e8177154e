"""What the tests know about the schema's revisions: the seed's feature is revision 012 (its
SQL file is applied by hand in the quickstart), and later revisions add tables of their own."""

from __future__ import annotations

from pprint import pformat
from typing import Any

from sqlalchemy import Engine

from themepark_tracker.db import migrate

#: Tables (and a column) that revisions after 012 add (013: outages and recovery curves;
#: 014: local-hour rollups, upstream backfill days, events, webhooks, expected open cycles).
AFTER_012 = frozenset({"ride_outages", "recovery_curves", "park_local_hour_stats",
                       "ride_local_hour_stats", "upstream_backfill_days", "events",
                       "webhook_subscriptions", "webhook_outbox", "webhook_deliveries",
                       "expected_open_cycles"})


def diffs_at_012(engine: Engine) -> list[Any]:
    """Differences between a database at 012 and ``tables.metadata``, leaving out the tables
    later revisions add: what a database at 012 must not have."""
    return [d for d in migrate.schema_diffs(engine)
            if not any(name in pformat(d) for name in AFTER_012)]
