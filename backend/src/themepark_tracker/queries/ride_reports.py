"""Ride rankings, wait times and one ride's details (SPEC §5–§7), as plain dicts for the API.

Sums come from ``rides.ride_period_stats`` (fast or reference path); the current status from
each ride's newest snapshot in the live window; incidents, reliability and the ongoing
outage from ``ride_outages`` (queries/outages.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from themepark_tracker import metrics
from themepark_tracker.db import tables as t
from themepark_tracker.db.types import plain
from themepark_tracker.queries.charts import (
    chart_granularity,
    hourly_rows,
    iso_weeks,
    local_hour_starts,
    week_label,
)
from themepark_tracker.queries.outages import ride_outage_report
from themepark_tracker.queries.park_stats import ParkInfo, load_parks
from themepark_tracker.queries.periods import (
    LIVE,
    LIVE_CHART_SPAN,
    ONE_DAY,
    PARK_CLOSED,
    covered,
    covered_dates,
    park_window,
)
from themepark_tracker.queries.quality import period_quality
from themepark_tracker.queries.rides import (
    RideInfo,
    RideSums,
    current_statuses,
    load_rides,
    ride_period_stats,
)
from themepark_tracker.timeutil import iso_utc, local_day_bounds, local_label, zone_of

RIDE_SORT_KEYS = ("downtime_hours", "uptime_percentage", "avg_wait_time_minutes", "ride_name")


def _covers(parks: Sequence[ParkInfo], period: str, now: datetime) -> dict[str, Any]:
    """The instants and local dates the parks' windows cover, from first to last."""
    windows = [park_window(period, p.timezone, now) for p in parks]
    start, end = covered(windows)
    first, last = covered_dates(windows)
    return {"period_start": start, "period_end": end, "first_date": first, "last_date": last}


def _ride_rows(
    conn: Connection, period: str, now: datetime, *, interval_minutes: int, use_hourly: bool,
    parks: Sequence[ParkInfo],
) -> list[dict[str, Any]]:
    """One summary per attraction with data in the period."""
    sums = ride_period_stats(conn, parks, period, now, interval_minutes=interval_minutes,
                             use_hourly=use_hourly)
    rides = load_rides(conn, park_ids=[p.park_id for p in parks])
    names = {p.park_id: p.name for p in parks}
    statuses = current_statuses(conn, list(sums), now) if sums else {}
    rows: list[dict[str, Any]] = []
    for ride_id, s in sums.items():
        if not s.snapshot_count or ride_id not in rides:
            continue
        info = rides[ride_id]
        summary = s.summary(interval_minutes)
        rows.append({
            "ride_id": ride_id,
            "ride_name": info.name,
            "park_id": info.park_id,
            "park_name": names[info.park_id],
            "tier": info.shown_tier,
            "tier_weight": info.weight,
            "current_status": statuses.get(ride_id, {}).get("status"),
            "downtime_hours": summary["downtime_hours"],
            "uptime_percentage": summary["uptime_percentage"],
            "avg_wait_time_minutes": summary["avg_wait_time_minutes"],
            "peak_wait_time_minutes": summary["max_wait_time"],
        })
    return rows


def _ranked(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any], limit: int
            ) -> list[dict[str, Any]]:
    rows.sort(key=key)
    return [{"rank": n, **row} for n, row in enumerate(rows[:limit], start=1)]


def _ride_sort_key(sort_by: str) -> Callable[[dict[str, Any]], Any]:
    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        downtime = row["downtime_hours"] or 0.0
        name = (row["ride_name"], row["park_name"], row["ride_id"])
        if sort_by == "uptime_percentage":
            uptime = row["uptime_percentage"]
            return (uptime if uptime is not None else 101.0, -downtime, *name)
        if sort_by == "avg_wait_time_minutes":
            wait = row["avg_wait_time_minutes"]
            return (-(wait if wait is not None else -1.0), *name)
        if sort_by == "ride_name":
            return name
        return (-downtime, -row["tier_weight"], *name)

    return key


def ride_rankings(
    conn: Connection, period: str, now: datetime, *, interval_minutes: int, use_hourly: bool,
    park_filter: str = "all-parks", limit: int = 50, sort_by: str = "downtime_hours",
    park_id: int | None = None,
) -> dict[str, Any]:
    """Attractions with data in the period, most downtime first (or by ``sort_by``)."""
    parks = load_parks(conn, [park_id] if park_id is not None else None,
                       disney_universal_only=park_filter == "disney-universal")
    rows = _ride_rows(conn, period, now, interval_minutes=interval_minutes,
                      use_hourly=use_hourly, parks=parks)
    return {
        "period": period, **_covers(parks, period, now), "filter": park_filter,
        "sort_by": sort_by,
        "data": _ranked(rows, _ride_sort_key(sort_by), limit),
    }


