"""Records over a period (issue 14): each park's worst day, the longest outages, the rides
with the most downtime per open hour, and the most improved parks.

Each figure is read through the period machinery (``park_stats.period_stats``,
``rides.ride_period_stats``, ``trends.previous_periods``) and the stored outages (SPEC §10),
so it is the number the rankings, a park's history or a ride's history show for the same
park, date or ride.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from themepark_tracker import metrics
from themepark_tracker.queries import outages, trends
from themepark_tracker.queries.park_stats import ParkInfo, ParkPeriod, load_parks, period_stats
from themepark_tracker.queries.periods import API_PERIODS, KIND_NOT_BEGUN, LIVE, covered
from themepark_tracker.queries.rides import RideInfo, RideSums, load_rides, ride_period_stats
from themepark_tracker.timeutil import iso_utc

#: Records need the days of a period: every period but ``live``.
RECORD_PERIODS = tuple(p for p in API_PERIODS if p != LIVE)
#: How many rows each list of records holds (worst days: one per park, all of them).
TOP = 10
#: A ride's downtime per open hour is a record only over at least this many open hours
#: (hours it was observed while its park was open): fewer make a noisy ratio.
MIN_OPEN_HOURS = 100


def worst_days(stats: Mapping[int, ParkPeriod]) -> list[dict[str, Any]]:
    """Each park's open day with the highest daily score (the earliest of equal ones),
    highest first."""
    out = []
    for pp in stats.values():
        scores = trends.daily_scores(pp)
        if not scores:
            continue
        day = min(scores, key=lambda d: (-scores[d], d))
        out.append((scores[day], pp.park, day))
    out.sort(key=lambda x: (-x[0], x[1].name, x[1].park_id))
    return [{"park_id": park.park_id, "park_name": park.name, "date": day,
             "shame_score": metrics.round_half_up(score, 1)} for score, park, day in out]


def longest_outages(conn: Connection, stats: Mapping[int, ParkPeriod], now: datetime,
                    rides: Mapping[int, RideInfo], parks: Mapping[int, ParkInfo]
                    ) -> list[dict[str, Any]]:
    """The ``TOP`` longest outages (``down_minutes`` as of now) that started on a date of
    their park's period."""
    spans = {pid: pp.window for pid, pp in stats.items() if pp.window.kind != KIND_NOT_BEGUN}
    found = outages.started_on_dates(conn, now, spans, longest=TOP)
    found = [(d, r) for d, r in found if r.ride_id in rides]
    found.sort(key=lambda x: (-x[1].down_minutes, x[1].started_at, x[1].ride_id))
    return [{"ride_id": r.ride_id, "ride_name": rides[r.ride_id].name, "park_id": r.park_id,
             "park_name": parks[r.park_id].name, "started_at": iso_utc(r.started_at),
             "ended_at": iso_utc(r.ended_at) if r.ended_at is not None else None,
             "end_reason": r.end_reason, "down_minutes": r.down_minutes,
             "start_local_date": day} for day, r in found[:TOP]]


def most_downtime(sums: Mapping[int, RideSums], rides: Mapping[int, RideInfo],
                  parks: Mapping[int, ParkInfo], interval_minutes: int
                  ) -> list[dict[str, Any]]:
    """The ``TOP`` rides with the most downtime per open hour, among those observed at least
    ``MIN_OPEN_HOURS`` while their park was open."""
    rows = []
    for s in sums.values():
        open_hours = s.open_snapshot_count * interval_minutes / 60
        if open_hours < MIN_OPEN_HOURS or s.ride_id not in rides:
            continue
        down = metrics.downtime_hours(s.down_snapshots, interval_minutes)
        rows.append((down / open_hours, down, open_hours, s))
    rows.sort(key=lambda x: (-x[0], rides[x[3].ride_id].name, x[3].ride_id))
    return [{"ride_id": s.ride_id, "ride_name": rides[s.ride_id].name, "park_id": s.park_id,
             "park_name": parks[s.park_id].name,
             "downtime_hours": metrics.round_half_up(down, 2),
             "open_hours": metrics.round_half_up(hours, 2),
             "downtime_per_open_hour": metrics.round_half_up(ratio, 4)}
            for ratio, down, hours, s in rows[:TOP]]


def most_improved(stats: Mapping[int, ParkPeriod], previous: Mapping[int, ParkPeriod]
                  ) -> list[dict[str, Any]]:
    """The ``TOP`` parks whose score fell most against the previous period of the same
    length (only those whose shown score fell)."""
    rows = []
    for park_id, pp in stats.items():
        before = previous.get(park_id)
        if before is None:
            continue
        delta = trends.change(pp.shame_score, before.shame_score)
        if delta is not None and delta < 0:
            rows.append((delta, pp, before))
    rows.sort(key=lambda x: (x[0], x[1].park.name, x[1].park.park_id))
    return [{"park_id": pp.park.park_id, "park_name": pp.park.name,
             "shame_score": metrics.round_half_up(pp.shame_score, 1),
             "previous_shame_score": metrics.round_half_up(before.shame_score, 1),
             "change": delta} for delta, pp, before in rows[:TOP]]


def records(conn: Connection, period: str, now: datetime, *, interval_minutes: int,
            use_hourly: bool) -> dict[str, Any]:
    """Every park's records over ``period`` (SPEC §5 windows, each park its own)."""
    options: dict[str, Any] = {"interval_minutes": interval_minutes, "use_hourly": use_hourly}
    parks = load_parks(conn)
    stats = period_stats(conn, parks, period, now, **options)
    by_id = {p.park_id: p for p in parks}
    rides = load_rides(conn)
    start, end = covered(pp.window for pp in stats.values())
    recorded = outages.recorded(conn)
    return {
        "period": period, "period_start": start, "period_end": end,
        "worst_days": worst_days(stats),
        "longest_outages": longest_outages(conn, stats, now, rides, by_id) if recorded
        else [],
        "outages_reason": None if recorded else outages.NOT_RECORDED,
        "most_downtime": most_downtime(
            ride_period_stats(conn, parks, period, now, **options), rides, by_id,
            interval_minutes),
        "most_improved": most_improved(
            stats, trends.previous_periods(conn, stats, now, **options)),
    }
