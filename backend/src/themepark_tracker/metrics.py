"""SPEC §1, §2 and §6 in code: the one place that says what a status, a weight and a score are.

Everything here is pure: no database, no clock. The ingest derivation folds these rules over a
park-day; the aggregation SQL sums what they produced and rounds with ``round_half_up``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

# --- vocabulary (SPEC §1) -------------------------------------------------------------------

OPERATING = "OPERATING"
DOWN = "DOWN"
CLOSED = "CLOSED"
REFURBISHMENT = "REFURBISHMENT"
UNKNOWN = "UNKNOWN"
STATUSES = (OPERATING, DOWN, CLOSED, REFURBISHMENT, UNKNOWN)

ATTRACTION = "ATTRACTION"
RIDE_CATEGORIES = (ATTRACTION, "SHOW", "RESTAURANT", "MEET_AND_GREET", "SINGLE_RIDER", "OTHER")

TIER_WEIGHTS: Mapping[int, int] = {1: 3, 2: 2, 3: 1}
UNCLASSIFIED_TIER = 2

#: A park's cycle is stale (every ride UNKNOWN) when the newest upstream ``last_updated`` of
#: all the entities in its feed's answer is older than this, relative to the cycle (SPEC §1).
STALE_AFTER = timedelta(minutes=60)

#: Scores run from 0 (nothing down) to this (everything that counts is down).
SHAME_SCALE = 10


def effective_tier(tier: int | None) -> int:
    """The tier a ride counts and shows as: an unclassified ride (None, or a tier outside the
    map) is tier 2 (SPEC §1). The one place that says so."""
    if tier is None or tier not in TIER_WEIGHTS:
        return UNCLASSIFIED_TIER
    return tier


def tier_weight(tier: int | None) -> int:
    """Weight of a ride of ``tier``; unclassified (None or unknown tier) weighs as tier 2."""
    return TIER_WEIGHTS[effective_tier(tier)]


def queue_times_status(is_open: bool) -> str:
    """Queue-Times only knows open/closed."""
    return OPERATING if is_open else CLOSED


def themeparks_wiki_status(status: str | None) -> str:
    """ThemeParks.wiki statuses are taken as given; missing or unrecognised ones are UNKNOWN."""
    if status is None:
        return UNKNOWN
    normalised = status.strip().upper()
    return normalised if normalised in STATUSES else UNKNOWN


def feed_is_stale(newest_update: datetime | None, recorded_at: datetime) -> bool:
    """SPEC §1: staleness is judged per park feed, not per ride. A ride's own upstream time is
    its last *change* (a ride down for three hours keeps the old time), so one old ride is
    normal; the park's cycle is stale when even the newest time among all the entities of its
    answer is more than ``STALE_AFTER`` older than the cycle. No time at all: not stale."""
    return newest_update is not None and recorded_at - newest_update > STALE_AFTER


# --- per snapshot (SPEC §2) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleWindow:
    local_date: str  # ISO date the window belongs to, in the park's time zone
    opening_time_utc: datetime
    closing_time_utc: datetime
    schedule_type: str = "OPERATING"

    def covers(self, t: datetime) -> bool:
        return (
            self.schedule_type == "OPERATING"
            and self.opening_time_utc <= t < self.closing_time_utc
        )


def park_open_by_schedule(
    t: datetime, local_date: str, windows: Iterable[ScheduleWindow]
) -> bool | None:
    """Rule 1, schedule part: True/False when a schedule decides, None when there is none.

    Any OPERATING window covering ``t`` opens the park, whichever date it belongs to (a window
    that crosses local midnight keeps the park open into the next date). Otherwise, schedule
    rows for the cycle's own local date mean the park is closed.
    """
    has_rows_for_date = False
    for window in windows:
        if window.covers(t):
            return True
        if window.local_date == local_date:
            has_rows_for_date = True
    return False if has_rows_for_date else None


def park_open_by_rides(operating_now: int, seen_operating_today: int) -> bool:
    """Rule 1 without a schedule: at least two attractions OPERATING and at least half of
    those seen OPERATING at any snapshot of this local day so far (``t`` included)."""
    return operating_now >= 2 and 2 * operating_now >= seen_operating_today


def counted_down(status: str, park_open: bool, reports_down: bool, operated_today: bool) -> bool:
    """Rule 3: is this ride snapshot counted as down?"""
    if not park_open:
        return False
    if reports_down:
        return status == DOWN
    return status in (DOWN, CLOSED) and operated_today


def shame_score(down_weight: int, active_weight: int, park_open: bool) -> float | None:
    """Rule 5: instantaneous shame s(t), full precision; None while the park is closed."""
    if not park_open:
        return None
    if active_weight == 0:
        return 0.0
    return SHAME_SCALE * down_weight / active_weight


# --- over many snapshots and periods (SPEC §3–§5) ---------------------------------------------


def mean_shame(shame_score_sum: float, open_snapshots: int) -> float | None:
    """An hour's, a day's or today's score: Σ s(t) / n over open snapshots; None if never open."""
    return shame_score_sum / open_snapshots if open_snapshots else None


def mean_of_days(daily_scores: Iterable[float | None]) -> float | None:
    """last_week / last_month: the mean of the daily scores of the days the park was open."""
    open_days = [d for d in daily_scores if d is not None]
    return sum(open_days) / len(open_days) if open_days else None


# --- rounding (SPEC §6) ---------------------------------------------------------------------

#: Sums of floats carry noise in the last bits; values are first settled to this many places so
#: that 2.25 computed as 2.2499999999999996 still rounds up. The SQL side does the same.
SETTLE_PLACES = 9


def round_half_up(value: float | Decimal | None, places: int = 1) -> float | None:
    """Round half away from zero (2.25 -> 2.3, 0.05 -> 0.1) once, at the end."""
    if value is None:
        return None
    settled = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-SETTLE_PLACES), ROUND_HALF_UP)
    return float(settled.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def downtime_hours(down_snapshots: int, interval_minutes: int) -> float:
    """Each snapshot stands for one collection interval."""
    return down_snapshots * interval_minutes / 60


def uptime_percentage(operating: int, down: int) -> float | None:
    if operating + down == 0:
        return None
    return 100 * operating / (operating + down)
