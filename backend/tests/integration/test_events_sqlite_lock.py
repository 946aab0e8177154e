"""The embedded default (SQLite in WAL mode) lets one connection write at a time, and a
transaction that has read and then wants to write after another connection committed fails at
once with "database is locked": waiting cannot help, its snapshot is stale. ``themepark run``
derives events in a thread of its own while the collector writes, so the derivation takes the
write lock first and waits its turn. This test holds another writer open across the
derivation's start: before the fix the derivation failed here; now it waits and records."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from tests.factories import cycle, ingest, make_park
from themepark_tracker.config import Settings
from themepark_tracker.db import alert_tables as at
from themepark_tracker.db import tables as t
from themepark_tracker.db.engine import make_engine
from themepark_tracker.db.migrate import upgrade
from themepark_tracker.ingest.events import derive_events

T0 = datetime(2025, 7, 1, 10, 0)
M = timedelta(minutes=1)


def test_a_derivation_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lock.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    rides = make_park(engine, tiers=(1, 2, 3))
    # Ride 101 CLOSED after operating, for two cycles while the other two run (the park open:
    # 2 of the 3 seen operating): an outage of 2 counted-down cycles, so one ride.down.
    summary = ingest(engine, [cycle(1, T0 + n * 5 * M, row, rides)
                              for n, row in enumerate(["OOO", "OOO", "COO", "COO"])], 5)
    holding, released = threading.Event(), threading.Event()

    def other_writer() -> None:
        with make_engine(url).begin() as conn:
            conn.execute(insert(t.data_quality_issues).values(
                park_id=1, recorded_at=T0, issue_type="TEST_LOCK", detail="held"))
            holding.set()
            time.sleep(1.0)  # commits after the derivation has begun
        released.set()

    writer = threading.Thread(target=other_writer)
    writer.start()
    holding.wait(5)
    result = derive_events(engine, Settings(database_url=url), summary.days_marked,
                           now=T0 + 20 * M)
    writer.join()
    assert released.is_set()
    assert result.recorded == 1
    with engine.connect() as conn:
        assert conn.execute(select(at.events.c.event_type)).scalars().all() == ["ride.down"]
