"""The aggregation queries (SPEC §3, §4) as SQLAlchemy Core selects, for one time range.

Each function returns a SELECT producing exactly the rows the aggregate tables hold. The
hourly job upserts them; ``verify`` recomputes them and compares. Ride rows are grouped from
the raw ride snapshots; park rows combine the park snapshots (scores, weights) with the
ride groups (waits, distinct rides). Nothing here converts time zones: the park-local date was
stored next to each snapshot by ingest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Double,
    Table,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql import ColumnElement, Select

from themepark_tracker import metrics
from themepark_tracker.db import tables as t
from themepark_tracker.db.types import hour_floor, round_half_up

rss = t.ride_status_snapshots
pas = t.park_activity_snapshots

# The collection interval is a bound parameter, never a literal (SPEC §1: a setting).
INTERVAL: BindParameter[float] = bindparam("interval_minutes", type_=Double())


def _flag(cond: ColumnElement[Any]) -> ColumnElement[int]:
    return case((cond, 1), else_=0)


def _ratio(num: ColumnElement[Any], den: ColumnElement[Any], places: int,
           scale: float = 1.0) -> ColumnElement[Any]:
    """round_half_up(scale * num / den, places), NULL when den is 0."""
    return case(
        (den > 0, round_half_up(literal(scale) * cast(num, Double) / den, places)),
        else_=None,
    )


def _hours(snapshots: ColumnElement[Any]) -> ColumnElement[Any]:
    """snapshots × I / 60, rounded to 2 places (SPEC §6)."""
    return round_half_up(cast(snapshots, Double) * INTERVAL / 60, 2)


def _instant_shame() -> ColumnElement[Any]:
    """s(t) at full precision, 0 when closed (closed snapshots are excluded by the sums)."""
    return case(
        (and_(pas.c.park_appears_open, pas.c.active_weight > 0),
         literal(float(metrics.SHAME_SCALE)) * cast(pas.c.down_weight, Double)
         / pas.c.active_weight),
        else_=0.0,
    )


def _ride_groups(bucket: ColumnElement[Any], where: ColumnElement[bool]) -> Select[Any]:
    """Per ride and bucket: the raw counts and sums every ride row is made of."""
    operating = and_(rss.c.park_open, rss.c.status == metrics.OPERATING)
    waited = and_(operating, rss.c.wait_time.is_not(None))
    return (
        select(
            rss.c.ride_id.label("ride_id"),
            bucket.label("bucket"),
            func.count().label("snapshot_count"),
            func.sum(_flag(rss.c.park_open)).label("open_snapshot_count"),
            func.sum(_flag(operating)).label("operating_snapshots"),
            func.sum(_flag(rss.c.counted_down)).label("down_snapshots"),
            func.sum(case((waited, rss.c.wait_time), else_=0)).label("wait_sum"),
            func.sum(_flag(waited)).label("wait_count"),
            func.max(case((waited, rss.c.wait_time), else_=None)).label("max_wait_time"),
        )
        .where(where)
        .group_by(rss.c.ride_id, bucket)
    )


def _park_buckets(bucket: ColumnElement[Any], where: ColumnElement[bool]) -> Select[Any]:
    """Per park and bucket: snapshot counts, the shame sum and the weights."""
    open_ = pas.c.park_appears_open
    return (
        select(
            pas.c.park_id.label("park_id"),
            bucket.label("bucket"),
            func.count().label("snapshot_count"),
            func.sum(_flag(open_)).label("open_snapshot_count"),
            func.sum(_instant_shame()).label("shame_score_sum"),
            func.sum(case((open_, pas.c.rides_down), else_=0)).label("down_snapshots"),
            func.sum(case((open_, pas.c.down_weight), else_=0)).label("weighted_down_snapshots"),
            func.max(case((open_, pas.c.active_weight), else_=None)).label("effective_weight"),
        )
        .where(where)
        .group_by(pas.c.park_id, bucket)
    )


def _ride_rows(parks_sub: Any, rides_sub: Any, bucket_name: str) -> Select[Any]:
    """One row per attraction per bucket in which its park has a snapshot (SPEC §3)."""
    r = t.rides
    g = rides_sub
    operating = func.coalesce(g.c.operating_snapshots, 0)
    down = func.coalesce(g.c.down_snapshots, 0)
    wait_sum = func.coalesce(g.c.wait_sum, 0)
    wait_count = func.coalesce(g.c.wait_count, 0)
    return (
        select(
            r.c.ride_id,
            r.c.park_id,
            parks_sub.c.bucket.label(bucket_name),
            func.coalesce(g.c.snapshot_count, 0).label("snapshot_count"),
            func.coalesce(g.c.open_snapshot_count, 0).label("open_snapshot_count"),
            operating.label("operating_snapshots"),
            down.label("down_snapshots"),
            _hours(down).label("downtime_hours"),
            _ratio(operating, operating + down, 2, 100.0).label("uptime_percentage"),
            _ratio(wait_sum, wait_count, 2).label("avg_wait_time_minutes"),
            g.c.max_wait_time.label("max_wait_time"),
            wait_sum.label("wait_sum"),
            wait_count.label("wait_count"),
            (operating + down > 0).label("ride_operated"),
        )
        .select_from(
            parks_sub.join(r, and_(r.c.park_id == parks_sub.c.park_id,
                                   r.c.category == metrics.ATTRACTION))
            .outerjoin(g, and_(g.c.ride_id == r.c.ride_id, g.c.bucket == parks_sub.c.bucket))
        )
        .where(parks_sub.c.snapshot_count > 0)
    )


def _park_rows(parks_sub: Any, rides_sub: Any, bucket_name: str) -> Select[Any]:
    """One row per park per bucket: park snapshot sums plus the ride groups' waits and
    distinct rides."""
    g = rides_sub
    per_park = (
        select(
            t.rides.c.park_id,
            g.c.bucket,
            func.sum(g.c.wait_sum).label("wait_sum"),
            func.sum(g.c.wait_count).label("wait_count"),
            func.sum(_flag(g.c.operating_snapshots > 0)).label("rides_operating"),
            func.sum(_flag(g.c.down_snapshots > 0)).label("rides_down"),
            func.sum(_flag(g.c.operating_snapshots + g.c.down_snapshots > 0))
            .label("rides_operated"),
            func.sum(g.c.operating_snapshots).label("operating_snapshots"),
            func.max(g.c.max_wait_time).label("max_wait_time"),
        )
        .select_from(g.join(t.rides, and_(t.rides.c.ride_id == g.c.ride_id,
                                          t.rides.c.category == metrics.ATTRACTION)))
        .group_by(t.rides.c.park_id, g.c.bucket)
        .subquery("per_park")
    )
    p = parks_sub
    wait_sum = func.coalesce(per_park.c.wait_sum, 0)
    wait_count = func.coalesce(per_park.c.wait_count, 0)
    open_count = p.c.open_snapshot_count
    return (
        select(
            p.c.park_id,
            p.c.bucket.label(bucket_name),
            p.c.snapshot_count,
            open_count.label("open_snapshot_count"),
            (open_count > 0).label("park_was_open"),
            p.c.shame_score_sum,
            _ratio(p.c.shame_score_sum, open_count, 1).label("shame_score"),
            _ratio(wait_sum, wait_count, 2).label("avg_wait_time_minutes"),
            wait_sum.label("wait_sum"),
            wait_count.label("wait_count"),
            func.coalesce(per_park.c.rides_operating, 0).label("rides_operating"),
            func.coalesce(per_park.c.rides_down, 0).label("rides_down"),
            func.coalesce(per_park.c.rides_operated, 0).label("rides_operated"),
            func.coalesce(per_park.c.operating_snapshots, 0).label("operating_snapshots"),
            per_park.c.max_wait_time.label("max_wait_time"),
            p.c.down_snapshots,
            p.c.weighted_down_snapshots,
            _hours(p.c.down_snapshots).label("total_downtime_hours"),
            _hours(p.c.weighted_down_snapshots).label("weighted_downtime_hours"),
            p.c.effective_weight.label("effective_park_weight"),
        )
        .select_from(p.outerjoin(per_park, and_(per_park.c.park_id == p.c.park_id,
                                                per_park.c.bucket == p.c.bucket)))
        .where(p.c.snapshot_count > 0)
    )


# --- scopes: which snapshots, bucketed how --------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which raw snapshots to aggregate and how to bucket them.

    ``bucket`` maps a snapshot table to its bucket expression (a UTC hour, a local hour, the
    local date); ``where`` maps a snapshot table to its filter. Both snapshot tables have
    ``park_id``, ``recorded_at`` and ``local_date``, so one lambda serves both."""

    bucket: Callable[[Table], ColumnElement[Any]]
    where: Callable[[Table], ColumnElement[bool]]

    def subqueries(self) -> tuple[Any, Any]:
        parks_sub = _park_buckets(self.bucket(pas), self.where(pas)).subquery("park_buckets")
        rides_sub = _ride_groups(self.bucket(rss), self.where(rss)).subquery("ride_buckets")
        return parks_sub, rides_sub


