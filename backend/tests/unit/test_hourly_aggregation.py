"""Pure pieces of the hourly aggregation jobs: no database (seed quickstart step 9).

day_chunks (how a backfill range is cut), the "has this hour finished?" guard, the --hour
parser, the backfill summary line, and verify's row comparison.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import click
import pytest

from themepark_tracker.aggregate.backfill import BackfillSummary, day_chunks
from themepark_tracker.aggregate.hourly import check_finished
from themepark_tracker.aggregate.verify import Mismatch, VerifyReport, compare_rows
from themepark_tracker.cli import parse_hour
from themepark_tracker.errors import UserError
from themepark_tracker.timeutil import HOUR, floor_hour

H = timedelta(hours=1)


# --- day_chunks ---------------------------------------------------------------------------------


def test_day_chunks_of_the_seed_week_are_utc_days_newest_first() -> None:
    # The quickstart's mirror: 2025-11-28 08:00 to 2025-12-05 08:00 (168 hours).
    start, end = datetime(2025, 11, 28, 8), datetime(2025, 12, 5, 8)
    chunks = day_chunks(start, end)
    assert chunks[0] == (datetime(2025, 12, 5, 0), datetime(2025, 12, 5, 8))
    assert chunks[1] == (datetime(2025, 12, 4, 0), datetime(2025, 12, 5, 0))
    assert chunks[-1] == (datetime(2025, 11, 28, 8), datetime(2025, 11, 29, 0))
    assert len(chunks) == 8
    # Contiguous, newest first, no gap and no overlap, each within one UTC date.
    for (a_start, _), (_, b_end) in zip(chunks, chunks[1:], strict=False):
        assert b_end == a_start
    assert all(s < e and (e - H).date() == s.date() for s, e in chunks)
    assert sum((e - s) / H for s, e in chunks) == 168


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # within one day
        (datetime(2025, 12, 4, 3), datetime(2025, 12, 4, 9),
         [(datetime(2025, 12, 4, 3), datetime(2025, 12, 4, 9))]),
        # ends exactly at midnight: the whole previous day is one chunk
        (datetime(2025, 12, 3, 0), datetime(2025, 12, 5, 0),
         [(datetime(2025, 12, 4, 0), datetime(2025, 12, 5, 0)),
          (datetime(2025, 12, 3, 0), datetime(2025, 12, 4, 0))]),
        # one hour either side of a midnight
        (datetime(2025, 12, 3, 23), datetime(2025, 12, 4, 1),
         [(datetime(2025, 12, 4, 0), datetime(2025, 12, 4, 1)),
          (datetime(2025, 12, 3, 23), datetime(2025, 12, 4, 0))]),
        # a single hour
        (datetime(2025, 12, 4, 7), datetime(2025, 12, 4, 8),
         [(datetime(2025, 12, 4, 7), datetime(2025, 12, 4, 8))]),
        # empty
        (datetime(2025, 12, 4, 7), datetime(2025, 12, 4, 7), []),
    ],
)
def test_day_chunks(start: datetime, end: datetime, expected: list[tuple[datetime, datetime]]
                    ) -> None:
    assert day_chunks(start, end) == expected


def test_day_chunks_over_a_year_cover_every_hour_once() -> None:
    start, end = datetime(2024, 2, 27, 5), datetime(2025, 3, 2, 17)  # crosses 2024-02-29
    chunks = day_chunks(start, end)
    hours = [s + k * H for s, e in chunks for k in range(int((e - s) / H))]
    assert sorted(hours) == [start + k * H for k in range(int((end - start) / H))]
    assert len(chunks) == (end.date() - start.date()).days + 1


# --- floor_hour / check_finished ----------------------------------------------------------------


def test_floor_hour() -> None:
    assert floor_hour(datetime(2025, 12, 5, 7, 59, 59, 999)) == datetime(2025, 12, 5, 7)
    assert floor_hour(datetime(2025, 12, 5, 7)) == datetime(2025, 12, 5, 7)
    assert HOUR == H


def test_a_finished_hour_passes() -> None:
    check_finished(datetime(2025, 12, 5, 7), datetime(2025, 12, 5, 8), force=False)
    check_finished(datetime(2025, 12, 5, 7), datetime(2025, 12, 6, 0), force=False)


@pytest.mark.parametrize("now", [datetime(2025, 12, 5, 7, 59, 59), datetime(2025, 12, 5, 7),
                                 datetime(2025, 12, 5, 6, 30)])
def test_an_unfinished_hour_is_refused_with_a_clear_message(now: datetime) -> None:
    with pytest.raises(UserError) as err:
        check_finished(datetime(2025, 12, 5, 7), now, force=False)
    message = str(err.value)
    assert "2025-12-05 07:00:00 has not finished yet" in message
    assert "ends at 2025-12-05 08:00:00 UTC" in message
    assert f"now is {now:%Y-%m-%d %H:%M:%S} UTC" in message
    assert "--force" in message


def test_force_takes_an_unfinished_hour() -> None:
    check_finished(datetime(2025, 12, 5, 7), datetime(2025, 12, 5, 7, 30), force=True)


# --- the --hour parser (cli.parse_hour) ---------------------------------------------------------


@pytest.mark.parametrize("text", ["2025-12-05 07:00:00", "2025-12-05T07:00:00Z",
                                  "2025-12-05T07:00:00", " 2025-12-05 07:00 "])
def test_parse_hour_accepts_the_seed_and_iso_forms(text: str) -> None:
    assert parse_hour(text) == datetime(2025, 12, 5, 7)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("nonsense", "is not a time like '2025-12-05 07:00:00'"),
        ("2025-12-05 07:30:00", "is not the start of an hour"),
        ("2025-12-05 07:00:01", "is not the start of an hour"),
        ("2025-12-05T07:00:00+01:00", "without an offset"),
        ("2025-13-05 07:00:00", "is not a time like"),
    ],
)
def test_parse_hour_names_the_problem(text: str, problem: str) -> None:
    with pytest.raises(click.BadParameter) as err:
        parse_hour(text)
    assert problem in err.value.message


# --- the backfill's closing line ----------------------------------------------------------------


def test_backfill_summary_uses_thousands_separators_like_the_seed() -> None:
    summary = BackfillSummary(datetime(2025, 11, 28, 8), datetime(2025, 12, 5, 8),
                              park_hours=13_440, ride_hours=705_600, hours_done=168)
    assert summary.describe() == "Backfill complete: 13,440 park hours, 705,600 ride hours"


def test_backfill_summary_names_failed_hours() -> None:
    summary = BackfillSummary(datetime(2025, 12, 4), datetime(2025, 12, 5), park_hours=46,
                              ride_hours=1_150, failed_hours=[datetime(2025, 12, 4, 13)])
    assert summary.describe() == ("Backfill complete: 46 park hours, 1,150 ride hours; "
                                  "1 hour(s) FAILED: 2025-12-04 13:00:00")


# --- verify's compare_rows ----------------------------------------------------------------------

KEY = ("park_id", "hour_start_utc")
COLUMNS = ("snapshot_count", "shame_score", "shame_score_sum", "park_was_open")
H7 = datetime(2025, 12, 5, 7)


def row(park_id: int = 1, hour: object = H7, **values: object) -> dict[str, object]:
    base = {"park_id": park_id, "hour_start_utc": hour, "snapshot_count": 12,
            "shame_score": 2.3, "shame_score_sum": 27.5, "park_was_open": True}
    return {**base, **values}


def test_identical_rows_compare_clean() -> None:
    assert compare_rows("park_hourly_stats", KEY, COLUMNS, [row(), row(2)], [row(2), row()]) == []


def test_a_changed_value_names_table_key_and_column() -> None:
    [m] = compare_rows("park_hourly_stats", KEY, COLUMNS, [row(shame_score=3.3)], [row()])
    assert m == Mismatch("park_hourly_stats", (1, H7), "shame_score", 3.3, 2.3)
    assert m.describe() == ("park_hourly_stats[1, 2025-12-05 07:00:00].shame_score: "
                            "stored 3.3, expected 2.3")


def test_missing_and_extra_rows_are_reported() -> None:
    out = compare_rows("ride_hourly_stats", ("ride_id", "hour_start_utc"), ("snapshot_count",),
                       [{"ride_id": 7, "hour_start_utc": H7, "snapshot_count": 1}],
                       [{"ride_id": 8, "hour_start_utc": H7, "snapshot_count": 1}])
    assert out == [
        Mismatch("ride_hourly_stats", (8, H7), "(row)", "missing", "present"),
        Mismatch("ride_hourly_stats", (7, H7), "(row)", "present", "missing"),
    ]


def test_tolerances_and_driver_representations() -> None:
    # full-precision sums may differ in the last bits between summation orders
    assert compare_rows("t", KEY, COLUMNS, [row(shame_score_sum=27.5 + 1e-9)], [row()]) == []
    assert compare_rows("t", KEY, COLUMNS, [row(shame_score_sum=27.5001)], [row()]) != []
    # MariaDB hands back TINYINT 1/0 for booleans, SQLite ints for whole DECIMALs
    assert compare_rows("t", KEY, COLUMNS, [row(park_was_open=1, snapshot_count=12.0)],
                        [row()]) == []
    assert compare_rows("t", KEY, COLUMNS, [row(park_was_open=0)], [row()]) != []
    # NULL equals only NULL
    assert compare_rows("t", KEY, COLUMNS, [row(shame_score=None)], [row()]) != []
    assert compare_rows("t", KEY, COLUMNS, [row(shame_score=None)], [row(shame_score=None)]) == []
    # a key read back as text (SQLite, raw SQL) matches the same key as datetime / date
    assert compare_rows("t", KEY, COLUMNS, [row(hour="2025-12-05 07:00:00")], [row()]) == []
    assert compare_rows("t", ("park_id", "stat_date"), ("snapshot_count",),
                        [{"park_id": 1, "stat_date": "2025-12-04", "snapshot_count": 3}],
                        [{"park_id": 1, "stat_date": date(2025, 12, 4), "snapshot_count": 3}]
                        ) == []


def test_verify_report_describes_ok_and_mismatches() -> None:
    report = VerifyReport(datetime(2025, 12, 3, 8), datetime(2025, 12, 5, 8), rows_checked=1234)
    assert report.ok
    assert report.describe() == ("Checked 1,234 aggregate rows from 2025-12-03 08:00 to "
                                 "2025-12-05 08:00 UTC: all match the raw snapshots")
    report.mismatches.append(Mismatch("park_hourly_stats", (1, H7), "shame_score", 3.3, 2.3))
    assert not report.ok
    assert report.describe().splitlines() == [
        "Checked 1,234 aggregate rows from 2025-12-03 08:00 to 2025-12-05 08:00 UTC: "
        "1 MISMATCH(ES)",
        "  park_hourly_stats[1, 2025-12-05 07:00:00].shame_score: stored 3.3, expected 2.3",
    ]
