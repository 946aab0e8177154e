"""A period against the one before it, and a rolling mean of daily scores (issue 14).

The previous period of a park is the same number of its local dates just before the first
date of its window, read as a ``range`` through ``park_stats.period_stats`` (the same path
and score as every other view), so "last week 1.4, the week before 0.9" is two rankings'
scores. Parks whose windows start on the same date (nearly always all of them) share one
read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from themepark_tracker import metrics
from themepark_tracker.queries.park_stats import ParkInfo, ParkPeriod, period_stats
from themepark_tracker.queries.periods import (
    DAYS_IN_PERIOD,
    KIND_LIVE,
    KIND_NOT_BEGUN,
    ParkWindow,
    date_range,
)

#: The rankings carry the previous period's score for these periods only (the named periods
#: of whole dates); for ``live``, ``today``, ``date`` and ``range`` the fields are null.
RANKED_TRENDS = tuple(DAYS_IN_PERIOD)
#: How many dates the rolling mean of a history looks back over, this date included.
ROLLING_DAYS = 7


def previous_dates(window: ParkWindow) -> tuple[date, date] | None:
    """As many local dates as the period names (``from`` to ``to`` for a range, even where
    the park's window stops at its yesterday), just before ``window``'s first date; None for
    a live window or one whose dates have not begun."""
    if window.kind in (KIND_NOT_BEGUN, KIND_LIVE):
        return None
    period = window.period
    first, last = getattr(period, "first", None), getattr(period, "last", None)
    days = (last - first).days + 1 if first and last else len(window.dates)
    return window.first_date - timedelta(days=days), window.first_date - timedelta(days=1)


def previous_periods(
    conn: Connection, stats: Mapping[int, ParkPeriod], now: datetime, *, interval_minutes: int,
    use_hourly: bool,
) -> dict[int, ParkPeriod]:
    """Each park's previous period (``previous_dates``) as a ``ParkPeriod``; parks without
    one are left out."""
    groups: dict[tuple[date, date], list[ParkInfo]] = {}
    for pp in stats.values():
        span = previous_dates(pp.window)
        if span is not None:
            groups.setdefault(span, []).append(pp.park)
    out: dict[int, ParkPeriod] = {}
    for (first, last), parks in groups.items():
        out |= period_stats(conn, parks, date_range(first, last), now,
                            interval_minutes=interval_minutes, use_hourly=use_hourly)
    return out


def change(current: float | None, previous: float | None) -> float | None:
    """current − previous as shown: the difference of the two displayed (rounded) scores,
    so the three numbers a reader sees add up; None if either is None."""
    a, b = metrics.round_half_up(current, 1), metrics.round_half_up(previous, 1)
    if a is None or b is None:
        return None
    return metrics.round_half_up(a - b, 1)


def add_previous_scores(
    conn: Connection, stats: Mapping[int, ParkPeriod], rows: Sequence[MutableMapping[str, Any]],
    period: str, now: datetime, *, interval_minutes: int, use_hourly: bool,
) -> None:
    """Add ``previous_shame_score`` and ``shame_score_change`` to each ranking row (keyed by
    ``park_id``): the previous period's score for ``RANKED_TRENDS``, null otherwise."""
    previous: dict[int, ParkPeriod] = {}
    if period in RANKED_TRENDS:
        previous = previous_periods(conn, stats, now, interval_minutes=interval_minutes,
                                    use_hourly=use_hourly)
    for row in rows:
        before = previous.get(row["park_id"])
        score = before.shame_score if before is not None else None
        row["previous_shame_score"] = metrics.round_half_up(score, 1)
        row["shame_score_change"] = change(stats[row["park_id"]].shame_score, score)


def daily_scores(pp: ParkPeriod) -> dict[date, float]:
    """Each open day's score (Σ s / n of the day), full precision."""
    return {day: score for day, sums in pp.days.items()
            if (score := sums.shame) is not None}


def rolling_means(scores: Mapping[date, float], dates: Iterable[date],
                  days: int = ROLLING_DAYS) -> dict[date, float | None]:
    """For each of ``dates``: the mean of the daily scores of the open days among it and the
    ``days`` − 1 dates before it (None if none of them was open). ``scores`` may hold dates
    before the first of ``dates`` (they count for its first means)."""
    out: dict[date, float | None] = {}
    for day in dates:
        window = [scores[d] for n in range(days)
                  if (d := day - timedelta(days=n)) in scores]
        out[day] = sum(window) / len(window) if window else None
    return out
