"""SPEC §13's crossing rules on hand-made sequences (ingest/event_rules.py), no database."""

from __future__ import annotations

from datetime import datetime, timedelta

from themepark_tracker.ingest.event_rules import (
    ParkCycle,
    event_id,
    score_crossings,
    wait_crossings,
)

T = datetime(2025, 7, 1, 9, 0)
M = timedelta(minutes=1)


def cycles(*down: int | None) -> list[ParkCycle]:
    """One cycle per value, every 5 minutes: the down weight of 10 (None: park closed)."""
    return [ParkCycle(T + 5 * n * M, d is not None, d or 0, 10) for n, d in enumerate(down)]


def test_ids_name_type_subject_instant_and_threshold() -> None:
    assert event_id("ride.down", 7, 123, T) == "ride.down:ride-123:20250701T090000Z"
    assert event_id("park.score_above", 7, None, T, 2.5) == (
        "park.score_above:park-7:20250701T090000Z:2.5")
    longest = event_id("ride.wait_below", 2**31 - 1, 2**31 - 1, T, 123.25)
    assert len(longest) <= 64


def test_score_crossing_fires_once_then_rearms_half_a_point_below() -> None:
    # s = down weight (of 10) ; today's mean after each open cycle: 4, 4.5 (>4: fires),
    # 3.67 (not re-armed: above 3.5), 3.25 (re-armed), 3.8, 4.17 (fires again). The closed
    # cycle in between adds nothing.
    fired = score_crossings(cycles(4, 5, 2, None, 2, 6, 6), 4.0)
    assert fired == [(T + 5 * M, 4.5), (T + 30 * M, 4.2)]


def test_score_exactly_at_the_threshold_is_not_above() -> None:
    assert score_crossings(cycles(3, 3, 3), 3.0) == []
    assert score_crossings(cycles(3, 3, 3), 2.9) == [(T, 3.0)]  # the day starts armed


def test_wait_crossings_need_a_wait_above_first() -> None:
    readings = [(T + n * M, w) for n, w in enumerate([20, 45, 30, 25, 31, 30, 10])]
    # 20 first: nothing to go from; 45 -> 30 fires; 25 stays below; 31 re-arms; 31 -> 30.
    assert wait_crossings(readings, 30) == [(T + 2 * M, 30), (T + 5 * M, 30)]
    assert wait_crossings(readings[:1], 30) == []
