"""``import DIR``: a folder of SPEC §8 files into the database, all or nothing.

Every file is read and checked first (``reading``); only then is anything written, in one
transaction: parks, rides and schedules through the catalogue upserts (only rows that differ
from what is stored, so a second import of the same folder changes nothing, ``updated_at``
included), then the snapshots as cycles through ``ingest_cycles``, the same path as live
collection, in chunks of whole cycles in park and time order.

Columns the format does not carry (``themeparks_wiki_id``, a ride's source ids) keep their
stored values. A park with a DOWN reading of an attraction in the file is marked
down-reporting before its snapshots are ingested (SPEC §1: its feed has sent DOWN), so every
day of the file is derived under the same rule whatever the file's order or size.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Column, Connection, Engine, Table, select
from sqlalchemy.exc import IntegrityError

from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t
from themepark_tracker.errors import UserError
from themepark_tracker.ingest.catalog import (
    reports_down_after,
    upsert_parks,
    upsert_rides,
    upsert_schedules,
)
from themepark_tracker.ingest.events import EventSummary, derive_events
from themepark_tracker.ingest.models import ParkRecord, RideRecord, ScheduleRecord
from themepark_tracker.ingest.snapshots import IngestSummary, ingest_cycles
from themepark_tracker.progress import ProgressBar
from themepark_tracker.transfer.reading import Folder, StoredCatalogue, read_folder
from themepark_tracker.transfer.staging import SnapshotStage

logger = logging.getLogger(__name__)

#: Snapshot rows handed to ``ingest_cycles`` at a time (always whole cycles).
CHUNK_ROWS = 50_000
SOURCE = "import"

R = TypeVar("R")


@dataclass
class ImportSummary:
    directory: Path
    files: tuple[str, ...]
    parks: int = 0
    parks_written: int = 0
    rides: int = 0
    rides_written: int = 0
    schedules: int = 0
    schedules_written: int = 0
    snapshots: int = 0
    cycles: int = 0
    ingest: IngestSummary = field(default_factory=IngestSummary)
    events: EventSummary | None = None

    def describe(self) -> str:
        parts = []
        if "parks.csv" in self.files:
            parts.append(f"{self.parks:,} parks ({self.parks_written:,} new or changed)")
        if "rides.csv" in self.files:
            parts.append(f"{self.rides:,} rides ({self.rides_written:,} new or changed)")
        if "schedules.csv" in self.files:
            parts.append(f"{self.schedules:,} schedules ({self.schedules_written:,} new or "
                         f"changed)")
        if "snapshots.csv" in self.files:
            i = self.ingest
            parts.append(
                f"{self.snapshots:,} snapshots in {self.cycles:,} cycles ({i.ride_snapshots:,} "
                f"ride snapshots written, {i.park_days - i.park_days_unchanged:,} park-days "
                f"derived, {i.park_days_unchanged:,} unchanged, {i.dropped_readings:,} readings "
                f"of non-attractions dropped)"
            )
        if self.events is not None and self.events.recorded:
            parts.append(self.events.describe())
        return f"Imported {self.directory}: " + "; ".join(parts)


def import_dir(engine: Engine, directory: Path, settings: Settings | None = None
               ) -> ImportSummary:
    """Import the SPEC §8 files found in ``directory``; raise ``CsvError`` (a ``UserError``)
    naming every problem, with nothing written, if any file is bad. With ``settings``, then
    record the events (SPEC §13) of the park-days imported: old ones are never delivered."""
    with engine.connect() as conn:
        stored = StoredCatalogue.load(conn)
    with tempfile.TemporaryDirectory(prefix="themepark-import-") as scratch, \
            SnapshotStage(Path(scratch) / "snapshots.sqlite3") as stage:
        folder = read_folder(directory, stored, stage)
        logger.info("Checked %s (%s): %d parks, %d rides, %d schedules, %d snapshots",
                    directory, ", ".join(folder.files), len(folder.parks), len(folder.rides),
                    len(folder.schedules), folder.snapshot_rows)
        summary = ImportSummary(
            directory, folder.files, parks=len(folder.parks), rides=len(folder.rides),
            schedules=len(folder.schedules), snapshots=folder.snapshot_rows,
        )
        try:
            with engine.begin() as conn:
                _write(conn, folder, stage, summary)
        except IntegrityError as exc:
            raise UserError(f"the database refused the import of {directory}, nothing was "
                            f"written: {exc.orig}") from exc
    if settings is not None and summary.ingest.days_marked:
        _derive_events(engine, settings, summary)
    return summary


def _derive_events(engine: Engine, settings: Settings, summary: ImportSummary) -> None:
    """The import is committed whatever happens here; events missed are derived again with
    the next collection cycle of the same day, or by the next import of those days."""
    try:
        summary.events = derive_events(engine, settings, summary.ingest.days_marked)
    except Exception:  # noqa: BLE001 - the import itself stands
        logger.exception("The import is stored, but recording its events failed")


def _write(conn: Connection, folder: Folder, stage: SnapshotStage, summary: ImportSummary
           ) -> None:
    summary.parks_written = upsert_parks(conn, _changed_parks(conn, folder))
    summary.rides_written = upsert_rides(conn, _changed_rides(conn, folder.rides))
    summary.schedules_written = upsert_schedules(conn, _changed_schedules(conn, folder.schedules))
    if not folder.snapshot_rows:
        return
    with ProgressBar(folder.snapshot_rows, "Ingesting snapshots", "snapshots") as progress:
        done = 0
        for chunk in stage.chunks(CHUNK_ROWS, SOURCE):
            summary.ingest.add(ingest_cycles(conn, chunk))
            rows = sum(len(c.rides) for c in chunk)
            summary.cycles += len(chunk)
            progress.advance(rows)
            done += rows
            logger.debug("Ingested %d of %d snapshots", done, folder.snapshot_rows)


def _changed_parks(conn: Connection, folder: Folder) -> list[ParkRecord]:
    """Parks of the file that differ from what is stored, plus stored parks that become
    down-reporting because the file has them send DOWN."""
    ids = {p.park_id for p in folder.parks} | folder.down_parks
    stored = {r.park_id: r for r in _load(conn, ParkRecord, t.parks, t.parks.c.park_id, ids)}
    wanted = {p.park_id: p for p in stored.values() if p.park_id in folder.down_parks}
    for park in folder.parks:
        before = stored.get(park.park_id)
        wanted[park.park_id] = replace(
            park,
            themeparks_wiki_id=before.themeparks_wiki_id if before else None,
            reports_down=reports_down_after(bool(before and before.reports_down),
                                            park.reports_down),
        )
    changed = []
    for park_id, park in sorted(wanted.items()):
        if park_id in folder.down_parks and not park.reports_down:
            logger.info("Park %s sends DOWN in the imported snapshots: now down-reporting",
                        park_id)
            park = replace(park, reports_down=True)
        if park != stored.get(park_id):
            changed.append(park)
    return changed


def _changed_rides(conn: Connection, rides: list[RideRecord]) -> list[RideRecord]:
    stored = {r.ride_id: r for r in _load(conn, RideRecord, t.rides, t.rides.c.ride_id,
                                          {r.ride_id for r in rides})}
    changed = []
    for ride in rides:
        before = stored.get(ride.ride_id)
        if before is not None:
            ride = replace(ride, queue_times_id=before.queue_times_id,
                           themeparks_wiki_id=before.themeparks_wiki_id)
        if ride != before:
            changed.append(ride)
    return changed


def _changed_schedules(conn: Connection, schedules: list[ScheduleRecord]
                       ) -> list[ScheduleRecord]:
    stored = set(_load(conn, ScheduleRecord, t.park_schedules, t.park_schedules.c.park_id,
                       {s.park_id for s in schedules}))
    return [s for s in schedules if s not in stored]


def _load(conn: Connection, record: type[R], table: Table, key: Column[int],
          ids: Iterable[int]) -> list[R]:
    """Stored rows of ``table`` whose ``key`` is in ``ids``, as ``record`` dataclasses."""
    wanted = sorted(set(ids))
    columns = [table.c[f.name] for f in fields(record)]  # type: ignore[arg-type]
    found: list[R] = []
    for start in range(0, len(wanted), 1000):
        rows = conn.execute(select(*columns).where(key.in_(wanted[start:start + 1000])))
        found.extend(record(**row) for row in rows.mappings())
    return found
