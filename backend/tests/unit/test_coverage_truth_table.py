"""SPEC §12's coverage, worked by hand: each row's expected cycles and coverage below were
counted on paper from the SPEC's words, not read from the code.

coverage = 100 × open cycles ÷ expected, capped at 100, one decimal, null when none expected;
expected = a schedule day's OPERATING minutes within the day ÷ I, or without a schedule the
first-to-last open cycle span ÷ I + 1; I = COLLECTION_INTERVAL_MINUTES."""

from __future__ import annotations

from datetime import datetime

import pytest

from themepark_tracker.aggregate.quality import coverage, expected_open_cycles
from themepark_tracker.config import Settings

DAY = (datetime(2025, 11, 2), datetime(2025, 11, 3))  # a UTC park's local day


def at(hh: int, mm: int = 0, ss: int = 0, day: int = 2) -> datetime:
    return datetime(2025, 11, day, hh, mm, ss)


# (what, day end, windows (None: no schedule that day), first open, last open, I,
#  open cycles recorded, expected by hand, coverage by hand)
TABLE = [
    # 10:00-18:30 is 510 minutes; 510 / 5 = 102; 97 / 102 = 95.098 %.
    ("schedule day", DAY[1], [(at(10), at(18, 30))], None, None, 5, 97, 102, 95.1),
    # Same window, I = 10: 51 expected; 51 recorded is exactly 100 %.
    ("schedule day, I = 10", DAY[1], [(at(10), at(18, 30))], None, None, 10, 51, 51, 100.0),
    # I = 7: 510 / 7 = 72.86 -> 73 cycles; 70 / 73 = 95.89 %.
    ("schedule day, I = 7", DAY[1], [(at(10), at(18, 30))], None, None, 7, 70, 73, 95.9),
    # Open cycles seen outside the schedule do not matter to the expectation: first/last are
    # ignored on a schedule day.
    ("schedule ignores the open span", DAY[1], [(at(10), at(11))], at(8), at(20), 5, 12, 12,
     100.0),
    # No schedule: 09:00 to 21:00 is 720 minutes; 720 / 5 + 1 = 145; 140 / 145 = 96.55 %.
    ("no-schedule day", DAY[1], None, at(9), at(21), 5, 140, 145, 96.6),
    # No schedule, a single open cycle: it expects itself.
    ("no schedule, one open cycle", DAY[1], None, at(12), at(12), 5, 1, 1, 100.0),
    # More recorded than expected (a collector faster than I): capped at 100.
    ("capped at 100", DAY[1], None, at(9), at(21), 5, 150, 145, 100.0),
    # A schedule day whose rows are all non-OPERATING (closed all day): nothing expected.
    ("schedule says closed", DAY[1], [], None, None, 5, 0, 0, None),
    # No schedule and never open: nothing expected.
    ("no schedule, never open", DAY[1], None, None, None, 5, 0, 0, None),
    # A window from the evening before to 01:00 counts its 60 minutes inside this day; a
    # window into the next day counts up to midnight: 60 + 120 = 180 minutes / 5 = 36.
    ("windows cut at both midnights", DAY[1],
     [(at(22, day=1), at(1)), (at(22), at(2, day=3))], None, None, 5, 18, 36, 50.0),
    # Overlapping windows count once: 10:00-14:00 and 12:00-16:00 is 360 minutes / 5 = 72.
    ("overlaps count once", DAY[1], [(at(10), at(14)), (at(12), at(16))], None, None, 5,
     72, 72, 100.0),
    # Today, now 12:00: only 10:00-12:00 is expected yet: 120 / 5 = 24; 0 recorded = 0 %.
    ("today cut at now, silent feed", at(12), [(at(10), at(18, 30))], None, None, 5, 0, 24,
     0.0),
    # 62 min 30 s / 5 = 12.5 cycles: half rounds up to 13; 12 / 13 = 92.31 %.
    ("half a cycle rounds up", DAY[1], [(at(10), at(11, 2, 30))], None, None, 5, 12, 13, 92.3),
]


@pytest.mark.parametrize(("what", "end", "windows", "first", "last", "interval", "seen",
                          "expected", "percent"), TABLE, ids=[row[0] for row in TABLE])
def test_coverage_truth_table(what: str, end: datetime,
                              windows: list[tuple[datetime, datetime]] | None,
                              first: datetime | None, last: datetime | None, interval: int,
                              seen: int, expected: int, percent: float | None) -> None:
    got = expected_open_cycles(DAY[0], end, windows, first, last, interval)
    assert got == expected
    assert coverage(seen, got) == percent


def test_the_interval_is_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """I is COLLECTION_INTERVAL_MINUTES as the settings read it: 15 makes 10:00-18:30 (510
    minutes) 34 expected cycles."""
    monkeypatch.setenv("COLLECTION_INTERVAL_MINUTES", "15")
    interval = Settings.from_env().collection_interval_minutes
    assert expected_open_cycles(DAY[0], DAY[1], [(at(10), at(18, 30))], None, None,
                                interval) == 34
