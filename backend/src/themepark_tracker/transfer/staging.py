"""Where snapshot rows wait between being checked and being ingested: a scratch SQLite file.

``snapshots.csv`` can hold millions of rows in any order, and nothing may be written before
every file of the folder has passed. So the checked rows are parked compactly on disk (one
integer tuple each, keyed by park, time and ride, which also finds duplicates), then read back
cycle by cycle in park and time order, so that ingest extends each park-day in time order
instead of re-deriving it. Memory stays bounded whatever the file's size or order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

from themepark_tracker.ingest.models import Cycle, RideObservation
from themepark_tracker.metrics import STATUSES
from themepark_tracker.transfer.csvformat import from_epoch_seconds

#: Status as stored in the stage: its index in ``metrics.STATUSES``.
STATUS_CODES = {status: code for code, status in enumerate(STATUSES)}

#: (park_id, recorded_at epoch seconds, ride_id, line, status code, wait_time)
StagedRow = tuple[int, int, int, int, int, int | None]


class SnapshotStage:
    """A scratch database of checked snapshot rows; one per import, deleted with its folder."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.executescript("""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -32000;
            CREATE TABLE snapshot (
                park_id INTEGER NOT NULL,
                recorded_at INTEGER NOT NULL,
                ride_id INTEGER NOT NULL,
                line INTEGER NOT NULL,
                status INTEGER NOT NULL,
                wait_time INTEGER,
                PRIMARY KEY (park_id, recorded_at, ride_id)
            ) WITHOUT ROWID;
            BEGIN;
        """)
        self.rows = 0

    def __enter__(self) -> SnapshotStage:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._db.close()

    def add(self, rows: Sequence[StagedRow]) -> list[tuple[int, int, int, int]]:
        """Stage ``rows``; return ``(line, first line, ride_id, recorded_at)`` for each row whose
        ride and time were already staged from an earlier line (a duplicate)."""
        added = self._db.executemany(
            "INSERT OR IGNORE INTO snapshot VALUES (?, ?, ?, ?, ?, ?)", rows
        ).rowcount
        self.rows += added
        if added == len(rows):
            return []
        duplicates = []
        for park_id, at, ride_id, line, _status, _wait in rows:
            (first,) = self._db.execute(
                "SELECT line FROM snapshot WHERE park_id = ? AND recorded_at = ? AND ride_id = ?",
                (park_id, at, ride_id),
            ).fetchone()
            if first != line:
                duplicates.append((line, first, ride_id, at))
        return duplicates

    def chunks(self, chunk_rows: int, source: str | None = None) -> Iterator[list[Cycle]]:
        """Whole cycles in (park, recorded_at) order, in lists of about ``chunk_rows`` rows."""
        rows = self._db.execute(
            "SELECT park_id, recorded_at, ride_id, status, wait_time FROM snapshot"
            " ORDER BY park_id, recorded_at, ride_id"
        )
        chunk: list[Cycle] = []
        size = 0
        key: tuple[int, int] | None = None
        observations: list[RideObservation] = []
        for park_id, at, ride_id, status, wait_time in rows:
            if (park_id, at) != key:
                if key is not None:
                    chunk.append(Cycle(key[0], from_epoch_seconds(key[1]), tuple(observations),
                                       source))
                    size += len(observations)
                    if size >= chunk_rows:
                        yield chunk
                        chunk, size = [], 0
                key, observations = (park_id, at), []
            observations.append(RideObservation(ride_id, STATUSES[status], wait_time))
        if key is not None:
            chunk.append(Cycle(key[0], from_epoch_seconds(key[1]), tuple(observations), source))
        if chunk:
            yield chunk
