"""An independent recomputation of SPEC §10 (outages) for the tests, from the reference
derivation of SPEC §2 (``reference.derive``), never from what ingest stored.

Written ride by ride (production folds cycle by cycle, all rides at once): for each attraction,
walk its park's cycles in time order and apply the five rules literally. Nothing here imports
``themepark_tracker.ingest``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from reference import CycleSnap, Raw, local_date

PAUSE = timedelta(hours=24)


def _walk_ride(ride_id: int, cycles: list[CycleSnap], reports_down: bool, interval: int
               ) -> list[dict[str, Any]]:
    step = timedelta(minutes=interval)
    rows: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    prev: CycleSnap | None = None
    last_open: datetime | None = None

    def close(end: datetime, reason: str, decided: datetime) -> None:
        nonlocal current
        assert current is not None
        current.update(ended_at=end, end_reason=reason, decided_at=decided)
        rows.append(current)
        current = None

    for c in cycles:
        mine = {r.ride_id: r for r in c.rides}.get(ride_id)
        down_here = mine is not None and mine.counted_down
        if current is not None:
            if prev is not None and prev.park_open and c.at - prev.at > 3 * step:
                close(current["last_down_at"] + step, "gap", c.at)
            elif (not reports_down and not c.park_open) or (
                    reports_down and last_open is not None and c.at - last_open > PAUSE):
                close(current["last_down_at"] + step, "park_closed", c.at)
            elif down_here:
                current["last_down_at"] = c.at
                current["down_snapshots"] += 1
            elif c.park_open:
                status = mine.status if mine is not None else None
                reason = {"OPERATING": "recovered", "REFURBISHMENT": "reclassified"}.get(
                    status or "", "censored")
                close(c.at, reason, c.at)
        if current is None and down_here:
            current = {"ride_id": ride_id, "started_at": c.at, "last_down_at": c.at,
                       "down_snapshots": 1, "ended_at": None, "end_reason": None,
                       "decided_at": None}
        prev = c
        if c.park_open:
            last_open = c.at
    if current is not None:
        rows.append(current)
    return rows


def expected_outages(raw: Raw, derived: dict[tuple[int, datetime], CycleSnap], interval: int
                     ) -> dict[tuple[int, datetime], dict[str, Any]]:
    """Every outage SPEC §10 gives for the raw rows, keyed by (ride_id, started_at)."""
    by_park: dict[int, list[CycleSnap]] = defaultdict(list)
    for (park_id, _), snap in derived.items():
        by_park[park_id].append(snap)
    out: dict[tuple[int, datetime], dict[str, Any]] = {}
    for park_id, cycles in by_park.items():
        cycles.sort(key=lambda c: c.at)
        park = raw.parks[park_id]
        rides = sorted({r.ride_id for c in cycles for r in c.rides if r.counted_down})
        for ride_id in rides:
            for row in _walk_ride(ride_id, cycles, park.reports_down, interval):
                row.update(park_id=park_id,
                           down_minutes=row["down_snapshots"] * interval,
                           start_local_date=local_date(row["started_at"], park.zone))
                out[(ride_id, row["started_at"])] = row
    return out