def utc_hours(start: datetime, end: datetime) -> Scope:
    """Every UTC hour in [start, end)."""
    return Scope(
        bucket=lambda tb: hour_floor(tb.c.recorded_at),
        where=lambda tb: and_(tb.c.recorded_at >= start, tb.c.recorded_at < end),
    )


def local_hours(park_id: int, start: datetime, end: datetime, offset_minutes: int) -> Scope:
    """One park's snapshots in [start, end), bucketed by hours that start ``offset_minutes``
    past the UTC hour (30 for Asia/Kolkata), i.e. the park's local clock hours."""
    return Scope(
        bucket=lambda tb: hour_floor(tb.c.recorded_at, offset_minutes),
        where=lambda tb: and_(tb.c.park_id == park_id, tb.c.recorded_at >= start,
                              tb.c.recorded_at < end),
    )


@dataclass(frozen=True)
class DayGroup:
    """Parks sharing the same local dates, optionally without the UTC instants in
    ``exclude`` = [start, end) (already counted from hourly rows)."""

    park_ids: tuple[int, ...]
    dates: tuple[date, ...]
    exclude: tuple[datetime, datetime] | None = None

    def condition(self, tb: Table) -> ColumnElement[bool]:
        cond = and_(tb.c.park_id.in_(self.park_ids), tb.c.local_date.in_(self.dates))
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


