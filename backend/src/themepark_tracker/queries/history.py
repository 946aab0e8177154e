"""A park's and a ride's long record (issue 14): one row per local date over a ``range``.

Every figure comes from the period machinery (``park_stats.period_stats`` and
``rides.ride_period_stats`` over ``periods.date_range``), so a history's score is the
rankings' ``range`` score for the same dates, and each day's score is that ``date``'s.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from themepark_tracker import metrics
from themepark_tracker.queries import outages, trends
from themepark_tracker.queries.park_stats import (
    ParkInfo,
    ParkPeriod,
    latest_local_date,
    load_parks,
    period_stats,
)
from themepark_tracker.queries.periods import (
    Period,
    check_reached,
    date_range,
    days_between,
    park_window,
)
from themepark_tracker.queries.rides import RideSums, load_rides, ride_period_stats
from themepark_tracker.timeutil import local_date_of, zone_of

#: Without ``from``/``to``: a park's history covers the 365 local dates ending yesterday, a
#: ride's the 90 (the ride page's uptime chart).
PARK_DEFAULT_DAYS = 365
RIDE_DEFAULT_DAYS = 90


def history_period(conn: Connection, park: ParkInfo, first: date | None, last: date | None,
                   now: datetime, default_days: int) -> Period:
    """The ``range`` a history covers: ``from``/``to`` as given; a missing one makes the
    range ``default_days`` long (``to`` at most the park's yesterday); neither gives the
    ``default_days`` local dates ending the park's yesterday. A ``PeriodError`` names the
    date parameter at fault, as for the periods (SPEC §5)."""
    yesterday = local_date_of(now, zone_of(park.timezone)) - timedelta(days=1)
    span = timedelta(days=default_days - 1)
    if last is None:
        last = yesterday if first is None else min(first + span, yesterday)
    if first is None:
        first = last - span
    period = date_range(first, last)
    check_reached(period, latest_local_date(conn, now))
    return period


def _round(value: float | None, places: int = 1) -> float | None:
    return metrics.round_half_up(value, places)


def _park_days(pp: ParkPeriod, means: dict[date, float | None], dates: tuple[date, ...],
               interval_minutes: int) -> list[dict[str, Any]]:
    out = []
    for day in dates:
        sums = pp.days.get(day)
        has = sums is not None and sums.snapshot_count > 0
        rides = pp.day_rides.get(day)
        out.append({
            "date": day,
            "park_was_open": sums.open_snapshot_count > 0 if sums and has else None,
            "shame_score": _round(sums.shame) if sums else None,
            "rolling_mean_7d": _round(means.get(day)),
            "total_downtime_hours": _round(metrics.downtime_hours(
                sums.down_snapshots, interval_minutes), 2) if sums and has else None,
            "uptime_percentage": _round(metrics.uptime_percentage(
                sums.operating_snapshots, sums.down_snapshots)) if sums else None,
            "rides_down": rides[1] if rides is not None and has else None,
        })
    return out


def park_history(
    conn: Connection, park_id: int, first: date | None, last: date | None, now: datetime, *,
    interval_minutes: int, use_hourly: bool,
) -> dict[str, Any] | None:
    """The park's days over the range, its score, and the previous range of the same length
    (None for an unknown park)."""
    parks = load_parks(conn, [park_id])
    if not parks:
        return None
    park = parks[0]
    period = history_period(conn, park, first, last, now, PARK_DEFAULT_DAYS)
    assert period.first is not None and period.last is not None
    options: dict[str, Any] = {"interval_minutes": interval_minutes, "use_hourly": use_hourly}
    pp = period_stats(conn, parks, period, now, **options)[park_id]
    before = trends.previous_periods(conn, {park_id: pp}, now, **options).get(park_id)
    scores = trends.daily_scores(pp)
    if before is not None:
        scores = trends.daily_scores(before) | scores
    lead = period.first - timedelta(days=trends.ROLLING_DAYS - 1)
    if before is None or before.window.first_date > lead:  # a range shorter than the lead
        scores = trends.daily_scores(period_stats(
            conn, parks, date_range(lead, period.first - timedelta(days=1)), now,
            **options)[park_id]) | scores
    dates = days_between(period.first, period.last)
    previous = before.shame_score if before is not None else None
    prev_first, prev_last = (before.window.first_date, before.window.last_date) if before \
        else (None, None)
    return {
        "park_id": park.park_id, "park_name": park.name, "timezone": park.timezone,
        "from": period.first, "to": period.last,
        "first_date": pp.window.first_date, "last_date": pp.window.last_date,
        "days": _park_days(pp, trends.rolling_means(scores, dates), dates, interval_minutes),
        "score": _round(pp.shame_score),
        "previous": {"from": prev_first, "to": prev_last, "score": _round(previous)},
        "change": trends.change(pp.shame_score, previous),
    }


def _ride_days(sums: RideSums | None, found: dict[date, list[int]] | None,
               dates: tuple[date, ...], interval_minutes: int) -> list[dict[str, Any]]:
    out = []
    for day in dates:
        row = sums.days.get(day) if sums is not None else None
        has = row is not None and int(row["snapshot_count"] or 0) > 0
        operating = int(row["operating_snapshots"] or 0) if row and has else 0
        down = int(row["down_snapshots"] or 0) if row and has else 0
        lengths = found.get(day, []) if found is not None else []
        out.append({
            "date": day,
            "operated": operating + down > 0 if has else None,
            "uptime_percentage": _round(metrics.uptime_percentage(operating, down)),
            "downtime_minutes": down * interval_minutes if has else None,
            "outages": len(lengths) if found is not None else None,
            "longest_outage_minutes": max(lengths, default=None),
        })
    return out


def _rank(sums: dict[int, RideSums], names: dict[int, str], ride_id: int,
          interval_minutes: int) -> dict[str, Any] | None:
    """The ride's place among its park's attractions with data in the range, most downtime
    first (then by name): None if it has no data there."""
    def hours(s: RideSums) -> float:
        return metrics.round_half_up(
            metrics.downtime_hours(s.down_snapshots, interval_minutes), 2) or 0.0

    ranked = sorted((s for s in sums.values() if s.snapshot_count and s.ride_id in names),
                    key=lambda s: (-hours(s), names[s.ride_id], s.ride_id))
    place = next((n for n, s in enumerate(ranked, start=1) if s.ride_id == ride_id), None)
    if place is None:
        return None
    return {"position": place, "of": len(ranked), "downtime_hours": hours(sums[ride_id])}


def ride_history(
    conn: Connection, ride_id: int, first: date | None, last: date | None, now: datetime, *,
    interval_minutes: int, use_hourly: bool,
) -> dict[str, Any] | None:
    """The attraction's days over the range (uptime, downtime, outages started that date),
    its uptime over the range and its rank in its park (None for an unknown attraction)."""
    info = load_rides(conn, ride_ids=[ride_id]).get(ride_id)
    if info is None:
        return None
    parks = load_parks(conn, [info.park_id])
    park = parks[0]
    period = history_period(conn, park, first, last, now, RIDE_DEFAULT_DAYS)
    assert period.first is not None and period.last is not None
    sums = ride_period_stats(conn, parks, period, now, interval_minutes=interval_minutes,
                             use_hourly=use_hourly)
    found: dict[date, list[int]] | None = None
    reason: str | None = outages.NOT_RECORDED
    if outages.recorded(conn):
        found, reason = {}, None
        spans = {park.park_id: park_window(period, park.timezone, now)}
        for day, row in outages.started_on_dates(conn, now, spans, ride_ids=[ride_id]):
            found.setdefault(day, []).append(row.down_minutes)
    names = {r.ride_id: r.name for r in load_rides(conn, park_ids=[park.park_id]).values()}
    own = sums.get(ride_id)
    dates = days_between(period.first, period.last)
    return {
        "ride_id": ride_id, "ride_name": info.name, "park_id": park.park_id,
        "park_name": park.name, "timezone": park.timezone,
        "from": period.first, "to": period.last,
        "days": _ride_days(own, found, dates, interval_minutes),
        "uptime_percentage": own.summary(interval_minutes)["uptime_percentage"] if own
        else None,
        "rank": _rank(sums, names, ride_id, interval_minutes),
        "outages_reason": reason,
    }