def ride_waittimes(
    conn: Connection, period: str, now: datetime, *, interval_minutes: int, use_hourly: bool,
    park_filter: str = "all-parks", limit: int = 50,
) -> dict[str, Any]:
    """Attractions that reported a wait in the period, longest average first."""
    parks = load_parks(conn, disney_universal_only=park_filter == "disney-universal")
    rows = [r for r in _ride_rows(conn, period, now, interval_minutes=interval_minutes,
                                  use_hourly=use_hourly, parks=parks)
            if r["avg_wait_time_minutes"] is not None]
    keep = ("ride_id", "ride_name", "park_id", "park_name", "tier", "avg_wait_time_minutes",
            "peak_wait_time_minutes", "current_status")
    ranked = _ranked(rows, _ride_sort_key("avg_wait_time_minutes"), limit)
    return {
        "period": period, **_covers(parks, period, now), "filter": park_filter,
        "data": [{"rank": r["rank"], **{k: r[k] for k in keep}} for r in ranked],
    }


def park_waittimes(
    conn: Connection, period: str, now: datetime, *, interval_minutes: int, use_hourly: bool,
    park_filter: str = "all-parks", limit: int = 50,
) -> dict[str, Any]:
    """Parks by their average posted wait over the period (mean over every ride snapshot
    that was OPERATING with a wait while the park was open, as in the hourly tables)."""
    parks = load_parks(conn, disney_universal_only=park_filter == "disney-universal")
    sums = ride_period_stats(conn, parks, period, now, interval_minutes=interval_minutes,
                             use_hourly=use_hourly)
    per_park: dict[int, list[RideSums]] = {}
    for s in sums.values():
        per_park.setdefault(s.park_id, []).append(s)
    rows: list[dict[str, Any]] = []
    for park in parks:
        waited = [s for s in per_park.get(park.park_id, []) if s.wait_count]
        if not waited:
            continue
        wait_sum = sum(s.wait_sum for s in waited)
        wait_count = sum(s.wait_count for s in waited)
        peaks = [s.max_wait_time for s in waited if s.max_wait_time is not None]
        rows.append({
            "park_id": park.park_id, "park_name": park.name, "location": park.country,
            "timezone": park.timezone,
            "avg_wait_time_minutes": metrics.round_half_up(wait_sum / wait_count, 1),
            "peak_wait_time_minutes": max(peaks) if peaks else None,
            "rides_reporting": len(waited),
        })
    rows.sort(key=lambda r: (-float(r["avg_wait_time_minutes"]), str(r["park_name"])))
    shown = {r["park_id"] for r in rows[:limit]}
    quality = period_quality(conn, [p for p in parks if p.park_id in shown], period, now,
                             interval_minutes=interval_minutes, use_hourly=use_hourly)
    return {"period": period, **_covers(parks, period, now), "filter": park_filter,
            "data": [{"rank": n, **row, **quality[row["park_id"]]}
                     for n, row in enumerate(rows[:limit], start=1)]}


# --- one ride -----------------------------------------------------------------------------------


def ride_details(
    conn: Connection, ride_id: int, period: str, now: datetime, *, interval_minutes: int,
    use_hourly: bool,
) -> dict[str, Any] | None:
    """One attraction over ``period``, or None if there is no such attraction."""
    rides = load_rides(conn, ride_ids=[ride_id])
    if ride_id not in rides:
        return None
    info = rides[ride_id]
    park = load_parks(conn, [info.park_id])[0]
    window = park_window(period, park.timezone, now)
    s = ride_period_stats(conn, [park], period, now, interval_minutes=interval_minutes,
                          use_hourly=use_hourly, ride_ids=[ride_id]).get(ride_id)
    summary = (s or RideSums(ride_id, park.park_id)).summary(interval_minutes)
    status = current_statuses(conn, [ride_id], now).get(ride_id, {})
    zone = zone_of(park.timezone)
    return {
        "ride": {
            "ride_id": ride_id, "name": info.name, "park_id": park.park_id,
            "park_name": park.name, "tier": info.shown_tier, "tier_weight": info.weight,
            "category": info.category, "timezone": park.timezone,
        },
        "period": period,
        "period_start": iso_utc(window.start),
        "period_end": iso_utc(window.end),
        "first_date": window.first_date,
        "last_date": window.last_date,
        "current_status": status.get("status"),
        "current_wait_time_minutes": status.get("wait_time"),
        "downtime_hours": summary["downtime_hours"],
        "uptime_percentage": summary["uptime_percentage"],
        "avg_wait_time_minutes": summary["avg_wait_time_minutes"],
        "peak_wait_time_minutes": summary["max_wait_time"],
        "snapshot_count": summary["snapshot_count"],
        **_ride_chart(conn, info, park, s, period, now, zone, interval_minutes=interval_minutes,
                      use_hourly=use_hourly),
        **ride_outage_report(conn, ride_id, window.start, window.end, now,
                             open_snapshots=s.open_snapshot_count if s else 0,
                             interval_minutes=interval_minutes),
    }


