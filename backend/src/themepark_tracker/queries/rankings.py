"""Park rankings for a period (SPEC §5): plain dicts for the API and the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from themepark_tracker import metrics
from themepark_tracker.queries import trends
from themepark_tracker.queries.park_stats import ParkPeriod, load_parks, period_stats
from themepark_tracker.queries.periods import KIND_NOT_BEGUN, LIVE, TODAY, covered, covered_dates
from themepark_tracker.timeutil import iso_utc

FILTERS = ("all-parks", "disney-universal")
SORT_KEYS = (
    "shame_score", "total_downtime_hours", "uptime_percentage", "rides_down", "park_name",
)


def park_summary(pp: ParkPeriod, interval_minutes: int) -> dict[str, Any]:
    """The numbers one park shows for a period, each rounded once, here (SPEC §6)."""
    total = pp.total()
    hours = metrics.downtime_hours
    uptime = metrics.uptime_percentage(total.operating_snapshots, total.down_snapshots)
    wait = total.wait_sum / total.wait_count if total.wait_count else None
    period = pp.window.period
    return {
        "park_id": pp.park.park_id,
        "park_name": pp.park.name,
        "location": ", ".join(x for x in (pp.park.country,) if x) or None,
        "timezone": pp.park.timezone,
        "operator": pp.park.operator,
        "shame_score": metrics.round_half_up(pp.shame_score, 1),
        "total_downtime_hours": metrics.round_half_up(
            hours(total.down_snapshots, interval_minutes), 2),
        "weighted_downtime_hours": metrics.round_half_up(
            hours(total.weighted_down_snapshots, interval_minutes), 2),
        "rides_operating": pp.rides_operating,
        "rides_down": pp.rides_down,
        "uptime_percentage": metrics.round_half_up(uptime, 1),
        "avg_wait_time_minutes": metrics.round_half_up(wait, 1),
        "park_is_open": pp.latest_open if period in (LIVE, TODAY) else None,
        "was_open": pp.was_open,
        "snapshot_count": total.snapshot_count,
        "period_start": iso_utc(pp.window.start),
        "period_end": iso_utc(pp.window.end),
        "first_date": pp.window.first_date,
        "last_date": pp.window.last_date,
    }


def not_ranked_reason(pp: ParkPeriod) -> str | None:
    """Why a park is counted but not ranked (SPEC §5), or None if it is ranked: the period's
    dates have not begun in its time zone, there is no data for them, or it was closed."""
    if pp.window.kind == KIND_NOT_BEGUN:
        return "not_begun"
    if pp.total().snapshot_count == 0:
        return "no_data"
    return None if pp.was_open else "closed"


def _sort_key(sort_by: str) -> Any:
    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        score = row["shame_score"] or 0.0
        downtime = row["total_downtime_hours"] or 0.0
        if sort_by == "total_downtime_hours":
            return (-downtime, -score, row["park_name"])
        if sort_by == "uptime_percentage":
            uptime = row["uptime_percentage"]
            return (uptime if uptime is not None else 101.0, -score, row["park_name"])
        if sort_by == "rides_down":
            return (-row["rides_down"], -score, row["park_name"])
        if sort_by == "park_name":
            return (row["park_name"],)
        return (-score, -downtime, row["park_name"])

    return key


def park_rankings(
    conn: Connection, period: str, now: datetime, *, interval_minutes: int, use_hourly: bool,
    park_filter: str = "all-parks", limit: int = 50, sort_by: str = "shame_score",
    park_ids: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Parks open at some point in the period, ranked (SPEC §5); the others are counted."""
    parks = load_parks(conn, park_ids, disney_universal_only=park_filter == "disney-universal")
    stats = period_stats(conn, parks, period, now, interval_minutes=interval_minutes,
                         use_hourly=use_hourly)
    rows = [park_summary(pp, interval_minutes) for pp in stats.values()]
    trends.add_previous_scores(conn, stats, rows, period, now,
                               interval_minutes=interval_minutes, use_hourly=use_hourly)
    ranked = sorted((r for r in rows if r["was_open"]), key=_sort_key(sort_by))
    ranked = [{"rank": n, **{k: v for k, v in row.items() if k != "was_open"}}
              for n, row in enumerate(ranked, start=1)]
    shames = [pp.shame_score for pp in stats.values() if pp.was_open]
    scores = [s for s in shames if s is not None]
    start, end = covered(pp.window for pp in stats.values())
    first, last = covered_dates(pp.window for pp in stats.values())
    return {
        "period": period,
        "period_start": start,
        "period_end": end,
        "first_date": first,
        "last_date": last,
        "filter": park_filter,
        "aggregate_stats": {
            "total_parks": len(rows),
            "parks_open": len(ranked),
            "parks_with_downtime": sum(1 for r in ranked if r["total_downtime_hours"]),
            "avg_shame_score": metrics.round_half_up(
                sum(scores) / len(scores) if scores else None, 1),
            "total_downtime_hours": metrics.round_half_up(
                sum(r["total_downtime_hours"] or 0 for r in ranked), 2),
        },
        "data": ranked[:limit],
        "not_ranked": [
            {"park_id": pp.park.park_id, "park_name": pp.park.name,
             "timezone": pp.park.timezone, "first_date": pp.window.first_date,
             "last_date": pp.window.last_date, "reason": not_ranked_reason(pp)}
            for pp in sorted(stats.values(), key=lambda pp: pp.park.name)
            if not pp.was_open],
    }
