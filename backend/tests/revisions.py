"""What the tests know about the schema's revisions: the seed's feature is revision 012 (its
SQL file is applied by hand in the quickstart), and later revisions add tables of their own."""

from __future__ import annotations

from pprint import pformat
from typing import Any

from sqlalchemy import Engine

from themepark_tracker.db import migrate

#: Tables that revisions after 012 add (013: outages and recovery curves).
AFTER_012 = frozenset({"ride_outages", "recovery_curves"})


def diffs_at_012(engine: Engine) -> list[Any]:
    """Differences between a database at 012 and ``tables.metadata``, leaving out the tables
    later revisions add: what a database at 012 must not have."""
    return [d for d in migrate.schema_diffs(engine)
            if not any(name in pformat(d) for name in AFTER_012)]