def cycles(pairs: Sequence[tuple[int, datetime]]) -> Scope:
    """Exactly the given (park, recorded_at) cycles, bucketed by local date."""
    return Scope(
        bucket=lambda tb: tb.c.local_date,
        where=lambda tb: or_(*(and_(tb.c.park_id == p, tb.c.recorded_at == at)
                               for p, at in pairs)),
    )


def ride_activity_select(scope: Scope) -> Select[Any]:
    """(park_id, ride_id, operating_snapshots, down_snapshots) of attractions that operated or
    were counted down in ``scope``: the distinct rides of a period."""
    r = t.rides
    g = _ride_groups(scope.bucket(rss), scope.where(rss)).subquery("ride_buckets")
    return (
        select(r.c.park_id, g.c.ride_id, g.c.operating_snapshots, g.c.down_snapshots)
        .select_from(g.join(r, and_(r.c.ride_id == g.c.ride_id,
                                    r.c.category == metrics.ATTRACTION)))
        .where(g.c.operating_snapshots + g.c.down_snapshots > 0)
    )


# --- hourly (SPEC §3) ---------------------------------------------------------------------------

PARK_HOURLY_COLUMNS = (
    "park_id", "hour_start_utc", "snapshot_count", "open_snapshot_count", "park_was_open",
    "shame_score_sum", "shame_score", "avg_wait_time_minutes", "wait_sum", "wait_count",
    "rides_operating", "rides_down", "operating_snapshots", "down_snapshots",
    "weighted_down_snapshots", "total_downtime_hours", "weighted_downtime_hours",
    "effective_park_weight",
)
RIDE_HOURLY_COLUMNS = (
    "ride_id", "park_id", "hour_start_utc", "snapshot_count", "open_snapshot_count",
    "operating_snapshots", "down_snapshots", "downtime_hours", "uptime_percentage",
    "avg_wait_time_minutes", "max_wait_time", "wait_sum", "wait_count", "ride_operated",
)


