"""An independent recomputation of issue 14's long record from the raw snapshots: a park's
and a ride's history, and the records, as ``/api/parks/<id>/history``,
``/api/rides/<id>/history`` and ``/api/records`` define them (README, API_SHAPES).

The dates come from ``reference_periods.period_dates`` (zoneinfo alone), the per-day sums
from ``reference.Reference`` (SPEC §2–§4 re-derived with plain loops), the outages from
``reference_outages`` (SPEC §10 walked ride by ride) over the cycles before "now".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from tests.reference import Reference
from tests.reference_outages import expected_outages
from tests.reference_periods import local_today, period_dates
from themepark_tracker.db import tables as t
from themepark_tracker.metrics import round_half_up

ONE = timedelta(days=1)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _shown_change(current: float | None, previous: float | None) -> float | None:
    a, b = round_half_up(current, 1), round_half_up(previous, 1)
    return None if a is None or b is None else round_half_up(a - b, 1)


class History:
    """The raw rows read once, cut at ``now``; then any number of expected answers."""

    def __init__(self, conn: Connection, interval: int, now: datetime) -> None:
        self.ref = Reference(conn)
        self.ref.snaps = {k: c for k, c in self.ref.snaps.items() if c.at < now}
        self.interval, self.now = interval, now
        self.outages = [o for o in expected_outages(self.ref.raw, self.ref.snaps,
                                                    interval).values()
                        if self.ref.raw.rides[o["ride_id"]].attraction]
        self.park_names = dict(conn.execute(select(t.parks.c.park_id, t.parks.c.name)).all())
        self.ride_names = dict(conn.execute(select(t.rides.c.ride_id, t.rides.c.name)).all())

    def dates(self, park_id: int, period: str, first: date | None = None,
              last: date | None = None) -> tuple[date, ...]:
        today = local_today(self.now, self.ref.raw.parks[park_id].zone)
        if period == "today":  # up to now: the snapshots after it are cut off above
            return (today,)
        return period_dates(period, today, first, last) or ()

    def rows(self, park_id: int, dates: tuple[date, ...]
             ) -> tuple[dict[date, dict[str, Any]], dict[int, dict[date, dict[str, Any]]]]:
        parks, rides = self.ref.daily([(park_id, d) for d in dates], self.interval)
        by_ride: dict[int, dict[date, dict[str, Any]]] = {}
        for (ride_id, day), row in rides.items():
            by_ride.setdefault(ride_id, {})[day] = row
        return {d: row for (_, d), row in parks.items()}, by_ride

    def scores(self, park_id: int, dates: tuple[date, ...]) -> dict[date, float]:
        days, _ = self.rows(park_id, dates)
        return {d: r["shame_score_sum"] / r["open_snapshot_count"]
                for d, r in days.items() if r["open_snapshot_count"]}

    def range_score(self, park_id: int, first: date, last: date) -> float | None:
        return _mean(list(self.scores(park_id, self.dates(park_id, "range", first,
                                                          last)).values()))

    # --- a park's history -----------------------------------------------------------------

    def park(self, park_id: int, first: date, last: date) -> dict[str, Any]:
        n = (last - first).days + 1
        dates = self.dates(park_id, "range", first, last)
        days, _ = self.rows(park_id, dates)
        lead = self.scores(park_id, self.dates(park_id, "range", first - 6 * ONE, last))
        out = []
        for k in range(n):
            day = first + k * ONE
            row = days.get(day)
            has = row is not None and row["snapshot_count"] > 0
            op, down = (row["operating_snapshots"], row["down_snapshots"]) if has else (0, 0)
            window = [lead[d] for j in range(7) if (d := day - j * ONE) in lead]
            out.append({
                "date": day.isoformat(),
                "park_was_open": row["open_snapshot_count"] > 0 if has else None,
                "shame_score": round_half_up(lead.get(day), 1),
                "rolling_mean_7d": round_half_up(_mean(window), 1),
                "total_downtime_hours": round_half_up(down * self.interval / 60, 2)
                if has else None,
                "uptime_percentage": round_half_up(100 * op / (op + down), 1)
                if op + down else None,
                "rides_down": row["rides_down"] if has else None,
            })
        score = self.range_score(park_id, first, last)
        previous = self.range_score(park_id, first - n * ONE, first - ONE)
        return {"days": out, "score": round_half_up(score, 1),
                "previous": {"from": (first - n * ONE).isoformat(),
                             "to": (first - ONE).isoformat(),
                             "score": round_half_up(previous, 1)},
                "change": _shown_change(score, previous)}

    # --- a ride's history -----------------------------------------------------------------

    def _hours(self, rows: dict[date, dict[str, Any]]) -> float:
        return round_half_up(sum(r["down_snapshots"] for r in rows.values())
                             * self.interval / 60, 2) or 0.0

    def ride(self, ride_id: int, first: date, last: date) -> dict[str, Any]:
        park_id = self.ref.raw.rides[ride_id].park_id
        dates = self.dates(park_id, "range", first, last)
        _, rides = self.rows(park_id, dates)
        mine = rides.get(ride_id, {})
        starts: dict[date, list[int]] = {}
        for o in self.outages:
            if o["ride_id"] == ride_id and o["start_local_date"] in dates:
                starts.setdefault(o["start_local_date"], []).append(o["down_minutes"])
        out = []
        for k in range((last - first).days + 1):
            day = first + k * ONE
            row = mine.get(day)
            has = row is not None and row["snapshot_count"] > 0
            op, down = (row["operating_snapshots"], row["down_snapshots"]) if has else (0, 0)
            out.append({
                "date": day.isoformat(), "operated": op + down > 0 if has else None,
                "uptime_percentage": round_half_up(100 * op / (op + down), 1)
                if op + down else None,
                "downtime_minutes": down * self.interval if has else None,
                "outages": len(starts.get(day, [])),
                "longest_outage_minutes": max(starts.get(day, []), default=None),
            })
        with_data = [r for r, rows in rides.items()
                     if sum(x["snapshot_count"] for x in rows.values())]
        order = sorted(with_data, key=lambda r: (-self._hours(rides[r]), self.ride_names[r], r))
        op = sum(r["operating_snapshots"] for r in mine.values())
        down = sum(r["down_snapshots"] for r in mine.values())
        rank = ({"position": order.index(ride_id) + 1, "of": len(order),
                 "downtime_hours": self._hours(mine)} if ride_id in order else None)
        return {"days": out, "rank": rank,
                "uptime_percentage": round_half_up(100 * op / (op + down), 1)
                if op + down else None}

    # --- records --------------------------------------------------------------------------

    def records(self, period: str, first: date | None = None, last: date | None = None,
                min_open_hours: float = 100) -> dict[str, Any]:
        worst, improved, heavy, starts = [], [], [], []
        for park_id in self.ref.raw.parks:
            dates = self.dates(park_id, period, first, last)
            if not dates:
                continue
            days, rides = self.rows(park_id, dates)
            scores = {d: r["shame_score_sum"] / r["open_snapshot_count"]
                      for d, r in days.items() if r["open_snapshot_count"]}
            name = self.park_names[park_id]
            if scores:
                day = sorted(scores, key=lambda d: (-scores[d], d))[0]
                worst.append((-scores[day], name, park_id, day))
            n = len(dates)
            before = _mean(list(self.scores(park_id, tuple(
                dates[0] - k * ONE for k in range(n, 0, -1))).values()))
            delta = _shown_change(_mean(list(scores.values())), before)
            if delta is not None and delta < 0:
                improved.append((delta, name, park_id, _mean(list(scores.values())), before))
            for ride_id, rows in rides.items():
                open_hours = sum(r["open_snapshot_count"] for r in rows.values()) \
                    * self.interval / 60
                down = sum(r["down_snapshots"] for r in rows.values()) * self.interval / 60
                if open_hours >= min_open_hours:
                    heavy.append((-down / open_hours, self.ride_names[ride_id], ride_id,
                                  park_id, down, open_hours))
            starts += [o for o in self.outages
                       if o["park_id"] == park_id and o["start_local_date"] in dates]
        worst.sort()
        improved.sort()
        heavy.sort()
        starts.sort(key=lambda o: (-o["down_minutes"], o["started_at"], o["ride_id"]))
        return {
            "worst_days": [{"park_id": p, "park_name": name, "date": d.isoformat(),
                            "shame_score": round_half_up(-s, 1)} for s, name, p, d in worst],
            "longest_outages": [
                {"ride_id": o["ride_id"], "park_id": o["park_id"],
                 "started_at": o["started_at"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "ended_at": o["ended_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
                 if o["ended_at"] else None,
                 "end_reason": o["end_reason"], "down_minutes": o["down_minutes"],
                 "start_local_date": o["start_local_date"].isoformat()} for o in starts[:10]],
            "most_downtime": [
                {"ride_id": r, "park_id": p, "downtime_hours": round_half_up(down, 2),
                 "open_hours": round_half_up(hours, 2),
                 "downtime_per_open_hour": round_half_up(-ratio, 4)}
                for ratio, _, r, p, down, hours in heavy[:10]],
            "most_improved": [
                {"park_id": p, "park_name": name, "shame_score": round_half_up(cur, 1),
                 "previous_shame_score": round_half_up(prev, 1), "change": delta}
                for delta, name, p, cur, prev in improved[:10]],
        }
