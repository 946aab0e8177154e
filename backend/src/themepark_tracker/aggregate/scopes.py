"""Scopes: which raw snapshots an aggregation reads and how it buckets them (a UTC hour, a
park's local clock hour, the park-local date). Both snapshot tables carry ``park_id``,
``recorded_at`` and ``local_date``, so one scope filters and buckets either."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, and_, or_
from sqlalchemy.sql import ColumnElement

from themepark_tracker.db.types import clock_hour_floor, hour_floor


@dataclass(frozen=True)
class Scope:
    """Which raw snapshots to aggregate and how to bucket them.

    ``bucket`` maps a snapshot table to its bucket expression (a UTC hour, a local hour, the
    local date); ``where`` maps a snapshot table to its filter. Both snapshot tables have
    ``park_id``, ``recorded_at`` and ``local_date``, so one lambda serves both."""

    bucket: Callable[[Table], ColumnElement[Any]]
    where: Callable[[Table], ColumnElement[bool]]



def utc_hours(start: datetime, end: datetime, park_ids: Sequence[int] | None = None) -> Scope:
    """Every UTC hour in [start, end). Naming the parks lets the ride snapshots be read as a
    range of their (park, time, ride) key per park instead of by the time index."""

    def where(tb: Table) -> ColumnElement[bool]:
        cond = and_(tb.c.recorded_at >= start, tb.c.recorded_at < end)
        return and_(tb.c.park_id.in_(list(park_ids)), cond) if park_ids else cond

    return Scope(bucket=lambda tb: hour_floor(tb.c.recorded_at), where=where)


def local_hours(park_id: int, start: datetime, end: datetime, offset_minutes: int) -> Scope:
    """One park's snapshots in [start, end), bucketed by hours that start ``offset_minutes``
    past the UTC hour (30 for Asia/Kolkata), i.e. the park's local clock hours."""
    return Scope(
        bucket=lambda tb: clock_hour_floor(tb.c.recorded_at, offset_minutes),
        where=lambda tb: and_(tb.c.park_id == park_id, tb.c.recorded_at >= start,
                              tb.c.recorded_at < end),
    )


@dataclass(frozen=True)
class DayGroup:
    """Parks sharing the same local dates, optionally without the UTC instants in
    ``exclude`` = [start, end) (already counted from hourly rows), and only before ``until``
    (TODAY ends now, even if a clock ahead of ours sent later snapshots)."""

    park_ids: tuple[int, ...]
    dates: tuple[date, ...]
    exclude: tuple[datetime, datetime] | None = None
    until: datetime | None = None

    def condition(self, tb: Table) -> ColumnElement[bool]:
        cond = and_(tb.c.park_id.in_(self.park_ids), tb.c.local_date.in_(self.dates))
        if self.until is not None:
            cond = and_(cond, tb.c.recorded_at < self.until)
        if self.exclude is not None:
            cond = and_(cond, or_(tb.c.recorded_at < self.exclude[0],
                                  tb.c.recorded_at >= self.exclude[1]))
        return cond


def local_dates(park_ids: Sequence[int], dates: Sequence[date]) -> Scope:
    """The given parks' snapshots of the given local dates, bucketed by local date."""
    return day_groups([DayGroup(tuple(park_ids), tuple(dates))])


def day_groups(groups: Sequence[DayGroup]) -> Scope:
    """Several ``DayGroup``s in one scope, bucketed by local date."""
    return Scope(bucket=lambda tb: tb.c.local_date,
                 where=lambda tb: or_(*(g.condition(tb) for g in groups)))
