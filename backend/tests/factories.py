"""Small builders for tests: a park with rides, and cycles written as compact strings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine

from themepark_tracker.ingest.catalog import upsert_parks, upsert_rides, upsert_schedules
from themepark_tracker.ingest.models import (
    Cycle,
    ParkRecord,
    RideObservation,
    RideRecord,
    ScheduleRecord,
)
from themepark_tracker.ingest.snapshots import IngestSummary, ingest_cycles

CODES = {"O": "OPERATING", "D": "DOWN", "C": "CLOSED", "R": "REFURBISHMENT", "U": "UNKNOWN"}


def make_park(
    engine: Engine,
    park_id: int = 1,
    *,
    tiers: Sequence[int | None] = (1, 2, 3),
    timezone: str = "UTC",
    reports_down: bool = False,
    name: str | None = None,
    extra_rides: Sequence[tuple[str, str]] = (),
    schedules: Sequence[ScheduleRecord] = (),
    is_disney: bool = False,
) -> list[int]:
    """A park with one attraction per entry of ``tiers`` (ride ids park_id*100 + 1, 2, ...),
    plus ``extra_rides`` as (name, category). Returns the attraction ids."""
    ids = [park_id * 100 + i + 1 for i in range(len(tiers))]
    rides = [RideRecord(i, park_id, f"Ride {i}", tier) for i, tier in zip(ids, tiers, strict=True)]
    rides += [
        RideRecord(park_id * 100 + 50 + n, park_id, nm, None, category)
        for n, (nm, category) in enumerate(extra_rides)
    ]
    with engine.begin() as conn:
        upsert_parks(conn, [ParkRecord(park_id, name or f"Park {park_id}", timezone,
                                       reports_down=reports_down, is_disney=is_disney)])
        upsert_rides(conn, rides)
        upsert_schedules(conn, schedules)
    return ids


def cycle(park_id: int, at: datetime, statuses: str, ride_ids: Sequence[int],
          waits: Sequence[int | None] | None = None) -> Cycle:
    """``statuses`` is one letter per ride: O(perating) D(own) C(losed) R(efurb) U(nknown);
    a '.' leaves that ride out of the cycle."""
    obs = []
    for n, (code, ride_id) in enumerate(zip(statuses, ride_ids, strict=True)):
        if code == ".":
            continue
        wait = waits[n] if waits else None
        obs.append(RideObservation(ride_id, CODES[code], wait))
    return Cycle(park_id, at, tuple(obs))


def series(park_id: int, start: datetime, rows: Sequence[str], ride_ids: Sequence[int],
           every: timedelta = timedelta(minutes=5)) -> list[Cycle]:
    return [cycle(park_id, start + n * every, row, ride_ids) for n, row in enumerate(rows)]


def ingest(engine: Engine, cycles: Sequence[Cycle], interval_minutes: int | None = None
           ) -> IngestSummary:
    with engine.begin() as conn:
        return ingest_cycles(conn, cycles, interval_minutes=interval_minutes)
