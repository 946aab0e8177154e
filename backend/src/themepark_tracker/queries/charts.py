"""Chart series for one park (SPEC §7). Missing data is null; nothing is invented.

- today / yesterday: one point per hour of the park's local day (24; 23 or 25 on DST days),
  from ``park_hourly_stats`` where the park's clock hours are UTC hours and the hour is
  aggregated and not stale, otherwise from the raw snapshots;
- date: like yesterday (like today on the park's own today);
- last_week / last_month / last_90_days, and a range of up to 90 dates: one point per local
  date, from the same ``ParkPeriod`` the score comes from;
- longer periods: one point per ISO week (Monday to Sunday, cut to the period at both ends),
  its score the mean of the daily values of the park's open days in it;
- live: the last 60 minutes of park snapshots.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from themepark_tracker import metrics
from themepark_tracker.aggregate import scopes, sql
from themepark_tracker.db import tables as t
from themepark_tracker.db.types import plain
from themepark_tracker.queries.coverage import covered_until
from themepark_tracker.queries.park_stats import ParkInfo, ParkPeriod
from themepark_tracker.queries.periods import LIVE, LIVE_CHART_SPAN, ONE_DAY, ParkWindow
from themepark_tracker.timeutil import HOUR, iso_utc, local_day_bounds, local_label, zone_of


def _point(hour: datetime, label: str, row: Any, future: bool) -> dict[str, Any]:
    if row is not None:
        row = plain(row)
    if row is None or future:
        return {"hour_start_utc": iso_utc(hour), "label": label, "shame_score": None,
                "avg_wait_time_minutes": None, "rides_operating": None, "rides_down": None}
    wait = row["wait_sum"] / row["wait_count"] if row["wait_count"] else None
    return {
        "hour_start_utc": iso_utc(hour),
        "label": label,
        "shame_score": metrics.round_half_up(
            metrics.mean_shame(row["shame_score_sum"], row["open_snapshot_count"]), 1),
        "avg_wait_time_minutes": metrics.round_half_up(wait, 1),
        "rides_operating": row["rides_operating"],
        "rides_down": row["rides_down"],
    }


def hourly_rows(
    conn: Connection, park_id: int, day_start: datetime, day_end: datetime, now: datetime,
    *, interval_minutes: int, use_hourly: bool, ride_id: int | None = None,
) -> dict[datetime, Any]:
    """Rows keyed by the start (UTC) of each local clock hour of [day_start, day_end): the
    park's rows, or with ``ride_id`` that ride's."""
    params = {"interval_minutes": interval_minutes}
    offset = day_start.minute  # 30 for a +05:30 zone: its clock hours start at :30 UTC
    table = t.park_hourly_stats if ride_id is None else t.ride_hourly_stats
    rows: dict[datetime, Any] = {}
    raw_from = day_start
    if use_hourly and offset == 0:
        until = min(covered_until(conn, day_start, now), day_end)
        query = select(table).where(
            table.c.park_id == park_id, table.c.hour_start_utc >= day_start,
            table.c.hour_start_utc < until,
        )
        if ride_id is not None:
            query = query.where(table.c.ride_id == ride_id)
        for row in conn.execute(query).mappings():
            rows[row["hour_start_utc"]] = row
        raw_from = until
    raw_to = min(day_end, now)  # nothing after now, even from a clock that runs ahead
    if raw_from < raw_to:
        scope = scopes.local_hours(park_id, raw_from, raw_to, offset)
        if ride_id is None:
            query = sql.park_rows_select(scope)
        else:
            sub = sql.ride_rows_select(scope).subquery("rows")
            query = select(sub).where(sub.c.ride_id == ride_id)
        for row in conn.execute(query, params).mappings():
            rows[row["bucket"]] = row
    return rows


def local_hour_starts(day: date, zone: ZoneInfo) -> list[tuple[datetime, str]]:
    """(UTC start, local "HH:00" label) of every hour of a local day: 24, or 23/25 on DST
    change days."""
    day_start, day_end = local_day_bounds(day, zone)
    out = []
    hour = day_start
    while hour < day_end:
        out.append((hour, local_label(hour, zone, "%H:00")))
        hour += HOUR
    return out


def park_chart(
    conn: Connection, park: ParkInfo, pp: ParkPeriod, now: datetime, *,
    interval_minutes: int, use_hourly: bool,
) -> list[dict[str, Any]]:
    period = pp.window.period
    zone = zone_of(park.timezone)
    if period == LIVE:
        return live_points(conn, park.park_id, now, zone)
    if period in ONE_DAY:
        day_start, day_end = local_day_bounds(pp.window.first_date, zone)
        rows = hourly_rows(conn, park.park_id, day_start, day_end, now,
                           interval_minutes=interval_minutes, use_hourly=use_hourly)
        return [_point(hour, label, rows.get(hour), future=hour > now)
                for hour, label in local_hour_starts(pp.window.first_date, zone)]
    if chart_granularity(pp.window) == "week":
        return [weekly_point(pp, days, zone) for days in iso_weeks(pp.window.dates)]
    return [daily_point(pp, day, zone) for day in pp.window.dates]


#: Multi-day charts up to this many local dates have one point per date; longer ones one per
#: ISO week (SPEC §7).
MAX_DAILY_POINTS = 90


def chart_granularity(window: ParkWindow) -> str:
    if window.period == LIVE:
        return "snapshot"
    if window.period in ONE_DAY:
        return "hour"
    return "day" if len(window.dates) <= MAX_DAILY_POINTS else "week"


def iso_weeks(dates: Sequence[date]) -> list[tuple[date, ...]]:
    """``dates`` (consecutive) cut into ISO weeks, Monday to Sunday: the first and last may
    be shorter."""
    weeks: list[list[date]] = []
    for day in dates:
        if not weeks or day.isocalendar()[:2] != weeks[-1][0].isocalendar()[:2]:
            weeks.append([])
        weeks[-1].append(day)
    return [tuple(week) for week in weeks]


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_point(pp: ParkPeriod, days: Sequence[date], zone: ZoneInfo) -> dict[str, Any]:
    """One ISO week (cut to the period): the mean of the daily scores of its open days;
    the mean wait over all its waits. Distinct rides are not summed across days: null."""
    sums = [pp.days[d] for d in days if d in pp.days]
    wait_sum = sum(s.wait_sum for s in sums)
    wait_count = sum(s.wait_count for s in sums)
    return {
        "hour_start_utc": iso_utc(local_day_bounds(days[0], zone)[0]),
        "label": week_label(days[0]),
        "date": days[0].isoformat(),
        "last_date": days[-1].isoformat(),
        "days_open": sum(1 for s in sums if s.open_snapshot_count > 0),
        "shame_score": metrics.round_half_up(metrics.mean_of_days(s.shame for s in sums), 1),
        "avg_wait_time_minutes": metrics.round_half_up(
            wait_sum / wait_count if wait_count else None, 1),
        "rides_operating": None,
        "rides_down": None,
    }


def daily_point(pp: ParkPeriod, day: date, zone: ZoneInfo) -> dict[str, Any]:
    start = local_day_bounds(day, zone)[0]
    sums = pp.days.get(day)
    if sums is None:
        return _point(start, day.isoformat(), None, future=False) | {"date": day.isoformat()}
    operating, down = pp.day_rides.get(day, (None, None))
    row = {**vars(sums), "rides_operating": operating, "rides_down": down}
    return _point(start, day.isoformat(), row, future=False) | {"date": day.isoformat()}


def live_points(conn: Connection, park_id: int, now: datetime, zone: ZoneInfo
                ) -> list[dict[str, Any]]:
    pas = t.park_activity_snapshots
    rows = conn.execute(
        select(pas.c.recorded_at, pas.c.park_appears_open, pas.c.shame_score,
               pas.c.avg_wait_time, pas.c.rides_open, pas.c.rides_down)
        .where(pas.c.park_id == park_id, pas.c.recorded_at > now - LIVE_CHART_SPAN,
               pas.c.recorded_at <= now)
        .order_by(pas.c.recorded_at)
    )
    return [
        {
            "recorded_at": iso_utc(r.recorded_at),
            "label": local_label(r.recorded_at, zone, "%H:%M"),
            "shame_score": metrics.round_half_up(r.shame_score, 1),
            "avg_wait_time_minutes": metrics.round_half_up(r.avg_wait_time, 1),
            "rides_operating": r.rides_open,
            "rides_down": r.rides_down,
            "park_is_open": bool(r.park_appears_open),
        }
        for r in rows
    ]
