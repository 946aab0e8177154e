"""SPEC §13 in pure functions: when ``park.score_above`` and ``ride.wait_below`` fire over one
park-day's stored cycles, and each event's stable id. No database here (``events`` reads the
rows and records what these functions find), so the rules are tested on hand-made sequences.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from themepark_tracker import metrics

RIDE_DOWN = "ride.down"
RIDE_UP = "ride.up"
PARK_SCORE_ABOVE = "park.score_above"
RIDE_WAIT_BELOW = "ride.wait_below"
EVENT_TYPES = (RIDE_DOWN, RIDE_UP, PARK_SCORE_ABOVE, RIDE_WAIT_BELOW)

#: SPEC §13: after firing, ``park.score_above`` re-arms once today's score is at or below the
#: threshold minus this margin (or a new local day begins).
SCORE_REARM_MARGIN = 0.5


def event_id(event_type: str, park_id: int, ride_id: int | None, instant: datetime,
             threshold: float | None = None) -> str:
    """The stable id: type, subject (the ride, or the park), instant (UTC, to the second) and,
    for the threshold events, the threshold. The same cause always gives the same id, so a
    re-derivation finds it recorded and a repeated delivery is recognisable; at most 57
    characters (``events.event_id`` holds 64)."""
    subject = f"ride-{ride_id}" if ride_id is not None else f"park-{park_id}"
    key = f"{event_type}:{subject}:{instant:%Y%m%dT%H%M%SZ}"
    return key if threshold is None else f"{key}:{threshold:g}"


@dataclass(frozen=True)
class Occurrence:
    """One event found in the stored data. ``occurred_at`` is its instant (SPEC §13, part of
    its id); ``cause_at`` the cycle that made it fire, by whose age ``deliver`` is decided
    (for ``ride.down`` the cycle that brought the outage to the configured count, later than
    the outage's ``started_at``)."""

    event_type: str
    park_id: int
    ride_id: int | None
    occurred_at: datetime
    cause_at: datetime | None  # None until looked up (``events`` does, for new ones only)
    threshold: float | None = None
    details: tuple[tuple[str, Any], ...] = ()

    @property
    def event_id(self) -> str:
        return event_id(self.event_type, self.park_id, self.ride_id, self.occurred_at,
                        self.threshold)


@dataclass(frozen=True)
class ParkCycle:
    """What ``park.score_above`` needs of one stored park cycle (SPEC §2)."""

    recorded_at: datetime
    park_open: bool
    down_weight: int
    active_weight: int


def running_scores(cycles: Iterable[ParkCycle]) -> list[tuple[datetime, float]]:
    """Today's score (SPEC §5: Σ s(t) / n over the day's open cycles so far, full precision)
    after each open cycle of one local day, in time order."""
    out: list[tuple[datetime, float]] = []
    total, count = 0.0, 0
    for cycle in cycles:
        s = metrics.shame_score(cycle.down_weight, cycle.active_weight, cycle.park_open)
        if s is not None:
            total, count = total + s, count + 1
            out.append((cycle.recorded_at, total / count))
    return out


def _shown(mean: float) -> float:
    shown = metrics.round_half_up(mean, 1)
    assert shown is not None
    return shown


def _above(mean: float, threshold: float) -> bool:
    """Whether the score as shown (rounded half up to 0.1) is above ``threshold``; the exact
    rounding is only needed near it (rounding moves a value by at most 0.05)."""
    if abs(mean - threshold) > 0.1:
        return mean > threshold
    return _shown(mean) > threshold


def score_crossings(cycles: Iterable[ParkCycle], threshold: float
                    ) -> list[tuple[datetime, float]]:
    """The cycles of one local day (in time order) at which today's score, compared as shown
    (rounded to one decimal), goes from at or below ``threshold`` to above it, with that
    score. The day starts armed (no score yet is not above anything); after firing it re-arms
    once the score is ≤ threshold − 0.5."""
    return crossings_of(running_scores(cycles), threshold)


def crossings_of(scores: Sequence[tuple[datetime, float]], threshold: float
                 ) -> list[tuple[datetime, float]]:
    """``score_crossings`` over the running scores (``running_scores``) of one day."""
    fired: list[tuple[datetime, float]] = []
    armed = True
    rearm = threshold - SCORE_REARM_MARGIN
    for at, mean in scores:
        if armed and _above(mean, threshold):
            fired.append((at, _shown(mean)))
            armed = False
        elif not armed and not _above(mean, rearm):
            armed = True
    return fired


def wait_crossed(before: float, wait: float, minutes: float) -> bool:
    """An operating ride's posted wait went from above ``minutes`` to at or below them."""
    return before > minutes >= wait


def wait_crossings(readings: Sequence[tuple[datetime, int]], minutes: float
                   ) -> list[tuple[datetime, int]]:
    """The readings (an operating ride's posted waits over one local day, in time order) at
    which the wait goes from above ``minutes`` to at or below them: each crossing fires once,
    and re-arms when a later wait is above them again. The first wait of a day has nothing to
    go from, so a ride opening with a short queue does not fire."""
    return [(at, wait) for (_, before), (at, wait) in zip(readings, readings[1:], strict=False)
            if wait_crossed(before, wait, minutes)]
