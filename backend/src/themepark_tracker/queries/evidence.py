"""The data behind a park's score (issue 15): for a period, the rows its score was computed
from, with their sums, so a reader can redo the arithmetic; for one UTC hour, each cycle
(``queries.evidence_cycles``).

- ``today``, ``yesterday``, ``date``: the park's local clock hours, each with its open
  snapshots and Σ s(t); the score is Σ Σ s(t) / Σ n over all of them (SPEC §5).
- multi-day periods: the local dates, each with its daily score at full precision; the score
  is the mean of the open days' daily scores (SPEC §5).
- ``live``: the newest cycle in the live window.

The rows come from the same ``ParkPeriod`` (and, for hours, the same hourly rows as the chart)
that the rankings and details read, so the listed sums give back the score they show.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from themepark_tracker import metrics
from themepark_tracker.db.types import plain
from themepark_tracker.queries.charts import hourly_rows, local_hour_starts
from themepark_tracker.queries.details import one_park_period
from themepark_tracker.queries.evidence_cycles import SUM_PLACES, cycles_between
from themepark_tracker.queries.park_stats import ParkInfo, ParkPeriod
from themepark_tracker.queries.periods import LIVE, ONE_DAY
from themepark_tracker.queries.rankings import park_summary
from themepark_tracker.timeutil import iso_utc, local_day_bounds, zone_of


def park_evidence(
    conn: Connection, park_id: int, period: str, now: datetime, *, interval_minutes: int,
    use_hourly: bool, offset: int, limit: int,
) -> dict[str, Any] | None:
    """The rows behind ``park_id``'s score over ``period`` (a page of them: ``offset``,
    ``limit``; the totals are over all of them), or None for an unknown park."""
    found = one_park_period(conn, park_id, period, now, interval_minutes=interval_minutes,
                            use_hourly=use_hourly)
    if found is None:
        return None
    park, pp = found
    summary = park_summary(pp, interval_minutes)
    if period == LIVE:
        granularity, rows, totals = "cycle", *_live_rows(conn, park, pp)
    elif period in ONE_DAY:
        granularity, rows, totals = "hour", *_hour_rows(conn, park, pp, now, interval_minutes,
                                                         use_hourly)
    else:
        granularity, rows, totals = "day", *_day_rows(pp)
    return {
        "park_id": park.park_id,
        "park_name": park.name,
        "timezone": park.timezone,
        "period": period,
        "period_start": summary["period_start"],
        "period_end": summary["period_end"],
        "shame_score": summary["shame_score"],
        "score_method": _METHOD[granularity],
        "granularity": granularity,
        "totals": totals,
        "total_rows": len(rows),
        "offset": offset,
        "limit": limit,
        "rows": rows[offset:offset + limit],
    }


#: How each granularity's rows give the score, in words an answer carries.
_METHOD = {
    "cycle": "s(t) of the newest cycle",
    "hour": "sum of shame_score_sum over sum of open_snapshot_count",
    "day": "mean of daily_score over the days the park was open",
}


def _hour_rows(conn: Connection, park: ParkInfo, pp: ParkPeriod, now: datetime,
               interval_minutes: int, use_hourly: bool
               ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    zone = zone_of(park.timezone)
    day = pp.window.first_date
    day_start, day_end = local_day_bounds(day, zone)
    found = hourly_rows(conn, park.park_id, day_start, day_end, now,
                        interval_minutes=interval_minutes, use_hourly=use_hourly)
    rows: list[dict[str, Any]] = []
    n_all, sum_all = 0, 0.0
    for hour, label in local_hour_starts(day, zone):
        row = plain(found[hour]) if hour in found and hour <= now else None
        n = int(row["open_snapshot_count"]) if row else 0
        total = float(row["shame_score_sum"]) if row else 0.0
        n_all, sum_all = n_all + n, sum_all + total
        rows.append({
            "hour_start_utc": iso_utc(hour), "label": label,
            "snapshot_count": int(row["snapshot_count"]) if row else 0,
            "open_snapshot_count": n,
            "shame_score_sum": metrics.round_half_up(total, SUM_PLACES),
            "shame_score": metrics.round_half_up(metrics.mean_shame(total, n), 1),
        })
    return rows, {"open_snapshot_count": n_all,
                  "shame_score_sum": metrics.round_half_up(sum_all, SUM_PLACES)}


def _day_rows(pp: ParkPeriod) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = []
    for day in pp.window.dates:
        sums = pp.days.get(day)
        score = sums.shame if sums is not None else None
        rows.append({
            "date": day.isoformat(),
            "snapshot_count": sums.snapshot_count if sums else 0,
            "open_snapshot_count": sums.open_snapshot_count if sums else 0,
            "shame_score_sum": metrics.round_half_up(sums.shame_score_sum if sums else 0.0,
                                                     SUM_PLACES),
            "daily_score": metrics.round_half_up(score, SUM_PLACES),
            "park_was_open": score is not None,
        })
    open_scores = [d.shame for d in pp.days.values() if d.shame is not None]
    return rows, {"days_open": len(open_scores),
                  "daily_score_sum": metrics.round_half_up(sum(open_scores), SUM_PLACES)}


def _live_rows(conn: Connection, park: ParkInfo, pp: ParkPeriod
               ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    cycles = cycles_between(conn, park.park_id, pp.window.start, pp.window.end)
    newest = cycles[-1:]
    open_cycles = [c for c in newest if c["park_open"]]
    return newest, {"open_cycles": len(open_cycles),
                    "shame_score_sum": metrics.round_half_up(
                        sum(c["shame_score"] for c in open_cycles), SUM_PLACES)}
