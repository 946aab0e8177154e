"""Truth tables for the pure rules of SPEC §1, §2 and §6 (themepark_tracker.metrics).

Every expected value is worked out by hand from the SPEC text; the arithmetic is in the
comments. Nothing here was copied from the code's output.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from themepark_tracker.metrics import (
    CLOSED,
    DOWN,
    OPERATING,
    REFURBISHMENT,
    UNKNOWN,
    ScheduleWindow,
    counted_down,
    downtime_hours,
    feed_is_stale,
    park_open_by_rides,
    park_open_by_schedule,
    queue_times_status,
    round_half_up,
    shame_score,
    themeparks_wiki_status,
    tier_weight,
    uptime_percentage,
)

# --- §1 tier and weight ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "weight"),
    [
        (1, 3),     # flagship
        (2, 2),     # standard
        (3, 1),     # minor
        (None, 2),  # unclassified -> tier 2
        (0, 2),     # not a tier -> unclassified -> 2
        (4, 2),     # not a tier -> unclassified -> 2
        (-1, 2),    # not a tier -> unclassified -> 2
    ],
)
def test_tier_weight(tier: int | None, weight: int) -> None:
    assert tier_weight(tier) == weight


# --- §1 status mapping -------------------------------------------------------------------------


@pytest.mark.parametrize(("is_open", "status"), [(True, OPERATING), (False, CLOSED)])
def test_queue_times_status(is_open: bool, status: str) -> None:
    # "Queue-Times is_open=true -> OPERATING, false -> CLOSED"
    assert queue_times_status(is_open) == status


@pytest.mark.parametrize(
    ("given", "status"),
    [
        # "ThemeParks.wiki status as given"
        ("OPERATING", OPERATING),
        ("DOWN", DOWN),
        ("CLOSED", CLOSED),
        ("REFURBISHMENT", REFURBISHMENT),
        ("UNKNOWN", UNKNOWN),
        # the same statuses in lower case are still those statuses
        ("operating", OPERATING),
        ("down", DOWN),
        ("closed", CLOSED),
        ("refurbishment", REFURBISHMENT),
        # "missing -> UNKNOWN"; garbage is no status, so UNKNOWN too
        (None, UNKNOWN),
        ("", UNKNOWN),
        ("BROKEN", UNKNOWN),
        ("OPEN", UNKNOWN),
        ("42", UNKNOWN),
    ],
)
def test_themeparks_wiki_status(given: str | None, status: str) -> None:
    assert themeparks_wiki_status(given) == status


CYCLE_AT = datetime(2025, 7, 1, 12, 0)


@pytest.mark.parametrize(
    ("newest_age", "expected"),
    [
        # SPEC §1: "A park's cycle is stale when the newest last_updated among all of its
        # entities in that answer is more than 60 minutes older than the cycle"
        (None, False),                                  # the feed gives no time: not judged
        (timedelta(0), False),                          # same instant
        (timedelta(minutes=59), False),
        (timedelta(minutes=60), False),                 # exactly 60 min: not MORE than 60
        (timedelta(minutes=60, seconds=1), True),       # 60 min 1 s: stale
        (timedelta(hours=9), True),
        (timedelta(minutes=-10), False),                # upstream clock ahead: not older
    ],
)
def test_a_park_feed_is_stale_by_its_newest_update(newest_age: timedelta | None,
                                                   expected: bool) -> None:
    newest = None if newest_age is None else CYCLE_AT - newest_age
    assert feed_is_stale(newest, CYCLE_AT) is expected


# --- §2 rule 1, park open by schedule ----------------------------------------------------------

# A park in UTC: local date == UTC date, window 09:00-17:00 on 2025-07-01.
DAY = "2025-07-01"
WINDOW = ScheduleWindow(DAY, datetime(2025, 7, 1, 9, 0), datetime(2025, 7, 1, 17, 0))


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (datetime(2025, 7, 1, 8, 59, 59), False),  # before opening, rows for the date -> closed
        (datetime(2025, 7, 1, 9, 0), True),        # opening <= t: opening instant is open
        (datetime(2025, 7, 1, 12, 0), True),       # inside
        (datetime(2025, 7, 1, 16, 59, 59), True),  # last second inside
        (datetime(2025, 7, 1, 17, 0), False),      # t < closing fails at closing instant
        (datetime(2025, 7, 1, 23, 0), False),      # evening, rows for the date -> closed
    ],
)
def test_schedule_window_is_half_open(t: datetime, expected: bool) -> None:
    assert park_open_by_schedule(t, DAY, [WINDOW]) is expected


def test_no_schedule_rows_for_the_date_means_no_decision() -> None:
    # "If P has no schedule for that local date" -> the ride rule decides (None here).
    assert park_open_by_schedule(datetime(2025, 7, 1, 12, 0), DAY, []) is None
    # a row for another date that does not cover t is not a row "for that local date"
    other_day = ScheduleWindow("2025-06-30", datetime(2025, 6, 30, 9), datetime(2025, 6, 30, 17))
    assert park_open_by_schedule(datetime(2025, 7, 1, 12, 0), DAY, [other_day]) is None


def test_two_windows_on_one_date() -> None:
    # 09-12 and 14-20: 13:00 is covered by neither but the date has rows -> closed
    morning = ScheduleWindow(DAY, datetime(2025, 7, 1, 9), datetime(2025, 7, 1, 12))
    evening = ScheduleWindow(DAY, datetime(2025, 7, 1, 14), datetime(2025, 7, 1, 20))
    assert park_open_by_schedule(datetime(2025, 7, 1, 10), DAY, [morning, evening]) is True
    assert park_open_by_schedule(datetime(2025, 7, 1, 13), DAY, [morning, evening]) is False
    assert park_open_by_schedule(datetime(2025, 7, 1, 15), DAY, [morning, evening]) is True


def test_non_operating_row_covering_t_does_not_open_but_closes() -> None:
    # Only an OPERATING window opens the park; a row of another type is still a schedule row
    # "for that local date", none of which is an OPERATING window covering t -> closed.
    event = ScheduleWindow(DAY, datetime(2025, 7, 1, 18), datetime(2025, 7, 1, 22),
                           "TICKETED_EVENT")
    assert park_open_by_schedule(datetime(2025, 7, 1, 19), DAY, [event]) is False


# Cross-midnight window: park in UTC for readability; the window belongs to 2025-07-01 and
# runs 20:00 -> 02:00 next day. At 2025-07-02 01:00 the local date is 2025-07-02.
NIGHT = ScheduleWindow(DAY, datetime(2025, 7, 1, 20), datetime(2025, 7, 2, 2))
NEXT_DAY = "2025-07-02"
NEXT_WINDOW = ScheduleWindow(NEXT_DAY, datetime(2025, 7, 2, 10), datetime(2025, 7, 2, 18))


@pytest.mark.parametrize(
    ("t", "local_date", "windows", "expected"),
    [
        # 23:00 on the window's own date: covered -> open
        (datetime(2025, 7, 1, 23), DAY, [NIGHT], True),
        # 01:00 on the next date, which has no rows: the covering window opens the park
        (datetime(2025, 7, 2, 1), NEXT_DAY, [NIGHT], True),
        # 02:00 next date: closing instant, not covered; next date has no rows -> undecided
        (datetime(2025, 7, 2, 2), NEXT_DAY, [NIGHT], None),
        # 01:00 next date which HAS its own rows (10-18) that do not cover 01:00: SPEC's first
        # clause "if P has an OPERATING schedule window covering t" does not restrict the
        # window to t's local date, and NIGHT covers t -> open.
        (datetime(2025, 7, 2, 1), NEXT_DAY, [NIGHT, NEXT_WINDOW], True),
        # 03:00 next date: NIGHT over, next date has rows not covering 03:00 -> closed
        (datetime(2025, 7, 2, 3), NEXT_DAY, [NIGHT, NEXT_WINDOW], False),
        # 11:00 next date: its own window covers -> open
        (datetime(2025, 7, 2, 11), NEXT_DAY, [NIGHT, NEXT_WINDOW], True),
    ],
)
def test_window_crossing_local_midnight(
    t: datetime, local_date: str, windows: list[ScheduleWindow], expected: bool | None
) -> None:
    assert park_open_by_schedule(t, local_date, windows) is expected


# --- §2 rule 1, park open by rides (no schedule) -----------------------------------------------


@pytest.mark.parametrize(
    ("operating_now", "seen_today", "expected"),
    [
        (0, 0, False),   # nothing operating
        (1, 1, False),   # 1 of 1: half, but fewer than two
        (2, 2, True),    # 2 of 2
        (2, 3, True),    # 2 >= 3/2 = 1.5
        (2, 4, True),    # 2 >= 4/2 = 2 ("at least half")
        (2, 5, False),   # 2 < 5/2 = 2.5
        (3, 6, True),    # 3 >= 3
        (3, 7, False),   # 3 < 3.5
        (1, 20, False),  # lone test run at night after a 20-ride day
        (2, 20, False),  # two rides testing after a 20-ride day: 2 < 10 (mass closing)
        (10, 20, True),  # 10 >= 10
        (9, 20, False),  # 9 < 10
    ],
)
def test_park_open_by_rides(operating_now: int, seen_today: int, expected: bool) -> None:
    assert park_open_by_rides(operating_now, seen_today) is expected


# --- §2 rule 3, counted down -------------------------------------------------------------------

STATUSES = (OPERATING, DOWN, CLOSED, REFURBISHMENT, UNKNOWN)


@pytest.mark.parametrize(
    ("status", "reports_down", "operated_today", "expected"),
    [
        # down-reporting park: only DOWN counts, operated today or not
        (DOWN, True, False, True),       # "even before r first operated today"
        (DOWN, True, True, True),
        (CLOSED, True, False, False),    # "CLOSED never counts at a down-reporting park"
        (CLOSED, True, True, False),
        (OPERATING, True, True, False),
        (REFURBISHMENT, True, True, False),
        (UNKNOWN, True, True, False),
        (REFURBISHMENT, True, False, False),
        (UNKNOWN, True, False, False),
        # CLOSED-only park: DOWN or CLOSED count only once r operated today
        (DOWN, False, False, False),
        (DOWN, False, True, True),
        (CLOSED, False, False, False),   # CLOSED before first operation: a planned closure
        (CLOSED, False, True, True),     # CLOSED after operating: counted
        (OPERATING, False, True, False),
        (REFURBISHMENT, False, True, False),  # "REFURBISHMENT and UNKNOWN never count"
        (UNKNOWN, False, True, False),
        (REFURBISHMENT, False, False, False),
        (UNKNOWN, False, False, False),
    ],
)
def test_counted_down_while_open(
    status: str, reports_down: bool, operated_today: bool, expected: bool
) -> None:
    assert counted_down(status, True, reports_down, operated_today) is expected


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("reports_down", [True, False])
@pytest.mark.parametrize("operated_today", [True, False])
def test_nothing_counts_down_while_the_park_is_closed(
    status: str, reports_down: bool, operated_today: bool
) -> None:
    # "Counted down: the park is open at t, and ..." -> closed park, never counted
    assert counted_down(status, False, reports_down, operated_today) is False


# --- §2 rule 5, instantaneous shame ------------------------------------------------------------


@pytest.mark.parametrize(
    ("down_weight", "active_weight", "park_open", "expected"),
    [
        (3, 8, True, 3.75),    # weights 3,2,1,2, the tier-1 ride down: 10*3/8 = 3.75
        (1, 8, True, 1.25),    # the tier-3 ride down: 10*1/8 = 1.25
        (0, 8, True, 0.0),     # nothing down
        (8, 8, True, 10.0),    # everything down: 10*8/8 = 10 (the maximum)
        (0, 0, True, 0.0),     # "0 when W = 0" while open
        (2, 6, True, 10 * 2 / 6),  # 3.333...: full precision, not rounded here
        (3, 8, False, None),   # "NULL while closed"
        (0, 0, False, None),
    ],
)
def test_shame_score(
    down_weight: int, active_weight: int, park_open: bool, expected: float | None
) -> None:
    got = shame_score(down_weight, active_weight, park_open)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-12)


# --- §6 rounding -------------------------------------------------------------------------------

TEN_TENTHS = sum([0.1] * 10)  # 0.9999999999999999 in binary floating point, 1 exactly in math


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (2.25, 1, 2.3),        # the SPEC example: 2.25 -> 2.3 (not banker's 2.2)
        (2.35, 1, 2.4),        # half-up
        (1.15, 1, 1.2),        # binary 1.15 is 1.149999...; half-up in decimal -> 1.2
        (0.35, 1, 0.4),        # binary 0.35 is 0.349999...
        (8.45, 1, 8.5),        # binary 8.45 is 8.449999...
        (9.95, 1, 10.0),       # binary 9.95 is 9.949999...; carries into the units
        (0.05, 1, 0.1),
        (2.249999, 1, 2.2),    # really below the half: down
        (2.24, 1, 2.2),
        (2.26, 1, 2.3),
        (3.75, 1, 3.8),        # 10*3/8
        (1.25, 1, 1.3),        # 10*1/8
        (10 * 2 / 6, 1, 3.3),  # 3.333...
        (10.0, 1, 10.0),
        (0.0, 1, 0.0),
        (2.675, 2, 2.68),      # binary 2.675 is 2.67499999...; 2 places (hours)
        (1.005, 2, 1.01),      # binary 1.005 is 1.00499999...
        (0.125, 2, 0.13),      # exact binary half at 2 places
        (66.66666666666667, 1, 66.7),  # a percentage 100*2/3
        # float noise: mathematically exactly x.x5, computed a hair below it
        (TEN_TENTHS * 2.25, 1, 2.3),        # 1 * 2.25 = 2.25, float gives 2.2499999999999996
        (sum([0.35] * 3) / 3, 1, 0.4),      # (0.35*3)/3 = 0.35, float gives 0.3499999999999999
        (sum([0.95] * 3) / 3, 1, 1.0),      # 0.95, float gives 0.9499999999999998
        (TEN_TENTHS * 0.35, 1, 0.4),        # 0.35
        (Decimal("2.25"), 1, 2.3),          # Decimal sums from SQL
        (Decimal("2.249999"), 1, 2.2),
        (Decimal("7.45"), 1, 7.5),
    ],
)
def test_round_half_up(value: float | Decimal, places: int, expected: float) -> None:
    assert round_half_up(value, places) == expected


def test_round_half_up_of_none_is_none() -> None:
    assert round_half_up(None) is None
    assert round_half_up(None, 2) is None


def test_round_half_up_defaults_to_one_place() -> None:
    assert round_half_up(2.25) == 2.3


# --- §3 downtime hours and uptime percentage ---------------------------------------------------


@pytest.mark.parametrize(
    ("down_snapshots", "interval", "hours"),
    [
        (0, 5, 0.0),
        (1, 5, 5 / 60),   # one 5-minute snapshot = 1/12 h
        (3, 5, 0.25),     # 3 * 5 / 60 = 15/60
        (12, 5, 1.0),     # 12 * 5 = 60 min
        (2, 15, 0.5),     # 2 * 15 = 30 min
        (288, 5, 24.0),   # a whole day of 5-minute snapshots
    ],
)
def test_downtime_hours(down_snapshots: int, interval: int, hours: float) -> None:
    assert downtime_hours(down_snapshots, interval) == pytest.approx(hours, abs=1e-12)


@pytest.mark.parametrize(
    ("operating", "down", "pct"),
    [
        (0, 0, None),    # NULL when both are 0
        (3, 1, 75.0),    # 100 * 3 / 4
        (0, 4, 0.0),
        (4, 0, 100.0),
        (2, 1, 100 * 2 / 3),
    ],
)
def test_uptime_percentage(operating: int, down: int, pct: float | None) -> None:
    got = uptime_percentage(operating, down)
    if pct is None:
        assert got is None
    else:
        assert got == pytest.approx(pct, abs=1e-12)
