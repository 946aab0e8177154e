"""What sources, the simulator and ``import`` hand to ingest: observations, no database.

All times are naive UTC ``datetime``s with whole seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class ParkRecord:
    park_id: int
    name: str
    timezone: str
    operator: str | None = None
    country: str | None = None
    is_disney: bool = False
    is_universal: bool = False
    reports_down: bool = False
    queue_times_id: int | None = None
    themeparks_wiki_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class RideRecord:
    ride_id: int
    park_id: int
    name: str
    tier: int | None = None  # None = unclassified (weighs as tier 2)
    category: str = "ATTRACTION"
    queue_times_id: int | None = None
    themeparks_wiki_id: str | None = None


@dataclass(frozen=True, slots=True)
class ScheduleRecord:
    park_id: int
    local_date: date
    opening_time_utc: datetime
    closing_time_utc: datetime
    schedule_type: str = "OPERATING"


@dataclass(frozen=True, slots=True)
class RideObservation:
    ride_id: int
    status: str  # one of metrics.STATUSES, already mapped from the source's vocabulary
    wait_time: int | None = None


@dataclass(frozen=True, slots=True)
class Cycle:
    """One observation of every ride of one park at one instant (SPEC §1)."""

    park_id: int
    recorded_at: datetime
    rides: tuple[RideObservation, ...] = field(default_factory=tuple)
    source: str | None = None
    #: The newest upstream update time among all the entities of the feed's answer; the cycle
    #: is stale when it is too old (``metrics.feed_is_stale``). None: the source gives none.
    feed_updated: datetime | None = None
