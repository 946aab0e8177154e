"""Periods (SPEC §5), resolved per park in the park's own time zone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from themepark_tracker.errors import UserError
from themepark_tracker.timeutil import iso_utc, local_date_of, local_day_bounds, zone_of

LIVE, TODAY, YESTERDAY, LAST_WEEK, LAST_MONTH = (
    "live", "today", "yesterday", "last_week", "last_month",
)
LAST_90_DAYS, LAST_365_DAYS = "last_90_days", "last_365_days"
DATE, RANGE = "date", "range"
#: The named periods: what a period name alone says (the CLI's choices).
PERIODS = (LIVE, TODAY, YESTERDAY, LAST_WEEK, LAST_MONTH, LAST_90_DAYS, LAST_365_DAYS)
#: Every period the API takes: the named ones and those given by dates.
API_PERIODS = (*PERIODS, DATE, RANGE)
DAYS_IN_PERIOD = {YESTERDAY: 1, LAST_WEEK: 7, LAST_MONTH: 30, LAST_90_DAYS: 90,
                  LAST_365_DAYS: 365}
#: Periods of one local day (charts: one point per hour).
ONE_DAY = (TODAY, YESTERDAY, DATE)
#: Periods whose score is the mean of the daily values of the open days (SPEC §5).
MEAN_OF_DAYS = (LAST_WEEK, LAST_MONTH, LAST_90_DAYS, LAST_365_DAYS, RANGE)
#: A ``range`` covers at most this many local dates.
MAX_RANGE_DAYS = 366
#: The earliest local date a period may name (the first local midnights of the years before
#: are out of ``datetime``'s range in some zones, and no park has data from then).
EARLIEST_DATE = date(1970, 1, 1)

#: How a park's window is read: the latest cycle, today up to now, whole past local dates,
#: or nothing (a date the park has not reached yet).
KIND_LIVE, KIND_TODAY, KIND_DAYS, KIND_NOT_BEGUN = "live", "today", "days", "not_begun"

#: ``live`` shows a park's latest cycle only if it is at most this old.
LIVE_MAX_AGE = timedelta(minutes=15)
#: ``live`` charts show this much of the newest snapshots.
LIVE_CHART_SPAN = timedelta(minutes=60)
#: What a ride's live status reads as while its park is closed, whatever the feed says.
PARK_CLOSED = "PARK_CLOSED"


class PeriodError(UserError):
    """A period's dates that cannot be met; ``parameter`` names the one at fault."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter, self.message = parameter, message


class Period(str):
    """A period's name (compares and serialises as the name) with the local dates that
    ``date`` (``first`` = ``last``) and ``range`` (``first`` to ``last``, inclusive) give."""

    first: date | None
    last: date | None

    def __new__(cls, name: str, first: date | None = None, last: date | None = None
                ) -> Period:
        made = super().__new__(cls, name)
        made.first, made.last = first, last
        return made


def one_date(day: date) -> Period:
    return Period(DATE, day, day)


def date_range(first: date, last: date) -> Period:
    """``range`` from ``first`` to ``last``: a ``PeriodError`` naming ``from`` if they are
    reversed, ``to`` if they span more than ``MAX_RANGE_DAYS``."""
    if first > last:
        raise PeriodError("from", f"from must be on or before to; got from={first} to={last}")
    days = (last - first).days + 1
    if days > MAX_RANGE_DAYS:
        raise PeriodError("to", f"a range covers at most {MAX_RANGE_DAYS} days; from={first} "
                                f"to={last} is {days} (to may be up to "
                                f"{first + timedelta(days=MAX_RANGE_DAYS - 1)})")
    return Period(RANGE, first, last)


def check_reached(period: str, latest: date) -> None:
    """A ``PeriodError`` if ``period``'s dates go past what the parks have reached: a date
    up to ``latest`` (the latest local date any park has reached), a range up to the day
    before it."""
    if not isinstance(period, Period) or period.last is None:
        return
    if period == DATE and period.last > latest:
        raise PeriodError("date", f"date must be a local date up to {latest} (the latest any "
                                  f"park has reached); got {period.last}")
    yesterday = latest - timedelta(days=1)
    if period == RANGE and period.last > yesterday:
        raise PeriodError("to", f"to must be a local date up to {yesterday} (yesterday); "
                                f"got {period.last}")


@dataclass(frozen=True)
class ParkWindow:
    """What a period covers for one park: UTC instants [start, end), its local dates, and
    how it is read (``kind``)."""

    period: str
    timezone: str
    start: datetime
    end: datetime
    dates: tuple[date, ...]
    kind: str = KIND_DAYS

    @property
    def first_date(self) -> date:
        return self.dates[0]

    @property
    def last_date(self) -> date:
        return self.dates[-1]


def days_between(first: date, last: date) -> tuple[date, ...]:
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


def park_window(period: str, timezone: str, now: datetime) -> ParkWindow:
    """The window of ``period`` for a park in ``timezone`` at UTC instant ``now``."""
    zone = zone_of(timezone)
    today = local_date_of(now, zone)
    midnight = local_day_bounds(today, zone)[0]
    if period == LIVE:
        return ParkWindow(period, timezone, now - LIVE_MAX_AGE, now, (today,), KIND_LIVE)
    if period == TODAY:
        return ParkWindow(period, timezone, midnight, now, (today,), KIND_TODAY)
    if period in DAYS_IN_PERIOD:
        days = DAYS_IN_PERIOD[period]
        dates = days_between(today - timedelta(days=days), today - timedelta(days=1))
    elif isinstance(period, Period) and period.first and period.last:
        if period == DATE and period.first == today:
            return ParkWindow(period, timezone, midnight, now, (today,), KIND_TODAY)
        # A range stops at the park's yesterday: its today is not a whole date yet.
        last = period.last if period == DATE else min(period.last, today - timedelta(days=1))
        if period.first > last or period.first > today:
            start = local_day_bounds(period.first, zone)[0]
            return ParkWindow(period, timezone, start, start, (period.first,), KIND_NOT_BEGUN)
        dates = days_between(period.first, last)
    else:
        raise ValueError(f"period {period!r} needs its dates")
    start = local_day_bounds(dates[0], zone)[0]
    end = local_day_bounds(dates[-1], zone)[1]
    return ParkWindow(period, timezone, start, end, dates)


def covered_dates(windows: Iterable[ParkWindow]) -> tuple[date | None, date | None]:
    """(first_date, last_date) of a response: the earliest and latest local date of its
    parks' windows; (None, None) without parks."""
    spans = [(w.first_date, w.last_date) for w in windows]
    if not spans:
        return None, None
    return min(a for a, _ in spans), max(b for _, b in spans)


def covered(windows: Iterable[ParkWindow]) -> tuple[str | None, str | None]:
    """(period_start, period_end) of a response: the earliest start and latest end of its
    parks' windows, ISO UTC; (None, None) without parks."""
    spans = [(w.start, w.end) for w in windows]
    if not spans:
        return None, None
    return iso_utc(min(a for a, _ in spans)), iso_utc(max(b for _, b in spans))
