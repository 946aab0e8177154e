"""The aggregation queries (SPEC §3, §4) as SQLAlchemy Core selects, over a ``Scope``
(aggregate/scopes.py: which snapshots, bucketed how).

Who uses what, and why ride snapshots are grouped in more than one place:

- ``park_rows_select`` / ``ride_rows_select`` (and the ``*_hourly_select`` / ``*_daily_select``
  built on them) produce exactly the rows the aggregate tables hold, zeros included:
  ``aggregate-daily`` upserts the daily ones, ``verify`` recomputes and compares all four, and
  the read side's reference path (``USE_HOURLY_TABLES=false``) groups raw snapshots with them.
- ``ride_hourly_written_select`` / ``ride_hourly_zero_select`` / ``park_hourly_written_select``
  are the hourly job's write path: the same rows, split so that only rows that changed are
  written (``db/upsert.py``).
- ``ride_sums`` / ``park_bucket_sums`` / ``flag`` are the one definition of the sums, shared
  with the read side's own selects in ``queries/sql.py``. Ride rows are grouped from
the raw ride snapshots; park rows combine the park snapshots (scores, weights) with the
ride groups (waits, distinct rides). Nothing here converts time zones: the park-local date was
stored next to each snapshot by ingest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Double,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    select,
)
from sqlalchemy.sql import ColumnElement, Select

from themepark_tracker import metrics
from themepark_tracker.aggregate.scopes import Scope, utc_hours
from themepark_tracker.db import tables as t
from themepark_tracker.db.types import round_half_up

rss = t.ride_status_snapshots
pas = t.park_activity_snapshots

# The collection interval is a bound parameter, never a literal (SPEC §1: a setting).
INTERVAL: BindParameter[float] = bindparam("interval_minutes", type_=Double())


def flag(cond: ColumnElement[Any]) -> ColumnElement[int]:
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


def ride_sums() -> list[ColumnElement[Any]]:
    """The counts and sums one ride row is made of, over the ride snapshots of a group
    (SPEC §3). ``COUNT(ride_id)`` so that an outer-joined missing snapshot counts 0."""
    operating = and_(rss.c.park_open, rss.c.status == metrics.OPERATING)
    waited = and_(operating, rss.c.wait_time.is_not(None))
    return [
        func.count(rss.c.ride_id).label("snapshot_count"),
        func.sum(flag(rss.c.park_open)).label("open_snapshot_count"),
        func.sum(flag(operating)).label("operating_snapshots"),
        func.sum(flag(rss.c.counted_down)).label("down_snapshots"),
        func.sum(case((waited, rss.c.wait_time), else_=0)).label("wait_sum"),
        func.sum(flag(waited)).label("wait_count"),
        func.max(case((waited, rss.c.wait_time), else_=None)).label("max_wait_time"),
    ]


def _ride_groups(scope: Scope) -> Select[Any]:
    """Per attraction and bucket: the raw counts and sums every ride row is made of.

    Driven by the park snapshots in scope, joined to the park's attractions and, by primary
    key, to their ride snapshots of the same cycle: one row per attraction per bucket in which
    its park has a snapshot (SPEC §3), zeros where the ride had none, and no scan of ride
    snapshots outside the scope (a time range of ride snapshots is not contiguous in their
    (park, time, ride) key)."""
    r = t.rides
    bucket = scope.bucket(pas)
    return (
        select(
            r.c.ride_id.label("ride_id"),
            r.c.park_id.label("park_id"),
            bucket.label("bucket"),
            *ride_sums(),
        )
        .select_from(
            pas.join(r, and_(r.c.park_id == pas.c.park_id, r.c.category == metrics.ATTRACTION))
            .outerjoin(rss, and_(rss.c.park_id == pas.c.park_id,
                                 rss.c.recorded_at == pas.c.recorded_at,
                                 rss.c.ride_id == r.c.ride_id))
        )
        .where(scope.where(pas))
        .group_by(r.c.ride_id, r.c.park_id, bucket)
    )


def park_bucket_sums(bucket: ColumnElement[Any], where: ColumnElement[bool]) -> Select[Any]:
    """Per park and bucket: snapshot counts, the shame sum and the weights."""
    open_ = pas.c.park_appears_open
    return (
        select(
            pas.c.park_id.label("park_id"),
            bucket.label("bucket"),
            func.count().label("snapshot_count"),
            func.sum(flag(open_)).label("open_snapshot_count"),
            func.sum(_instant_shame()).label("shame_score_sum"),
            func.sum(case((open_, pas.c.rides_down), else_=0)).label("down_snapshots"),
            func.sum(case((open_, pas.c.down_weight), else_=0)).label("weighted_down_snapshots"),
            func.max(case((open_, pas.c.active_weight), else_=None)).label("effective_weight"),
        )
        .where(where)
        .group_by(pas.c.park_id, bucket)
    )


def park_buckets(scope: Scope) -> Any:
    """``park_bucket_sums`` over a scope, as a subquery."""
    return park_bucket_sums(scope.bucket(pas), scope.where(pas)).subquery("park_buckets")


def _ride_rows(rides_sub: Any, bucket_name: str) -> Select[Any]:
    """One row per attraction per bucket in which its park has a snapshot (SPEC §3)."""
    g = rides_sub
    operating, down = g.c.operating_snapshots, g.c.down_snapshots
    return select(
        g.c.ride_id,
        g.c.park_id,
        g.c.bucket.label(bucket_name),
        g.c.snapshot_count,
        g.c.open_snapshot_count,
        operating,
        down,
        _hours(down).label("downtime_hours"),
        _ratio(operating, operating + down, 2, 100.0).label("uptime_percentage"),
        _ratio(g.c.wait_sum, g.c.wait_count, 2).label("avg_wait_time_minutes"),
        g.c.max_wait_time,
        g.c.wait_sum,
        g.c.wait_count,
        (operating + down > 0).label("ride_operated"),
    )


def _park_rows(parks_sub: Any, rides_sub: Any, bucket_name: str) -> Select[Any]:
    """One row per park per bucket: park snapshot sums plus the ride groups' waits and
    distinct rides."""
    g = rides_sub
    per_park = (
        select(
            g.c.park_id,
            g.c.bucket,
            func.sum(g.c.wait_sum).label("wait_sum"),
            func.sum(g.c.wait_count).label("wait_count"),
            func.sum(flag(g.c.operating_snapshots > 0)).label("rides_operating"),
            func.sum(flag(g.c.down_snapshots > 0)).label("rides_down"),
            func.sum(flag(g.c.operating_snapshots + g.c.down_snapshots > 0))
            .label("rides_operated"),
            func.sum(g.c.operating_snapshots).label("operating_snapshots"),
            func.max(g.c.max_wait_time).label("max_wait_time"),
        )
        .group_by(g.c.park_id, g.c.bucket)
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
    rides = _ride_groups(scope).subquery("ride_buckets")
    return _park_rows(park_buckets(scope), rides, bucket_name)


def ride_rows_select(scope: Scope, bucket_name: str = "bucket") -> Select[Any]:
    return _ride_rows(_ride_groups(scope).subquery("ride_buckets"), bucket_name)


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


# --- the hourly job's write path -----------------------------------------------------------------
#
# The SELECTs above join grouped subqueries, which MariaDB executes without a usable key when
# a day or a week of hours is aggregated at once. The job therefore writes in steps that each
# read one grouped subquery joined to real, indexed tables only:
#   1. ride rows of rides with snapshots (ride snapshots grouped once, joined to rides by key),
#      into a scratch table, which is then filled with zero rows for the attractions that had
#      no snapshot in an hour their park has (``ride_hourly_zero_select``; keys already in the
#      scratch table are skipped);
#   2. park rows from the park snapshots plus the ride rows just written.
# Each step upserts the rows that differ from the stored ones (db/upsert.py). The result equals
# park_hourly_select / ride_hourly_select (verify and the tests compare).


def ride_hourly_written_select(start: datetime, end: datetime, park_ids: Sequence[int]
                               ) -> Select[Any]:
    """Step 1: RIDE_HOURLY_COLUMNS for attractions with at least one snapshot in the hour."""
    scope = utc_hours(start, end, park_ids)
    r = t.rides
    bucket = scope.bucket(rss)
    g = (
        select(rss.c.ride_id, bucket.label("bucket"), *ride_sums())
        .where(scope.where(rss))
        .group_by(rss.c.ride_id, bucket)
        .subquery("ride_groups")
    )
    operating_n, down = g.c.operating_snapshots, g.c.down_snapshots
    return (
        select(
            g.c.ride_id, r.c.park_id, g.c.bucket.label("hour_start_utc"),
            g.c.snapshot_count, g.c.open_snapshot_count, operating_n, down,
            _hours(down).label("downtime_hours"),
            _ratio(operating_n, operating_n + down, 2, 100.0).label("uptime_percentage"),
            _ratio(g.c.wait_sum, g.c.wait_count, 2).label("avg_wait_time_minutes"),
            g.c.max_wait_time, g.c.wait_sum, g.c.wait_count,
            (operating_n + down > 0).label("ride_operated"),
        )
        .select_from(g.join(r, and_(r.c.ride_id == g.c.ride_id,
                                    r.c.category == metrics.ATTRACTION)))
    )


def ride_hourly_zero_select(start: datetime, end: datetime) -> Select[Any]:
    """Zero rows for every attraction in every hour its park has; step 1 keeps them only for
    the (ride, hour) pairs that ``ride_hourly_written_select`` did not give."""
    r = t.rides
    p = park_buckets(utc_hours(start, end))
    zero = literal(0)
    return (
        select(
            r.c.ride_id, r.c.park_id, p.c.bucket.label("hour_start_utc"),
            zero.label("snapshot_count"), zero.label("open_snapshot_count"),
            zero.label("operating_snapshots"), zero.label("down_snapshots"),
            literal(0.0).label("downtime_hours"), null().label("uptime_percentage"),
            null().label("avg_wait_time_minutes"), null().label("max_wait_time"),
            zero.label("wait_sum"), zero.label("wait_count"),
            literal(False).label("ride_operated"),
        )
        .select_from(p.join(r, and_(r.c.park_id == p.c.park_id,
                                    r.c.category == metrics.ATTRACTION)))
    )


def park_hourly_written_select(start: datetime, end: datetime, park_ids: Sequence[int]
                               ) -> Select[Any]:
    """Step 2: PARK_HOURLY_COLUMNS from the park snapshots and the ride rows of the hours.

    The parks are named so that the ride rows are read as ranges of the (park_id,
    hour_start_utc) index, in the order the GROUP BY wants: given the hours alone, MariaDB
    chose to walk that whole index (every ride row of every hour, 1.7 s for one hour of a
    week's table) to save a sort."""
    rh = t.ride_hourly_stats
    ride_rows = (
        select(rh.c.ride_id, rh.c.park_id, rh.c.hour_start_utc.label("bucket"),
               rh.c.wait_sum, rh.c.wait_count, rh.c.operating_snapshots, rh.c.down_snapshots,
               rh.c.max_wait_time)
        .where(rh.c.park_id.in_(list(park_ids)), rh.c.hour_start_utc >= start,
               rh.c.hour_start_utc < end)
        .subquery("ride_rows")
    )
    rows = _park_rows(park_buckets(utc_hours(start, end, park_ids)), ride_rows,
                      "hour_start_utc")
    written = rows.subquery("rows")
    return select(*(written.c[c] for c in PARK_HOURLY_COLUMNS))
