"""SPEC §10 folded over a park's cycles: outages as records. Pure: the caller loads the state
(the park's ongoing outages and its last cycles) and writes the results.

An outage of an attraction is a run of its counted-down snapshots in the order of its park's
cycles, every cycle of the park, open or closed. At each cycle the rules are checked in order,
the first that applies winning; a cycle that ends an outage by ``gap`` or ``park_closed`` is
then taken again from "start".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from themepark_tracker import metrics

RECOVERED = "recovered"
RECLASSIFIED = "reclassified"
CENSORED = "censored"
GAP = "gap"
PARK_CLOSED = "park_closed"
END_REASONS = (RECOVERED, RECLASSIFIED, CENSORED, GAP, PARK_CLOSED)

#: Missing cycles while the park was open: more than this many intervals between an open cycle
#: and the next one ends an outage as ``gap`` (SPEC §10 rule 2).
GAP_INTERVALS = 3
#: A down-reporting park's outage survives closed cycles (a night) for this long after the
#: park's last open cycle (SPEC §10 rule 3).
PAUSE_LIMIT = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class OutageCycle:
    """One cycle of a park as the outage rules see it: its instant, whether the park was open,
    the attractions counted down (SPEC §2.3) and every attraction's status in the cycle."""

    recorded_at: datetime
    park_open: bool
    down: frozenset[int]
    statuses: Mapping[int, str]


@dataclass(frozen=True, slots=True)
class Outage:
    ride_id: int
    started_at: datetime
    last_down_at: datetime
    down_snapshots: int
    ended_at: datetime | None = None
    end_reason: str | None = None
    #: The instant of the cycle that ended the outage (later than ``ended_at`` for ``gap``
    #: and ``park_closed``); None while ongoing.
    decided_at: datetime | None = None

    @property
    def ongoing(self) -> bool:
        return self.end_reason is None

    def down_minutes(self, interval_minutes: int) -> int:
        return self.down_snapshots * interval_minutes


@dataclass
class ParkOutageState:
    """What the rules need from before a cycle: the park's previous cycle (instant, open),
    its last open cycle, and its ongoing outages by ride."""

    previous_at: datetime | None = None
    previous_open: bool = False
    last_open_at: datetime | None = None
    ongoing: dict[int, Outage] = field(default_factory=dict)


def _censor_reason(cycle: OutageCycle, state: ParkOutageState, reports_down: bool,
                   interval: timedelta) -> str | None:
    """Rules 2 and 3, which end every ongoing outage of the park alike: ``gap`` or
    ``park_closed``, or None when neither applies to this cycle."""
    if (state.previous_open and state.previous_at is not None
            and cycle.recorded_at - state.previous_at > GAP_INTERVALS * interval):
        return GAP
    if not reports_down and not cycle.park_open:
        return PARK_CLOSED
    if (reports_down and state.last_open_at is not None
            and cycle.recorded_at - state.last_open_at > PAUSE_LIMIT):
        return PARK_CLOSED
    return None


def _end_reason(status: str | None) -> str:
    """Rule 5: why an outage ended at an open cycle in which its ride was not counted down."""
    if status == metrics.OPERATING:
        return RECOVERED
    if status == metrics.REFURBISHMENT:
        return RECLASSIFIED
    return CENSORED


def step(cycle: OutageCycle, state: ParkOutageState, *, reports_down: bool,
         interval_minutes: int) -> list[Outage]:
    """Apply one cycle to ``state`` (advancing it) and return the outages this cycle changed:
    ended ones with their end, continued and started ones as they now stand."""
    interval = timedelta(minutes=interval_minutes)
    changed: dict[tuple[int, datetime], Outage] = {}
    reason = _censor_reason(cycle, state, reports_down, interval)
    for ride_id, outage in list(state.ongoing.items()):
        if reason is not None:
            ended = replace(outage, ended_at=outage.last_down_at + interval, end_reason=reason,
                            decided_at=cycle.recorded_at)
        elif ride_id in cycle.down:
            state.ongoing[ride_id] = replace(outage, last_down_at=cycle.recorded_at,
                                             down_snapshots=outage.down_snapshots + 1)
            changed[(ride_id, outage.started_at)] = state.ongoing[ride_id]
            continue
        elif cycle.park_open:
            ended = replace(outage, ended_at=cycle.recorded_at,
                            end_reason=_end_reason(cycle.statuses.get(ride_id)),
                            decided_at=cycle.recorded_at)
        else:
            continue  # rule 4: a closed cycle pauses a down-reporting park's outage
        del state.ongoing[ride_id]
        changed[(ride_id, outage.started_at)] = ended
    for ride_id in sorted(cycle.down - state.ongoing.keys()):
        started = Outage(ride_id, cycle.recorded_at, cycle.recorded_at, 1)
        state.ongoing[ride_id] = started
        changed[(ride_id, cycle.recorded_at)] = started
    state.previous_at, state.previous_open = cycle.recorded_at, cycle.park_open
    if cycle.park_open:
        state.last_open_at = cycle.recorded_at
    return list(changed.values())


def derive_outages(cycles: Iterable[OutageCycle], *, reports_down: bool, interval_minutes: int,
                   state: ParkOutageState | None = None) -> list[Outage]:
    """Every outage of a park's cycles (given in time order), ended or still ongoing, keyed
    by (ride, start): the last word on each."""
    state = state if state is not None else ParkOutageState()
    out: dict[tuple[int, datetime], Outage] = {}
    for cycle in cycles:
        for outage in step(cycle, state, reports_down=reports_down,
                           interval_minutes=interval_minutes):
            out[(outage.ride_id, outage.started_at)] = outage
    return sorted(out.values(), key=lambda o: (o.started_at, o.ride_id))
