"""SPEC §2 folded over a park-day: from raw ride readings to the derived per-ride flags and the
park snapshot. Pure: the caller loads the park-day's state and writes the results.

A park-day is processed in time order. ``DayState`` carries what earlier cycles of the same
local day established (which attractions were seen OPERATING, which operated while the park
was open), so a cycle can be derived alone when it arrives in order, and the rest of the day
re-derived from any point when one arrives late.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from themepark_tracker import metrics


@dataclass
class DayState:
    seen_operating: set[int] = field(default_factory=set)
    operated_today: set[int] = field(default_factory=set)
    down_today: set[int] = field(default_factory=set)  # counted down at some cycle so far


@dataclass(frozen=True, slots=True)
class Reading:
    ride_id: int
    status: str
    wait_time: int | None


@dataclass(frozen=True, slots=True)
class DerivedRide:
    ride_id: int
    status: str
    wait_time: int | None
    park_open: bool
    operated_today: bool
    counted_down: bool


@dataclass(frozen=True, slots=True)
class DerivedPark:
    park_appears_open: bool
    rides_open: int
    rides_down: int
    total_rides_tracked: int
    active_weight: int
    down_weight: int
    shame_score: float | None  # rounded to 1 decimal, None while closed
    avg_wait_time: float | None
    max_wait_time: int | None
    wait_sum: int  # the waits avg_wait_time is the mean of, and their number
    wait_count: int
    # Distinct attractions of the local day so far, up to and including this cycle: those that
    # operated today (SPEC §2.2) and those counted down at some cycle. The day's "today" ride
    # counts at its latest cycle, without reading every ride snapshot of the day.
    rides_operated_today: int
    rides_down_today: int


@dataclass(frozen=True, slots=True)
class ParkRules:
    """What the rules need to know about a park for one local day."""

    weights: Mapping[int, int]  # attraction ride_id -> weight; anything else is not counted
    reports_down: bool
    schedule: Sequence[metrics.ScheduleWindow] = ()


def _attractions_only(readings: Sequence[Reading], rules: ParkRules, state: DayState
                      ) -> list[Reading]:
    """Only the attractions of ``rules.weights`` count: any other reading, or a ride of
    ``state`` reclassified since (SPEC §1: a ride that stops being an attraction mid-day), is
    left out of this cycle and of the rest of the day."""
    attractions = rules.weights.keys()
    state.seen_operating &= attractions
    state.operated_today &= attractions
    state.down_today &= attractions
    return [r for r in readings if r.ride_id in attractions]


def derive_cycle(
    recorded_at: datetime,
    local_date: date,
    readings: Sequence[Reading],
    rules: ParkRules,
    state: DayState,
) -> tuple[list[DerivedRide], DerivedPark]:
    """Derive one cycle and advance ``state`` past it (see ``_attractions_only``)."""
    readings = _attractions_only(readings, rules, state)
    operating_now = {r.ride_id for r in readings if r.status == metrics.OPERATING}
    state.seen_operating |= operating_now

    park_open = metrics.park_open_by_schedule(recorded_at, local_date.isoformat(), rules.schedule)
    if park_open is None:
        park_open = metrics.park_open_by_rides(len(operating_now), len(state.seen_operating))
    if park_open:
        state.operated_today |= operating_now

    rides: list[DerivedRide] = []
    down_ids: set[int] = set()
    waits: list[int] = []
    for r in readings:
        operated = r.ride_id in state.operated_today
        down = metrics.counted_down(r.status, park_open, rules.reports_down, operated)
        if down:
            down_ids.add(r.ride_id)
        if park_open and r.status == metrics.OPERATING and r.wait_time is not None:
            waits.append(r.wait_time)
        rides.append(DerivedRide(r.ride_id, r.status, r.wait_time, park_open, operated, down))

    state.down_today |= down_ids
    active = state.operated_today | down_ids
    active_weight = sum(rules.weights[i] for i in active)
    down_weight = sum(rules.weights[i] for i in down_ids)
    score = metrics.shame_score(down_weight, active_weight, park_open)
    park = DerivedPark(
        park_appears_open=park_open,
        rides_open=len(operating_now) if park_open else 0,
        rides_down=len(down_ids),
        total_rides_tracked=len(readings),
        active_weight=active_weight,
        down_weight=down_weight,
        shame_score=metrics.round_half_up(score, 1),
        avg_wait_time=metrics.round_half_up(sum(waits) / len(waits), 2) if waits else None,
        max_wait_time=max(waits) if waits else None,
        wait_sum=sum(waits),
        wait_count=len(waits),
        rides_operated_today=len(state.operated_today),
        rides_down_today=len(state.down_today),
    )
    return rides, park
