"""Windows of the dated and long periods (SPEC §5) and the ISO weeks of long charts (§7),
against hand-worked dates."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from themepark_tracker.queries.charts import iso_weeks, week_label
from themepark_tracker.queries.periods import (
    KIND_DAYS,
    KIND_NOT_BEGUN,
    KIND_TODAY,
    PeriodError,
    check_reached,
    date_range,
    days_between,
    one_date,
    park_window,
)

#: 20:03 UTC on 2025-11-02: 01:33 on 11-03 in Kolkata, 15:03 on 11-02 in New York.
NOW = datetime(2025, 11, 2, 20, 3)


def test_a_date_is_today_past_or_not_begun_per_park() -> None:
    day = one_date(date(2025, 11, 3))
    kolkata = park_window(day, "Asia/Kolkata", NOW)
    assert (kolkata.kind, kolkata.dates) == (KIND_TODAY, (date(2025, 11, 3),))
    assert (kolkata.start, kolkata.end) == (datetime(2025, 11, 2, 18, 30), NOW)
    new_york = park_window(day, "America/New_York", NOW)
    assert new_york.kind == KIND_NOT_BEGUN and new_york.start == new_york.end
    past = park_window(one_date(date(2025, 11, 2)), "Asia/Kolkata", NOW)
    assert past.kind == KIND_DAYS
    assert (past.start, past.end) == (datetime(2025, 11, 1, 18, 30), datetime(2025, 11, 2, 18, 30))
    # New York's 2025-11-02 has 25 hours: EDT midnight 04:00 UTC to EST midnight 05:00 UTC.
    dst = park_window(one_date(date(2025, 11, 2)), "America/New_York", datetime(2025, 11, 4))
    assert (dst.start, dst.end) == (datetime(2025, 11, 2, 4), datetime(2025, 11, 3, 5))


def test_a_range_stops_at_each_park_s_yesterday() -> None:
    period = date_range(date(2025, 10, 30), date(2025, 11, 2))
    kolkata = park_window(period, "Asia/Kolkata", NOW)  # its yesterday is 11-02
    assert kolkata.dates == days_between(date(2025, 10, 30), date(2025, 11, 2))
    new_york = park_window(period, "America/New_York", NOW)  # its yesterday is 11-01
    assert new_york.dates == (date(2025, 10, 30), date(2025, 10, 31), date(2025, 11, 1))
    late = park_window(date_range(date(2025, 11, 2), date(2025, 11, 2)), "UTC", NOW)
    assert late.kind == KIND_NOT_BEGUN


def test_long_named_periods_end_yesterday() -> None:
    window = park_window("last_365_days", "UTC", NOW)
    assert (window.first_date, window.last_date, len(window.dates)) == (
        date(2024, 11, 2), date(2025, 11, 1), 365)
    assert len(park_window("last_90_days", "UTC", NOW).dates) == 90


@pytest.mark.parametrize(("first", "last", "parameter"), [
    (date(2025, 11, 2), date(2025, 11, 1), "from"),
    (date(2024, 10, 31), date(2025, 11, 1), "to"),  # 366 + 1 days
])
def test_bad_ranges_name_the_parameter(first: date, last: date, parameter: str) -> None:
    with pytest.raises(PeriodError) as raised:
        date_range(first, last)
    assert raised.value.parameter == parameter


def test_366_days_is_the_longest_range() -> None:
    assert len(days_between(date(2024, 11, 2), date(2025, 11, 2))) == 366
    date_range(date(2024, 11, 2), date(2025, 11, 2))


def test_dates_up_to_the_latest_reached() -> None:
    latest = date(2025, 11, 3)
    check_reached(one_date(latest), latest)
    with pytest.raises(PeriodError, match="up to 2025-11-03"):
        check_reached(one_date(date(2025, 11, 4)), latest)
    check_reached(date_range(date(2025, 11, 1), date(2025, 11, 2)), latest)
    with pytest.raises(PeriodError, match="up to 2025-11-02") as raised:
        check_reached(date_range(date(2025, 11, 1), date(2025, 11, 3)), latest)
    assert raised.value.parameter == "to"


def test_iso_weeks_are_monday_to_sunday_cut_at_both_ends() -> None:
    # Wednesday 2025-12-24 to Tuesday 2026-01-06: ISO weeks 2025-W52, 2026-W01, 2026-W02.
    weeks = iso_weeks(days_between(date(2025, 12, 24), date(2026, 1, 6)))
    assert [(w[0], w[-1], len(w)) for w in weeks] == [
        (date(2025, 12, 24), date(2025, 12, 28), 5),
        (date(2025, 12, 29), date(2026, 1, 4), 7),
        (date(2026, 1, 5), date(2026, 1, 6), 2),
    ]
    assert [week_label(w[0]) for w in weeks] == ["2025-W52", "2026-W01", "2026-W02"]
