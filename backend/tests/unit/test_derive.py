"""SPEC §2 folded over a park-day (ingest.derive.derive_cycle), as worked truth tables.

A park-day is written as rows of one letter per ride (ride ids 1, 2, ...):
O(perating) D(own) C(losed) R(efurbishment) U(nknown), '.' = missing from that cycle.
Cycles are 5 minutes apart from ``T0``; the park is in UTC, so the local date is T0's date.
Every expected number is worked out by hand from the SPEC text in the comment next to it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from themepark_tracker import metrics
from themepark_tracker.ingest.derive import (
    DayState,
    DerivedPark,
    DerivedRide,
    ParkRules,
    Reading,
    derive_cycle,
)
from themepark_tracker.metrics import ScheduleWindow

T0 = datetime(2025, 7, 1, 10, 0)
DAY = date(2025, 7, 1)
STEP = timedelta(minutes=5)
CODES = {"O": "OPERATING", "D": "DOWN", "C": "CLOSED", "R": "REFURBISHMENT", "U": "UNKNOWN"}


def fold(
    rows: Sequence[str],
    weights: Sequence[int] | None = None,
    *,
    reports_down: bool = False,
    schedule: Sequence[ScheduleWindow] = (),
    start: datetime = T0,
    local_date: date = DAY,
    waits: Sequence[Sequence[int | None]] | None = None,
) -> list[tuple[list[DerivedRide], DerivedPark]]:
    """Derive ``rows`` in order over one park-day; weights default to 2 for every ride."""
    n = len(rows[0])
    w = list(weights) if weights is not None else [2] * n
    rules = ParkRules({i + 1: w[i] for i in range(n)}, reports_down, tuple(schedule))
    state = DayState()
    out = []
    for k, row in enumerate(rows):
        readings = [
            Reading(i + 1, CODES[c], waits[k][i] if waits else None)
            for i, c in enumerate(row) if c != "."
        ]
        out.append(derive_cycle(start + k * STEP, local_date, readings, rules, state))
    return out


def opens(rows: Sequence[str], **kw: Any) -> list[bool]:
    return [p.park_appears_open for _, p in fold(rows, **kw)]


def park(rows: Sequence[str], **kw: Any) -> list[tuple]:
    """(open, rides_open, rides_down, active_weight, down_weight, shame_score) per cycle."""
    return [
        (p.park_appears_open, p.rides_open, p.rides_down, p.active_weight, p.down_weight,
         p.shame_score)
        for _, p in fold(rows, **kw)
    ]


def counted(rows: Sequence[str], **kw: Any) -> list[list[bool]]:
    return [[r.counted_down for r in rides] for rides, _ in fold(rows, **kw)]


# --- rule 1 without a schedule -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # 1 of 1: one ride operating is never enough (needs at least two)
        (["O"], [False]),
        (["OC", "OC"], [False, False]),
        # the first cycle counts itself as "seen so far": 2 of 2 -> open
        (["OO"], [True]),
        # 2 of 4: 2 >= 4/2 -> open
        (["OOOO", "OOCC"], [True, True]),
        # 2 of 5: 2 < 5/2 -> closed
        (["OOOOO", "OOCCC"], [True, False]),
        # mass closing at the end of the day: 6 seen; 3 of 6 open, 2 of 6 closed, 0 closed
        (["OOOOOO", "OOOCCC", "OOCCCC", "CCCCCC"], [True, True, False, False]),
        # a lone test run at night (after the day's 4 rides went dark) does not open the park
        (["OOOO", "CCCC", "OCCC", "CCCC"], [True, False, False, False]),
        # a lone test run before the first opening: 1 operating -> closed
        (["OCCC", "CCCC"], [False, False]),
        # rides seen OPERATING while the park was closed still count as "seen": five rides
        # each test alone (closed, seen grows to 5), then 2 operate: 2 < 5/2 -> closed
        (["OCCCC", "COCCC", "CCOCC", "CCCOC", "CCCCO", "OOCCC"], [False] * 6),
        # ... and 3 of 5 afterwards: 3 >= 2.5 -> open
        (["OCCCC", "COCCC", "CCOCC", "CCCOC", "CCCCO", "OOOCC"], [False] * 5 + [True]),
        # rides missing from the cycle are not operating; seen stays 4: 2 of 4 -> open
        (["OOOO", "OO.."], [True, True]),
    ],
)
def test_open_rule_without_schedule(rows: list[str], expected: list[bool]) -> None:
    assert opens(rows) == expected


# --- rule 1 with a schedule --------------------------------------------------------------------

WINDOW = ScheduleWindow("2025-07-01", datetime(2025, 7, 1, 10, 5), datetime(2025, 7, 1, 10, 15))


def test_schedule_decides_over_rides() -> None:
    # cycles at 10:00, 10:05, 10:10, 10:15; window [10:05, 10:15)
    rows = ["OOOO", "OCCC", "CCCC", "OOOO"]
    # 10:00 all operating but before opening (rows for the date) -> closed
    # 10:05 opening instant, 1 ride operating -> open (the schedule decides)
    # 10:10 inside, nothing operating -> open
    # 10:15 closing instant -> closed, although all operate
    assert opens(rows, schedule=[WINDOW]) == [False, True, True, False]


def test_schedule_for_another_date_falls_back_to_rides() -> None:
    yesterday = ScheduleWindow("2025-06-30", datetime(2025, 6, 30, 9), datetime(2025, 6, 30, 17))
    # no rows for 2025-07-01: ride rule: 4 of 4 open, 1 of 4 closed
    assert opens(["OOOO", "OCCC"], schedule=[yesterday]) == [True, False]


def test_window_crossing_local_midnight_keeps_the_park_open() -> None:
    night = ScheduleWindow("2025-06-30", datetime(2025, 6, 30, 20), datetime(2025, 7, 1, 2))
    # 01:00 and 01:05 on 2025-07-01 (no rows for that date): covered by the 06-30 window -> open
    # even with a single ride operating; ride 2 operated at 01:00 while open, so its CLOSED at
    # 01:05 counts at a CLOSED-only park: D=2, W=4 -> 10*2/4 = 5.0
    got = park(["OO", "OC"], schedule=[night], start=datetime(2025, 7, 1, 1))
    assert got == [(True, 2, 0, 4, 0, 0.0), (True, 1, 1, 4, 2, 5.0)]


def test_covering_window_from_previous_date_wins_over_next_dates_rows() -> None:
    night = ScheduleWindow("2025-06-30", datetime(2025, 6, 30, 20), datetime(2025, 7, 1, 2))
    day = ScheduleWindow("2025-07-01", datetime(2025, 7, 1, 10), datetime(2025, 7, 1, 18))
    # 01:55, 02:00: 2025-07-01 has rows (10-18). 01:55 is covered by the night window -> open
    # (first clause of rule 1); 02:00 is its closing instant, and 07-01's row does not cover
    # it -> closed.
    assert opens(["OO", "OO"], schedule=[night, day], start=datetime(2025, 7, 1, 1, 55)) == [
        True, False]


# --- rules 2 and 3: operated today, counted down ------------------------------------------------


def test_down_reporting_park_counts_down_before_first_operation() -> None:
    # weights 2,2,2. 2 operating of 2 seen -> open. Ride 3 DOWN, never operated: counts.
    # A = operated {1,2} + down {3} -> W = 6, D = 2 -> 10*2/6 = 3.33 -> 3.3
    assert park(["OOD"], reports_down=True) == [(True, 2, 1, 6, 2, 3.3)]
    assert counted(["OOD"], reports_down=True) == [[False, False, True]]


def test_closed_only_park_closed_before_and_after_first_operation() -> None:
    rows = ["OOC", "OOO", "OOC"]
    # t0: ride 3 CLOSED, never operated: not counted. A={1,2} W=4, D=0 -> 0.0
    # t1: all operate: A={1,2,3} W=6 -> 0.0
    # t2: ride 3 CLOSED after operating at t1 (2 of 3 -> open): D=2, W=6 -> 3.33 -> 3.3
    assert park(rows) == [
        (True, 2, 0, 4, 0, 0.0),
        (True, 3, 0, 6, 0, 0.0),
        (True, 2, 1, 6, 2, 3.3),
    ]
    assert [[r.operated_today for r in rides] for rides, _ in fold(rows)] == [
        [True, True, False], [True, True, True], [True, True, True]]


def test_closed_only_park_down_before_first_operation_does_not_count() -> None:
    # reports_down is False: DOWN, like CLOSED, counts only after r operated today
    assert counted(["OOD", "OOO", "OOD"]) == [
        [False, False, False], [False, False, False], [False, False, True]]


def test_closed_never_counts_at_a_down_reporting_park() -> None:
    # t1: ride 3 CLOSED after operating; 2 of 3 -> open. Not counted: D=0, W=6 -> 0.0
    assert park(["OOO", "OOC"], reports_down=True) == [
        (True, 3, 0, 6, 0, 0.0), (True, 2, 0, 6, 0, 0.0)]


@pytest.mark.parametrize("reports_down", [True, False])
def test_closed_park_whose_rides_say_down(reports_down: bool) -> None:
    # no schedule, nothing operating -> closed; nothing counts, shame NULL
    assert park(["DDD"], reports_down=reports_down) == [(False, 0, 0, 0, 0, None)]
    # a day that was open, then closes (1 of 3) with rides DOWN: still nothing counts
    assert park(["OOO", "ODD"], reports_down=reports_down)[1] == (False, 0, 0, 6, 0, None)


def test_closed_by_schedule_nothing_counts() -> None:
    # window [10:05, 10:15); at 10:00 (rows for the date, not covered) the park is closed
    # even though 2 of 3 operate; ride 3 DOWN does not count.
    assert counted(["OOD"], reports_down=True, schedule=[WINDOW]) == [[False, False, False]]
    assert park(["OOD"], reports_down=True, schedule=[WINDOW])[0][-1] is None


@pytest.mark.parametrize("reports_down", [True, False])
def test_refurbishment_and_unknown_never_count(reports_down: bool) -> None:
    # 4 rides all operate, then rides 3 and 4 go R and U; 2 of 4 -> open.
    # R/U never count, even after operating: D=0; A = operated {1,2,3,4}, W=8 -> 0.0
    rows = ["OOOO", "OORU"]
    assert park(rows, reports_down=reports_down)[1] == (True, 2, 0, 8, 0, 0.0)
    # and before ever operating, with the park open by schedule
    assert counted(["RU"], reports_down=reports_down, schedule=[WINDOW],
                   start=datetime(2025, 7, 1, 10, 5)) == [[False, False]]


def test_operated_today_needs_the_park_open() -> None:
    # window [10:05, 10:15). 10:00: all three operate while closed -> not "operated today".
    # 10:05: open by schedule; ride 3 CLOSED: it never operated while open -> not counted.
    # A = operated {1,2} -> W=4, D=0 -> 0.0
    rows = ["OOO", "OOC"]
    assert park(rows, schedule=[WINDOW]) == [(False, 0, 0, 0, 0, None), (True, 2, 0, 4, 0, 0.0)]
    assert fold(rows, schedule=[WINDOW])[1][0][2].operated_today is False


# --- rules 4 and 5: active set and s(t) --------------------------------------------------------

MIXED = [3, 2, 1, 2]  # tiers 1, 2, 3, unclassified


@pytest.mark.parametrize(
    ("rows", "reports_down", "expected_last"),
    [
        # tier-1 ride DOWN: W = 3+2+1+2 = 8, D = 3 -> 10*3/8 = 3.75 -> 3.8
        (["OOOO", "DOOO"], True, (True, 3, 1, 8, 3, 3.8)),
        # tier-3 ride DOWN: D = 1 -> 10*1/8 = 1.25 -> 1.3
        (["OOOO", "OODO"], True, (True, 3, 1, 8, 1, 1.3)),
        # same at a CLOSED-only park with CLOSED after operating: 3.75 -> 3.8
        (["OOOO", "COOO"], False, (True, 3, 1, 8, 3, 3.8)),
        # tier-1 and tier-3 down (2 of 4 open): D = 4 -> 10*4/8 = 5.0
        (["OOOO", "DODO"], True, (True, 2, 2, 8, 4, 5.0)),
        # unclassified ride 4 never operated and is CLOSED at a CLOSED-only park: not active.
        # t1: ride 3 CLOSED after operating, 2 of 3 open: A={1,2,3} W=6, D=1 -> 1.67 -> 1.7
        (["OOOC", "OOCC"], False, (True, 2, 1, 6, 1, 1.7)),
        # down-reporting: ride 4 DOWN before ever operating joins A: W = 3+2+2 = 7 (ride 3
        # never operated, CLOSED), D = 2 -> 10*2/7 = 2.857 -> 2.9
        (["OOCD"], True, (True, 2, 1, 7, 2, 2.9)),
        # ride 1 missing from the current cycle still counts in W (it operated today):
        # t1 2 of 4 open; ride 4 DOWN: W = 3+2+1+2 = 8, D = 2 -> 2.5
        (["OOOO", ".OOD"], True, (True, 2, 1, 8, 2, 2.5)),
        # every active ride down (2 of 2 operating earlier, both DOWN now): the park closes
        # by the ride rule (0 operating), so s is NULL, not 10
        (["OO..", "DD.."], True, (False, 0, 0, 5, 0, None)),
    ],
)
def test_active_set_and_score(rows: list[str], reports_down: bool, expected_last: tuple) -> None:
    assert park(rows, weights=MIXED, reports_down=reports_down)[-1] == expected_last


def test_missing_ride_still_counts_in_total_weight_and_not_in_tracked() -> None:
    _, p = fold(["OOOO", ".OOD"], weights=MIXED, reports_down=True)[1]
    assert p.total_rides_tracked == 3  # ride 1 not in this cycle
    assert p.active_weight == 8        # but it operated today: 3+2+1+2


def test_all_active_rides_down_gives_ten() -> None:
    # open by schedule; rides 1 and 2 operated at 10:05, both DOWN at 10:10:
    # A={1,2} W = 3+2 = 5, D = 5 -> 10*5/5 = 10.0 (the maximum)
    rows = ["CC", "OO", "DD"]
    got = park(rows, weights=[3, 2], reports_down=True, schedule=[WINDOW])
    assert got[2] == (True, 0, 2, 5, 5, 10.0)


@pytest.mark.parametrize(
    ("rows", "reports_down"),
    [
        (["CCCC"], False),  # nothing operated, CLOSED not counted: W = 0
        (["RRRR"], True),   # refurbishment never counts: W = 0
        (["UUCC"], True),
        (["....", "CCCC"], False),
    ],
)
def test_zero_active_weight_while_open_scores_zero(rows: list[str], reports_down: bool) -> None:
    # open by schedule (10:05 and 10:10 inside [10:05, 10:15)): "0 when W = 0"
    got = park(rows, reports_down=reports_down, schedule=[WINDOW],
               start=datetime(2025, 7, 1, 10, 5))
    assert got[-1] == (True, 0, 0, 0, 0, 0.0)


def test_waits_are_over_operating_rides_while_open() -> None:
    # t0: operating waits 10, 25, and one without a wait; DOWN ride's wait ignored:
    # avg = (10+25)/2 = 17.5, max 25
    # t1: park closed (1 of 4 operating) -> no waits
    rows = ["OOOD", "OCCC"]
    waits = [[10, 25, None, 99], [40, None, None, None]]
    derived = fold(rows, reports_down=True, waits=waits)
    assert (derived[0][1].avg_wait_time, derived[0][1].max_wait_time) == (17.5, 25)
    assert (derived[1][1].avg_wait_time, derived[1][1].max_wait_time) == (None, None)


def test_average_wait_rounds_half_up_to_two_places() -> None:
    # (10 + 10 + 11) / 3 = 10.3333... -> 10.33; (1 + 2 + 2 + 2 + 2 + 2 + 2 + 2) / 8 = 1.875 -> 1.88
    derived = fold(["OOO"], waits=[[10, 10, 11]])
    assert derived[0][1].avg_wait_time == 10.33
    derived = fold(["OOOOOOOO"], waits=[[1, 2, 2, 2, 2, 2, 2, 2]])
    assert derived[0][1].avg_wait_time == 1.88


# --- invariants over every short park-day --------------------------------------------------------


@pytest.mark.parametrize("reports_down", [True, False])
def test_down_is_a_subset_of_active_and_score_within_bounds(reports_down: bool) -> None:
    # Every 2-cycle day of 3 rides (weights 3,2,1) over all 5 statuses: 125^2 days.
    # D ⊆ A -> 0 <= D <= W, 0 <= s <= 10; s NULL exactly while closed; counted down implies
    # the park is open and the ride is DOWN, or CLOSED at a CLOSED-only park.
    letters = "ODCRU"
    rows_1 = ["".join(p) for p in itertools.product(letters, repeat=3)]
    for first, second in itertools.product(rows_1, repeat=2):
        for rides, p in fold([first, second], weights=[3, 2, 1], reports_down=reports_down):
            assert 0 <= p.down_weight <= p.active_weight
            if p.park_appears_open:
                assert p.shame_score is not None and 0 <= p.shame_score <= 10
            else:
                assert p.shame_score is None and p.rides_down == 0
            for r in rides:
                if r.counted_down:
                    allowed = {metrics.DOWN} if reports_down else {metrics.DOWN, metrics.CLOSED}
                    assert r.park_open and r.status in allowed


# --- the day's running ride counts and the cycle's waits ----------------------------------------


def test_running_counts_of_the_day_include_rides_missing_from_the_cycle() -> None:
    # Closed-only park (the default), 4 rides, cycles 10:00..10:20, all open by the ride rule.
    rows = ["OOC.", "OOOC", "O.DO", "OO.O", "OCOO"]
    # open?   10:00 2 of 2 seen operating -> open; 10:05 3 of 3; 10:10 rides 1 and 4 of the 4
    #         seen -> 2 >= 4/2, open; 10:15 3 of 4; 10:20 3 of 4
    assert opens(rows) == [True] * 5
    got = [(p.rides_operated_today, p.rides_down_today) for _, p in fold(rows)]
    assert got == [
        (2, 0),  # rides 1, 2 operated; ride 3 CLOSED before it ever operated does not count
        (3, 0),  # ride 3 operates; ride 4 CLOSED before operating does not count
        (4, 1),  # ride 4 operates; ride 3 DOWN after operating counts; ride 2 is missing
        (4, 1),  # nobody new; ride 3 missing, still counted as down earlier today
        (4, 2),  # ride 2 CLOSED after operating counts: rides 3 and 2 have been down today
    ]


def test_running_counts_restart_with_a_new_state_and_ignore_a_closed_park() -> None:
    # A lone test run while the park is closed (1 of 1 seen operating is below two) operates
    # nothing "today": SPEC §2.2 needs the park open.
    assert [(p.rides_operated_today, p.rides_down_today) for _, p in fold(["OC", "OO"])] == [
        (0, 0), (2, 0)]


def test_cycle_waits_are_the_operating_rides_of_an_open_park() -> None:
    waits = [[10, 20, 30, None], [5, None, 7, 9]]
    # cycle 1: rides 1, 2 OPERATING with waits 10, 20; ride 3 CLOSED (its 30 is not a wait);
    #          ride 4 OPERATING without a wait -> sum 30 over 2, mean 15.00
    # cycle 2: the park is closed (1 of 4 seen operating): no waits at all
    got = [(p.wait_sum, p.wait_count, p.avg_wait_time)
           for _, p in fold(["OOCO", "OCCC"], waits=waits)]
    assert got == [(30, 2, 15.0), (0, 0, None)]


def test_a_ride_reclassified_mid_day_is_left_out_not_a_key_error() -> None:
    # Probe D4: rides 1-4 (weight 2 each) operate while the park is open; then ride 4 stops
    # being an attraction (a catalogue refresh makes it a SHOW), so the day's rules no longer
    # weigh it, while the state, and a stored reading, still name it.
    state = DayState()
    before = ParkRules({1: 2, 2: 2, 3: 2, 4: 2}, reports_down=True)
    derive_cycle(T0, DAY, [Reading(i, "OPERATING", None) for i in (1, 2, 3, 4)], before, state)
    assert state.operated_today == {1, 2, 3, 4}
    after = ParkRules({1: 2, 2: 2, 3: 2}, reports_down=True)
    rides, p = derive_cycle(T0 + STEP, DAY, [Reading(1, "OPERATING", None),
                                             Reading(2, "OPERATING", None),
                                             Reading(3, "DOWN", None),
                                             Reading(4, "DOWN", None)], after, state)
    # Ride 4 is out. Open: 2 operating, at least half of the 3 attractions seen operating.
    # A = {1, 2, 3}, W = 6; D = {3} (down-reporting) = 2 -> 10 * 2 / 6 = 3.33 -> 3.3.
    assert [r.ride_id for r in rides] == [1, 2, 3]
    assert (p.park_appears_open, p.total_rides_tracked, p.active_weight, p.down_weight,
            p.shame_score) == (True, 3, 6, 2, 3.3)
    assert (p.rides_operated_today, p.rides_down_today) == (3, 1)
    assert 4 not in state.operated_today | state.seen_operating | state.down_today
