"""Bad SPEC §8 input the security probe (D8, D12, D15, D16) and the code review (§4.3: a
ride_id 0 dropped silently) found: each is refused naming the file, line and problem, and
export neutralises spreadsheet formulas in a way import reverses exactly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from themepark_tracker.timeutil import utcnow
from themepark_tracker.transfer.csvformat import (
    PARKS,
    RIDES,
    SNAPSHOTS,
    FieldError,
    Problems,
    format_value,
    latest_snapshot_instant,
    parse_csv_instant,
    parse_name,
    parse_snapshot_instant,
    parse_text,
    read_rows,
)
from themepark_tracker.transfer.reading import (
    StoredCatalogue,
    read_parks,
    read_rides,
    stage_snapshots,
)
from themepark_tracker.transfer.staging import SnapshotStage

PARKS_HEADER = ("park_id,name,timezone,operator,country,is_disney,is_universal,reports_down,"
                "queue_times_id,latitude,longitude")
SNAPSHOTS_HEADER = "recorded_at,ride_id,status,wait_time"
EMPTY = StoredCatalogue(park_ids=frozenset(), park_of_queue_times_id={}, rides={})
RIDES_OF = {1: (10, True), 2: (10, True)}


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[SnapshotStage]:
    with SnapshotStage(tmp_path / "stage.sqlite3") as s:
        yield s


def snapshots(tmp_path: Path, stage: SnapshotStage, *rows: str) -> tuple[list[str], int]:
    path = tmp_path / SNAPSHOTS
    path.write_text("\n".join((SNAPSHOTS_HEADER, *rows)) + "\n", encoding="utf-8")
    problems = Problems(SNAPSHOTS)
    stage_snapshots(path, RIDES_OF, stage, problems)
    return problems.report(), stage.rows


# --- D8: implausible times ---------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "1900-01-01T00:00:00Z",
    "1999-12-31T23:59:59Z", "1999-12-31T23:59:59-00:00",
])
def test_times_before_2000_are_refused(text: str) -> None:
    with pytest.raises(FieldError, match=r"is before 2000-01-01T00:00:00Z"):
        parse_csv_instant(text, "recorded_at")


def test_year_9999_with_an_offset_that_leaves_the_calendar_is_refused() -> None:
    with pytest.raises(FieldError, match="is after the year 9999"):
        parse_csv_instant("9999-12-31T23:59:59-05:00", "recorded_at")


def test_2000_itself_is_accepted() -> None:
    assert parse_csv_instant("2000-01-01T00:00:00Z", "x") == datetime(2000, 1, 1)


def test_a_snapshot_up_to_a_day_ahead_of_the_clock_is_accepted_not_later() -> None:
    now = datetime(2026, 12, 2, 10, 0)
    latest = latest_snapshot_instant(now)
    assert latest == datetime(2026, 12, 3, 10, 0)  # one day of clock skew allowed
    assert parse_snapshot_instant("2026-12-03T10:00:00Z", "recorded_at", latest) == latest
    with pytest.raises(FieldError, match="is in the future"):
        parse_snapshot_instant("2026-12-03T10:00:01Z", "recorded_at", latest)


@pytest.mark.parametrize("text", [
    "2030-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
    "1900-01-01T00:00:00Z",
])
def test_implausible_snapshot_times_are_refused_with_file_and_line(
        tmp_path: Path, stage: SnapshotStage, text: str) -> None:
    good = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    report, staged = snapshots(tmp_path, stage, f"{good},1,OPERATING,5", f"{text},2,DOWN,")
    assert len(report) == 1
    assert report[0].startswith(f"snapshots.csv line 3: recorded_at {text!r} is ")
    assert staged == 1  # the good row is staged; the folder is refused by read_folder


# --- review §4.3: ride_id 0 and negative -------------------------------------------------------


@pytest.mark.parametrize(("ride", "problem"), [
    ("0", "ride_id 0 is out of range (1 to 2147483647)"),
    ("00", "ride_id 0 is out of range (1 to 2147483647)"),
    ("-3", "ride_id -3 is out of range (1 to 2147483647)"),
    ("2147483648", "ride_id 2147483648 is out of range (1 to 2147483647)"),
])
def test_a_ride_id_below_1_is_a_problem_not_a_dropped_row(
        tmp_path: Path, stage: SnapshotStage, ride: str, problem: str) -> None:
    report, _ = snapshots(tmp_path, stage, "2025-12-04T23:05:00Z,1,OPERATING,5",
                          f"2025-12-04T23:05:00Z,{ride},OPERATING,5")
    assert report == [f"snapshots.csv line 3: {problem}"]


def test_a_leading_zero_ride_id_is_still_the_ride(tmp_path: Path, stage: SnapshotStage
                                                  ) -> None:
    report, staged = snapshots(tmp_path, stage, "2025-12-04T23:05:00Z,01,OPERATING,5")
    assert report == [] and staged == 1


# --- D15: line numbers of a malformed first data row ------------------------------------------


def test_an_unterminated_quote_on_the_first_data_row_is_line_2(tmp_path: Path) -> None:
    path = tmp_path / PARKS
    path.write_text(f'{PARKS_HEADER}\n212,"Open quote,UTC,,,false,false,true,,,\n',
                    encoding="utf-8")
    problems = Problems(PARKS)
    assert list(read_rows(path, problems)) == []
    assert problems.report() == [
        "parks.csv line 2: not valid CSV (unexpected end of data)"]


def test_an_oversized_field_on_the_first_data_row_is_line_2(tmp_path: Path) -> None:
    path = tmp_path / SNAPSHOTS
    path.write_text(f"{SNAPSHOTS_HEADER}\n" + '"' + "x" * 200_000 + '",1,OPERATING,5\n',
                    encoding="utf-8")
    problems = Problems(SNAPSHOTS)
    assert list(read_rows(path, problems)) == []
    [message] = problems.report()
    assert message.startswith("snapshots.csv line 2: not valid CSV (field larger than")


# --- D16: control characters -------------------------------------------------------------------


@pytest.mark.parametrize(("value", "code", "at"), [
    ("Nul\x00Park", "0000", 4), ("Bell\x07\x1b[31mRed", "0007", 5), ("Tab\there", "0009", 4),
    ("Line\nbreak", "000A", 5), ("Del\x7f", "007F", 4), ("Csi\x9b31m", "009B", 4),
])
def test_control_characters_are_refused_naming_the_column_and_position(
        value: str, code: str, at: int) -> None:
    with pytest.raises(FieldError) as caught:
        parse_text(value, "name", 100)
    assert str(caught.value) == (f"name has the control character U+{code} at character {at}; "
                                 f"names and text may not hold control characters")


def test_a_nul_in_a_park_name_is_refused_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / PARKS
    path.write_bytes(f"{PARKS_HEADER}\n210,Nul\x00Park,UTC,,,false,false,true,,,\n".encode())
    problems = Problems(PARKS)
    records, _ = read_parks(path, EMPTY, problems)
    assert records == []
    assert problems.report() == [
        "parks.csv line 2: name has the control character U+0000 at character 4; names and "
        "text may not hold control characters"]


def test_other_text_columns_refuse_control_characters_too(tmp_path: Path) -> None:
    path = tmp_path / PARKS
    path.write_text(f"{PARKS_HEADER}\n210,Park,UTC,Op\x1bX,FR\x07,false,false,true,,,\n",
                    encoding="utf-8")
    problems = Problems(PARKS)
    read_parks(path, EMPTY, problems)
    assert [m.split(";")[0] for m in problems.report()] == [
        "parks.csv line 2: operator has the control character U+001B at character 3",
        "parks.csv line 2: country has the control character U+0007 at character 3"]


# --- display names on import -------------------------------------------------------------------


def test_imported_names_are_stored_as_displayed(tmp_path: Path) -> None:
    path = tmp_path / RIDES
    path.write_text("ride_id,park_id,name,tier,category\n"
                    "1,10,<b>Space</b> Mountain ,2,ATTRACTION\n"
                    "2,10,Tom &amp; Jerry,2,ATTRACTION\n"
                    "3,10,<i></i>,2,ATTRACTION\n", encoding="utf-8")
    problems = Problems(RIDES)
    records, _ = read_rides(path, {10}, problems)
    assert [r.name for r in records] == ["Space Mountain", "Tom & Jerry"]
    assert problems.report() == [
        "rides.csv line 4: name '<i></i>' has no text once HTML tags are removed"]


# --- D12: spreadsheet formulas -----------------------------------------------------------------


@pytest.mark.parametrize(("name", "written"), [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("'=already quoted", "''=already quoted"),
    ("''", "'''"),
    ("'-'", "''-'"),
    ("'plain", "'plain"),  # ' then a letter: not added by export, left alone both ways
    ("'", "'"),
    ("Space Mountain", "Space Mountain"),
    ("Rock 'n' Roller", "Rock 'n' Roller"),
])
def test_formula_cells_are_neutralised_and_read_back_exactly(name: str, written: str) -> None:
    assert format_value(name) == written
    assert parse_text(written, "name", 200) == name


def test_numbers_are_not_neutralised() -> None:
    assert format_value(-81.5) == "-81.5"
    assert format_value(-3) == "-3"


def test_parse_name_reads_a_neutralised_name() -> None:
    assert parse_name("'=HYPERLINK(\"x\")", "name", 200) == "=HYPERLINK(\"x\")"
