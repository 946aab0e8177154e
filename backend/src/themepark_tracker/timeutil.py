"""Time, below every layer: the clock, UTC hours, park-local days and zones.

Every instant the project stores or compares is a *naive UTC* ``datetime`` (SPEC §1); a park's
local day is found through its IANA zone, never through the database (stock MariaDB has no
time-zone tables). Nothing here touches the database or the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

#: The one way the project asks for "now": a function returning naive UTC, whole seconds.
#: Entry points (CLI, web app, scheduler) build one and pass it down; tests pass a fixed one.
Clock = Callable[[], datetime]

HOUR = timedelta(hours=1)
EPOCH = datetime(1970, 1, 1)


def utcnow() -> datetime:
    """The system clock as naive UTC, to the second (the default :data:`Clock`)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def floor_hour(instant: datetime) -> datetime:
    """The start of the UTC hour ``instant`` falls in."""
    return instant.replace(minute=0, second=0, microsecond=0)


def ceil_hour(instant: datetime) -> datetime:
    """``instant`` itself when it starts an hour, else the start of the next hour."""
    floor = floor_hour(instant)
    return floor if floor == instant else floor + HOUR


@cache
def zone_of(timezone: str) -> ZoneInfo:
    """The zone by its IANA name, loaded once per process. (``ZoneInfo`` itself keeps only
    the eight most recent strongly: with more zones than that among the parks, every request
    read the tz database from disk again.)"""
    return ZoneInfo(timezone)


def local_date_of(instant: datetime, zone: ZoneInfo) -> date:
    """The park-local calendar date of a naive-UTC instant."""
    return instant.replace(tzinfo=UTC).astimezone(zone).date()


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a park-local date as naive UTC (23 or 25 hours on DST change days)."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone).astimezone(UTC)
    return start.replace(tzinfo=None), end.replace(tzinfo=None)


def local_label(instant: datetime, zone: ZoneInfo, fmt: str) -> str:
    """A naive-UTC instant as the park's local clock time, formatted with ``fmt``."""
    return instant.replace(tzinfo=UTC).astimezone(zone).strftime(fmt)


def iso_utc(instant: datetime) -> str:
    """ISO-8601 with Z for a naive-UTC instant (SPEC §6)."""
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def slot_start(instant: datetime, period_seconds: int) -> datetime:
    """The start of the collection slot ``instant`` falls in (slots every ``period_seconds``
    from the Unix epoch). Every cycle of a slot is stamped with it, so a cycle collected again
    (a restart within the slot) replaces the first one instead of adding a second observation
    of the same interval."""
    seconds = int((instant - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=seconds - seconds % period_seconds)


def floor_to_interval(instant: datetime, interval_minutes: int) -> datetime:
    """The cycle boundary at or before ``instant`` (boundaries every ``interval_minutes`` from
    UTC midnight)."""
    midnight = instant.replace(hour=0, minute=0, second=0, microsecond=0)
    step = interval_minutes * 60
    seconds = int((instant - midnight).total_seconds()) // step * step
    return midnight + timedelta(seconds=seconds)