def park_rows_select(scope: Scope, bucket_name: str = "bucket") -> Select[Any]:
    """Park rows (all the columns of PARK_HOURLY_COLUMNS and more) for ``scope``."""
    parks_sub, rides_sub = scope.subqueries()
    return _park_rows(parks_sub, rides_sub, bucket_name)


def ride_rows_select(scope: Scope, bucket_name: str = "bucket") -> Select[Any]:
    parks_sub, rides_sub = scope.subqueries()
    return _ride_rows(parks_sub, rides_sub, bucket_name)


def park_hourly_select(start: datetime, end: datetime) -> Select[Any]:
    """park_hourly_stats rows for every UTC hour in [start, end)."""
    rows = park_rows_select(utc_hours(start, end), "hour_start_utc").subquery("rows")
    return select(*(rows.c[c] for c in PARK_HOURLY_COLUMNS))


def ride_hourly_select(start: datetime, end: datetime) -> Select[Any]:
    """ride_hourly_stats rows for every UTC hour in [start, end)."""
    rows = ride_rows_select(utc_hours(start, end), "hour_start_utc").subquery("rows")
    return select(*(rows.c[c] for c in RIDE_HOURLY_COLUMNS))


# --- daily (SPEC §4) ----------------------------------------------------------------------------

PARK_DAILY_COLUMNS = (
    "park_id", "stat_date", "snapshot_count", "open_snapshot_count", "park_was_open",
    "operating_minutes", "shame_score_sum", "shame_score", "avg_wait_time_minutes",
    "peak_wait_time", "wait_sum", "wait_count", "rides_operating", "rides_down",
    "rides_operated", "rides_with_downtime",
    "operating_snapshots", "down_snapshots", "weighted_down_snapshots", "total_downtime_hours",
    "weighted_downtime_hours", "uptime_percentage", "effective_park_weight",
)
RIDE_DAILY_COLUMNS = (
    "ride_id", "park_id", "stat_date", "snapshot_count", "open_snapshot_count",
    "operating_snapshots", "down_snapshots", "operating_minutes", "downtime_hours",
    "uptime_percentage", "avg_wait_time_minutes", "peak_wait_time", "wait_sum", "wait_count",
    "ride_operated",
)


def park_daily_select(scope: Scope) -> Select[Any]:
    """park_daily_stats rows for a ``local_dates`` scope."""
    rows = park_rows_select(scope, "stat_date").subquery("rows")
    operating = rows.c.operating_snapshots
    return select(
        rows.c.park_id, rows.c.stat_date, rows.c.snapshot_count, rows.c.open_snapshot_count,
        rows.c.park_was_open,
        (rows.c.open_snapshot_count * INTERVAL).label("operating_minutes"),
        rows.c.shame_score_sum, rows.c.shame_score, rows.c.avg_wait_time_minutes,
        rows.c.max_wait_time.label("peak_wait_time"), rows.c.wait_sum, rows.c.wait_count,
        rows.c.rides_operating, rows.c.rides_down, rows.c.rides_operated,
        rows.c.rides_down.label("rides_with_downtime"),
        operating.label("operating_snapshots"), rows.c.down_snapshots,
        rows.c.weighted_down_snapshots, rows.c.total_downtime_hours,
        rows.c.weighted_downtime_hours,
        _ratio(operating, operating + rows.c.down_snapshots, 2, 100.0)
        .label("uptime_percentage"),
        rows.c.effective_park_weight,
    )


def ride_daily_select(scope: Scope) -> Select[Any]:
    """ride_daily_stats rows for a ``local_dates`` scope."""
    rows = ride_rows_select(scope, "stat_date").subquery("rows")
    return select(
        rows.c.ride_id, rows.c.park_id, rows.c.stat_date, rows.c.snapshot_count,
        rows.c.open_snapshot_count, rows.c.operating_snapshots, rows.c.down_snapshots,
        (rows.c.open_snapshot_count * INTERVAL).label("operating_minutes"),
        rows.c.downtime_hours, rows.c.uptime_percentage, rows.c.avg_wait_time_minutes,
        rows.c.max_wait_time.label("peak_wait_time"), rows.c.wait_sum, rows.c.wait_count,
        rows.c.ride_operated,
    )
