"""Periods (SPEC §5), resolved per park in the park's own time zone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from themepark_tracker.timeutil import iso_utc, local_date_of, local_day_bounds, zone_of

LIVE, TODAY, YESTERDAY, LAST_WEEK, LAST_MONTH = (
    "live", "today", "yesterday", "last_week", "last_month",
)
PERIODS = (LIVE, TODAY, YESTERDAY, LAST_WEEK, LAST_MONTH)
DAYS_IN_PERIOD = {YESTERDAY: 1, LAST_WEEK: 7, LAST_MONTH: 30}

#: ``live`` shows a park's latest cycle only if it is at most this old.
LIVE_MAX_AGE = timedelta(minutes=15)
#: ``live`` charts show this much of the newest snapshots.
LIVE_CHART_SPAN = timedelta(minutes=60)
#: What a ride's live status reads as while its park is closed, whatever the feed says.
PARK_CLOSED = "PARK_CLOSED"


@dataclass(frozen=True)
class ParkWindow:
    """What a period covers for one park: UTC instants [start, end) and its local dates."""

    period: str
    timezone: str
    start: datetime
    end: datetime
    dates: tuple[date, ...]

    @property
    def first_date(self) -> date:
        return self.dates[0]

    @property
    def last_date(self) -> date:
        return self.dates[-1]


def park_window(period: str, timezone: str, now: datetime) -> ParkWindow:
    """The window of ``period`` for a park in ``timezone`` at UTC instant ``now``."""
    zone = zone_of(timezone)
    today = local_date_of(now, zone)
    if period == LIVE:
        return ParkWindow(period, timezone, now - LIVE_MAX_AGE, now, (today,))
    if period == TODAY:
        return ParkWindow(period, timezone, local_day_bounds(today, zone)[0], now, (today,))
    days = DAYS_IN_PERIOD[period]
    dates = tuple(today - timedelta(days=n) for n in range(days, 0, -1))
    start = local_day_bounds(dates[0], zone)[0]
    end = local_day_bounds(dates[-1], zone)[1]
    return ParkWindow(period, timezone, start, end, dates)


def covered(windows: Iterable[ParkWindow]) -> tuple[str | None, str | None]:
    """(period_start, period_end) of a response: the earliest start and latest end of its
    parks' windows, ISO UTC; (None, None) without parks."""
    spans = [(w.start, w.end) for w in windows]
    if not spans:
        return None, None
    return iso_utc(min(a for a, _ in spans)), iso_utc(max(b for _, b in spans))
