"""Status-change history -> cycles on the collection grid (pure; no database, no HTTP).

A history row is the entity's complete state from its ``time`` until the next row's, and the
day's ``opening`` is the state before the first row. So the cycle at grid instant t reads, for
each ride, the last change at or before t (the opening when none): a ride DOWN from 13:05:00
to 13:40:00 is DOWN in the cycles 13:05 ... 13:35 and OPERATING again at 13:40, exactly the
cycles a live collector polling on the same grid would have seen. The wait is the STANDBY
wait of that same change.

The grid is the live collector's (``slot_start`` every collection interval I from the Unix
epoch; each snapshot stands for I minutes, SPEC §1), so a backfilled cycle and a live one of
the same slot carry the same ``recorded_at``: ingest keeps one row per ride and instant, never
two. (A rehearsal's faster ``COLLECTION_PERIOD_SECONDS`` does not change the history grid.)
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from themepark_tracker.ingest.models import Cycle, RideObservation
from themepark_tracker.sources.models import THEMEPARKS_WIKI
from themepark_tracker.sources.wiki_history import EntityHistory, StatusChange
from themepark_tracker.timeutil import slot_start


def grid(start: datetime, end: datetime, period_seconds: int) -> list[datetime]:
    """The collection slots' starts in [start, end)."""
    step = timedelta(seconds=period_seconds)
    first = slot_start(start, period_seconds)
    if first < start:
        first += step
    out = []
    while first < end:
        out.append(first)
        first += step
    return out


def _timeline(entity: EntityHistory) -> list[StatusChange]:
    changes = sorted(entity.changes, key=lambda c: c.time)
    return ([entity.opening] if entity.opening is not None else []) + changes


def state_at(timeline: Sequence[StatusChange], times: Sequence[datetime], instant: datetime
             ) -> StatusChange | None:
    """The change in force at ``instant`` (the last at or before it), or None before any."""
    index = bisect_right(times, instant)
    return timeline[index - 1] if index else None


def park_day_cycles(park_id: int, entities: Sequence[EntityHistory],
                    ride_of: Mapping[str, int], instants: Sequence[datetime]) -> list[Cycle]:
    """One cycle per instant with every known ride's state then. Entities not in our catalogue
    (restaurants, shows we do not track) are left out, as is a ride at an instant before the
    API knew anything of it; an instant with no ride known is no cycle at all."""
    tracked = []
    for entity in entities:
        ride_id = ride_of.get(entity.source_id)
        if ride_id is not None:
            timeline = _timeline(entity)
            # The opening is dated the day's start; a row at the very same instant follows it.
            tracked.append((ride_id, timeline, [c.time for c in timeline]))
    cycles = []
    for instant in instants:
        rides = []
        for ride_id, timeline, times in tracked:
            state = state_at(timeline, times, instant)
            if state is not None:
                rides.append(RideObservation(ride_id, state.status, state.wait_time))
        if rides:
            # No feed time: history has no "stale feed" (a quiet ride simply did not change).
            cycles.append(Cycle(park_id, instant, tuple(sorted(rides, key=lambda r: r.ride_id)),
                                THEMEPARKS_WIKI))
    return cycles
