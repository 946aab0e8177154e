"""The 7-day rolling mean and the shown change of a score (queries/trends.py), worked by
hand."""

from __future__ import annotations

from datetime import date, timedelta

from themepark_tracker.queries.trends import change, rolling_means

D1 = date(2025, 3, 1)


def day(n: int) -> date:
    return D1 + timedelta(days=n - 1)


def test_rolling_mean_is_over_the_open_days_among_the_date_and_the_six_before() -> None:
    # Open on days 1 (2.0), 3 (4.0) and 9 (1.0); every other day closed or without data.
    scores = {day(1): 2.0, day(3): 4.0, day(9): 1.0}
    means = rolling_means(scores, [day(n) for n in range(1, 12)])
    assert means == {
        day(1): 2.0,           # day 1 alone
        day(2): 2.0,           # days 1-2: only day 1 open
        day(3): 3.0,           # (2.0 + 4.0) / 2
        day(7): 3.0,           # days 1-7: still days 1 and 3
        day(8): 4.0,           # days 2-8: day 1 has left the window
        day(9): 2.5,           # days 3-9: (4.0 + 1.0) / 2
        day(10): 1.0,          # days 4-10: day 9 only
        day(11): 1.0,
        **{day(n): means[day(n)] for n in (4, 5, 6)},
    }
    assert [means[day(n)] for n in (4, 5, 6)] == [3.0, 3.0, 3.0]


def test_rolling_mean_reads_dates_before_the_first_and_is_null_without_open_days() -> None:
    scores = {day(1): 6.0}
    assert rolling_means(scores, [day(7), day(8)]) == {day(7): 6.0, day(8): None}
    assert rolling_means({}, [day(1)]) == {day(1): None}


def test_change_is_the_difference_of_the_shown_scores() -> None:
    # 1.44 shows as 1.4 and 0.86 as 0.9: the reader sees 1.4, 0.9 and a change of 0.5,
    # not round(0.58) = 0.6.
    assert change(1.44, 0.86) == 0.5
    assert change(0.86, 1.44) == -0.5
    assert change(2.25, 2.25) == 0.0
    assert change(None, 1.0) is None and change(1.0, None) is None
