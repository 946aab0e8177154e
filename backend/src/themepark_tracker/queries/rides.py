"""Per-ride sums for a period (SPEC §5), by the same two paths as the park sums.

A ride's period is its park's (the park's local dates); the fast path reads the ride hourly
and daily tables and takes the rest from raw snapshots, the reference path only raw ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from themepark_tracker import metrics
from themepark_tracker.aggregate import scopes, sql
from themepark_tracker.db import tables as t
from themepark_tracker.queries import sql as read_sql
from themepark_tracker.queries.coverage import (
    group_windows,
    in_days,
    latest_cycles,
    missing_days,
    split_today,
    stale_park_days,
)
from themepark_tracker.queries.park_stats import ParkInfo, RowLike
from themepark_tracker.queries.periods import (
    KIND_LIVE,
    KIND_NOT_BEGUN,
    KIND_TODAY,
    LIVE_MAX_AGE,
    PARK_CLOSED,
    ParkWindow,
    park_window,
)
from themepark_tracker.timeutil import iso_utc

RIDE_SUM_FIELDS = ("snapshot_count", "open_snapshot_count", "operating_snapshots",
                   "down_snapshots", "wait_sum", "wait_count")


@dataclass
class RideSums:
    ride_id: int
    park_id: int
    snapshot_count: int = 0
    open_snapshot_count: int = 0
    operating_snapshots: int = 0
    down_snapshots: int = 0
    wait_sum: int = 0
    wait_count: int = 0
    max_wait_time: int | None = None
    days: dict[date, dict[str, Any]] = field(default_factory=dict)

    def add_row(self, row: RowLike, day: date | None = None) -> None:
        for name in RIDE_SUM_FIELDS:  # ints, even where MariaDB sums to Decimal
            setattr(self, name, getattr(self, name) + int(row[name] or 0))
        peak = row.get("max_wait_time", row.get("peak_wait_time"))
        if peak is not None:
            self.max_wait_time = max(self.max_wait_time or 0, int(peak))
        if day is not None:
            self.days[day] = dict(row)

    def summary(self, interval_minutes: int) -> dict[str, Any]:
        wait = self.wait_sum / self.wait_count if self.wait_count else None
        return {
            "downtime_hours": metrics.round_half_up(
                metrics.downtime_hours(self.down_snapshots, interval_minutes), 2),
            "uptime_percentage": metrics.round_half_up(
                metrics.uptime_percentage(self.operating_snapshots, self.down_snapshots), 1),
            "avg_wait_time_minutes": metrics.round_half_up(wait, 1),
            "max_wait_time": self.max_wait_time,
            "operating_snapshots": self.operating_snapshots,
            "down_snapshots": self.down_snapshots,
            "snapshot_count": self.snapshot_count,
        }


def ride_period_stats(
    conn: Connection, parks: Sequence[ParkInfo], period: str, now: datetime, *,
    interval_minutes: int, use_hourly: bool, ride_ids: Sequence[int] | None = None,
) -> dict[int, RideSums]:
    """RideSums for every attraction of ``parks`` (or just ``ride_ids``) over ``period``."""
    windows = {p.park_id: park_window(period, p.timezone, now) for p in parks}
    r = t.rides
    query = select(r.c.ride_id, r.c.park_id).where(
        r.c.park_id.in_(list(windows)), r.c.category == metrics.ATTRACTION)
    if ride_ids is not None:
        query = query.where(r.c.ride_id.in_(list(ride_ids)))
    out = {row.ride_id: RideSums(row.ride_id, row.park_id) for row in conn.execute(query)}
    if not out:
        return out
    by_kind: dict[str, dict[int, ParkWindow]] = {}
    for park_id, window in windows.items():
        by_kind.setdefault(window.kind, {})[park_id] = window
    for kind, group in by_kind.items():
        if kind != KIND_NOT_BEGUN:  # a date the park has not reached: nothing to read
            _fill(conn, out, kind, group, now, interval_minutes=interval_minutes,
                  use_hourly=use_hourly, only=_only(ride_ids))
    return out


def _fill(conn: Connection, out: dict[int, RideSums], kind: str,
          windows: dict[int, ParkWindow], now: datetime, *, interval_minutes: int,
          use_hourly: bool, only: Any) -> None:
    """Fill the rides of parks whose windows are all of one ``kind``."""
    params = {"interval_minutes": interval_minutes}
    if kind == KIND_LIVE:  # the latest cycle of each park, as for the park sums
        pairs = [(p, at) for p, (at, _) in latest_cycles(conn, list(windows), now).items()]
        if pairs:
            _ride_raw_sums(conn, out, read_sql.cycles(pairs), params, only)
        return
    if not use_hourly:
        groups = group_windows(windows, lambda w: (w.dates, None))
        _ride_raw_sums(conn, out, scopes.day_groups(groups), params, only)
    elif kind == KIND_TODAY:
        _ride_today_fast(conn, out, windows, now, params, only)
    else:
        _ride_days_fast(conn, out, windows, params, only)


def _only(ride_ids: Sequence[int] | None) -> Any:
    return None if ride_ids is None else tuple(ride_ids)


def _ride_raw_sums(conn: Connection, out: dict[int, RideSums], scope: scopes.Scope,
                 params: Mapping[str, Any], only: Any) -> None:
    rows = sql.ride_rows_select(scope).subquery("rows")
    query = select(rows)
    if only is not None:
        query = query.where(rows.c.ride_id.in_(only))
    for row in conn.execute(query, params).mappings():
        if row["ride_id"] in out:
            out[row["ride_id"]].add_row(row, row["bucket"])


def _add(out: dict[int, RideSums], rows: Iterable[RowLike], day_key: str | None
         ) -> None:
    for row in rows:
        if row["ride_id"] in out:
            out[row["ride_id"]].add_row(row, row[day_key] if day_key else None)


def _ride_today_fast(conn: Connection, out: dict[int, RideSums], windows: dict[int, ParkWindow],
                now: datetime, params: Mapping[str, Any], only: Any) -> None:
    split = split_today(conn, windows, now)
    rh = t.ride_hourly_stats
    if split.in_hours is not None:
        query = (
            select(rh.c.ride_id, rh.c.park_id,
                   *(func.sum(rh.c[name]).label(name) for name in RIDE_SUM_FIELDS),
                   func.max(rh.c.max_wait_time).label("max_wait_time"))
            .where(split.in_hours(rh)).group_by(rh.c.ride_id, rh.c.park_id)
        )
        if only is not None:
            query = query.where(rh.c.ride_id.in_(only))
        _add(out, conn.execute(query).mappings(), None)
    _ride_raw_sums(conn, out, split.raw, params, only)
    for ride in out.values():
        if ride.park_id in windows:
            ride.days.clear()  # today's pieces are parts of one day, not days


def _ride_days_fast(conn: Connection, out: dict[int, RideSums], windows: dict[int, ParkWindow],
               params: Mapping[str, Any], only: Any) -> None:
    rd = t.ride_daily_stats
    groups = group_windows(windows, lambda w: (w.dates, None))
    stale = stale_park_days(conn, groups)
    query = select(rd).where(in_days(rd, groups))
    if only is not None:
        query = query.where(rd.c.ride_id.in_(only))
    have: set[tuple[int, date]] = set()
    for row in conn.execute(query).mappings():
        if (row["park_id"], row["stat_date"]) in stale:
            continue
        have.add((row["park_id"], row["stat_date"]))
        _add(out, [row], "stat_date")
    scope = missing_days(windows, have, conn)
    if scope is not None:
        _ride_raw_sums(conn, out, scope, params, only)


def current_statuses(conn: Connection, ride_ids: Sequence[int], now: datetime
                     ) -> dict[int, dict[str, Any]]:
    """Each ride's newest snapshot within the live window, by ride: ``status`` (the feed's,
    or ``PARK_CLOSED`` while its park is closed), ``raw_status`` (the feed's), ``wait_time``,
    ``counted_down`` and ``recorded_at``."""
    rss = t.ride_status_snapshots
    rows = conn.execute(
        select(rss.c.ride_id, rss.c.recorded_at, rss.c.status, rss.c.wait_time,
               rss.c.park_open, rss.c.counted_down)
        .where(rss.c.ride_id.in_(list(ride_ids)), rss.c.recorded_at > now - LIVE_MAX_AGE,
               rss.c.recorded_at <= now)
        .order_by(rss.c.recorded_at)
    )
    latest: dict[int, dict[str, Any]] = {}
    for row in rows:
        latest[row.ride_id] = {
            "status": row.status if row.park_open else PARK_CLOSED,
            "raw_status": row.status,
            "wait_time": row.wait_time,
            "counted_down": bool(row.counted_down),
            "recorded_at": iso_utc(row.recorded_at),
        }
    return latest


@dataclass(frozen=True)
class RideInfo:
    ride_id: int
    park_id: int
    name: str
    tier: int | None
    category: str

    @property
    def weight(self) -> int:
        return metrics.tier_weight(self.tier)

    @property
    def shown_tier(self) -> int:
        """The tier a reader sees: an unclassified ride weighs and shows as tier 2."""
        return metrics.effective_tier(self.tier)


def load_rides(conn: Connection, *, park_ids: Sequence[int] | None = None,
               ride_ids: Sequence[int] | None = None, attractions_only: bool = True
               ) -> dict[int, RideInfo]:
    r = t.rides
    query = select(r.c.ride_id, r.c.park_id, r.c.name, r.c.tier, r.c.category)
    if park_ids is not None:
        query = query.where(r.c.park_id.in_(list(park_ids)))
    if ride_ids is not None:
        query = query.where(r.c.ride_id.in_(list(ride_ids)))
    if attractions_only:
        query = query.where(r.c.category == metrics.ATTRACTION)
    return {row.ride_id: RideInfo(row.ride_id, row.park_id, row.name, row.tier, row.category)
            for row in conn.execute(query.order_by(r.c.ride_id))}
