"""The aggregation queries (SPEC §3, §4) as SQLAlchemy Core selects, for one time range.

Each function returns a SELECT producing exactly the rows the aggregate tables hold. The
hourly job upserts them; ``verify`` recomputes them and compares. Ride rows are grouped from
the raw ride snapshots; park rows combine the park snapshots (scores, weights) with the
ride groups (waits, distinct rides). Nothing here converts time zones: the park-local date was
stored next to each snapshot by ingest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
    false,
    func,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.sql import ColumnElement, Select

from themepark_tracker import metrics
from themepark_tracker.db import tables as t
from themepark_tracker.db.types import clock_hour_floor, hour_floor, round_half_up

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


def _ride_sums() -> list[ColumnElement[Any]]:
    """The counts and sums one ride row is made of, over the ride snapshots of a group
    (SPEC §3). ``COUNT(ride_id)`` so that an outer-joined missing snapshot counts 0."""
    operating = and_(rss.c.park_open, rss.c.status == metrics.OPERATING)
    waited = and_(operating, rss.c.wait_time.is_not(None))
    return [
        func.count(rss.c.ride_id).label("snapshot_count"),
        func.sum(_flag(rss.c.park_open)).label("open_snapshot_count"),
        func.sum(_flag(operating)).label("operating_snapshots"),
        func.sum(_flag(rss.c.counted_down)).label("down_snapshots"),
        func.sum(case((waited, rss.c.wait_time), else_=0)).label("wait_sum"),
        func.sum(_flag(waited)).label("wait_count"),
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
            *_ride_sums(),
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


def ride_snapshot_sums(scope: Scope) -> Select[Any]:
    """Per attraction and bucket, the same sums as ``_ride_groups`` for the rides that have
    snapshots (no zero rows), for the read side, which only adds them up. The park snapshots
    in scope are found through their own indexes (by time or by local date), and each
    cycle's ride snapshots are read as one range of the (park, time, ride) key, instead of
    one lookup per attraction per cycle. Attractions are told apart after grouping: one
    lookup in ``rides`` per ride and bucket, not one per snapshot."""
    r = t.rides
    bucket = scope.bucket(pas)
    grouped = (
        select(rss.c.ride_id, rss.c.park_id, bucket.label("bucket"), *_ride_sums())
        .select_from(pas.join(rss, and_(rss.c.park_id == pas.c.park_id,
                                        rss.c.recorded_at == pas.c.recorded_at)))
        .where(scope.where(pas))
        .group_by(rss.c.ride_id, rss.c.park_id, bucket)
        # Park snapshots first, always: with an OR of date groups MariaDB may otherwise
        # drive the join from a full scan of the ride snapshots.
        .prefix_with("STRAIGHT_JOIN", dialect="mysql")
        .prefix_with("STRAIGHT_JOIN", dialect="mariadb")
        .subquery("grouped")
    )
    return select(grouped).join(r, and_(r.c.ride_id == grouped.c.ride_id,
                                        r.c.category == metrics.ATTRACTION))


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


def park_snapshot_sums(scope: Scope) -> Select[Any]:
    """Per park and bucket, every sum a period adds up (``queries.park_stats.SUM_FIELDS``),
    from the park snapshots alone: each states its cycle's attractions operating while open
    (``rides_open``) and their waits (``wait_sum``, ``wait_count``), which the ride snapshots
    of the cycle give too. For the read side; the jobs group the ride snapshots themselves."""
    open_ = pas.c.park_appears_open
    return _park_buckets(scope.bucket(pas), scope.where(pas)).add_columns(
        func.sum(case((open_, pas.c.rides_open), else_=0)).label("operating_snapshots"),
        func.sum(pas.c.wait_sum).label("wait_sum"),
        func.sum(pas.c.wait_count).label("wait_count"),
    )


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
            func.sum(_flag(g.c.operating_snapshots > 0)).label("rides_operating"),
            func.sum(_flag(g.c.down_snapshots > 0)).label("rides_down"),
            func.sum(_flag(g.c.operating_snapshots + g.c.down_snapshots > 0))
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


# --- scopes: which snapshots, bucketed how --------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which raw snapshots to aggregate and how to bucket them.

    ``bucket`` maps a snapshot table to its bucket expression (a UTC hour, a local hour, the
    local date); ``where`` maps a snapshot table to its filter. Both snapshot tables have
    ``park_id``, ``recorded_at`` and ``local_date``, so one lambda serves both."""

    bucket: Callable[[Table], ColumnElement[Any]]
    where: Callable[[Table], ColumnElement[bool]]

    def park_buckets(self) -> Any:
        return _park_buckets(self.bucket(pas), self.where(pas)).subquery("park_buckets")

    def ride_buckets(self) -> Any:
        return _ride_groups(self).subquery("ride_buckets")


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


def park_ranges(groups: Mapping[tuple[tuple[datetime, datetime], ...], Sequence[int]]
                ) -> Scope:
    """Parks' snapshots in UTC ranges [start, end) (parks sharing their ranges share an
    OR-branch), bucketed by local date. Ranges of ``recorded_at`` read the (park, time)
    indexes directly, where a local date with excluded hours makes MariaDB read the day."""

    def where(tb: Table) -> ColumnElement[bool]:
        if not groups:
            return false()
        return or_(*(
            and_(tb.c.park_id.in_(list(ids)),
                 or_(*(and_(tb.c.recorded_at >= a, tb.c.recorded_at < b) for a, b in ranges)))
            for ranges, ids in groups.items()))

    return Scope(bucket=lambda tb: tb.c.local_date, where=where)


def cycles(pairs: Sequence[tuple[int, datetime]]) -> Scope:
    """Exactly the given (park, recorded_at) cycles, bucketed by local date."""
    return Scope(
        bucket=lambda tb: tb.c.local_date,
        where=lambda tb: or_(*(and_(tb.c.park_id == p, tb.c.recorded_at == at)
                               for p, at in pairs)),
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
    return _park_rows(scope.park_buckets(), scope.ride_buckets(), bucket_name)


def ride_rows_select(scope: Scope, bucket_name: str = "bucket") -> Select[Any]:
    return _ride_rows(scope.ride_buckets(), bucket_name)


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
        select(rss.c.ride_id, bucket.label("bucket"), *_ride_sums())
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
    p = utc_hours(start, end).park_buckets()
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
    rows = _park_rows(utc_hours(start, end, park_ids).park_buckets(), ride_rows,
                      "hour_start_utc")
    written = rows.subquery("rows")
    return select(*(written.c[c] for c in PARK_HOURLY_COLUMNS))
