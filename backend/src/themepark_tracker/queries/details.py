"""One park over one period (SPEC §5–§7): the score, what it is made of, and its chart.

The score comes from the same ``ParkPeriod`` the rankings use, so the two always agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from themepark_tracker import metrics
from themepark_tracker.db import tables as t
from themepark_tracker.queries.charts import chart_granularity, park_chart
from themepark_tracker.queries.park_stats import ParkInfo, ParkPeriod, load_parks, period_stats
from themepark_tracker.queries.periods import MEAN_OF_DAYS
from themepark_tracker.queries.quality import period_quality
from themepark_tracker.queries.rankings import not_ranked_reason, park_summary
from themepark_tracker.queries.rides import RideInfo, RideSums, load_rides, ride_period_stats


def park_details(
    conn: Connection, park_id: int, period: str, now: datetime, *, interval_minutes: int,
    use_hourly: bool,
) -> dict[str, Any] | None:
    """Everything the details view shows for ``park_id``, or None for an unknown park."""
    found = one_park_period(conn, park_id, period, now, interval_minutes=interval_minutes,
                            use_hourly=use_hourly)
    if found is None:
        return None
    park, pp = found
    summary = park_summary(pp, interval_minutes)
    total = pp.total()
    rides = load_rides(conn, park_ids=[park_id])
    sums = ride_period_stats(conn, [park], period, now, interval_minutes=interval_minutes,
                             use_hourly=use_hourly)
    return {
        "park": park_info(park),
        "period": period,
        "period_start": summary["period_start"],
        "period_end": summary["period_end"],
        "first_date": summary["first_date"],
        "last_date": summary["last_date"],
        "not_ranked_reason": not_ranked_reason(pp),
        **{k: summary[k] for k in (
            "shame_score", "total_downtime_hours", "weighted_downtime_hours",
            "uptime_percentage", "avg_wait_time_minutes", "rides_operating", "rides_down",
            "park_is_open", "snapshot_count")},
        **period_quality(conn, [park], period, now, interval_minutes=interval_minutes,
                         use_hourly=use_hourly)[park_id],
        # Yesterday's daily value is its snapshots' mean: a mean of one day is that day.
        "score_method": "mean_of_days" if period in MEAN_OF_DAYS else "mean_of_snapshots",
        "open_snapshot_count": total.open_snapshot_count,
        "shame_score_sum": metrics.round_half_up(total.shame_score_sum, 4),
        "days_open": sum(1 for d in pp.days.values() if d.open_snapshot_count > 0),
        "shame_breakdown": {
            "total_downtime_hours": summary["total_downtime_hours"],
            "weighted_downtime_hours": summary["weighted_downtime_hours"],
            "effective_park_weight": effective_weight(conn, pp),
            "rides": _contributions(rides, sums, interval_minutes),
        },
        "wait_times": _waits(rides, sums),
        "chart_granularity": chart_granularity(pp.window),
        "chart_data": park_chart(conn, park, pp, now, interval_minutes=interval_minutes,
                                 use_hourly=use_hourly),
    }


def one_park_period(
    conn: Connection, park_id: int, period: str, now: datetime, *, interval_minutes: int,
    use_hourly: bool,
) -> tuple[ParkInfo, ParkPeriod] | None:
    """``park_id`` and its ``ParkPeriod`` (what rankings read too), or None for an unknown
    park."""
    parks = load_parks(conn, [park_id])
    if not parks:
        return None
    return parks[0], period_stats(conn, parks, period, now, interval_minutes=interval_minutes,
                                  use_hourly=use_hourly)[park_id]


def park_info(park: Any) -> dict[str, Any]:
    return {
        "park_id": park.park_id,
        "name": park.name,
        "location": park.country,
        "country": park.country,
        "timezone": park.timezone,
        "operator": park.operator,
        "is_disney": park.is_disney,
        "is_universal": park.is_universal,
    }


def effective_weight(conn: Connection, pp: ParkPeriod) -> int | None:
    """The largest active weight W(t) the park had while open in the period (SPEC §3's
    effective_park_weight over the whole period)."""
    pas = t.park_activity_snapshots
    value = conn.execute(
        select(func.max(pas.c.active_weight)).where(
            pas.c.park_id == pp.park.park_id, pas.c.park_appears_open,
            pas.c.recorded_at >= pp.window.start, pas.c.recorded_at <= pp.window.end)
    ).scalar()
    return int(value) if value is not None else None


def _contributions(rides: Mapping[int, RideInfo], sums: Mapping[int, RideSums],
                   interval_minutes: int) -> list[dict[str, Any]]:
    """Rides with downtime in the period, heaviest weighted downtime first."""
    out: list[dict[str, Any]] = []
    for ride_id, s in sums.items():
        if not s.down_snapshots or ride_id not in rides:
            continue
        info = rides[ride_id]
        hours = metrics.downtime_hours(s.down_snapshots, interval_minutes)
        out.append({
            "ride_id": ride_id,
            "ride_name": info.name,
            "tier": info.shown_tier,
            "tier_weight": info.weight,
            "downtime_hours": metrics.round_half_up(hours, 2),
            "weighted_contribution": metrics.round_half_up(hours * info.weight, 2),
        })
    out.sort(key=lambda r: (-float(r["weighted_contribution"]), str(r["ride_name"])))
    return out


def _waits(rides: Mapping[int, RideInfo], sums: Mapping[int, RideSums]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for ride_id, s in sums.items():
        if not s.wait_count or ride_id not in rides:
            continue
        out.append({
            "ride_id": ride_id,
            "ride_name": rides[ride_id].name,
            "tier": rides[ride_id].shown_tier,
            "avg_wait_time_minutes": metrics.round_half_up(s.wait_sum / s.wait_count, 1),
            "peak_wait_time_minutes": s.max_wait_time,
        })
    out.sort(key=lambda r: (-float(r["avg_wait_time_minutes"]), str(r["ride_name"])))
    return out

