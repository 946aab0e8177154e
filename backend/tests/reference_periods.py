"""An independent recomputation of SPEC §5's long and dated periods from the raw snapshots.

The local dates each park's period covers are worked out here from ``zoneinfo`` alone (not
``queries.periods``); the per-day sums come from ``tests.reference`` (SPEC §2–§4 re-derived
from the raw rows with plain loops), cut at "now" for a date that is the park's own today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from tests.reference import Reference
from themepark_tracker.metrics import round_half_up

NAMED_DAYS = {"yesterday": 1, "last_week": 7, "last_month": 30, "last_90_days": 90,
              "last_365_days": 365}


@dataclass
class Expected:
    """One park over one period, as SPEC §5 defines it."""

    dates: tuple[date, ...] | None  # None: the period's dates have not begun in the park
    days: dict[date, dict[str, Any]] = field(default_factory=dict)  # park daily rows
    ride_days: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    def _sum(self, name: str) -> int | float:
        return sum(row[name] for row in self.days.values())

    @property
    def daily_scores(self) -> dict[date, float]:
        """Each open day's Σ s / n, full precision."""
        return {d: row["shame_score_sum"] / row["open_snapshot_count"]
                for d, row in sorted(self.days.items()) if row["open_snapshot_count"]}

    def shame(self, one_day: bool) -> float | None:
        if one_day:
            n = self._sum("open_snapshot_count")
            return self._sum("shame_score_sum") / n if n else None
        scores = list(self.daily_scores.values())
        return sum(scores) / len(scores) if scores else None

    def figures(self, one_day: bool, interval: int) -> dict[str, Any]:
        operating, down = self._sum("operating_snapshots"), self._sum("down_snapshots")
        waits = self._sum("wait_count")
        return {
            "shame_score": round_half_up(self.shame(one_day), 1),
            "total_downtime_hours": round_half_up(down * interval / 60, 2),
            "weighted_downtime_hours": round_half_up(
                self._sum("weighted_down_snapshots") * interval / 60, 2),
            "uptime_percentage": round_half_up(
                100 * operating / (operating + down) if operating + down else None, 1),
            "avg_wait_time_minutes": round_half_up(
                self._sum("wait_sum") / waits if waits else None, 1),
            "snapshot_count": self._sum("snapshot_count"),
        }

    @property
    def reason(self) -> str | None:
        """Why the park is not ranked (SPEC §5), None if it is."""
        if self.dates is None:
            return "not_begun"
        if not self._sum("snapshot_count"):
            return "no_data"
        return None if self._sum("open_snapshot_count") else "closed"

    def ride_downtime(self, ride_id: int, interval: int) -> float:
        rows = self.ride_days.get(ride_id, [])
        return round_half_up(sum(r["down_snapshots"] for r in rows) * interval / 60, 2) or 0.0


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.replace(tzinfo=UTC).astimezone(zone).date()


def period_dates(period: str, today: date, first: date | None = None,
                 last: date | None = None) -> tuple[date, ...] | None:
    """The park's local dates of the period (SPEC §5), None where they have not begun: a
    date after the park's today; a range whose dates all lie after the park's yesterday
    (its today is not a whole date yet, so a range stops at its yesterday)."""
    if period in NAMED_DAYS:
        n = NAMED_DAYS[period]
        return tuple(today - timedelta(days=k) for k in range(n, 0, -1))
    assert first is not None and last is not None
    if period == "date":
        return None if first > today else (first,)
    end = min(last, today - timedelta(days=1))
    if first > end:
        return None
    return tuple(first + timedelta(days=k) for k in range((end - first).days + 1))


def expected_periods(conn: Connection, interval: int, now: datetime, period: str,
                     first: date | None = None, last: date | None = None
                     ) -> dict[int, Expected]:
    """Each park's ``Expected`` for the period at ``now`` (snapshots after ``now`` are the
    future: not counted)."""
    ref = Reference(conn)
    ref.snaps = {k: c for k, c in ref.snaps.items() if c.at < now}
    out: dict[int, Expected] = {}
    for park in ref.raw.parks.values():
        dates = period_dates(period, local_today(now, park.zone), first, last)
        out[park.park_id] = Expected(dates)
    wanted = [(pid, d) for pid, e in out.items() for d in (e.dates or ())]
    park_rows, ride_rows = ref.daily(wanted, interval)
    for (park_id, day), row in park_rows.items():
        out[park_id].days[day] = row
    for (ride_id, _day), row in ride_rows.items():
        out[row["park_id"]].ride_days.setdefault(ride_id, []).append(row)
    return out
