"""The cycles behind one hour of a park's score: each cycle's instant, whether the park was open
and why (SPEC §2.1: the schedule window that covers it, or the rule's counts without a
schedule), W(t), D(t), s(t), and the attractions counted down with their weights and
statuses. Read from the stored snapshots (what the score was computed from); the reasons are
worked out again from the stored raw statuses and schedules by the rule in ``metrics``.

Raw snapshots are kept ``RAW_RETENTION_DAYS``: an hour older than that, or one without data,
has no cycles, and the answer says so rather than failing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from themepark_tracker import metrics
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.state import schedule
from themepark_tracker.queries.park_stats import load_parks
from themepark_tracker.queries.rides import RideInfo, load_rides
from themepark_tracker.timeutil import HOUR, iso_utc

#: Decimal places of the full-precision s(t) and sums in an answer: enough that rounding them
#: cannot move the 1-decimal score a reader recomputes from them.
SUM_PLACES = 6

rss, pas, hourly = t.ride_status_snapshots, t.park_activity_snapshots, t.park_hourly_stats


def hour_evidence(conn: Connection, park_id: int, hour: datetime) -> dict[str, Any] | None:
    """The cycles of UTC hour [hour, hour + 1 h) of ``park_id`` beside the stored hourly row,
    or None for an unknown park."""
    parks = load_parks(conn, [park_id])
    if not parks:
        return None
    cycles = cycles_between(conn, park_id, hour, hour + HOUR, end_inclusive=False)
    open_cycles = [c for c in cycles if c["park_open"]]
    total = sum(c["shame_score"] for c in open_cycles)
    stored = conn.execute(
        select(hourly.c.snapshot_count, hourly.c.open_snapshot_count,
               hourly.c.shame_score_sum, hourly.c.shame_score)
        .where(hourly.c.park_id == park_id, hourly.c.hour_start_utc == hour)).first()
    return {
        "park_id": park_id,
        "park_name": parks[0].name,
        "timezone": parks[0].timezone,
        "hour_start_utc": iso_utc(hour),
        "reason": None if cycles else (
            f"no cycles are stored for the hour starting {iso_utc(hour)} (none were "
            "recorded, or their raw snapshots are past RAW_RETENTION_DAYS)"),
        "totals": {
            "cycles": len(cycles),
            "open_cycles": len(open_cycles),
            "shame_score_sum": metrics.round_half_up(total, SUM_PLACES),
            "shame_score": metrics.round_half_up(metrics.mean_shame(total, len(open_cycles)),
                                                 1),
        },
        "hourly_row": None if stored is None else {
            "snapshot_count": int(stored.snapshot_count),
            "open_snapshot_count": int(stored.open_snapshot_count),
            "shame_score_sum": metrics.round_half_up(float(stored.shame_score_sum),
                                                     SUM_PLACES),
            "shame_score": metrics.round_half_up(stored.shame_score, 1),
        },
        "cycles": cycles,
    }


def cycles_between(conn: Connection, park_id: int, start: datetime, end: datetime, *,
                   end_inclusive: bool = True) -> list[dict[str, Any]]:
    """Every stored cycle of ``park_id`` from ``start`` to ``end``, oldest first, each with
    its evidence."""
    upper = pas.c.recorded_at <= end if end_inclusive else pas.c.recorded_at < end
    parks = conn.execute(
        select(pas.c.recorded_at, pas.c.local_date, pas.c.park_appears_open,
               pas.c.active_weight, pas.c.down_weight)
        .where(pas.c.park_id == park_id, pas.c.recorded_at >= start, upper)
        .order_by(pas.c.recorded_at)).all()
    if not parks:
        return []
    rides = load_rides(conn, park_ids=[park_id])
    instants = [p.recorded_at for p in parks]
    down = _counted_down(conn, park_id, instants[0], instants[-1], rides)
    reasons = _OpenReasons(conn, park_id, {p.local_date for p in parks}, instants[-1], rides)
    out = []
    for p in parks:
        s = metrics.shame_score(p.down_weight, p.active_weight, bool(p.park_appears_open))
        out.append({
            "recorded_at": iso_utc(p.recorded_at),
            "local_date": p.local_date.isoformat(),
            "park_open": bool(p.park_appears_open),
            "open_reason": reasons.why(p.recorded_at, p.local_date),
            "active_weight": int(p.active_weight),
            "down_weight": int(p.down_weight),
            "shame_score": metrics.round_half_up(s, SUM_PLACES),
            "rides_down": down.get(p.recorded_at, []),
        })
    return out


def _counted_down(conn: Connection, park_id: int, first: datetime, last: datetime,
                  rides: dict[int, RideInfo]) -> dict[datetime, list[dict[str, Any]]]:
    """The attractions counted down at each instant, heaviest first."""
    out: dict[datetime, list[dict[str, Any]]] = defaultdict(list)
    for row in conn.execute(
            select(rss.c.recorded_at, rss.c.ride_id, rss.c.status)
            .where(rss.c.park_id == park_id, rss.c.recorded_at.between(first, last),
                   rss.c.counted_down)):
        info = rides.get(row.ride_id)
        if info is None:  # no longer an attraction: it is not counted now
            continue
        out[row.recorded_at].append({"ride_id": row.ride_id, "ride_name": info.name,
                                     "tier": info.shown_tier, "weight": info.weight,
                                     "status": row.status})
    for listed in out.values():
        listed.sort(key=lambda r: (-int(r["weight"]), str(r["ride_name"])))
    return out


class _OpenReasons:
    """Why each cycle was open or closed (SPEC §2.1): a schedule for the cycle's local date
    decides; without one, the count of attractions OPERATING at t against those seen
    OPERATING earlier that local day."""

    def __init__(self, conn: Connection, park_id: int, days: set[date], last: datetime,
                 rides: dict[int, RideInfo]) -> None:
        self.windows = {day: schedule(conn, park_id, day) for day in days}
        attractions = list(rides)
        is_attraction = rss.c.ride_id.in_(attractions)
        operating = and_(rss.c.park_id == park_id, rss.c.status == metrics.OPERATING,
                         is_attraction)
        # When each attraction was first seen OPERATING on each local date, up to ``last``.
        self.first_seen: dict[date, list[datetime]] = defaultdict(list)
        for row in conn.execute(
                select(rss.c.local_date, func.min(rss.c.recorded_at).label("first"))
                .where(operating, rss.c.local_date.in_(days), rss.c.recorded_at <= last)
                .group_by(rss.c.local_date, rss.c.ride_id)):
            self.first_seen[row.local_date].append(row.first)
        self.operating_at: dict[datetime, int] = {
            row.recorded_at: int(row.operating) for row in conn.execute(
                select(rss.c.recorded_at, func.count().label("operating"))
                .where(operating, rss.c.local_date.in_(days), rss.c.recorded_at <= last)
                .group_by(rss.c.recorded_at))}

    def why(self, at: datetime, day: date) -> dict[str, Any]:
        windows = self.windows.get(day, [])
        decided = metrics.park_open_by_schedule(at, day.isoformat(), windows)
        if decided is not None:
            covering = next((w for w in windows if w.covers(at)), None)
            return {"rule": "schedule", "window": None if covering is None else {
                "opening_time_utc": iso_utc(covering.opening_time_utc),
                "closing_time_utc": iso_utc(covering.closing_time_utc)},
                "operating_now": None, "seen_operating_today": None}
        seen = sum(1 for first in self.first_seen.get(day, []) if first <= at)
        return {"rule": "rides", "window": None,
                "operating_now": self.operating_at.get(at, 0), "seen_operating_today": seen}