def _ride_point(key: str, value: str, label: str, row: Mapping[str, Any] | None,
                interval_minutes: int) -> dict[str, Any]:
    if row is None:
        return {key: value, "label": label, "downtime_hours": None, "uptime_percentage": None,
                "avg_wait_time_minutes": None, "operating_snapshots": None,
                "down_snapshots": None}
    operating, down = int(row["operating_snapshots"] or 0), int(row["down_snapshots"] or 0)
    wait_count = int(row["wait_count"] or 0)
    wait = int(row["wait_sum"] or 0) / wait_count if wait_count else None
    return {
        key: value,
        "label": label,
        "downtime_hours": metrics.round_half_up(
            metrics.downtime_hours(down, interval_minutes), 2),
        "uptime_percentage": metrics.round_half_up(
            metrics.uptime_percentage(operating, down), 1),
        "avg_wait_time_minutes": metrics.round_half_up(wait, 1),
        "operating_snapshots": operating,
        "down_snapshots": down,
    }


def _ride_chart(
    conn: Connection, info: RideInfo, park: ParkInfo, s: RideSums | None, period: str,
    now: datetime, zone: ZoneInfo, *, interval_minutes: int, use_hourly: bool,
) -> dict[str, Any]:
    """Hourly points for one day (today, yesterday, a date), daily up to 90 dates, weekly
    beyond (SPEC §7), snapshots for live."""
    window = park_window(period, park.timezone, now)
    if period == LIVE:
        rss = t.ride_status_snapshots
        rows = conn.execute(
            select(rss.c.recorded_at, rss.c.status, rss.c.wait_time, rss.c.park_open,
                   rss.c.counted_down)
            .where(rss.c.ride_id == info.ride_id, rss.c.recorded_at > now - LIVE_CHART_SPAN,
                   rss.c.recorded_at <= now)
            .order_by(rss.c.recorded_at))
        points = [{
            "recorded_at": iso_utc(r.recorded_at),
            "label": local_label(r.recorded_at, zone, "%H:%M"),
            "status": r.status if r.park_open else PARK_CLOSED,
            "down": bool(r.counted_down),
            "wait_time_minutes": r.wait_time,
        } for r in rows]
        return {"chart_granularity": "snapshot", "chart_data": points}
    if period in ONE_DAY:
        day_start, day_end = local_day_bounds(window.first_date, zone)
        rows_by_hour = hourly_rows(conn, park.park_id, day_start, day_end, now,
                                   interval_minutes=interval_minutes, use_hourly=use_hourly,
                                   ride_id=info.ride_id)
        points = []
        for hour, label in local_hour_starts(window.first_date, zone):
            row = rows_by_hour.get(hour)
            points.append(_ride_point("hour_start_utc", iso_utc(hour), label,
                                      None if row is None or hour > now else plain(row),
                                      interval_minutes))
        return {"chart_granularity": "hour", "chart_data": points}
    days = s.days if s is not None else {}
    if chart_granularity(window) == "week":
        return {"chart_granularity": "week", "chart_data": [
            _ride_point("date", week[0].isoformat(), week_label(week[0]),
                        _week_sums([days[d] for d in week if d in days]), interval_minutes)
            | {"last_date": week[-1].isoformat()}
            for week in iso_weeks(window.dates)]}
    return {"chart_granularity": "day", "chart_data": [
        _ride_point("date", d.isoformat(), d.isoformat(), days.get(d), interval_minutes)
        for d in window.dates]}


def _week_sums(days: Sequence[Mapping[str, Any]]) -> dict[str, int] | None:
    """The sums a ride's chart point reads, over the days of one week (None without any)."""
    if not days:
        return None
    return {name: sum(int(d[name] or 0) for d in days)
            for name in ("operating_snapshots", "down_snapshots", "wait_sum", "wait_count")}
