"""Reading SPEC §8 files without a database: one value, one file, one folder. Every problem
names the file, the line and what is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from themepark_tracker.ingest.models import RideObservation
from themepark_tracker.transfer.csvformat import (
    MAX_PROBLEMS_PER_FILE,
    PARKS,
    RIDES,
    SCHEDULES,
    SNAPSHOTS,
    CsvError,
    FieldError,
    Problems,
    epoch_seconds,
    format_value,
    from_epoch_seconds,
    parse_bool,
    parse_csv_instant,
    parse_date,
    parse_id,
    parse_int,
    parse_optional_float,
    parse_tier,
    parse_timezone,
    read_rows,
)
from themepark_tracker.transfer.reading import (
    StoredCatalogue,
    read_folder,
    read_parks,
    read_rides,
    read_schedules,
    stage_snapshots,
)
from themepark_tracker.transfer.staging import SnapshotStage

PARKS_HEADER = ("park_id,name,timezone,operator,country,is_disney,is_universal,reports_down,"
                "queue_times_id,latitude,longitude")
EMPTY = StoredCatalogue(park_ids=frozenset(), park_of_queue_times_id={}, rides={})


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[SnapshotStage]:
    with SnapshotStage(tmp_path / "stage.sqlite3") as s:
        yield s


# --- one value ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "2025-12-04T23:05:00Z", "2025-12-04T23:05:00z", "2025-12-04T23:05:00+00:00",
    "2025-12-04T23:05:00", "2025-12-04 23:05:00", "2025-12-04T23:05Z",
    "2025-12-04T23:05:00.000Z", "2025-12-04T18:05:00-05:00", "2025-12-05T04:35:00+05:30",
    "2025-12-05T00:05:00+0100",
])
def test_times_are_utc_whatever_the_spelling(text: str) -> None:
    assert parse_csv_instant(text, "recorded_at") == datetime(2025, 12, 4, 23, 5)


@pytest.mark.parametrize("text", [
    "", "2025-12-04", "yesterday", "2025-13-04T23:05:00Z", "2025-12-04T24:05:00Z",
    "2025-12-04T23:05:00 UTC", "04/12/2025 23:05", "2025-12-04T23:05:00+25:00",
])
def test_what_is_not_a_time(text: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_csv_instant(text, "recorded_at")
    assert str(caught.value) == (f"recorded_at {text!r} is not an ISO-8601 time like "
                                 f"2025-12-04T23:05:00Z")


def test_times_are_whole_seconds() -> None:
    with pytest.raises(FieldError, match="fractions of a second"):
        parse_csv_instant("2025-12-04T23:05:00.5Z", "recorded_at")


def test_epoch_seconds_round_trip() -> None:
    instant = datetime(2025, 3, 30, 1, 0, 59)
    assert from_epoch_seconds(epoch_seconds(instant)) == instant
    assert epoch_seconds(datetime(1970, 1, 2)) == 86_400


@pytest.mark.parametrize(("text", "value"), [
    ("true", True), ("TRUE", True), ("1", True), ("false", False), ("False", False), ("0", False),
])
def test_booleans(text: str, value: bool) -> None:
    assert parse_bool(text, "is_disney") is value


@pytest.mark.parametrize("text", ["", "yes", "t", "2"])
def test_what_is_not_a_boolean(text: str) -> None:
    with pytest.raises(FieldError, match=r"is_disney .* is not true, false, 1 or 0"):
        parse_bool(text, "is_disney")


@pytest.mark.parametrize("text", ["1.0", "1_000", "+5", "", "٣", "x1"])
def test_what_is_not_a_whole_number(text: str) -> None:
    with pytest.raises(FieldError, match="is not a whole number"):
        parse_int(text, "wait_time")


def test_ids_are_positive_and_fit_the_column() -> None:
    assert parse_id(" 42 ", "ride_id") == 42
    with pytest.raises(FieldError, match=r"ride_id 0 is out of range \(1 to 2147483647\)"):
        parse_id("0", "ride_id")
    with pytest.raises(FieldError, match="out of range"):
        parse_id("2147483648", "ride_id")


def test_tiers() -> None:
    assert [parse_tier(v) for v in ("1", "2", "3", "", " ")] == [1, 2, 3, None, None]
    with pytest.raises(FieldError, match=r"tier '4' is not one of 1, 2, 3"):
        parse_tier("4")


def test_time_zones_are_iana_names() -> None:
    assert parse_timezone("Asia/Kolkata") == "Asia/Kolkata"
    for bad in ("Mars/Olympus_Mons", "EST5", "europe/paris", "", "../../etc/passwd"):
        with pytest.raises(FieldError, match="is not an IANA time zone"):
            parse_timezone(bad)


def test_coordinates() -> None:
    assert parse_optional_float("", "latitude", 90) is None
    assert parse_optional_float("-33.8688", "latitude", 90) == -33.8688
    for bad in ("nan", "inf", "1_0", "12,5", "abc"):
        with pytest.raises(FieldError, match="is not a number"):
            parse_optional_float(bad, "latitude", 90)
    with pytest.raises(FieldError, match=r"latitude 91.0 is out of range \(-90 to 90\)"):
        parse_optional_float("91", "latitude", 90)


def test_dates() -> None:
    assert parse_date("2025-12-04", "local_date") == date(2025, 12, 4)
    for bad in ("20251204", "2025-W49-4", "2025-02-30", "04.12.2025"):
        with pytest.raises(FieldError, match="is not a date like 2025-12-04"):
            parse_date(bad, "local_date")


def test_written_values_read_back() -> None:
    assert [format_value(v) for v in (None, True, False, 3, 0.1, 28.417663)] == \
        ["", "true", "false", "3", "0.1", "28.417663"]
    assert format_value(datetime(2025, 12, 4, 23, 5)) == "2025-12-04T23:05:00Z"
    assert format_value(date(2025, 12, 4)) == "2025-12-04"
    value = 49.13417591234567
    assert parse_optional_float(format_value(value), "latitude", 90) == value


# --- one file ----------------------------------------------------------------------------------


def test_header_columns_may_come_in_any_order(tmp_path: Path) -> None:
    path = write(tmp_path / "rides.csv", "\ufeffname,ride_id,category,park_id,tier\n"
                                         "Nitro,301,ATTRACTION,3,1\n\n")
    problems = Problems(RIDES)
    assert list(read_rows(path, problems)) == [(2, ["301", "3", "Nitro", "1", "ATTRACTION"])]
    assert problems.report() == []


def test_header_problems_name_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "rides.csv", "ride_id,park,name,tier,tier,colour\n1,2,x,1,1,red\n")
    problems = Problems(RIDES)
    assert list(read_rows(path, problems)) == []
    assert problems.report() == [
        "rides.csv line 1: header has missing column(s) park_id, category; unexpected column(s) "
        "'park', 'colour'; repeated column(s) tier; expected ride_id,park_id,name,tier,category"
    ]
    assert not problems.complete


def test_an_empty_file_is_a_problem_but_a_header_alone_is_not(tmp_path: Path) -> None:
    problems = Problems(SNAPSHOTS)
    assert list(read_rows(write(tmp_path / "a.csv", ""), problems)) == []
    assert problems.report() == [
        "snapshots.csv: the file is empty; the first line must be the header "
        "recorded_at,ride_id,status,wait_time"
    ]
    problems = Problems(SNAPSHOTS)
    assert list(read_rows(write(tmp_path / "b.csv", "recorded_at,ride_id,status,wait_time\n"),
                          problems)) == []
    assert problems.report() == []


def test_a_row_with_the_wrong_number_of_values(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "recorded_at,ride_id,status,wait_time\n"
                                     "2025-12-04T23:05:00Z,1,OPERATING\n"
                                     "2025-12-04T23:05:00Z,2,OPERATING,5,\n")
    problems = Problems(SNAPSHOTS)
    assert list(read_rows(path, problems)) == []
    assert problems.report() == [
        "snapshots.csv line 2: 3 values where the header has 4 columns",
        "snapshots.csv line 3: 5 values where the header has 4 columns",
    ]


def test_bytes_that_are_not_utf8_are_found_by_line(tmp_path: Path) -> None:
    rows = "".join(f"{n},Ride {n},1,2,ATTRACTION\n" for n in range(1, 3000))
    path = write(tmp_path / "r.csv", b"name,ride_id,park_id,tier,category\n"
                 + rows.encode() + b"Man\xe8ge,3000,1,2,ATTRACTION\n")
    problems = Problems(RIDES)
    assert len(list(read_rows(path, problems))) > 0
    assert problems.report() == [
        "rides.csv line 3001: not UTF-8 (byte 0xe8 at character 4); save the file as UTF-8"
    ]
    assert not problems.complete


def test_reading_stops_after_enough_problems(tmp_path: Path) -> None:
    rows = "".join(f"2025-12-04T23:05:00Z,{n},BROKEN,\n" for n in range(1, 40))
    path = write(tmp_path / "s.csv", "recorded_at,ride_id,status,wait_time\n" + rows)
    problems = Problems(SNAPSHOTS)
    with SnapshotStage(tmp_path / "stage.sqlite3") as stage:
        stage_snapshots(path, {n: (1, True) for n in range(1, 40)}, stage, problems)
    report = problems.report()
    assert len(report) == MAX_PROBLEMS_PER_FILE + 1
    assert report[0].startswith("snapshots.csv line 2: status 'BROKEN' is not one of")
    assert report[-1] == "snapshots.csv: stopped reading after 20 problems"


def test_parks(tmp_path: Path) -> None:
    path = write(tmp_path / "parks.csv", PARKS_HEADER + "\n"
                 "1,One,Europe/Paris,,FR,false,false,false,10,48.8,2.35\n"
                 "2,Two,Europe/Pariss,,FR,maybe,false,false,11,,\n"
                 "1,One again,Europe/Paris,,FR,false,false,false,,,\n"
                 "3,Three,UTC,,,0,0,1,10,,\n"
                 "4,Four,UTC,,,0,0,1,77,,\n"
                 f"5,{'x' * 201},UTC,,,0,0,1,,,\n")
    stored = StoredCatalogue(frozenset({9}), {77: 9}, {})
    problems = Problems(PARKS)
    records, declared = read_parks(path, stored, problems)
    assert [p.park_id for p in records] == [1]
    assert records[0].latitude == 48.8 and records[0].queue_times_id == 10
    assert declared == {1, 2, 3, 4, 5}
    assert problems.report() == [
        "parks.csv line 3: timezone 'Europe/Pariss' is not an IANA time zone like Europe/Paris",
        "parks.csv line 3: is_disney 'maybe' is not true, false, 1 or 0",
        "parks.csv line 4: park_id 1 appears again (first on line 2)",
        "parks.csv line 5: queue_times_id 10 is also park 1's (line 2)",
        "parks.csv line 6: queue_times_id 77 already belongs to park 9 in the database",
        "parks.csv line 7: name is longer than 200 characters",
    ]


def test_rides(tmp_path: Path) -> None:
    path = write(tmp_path / "rides.csv", "ride_id,park_id,name,tier,category\n"
                 "1,1,A,1,ATTRACTION\n"
                 "2,5,B,,SHOW\n"
                 "3,1,,2,ride\n"
                 "1,1,A,1,ATTRACTION\n")
    problems = Problems(RIDES)
    records, declared = read_rides(path, {1}, problems)
    assert [(r.ride_id, r.tier, r.category) for r in records] == [(1, 1, "ATTRACTION")]
    assert declared == {1, 2, 3}
    assert problems.report() == [
        "rides.csv line 3: park_id 5 is not in parks.csv or the database",
        "rides.csv line 4: name is empty",
        "rides.csv line 4: category 'ride' is not one of ATTRACTION, SHOW, RESTAURANT, "
        "MEET_AND_GREET, SINGLE_RIDER, OTHER",
        "rides.csv line 5: ride_id 1 appears again (first on line 2)",
    ]


def test_schedules(tmp_path: Path) -> None:
    path = write(tmp_path / "schedules.csv",
                 "park_id,local_date,opening_time_utc,closing_time_utc,schedule_type\n"
                 "1,2025-12-04,2025-12-04T15:00:00Z,2025-12-05T03:00:00Z,OPERATING\n"
                 "1,2025-12-04,2025-12-04T10:00:00-05:00,2025-12-05T03:00:00Z,OPERATING\n"
                 "1,2025-12-05,2025-12-05T15:00:00Z,2025-12-05T15:00:00Z,OPERATING\n"
                 "2,2025-12-05,2025-12-05T15:00:00Z,2025-12-05T16:00:00Z,OPERATING\n"
                 "1,2025-12-06,2025-12-06T15:00:00Z,2025-12-06T16:00:00Z,\n")
    problems = Problems(SCHEDULES)
    records = read_schedules(path, {1}, problems)
    assert len(records) == 1
    assert problems.report() == [
        "schedules.csv line 3: the OPERATING window of park 1 opening 2025-12-04T15:00:00Z "
        "appears again (first on line 2)",
        "schedules.csv line 4: closing_time_utc 2025-12-05T15:00:00Z is not after "
        "opening_time_utc 2025-12-05T15:00:00Z",
        "schedules.csv line 5: park_id 2 is not in parks.csv or the database",
        "schedules.csv line 6: schedule_type is empty",
    ]


# --- snapshots, staged ---------------------------------------------------------------------------

SNAPSHOT_HEADER = "recorded_at,ride_id,status,wait_time\n"
RIDES_OF = {11: (1, True), 12: (1, True), 13: (1, False), 21: (2, True)}


def test_snapshots_in_any_order_come_back_as_cycles_in_park_and_time_order(
    tmp_path: Path, stage: SnapshotStage
) -> None:
    path = write(tmp_path / "s.csv", SNAPSHOT_HEADER +
                 "2025-12-04T10:05:00Z,21,CLOSED,\n"
                 "2025-12-04T10:05:00Z,12,OPERATING,15\n"
                 "2025-12-04T10:00:00Z,12,DOWN,\n"
                 "2025-12-04T05:05:00-05:00,11,OPERATING,0\n"
                 "2025-12-04T10:00:00Z,11,OPERATING,30\n"
                 "2025-12-04T10:00:00Z,21,OPERATING,\n")
    problems = Problems(SNAPSHOTS)
    down_parks = stage_snapshots(path, RIDES_OF, stage, problems)
    assert problems.report() == []
    assert down_parks == {1} and stage.rows == 6
    cycles = [c for chunk in stage.chunks(1) for c in chunk]
    assert [(c.park_id, c.recorded_at.minute) for c in cycles] == [(1, 0), (1, 5), (2, 0), (2, 5)]
    assert cycles[0].rides == (RideObservation(11, "OPERATING", 30), RideObservation(12, "DOWN"))
    assert cycles[1].rides == (RideObservation(11, "OPERATING", 0),
                               RideObservation(12, "OPERATING", 15))
    assert [len(chunk) for chunk in stage.chunks(3)] == [2, 2]  # whole cycles only


def test_snapshot_problems(tmp_path: Path, stage: SnapshotStage) -> None:
    path = write(tmp_path / "s.csv", SNAPSHOT_HEADER +
                 "2025-12-04T10:00:00Z,11,OPERATING,5\n"
                 "2025-12-04T10:00:00Z,99,OPERATING,5\n"
                 "2025-12-04T10:00:00Z,12,Operating,\n"
                 "2025-12-04T10:00:00Z,12,OPERATING,-5\n"
                 "2025-12-04T10:00:00Z,12,OPERATING,40000\n"
                 "2025-12-04T10:00:00Z,12,OPERATING,4.5\n"
                 "2025-12-04 10:00,11,CLOSED,\n"
                 "2025-12-04T10:00:00Z,x,DOWN,\n"
                 "2025-12-04T10:00,13,DOWN,\n")
    problems = Problems(SNAPSHOTS)
    down_parks = stage_snapshots(path, RIDES_OF, stage, problems)
    assert problems.report() == [
        "snapshots.csv line 3: ride_id 99 is not in rides.csv or the database",
        "snapshots.csv line 4: status 'Operating' is not one of OPERATING, DOWN, CLOSED, "
        "REFURBISHMENT, UNKNOWN",
        "snapshots.csv line 5: wait_time -5 is out of range (0 to 32767)",
        "snapshots.csv line 6: wait_time 40000 is out of range (0 to 32767)",
        "snapshots.csv line 7: wait_time '4.5' is not a whole number",
        "snapshots.csv line 8: ride_id 11 at 2025-12-04T10:00:00Z appears again "
        "(first on line 2)",
        "snapshots.csv line 9: ride_id 'x' is not a whole number",
    ]
    assert down_parks == set()  # ride 13's DOWN: not an attraction


# --- a folder ----------------------------------------------------------------------------------


def test_an_empty_folder_is_a_problem(tmp_path: Path, stage: SnapshotStage) -> None:
    (tmp_path / "in").mkdir()
    with pytest.raises(CsvError, match="none of parks.csv, rides.csv, schedules.csv, "
                                       "snapshots.csv is in the folder"):
        read_folder(tmp_path / "in", EMPTY, stage)


def test_an_unreadable_file_does_not_make_every_reference_to_it_a_problem(
    tmp_path: Path, stage: SnapshotStage
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "parks.csv", "park_id,name\n1,One\n")
    write(folder / "rides.csv", "ride_id,park_id,name,tier,category\n11,1,A,1,ATTRACTION\n")
    write(folder / "snapshots.csv", SNAPSHOT_HEADER + "2025-12-04T10:00:00Z,11,OPERATING,\n"
                                                      "2025-12-04T10:00:00Z,12,OPERATING,\n")
    with pytest.raises(CsvError) as caught:
        read_folder(folder, EMPTY, stage)
    assert caught.value.problems == [
        f"parks.csv line 1: header has missing column(s) timezone, operator, country, "
        f"is_disney, is_universal, reports_down, queue_times_id, latitude, longitude; "
        f"expected {PARKS_HEADER}",
        "snapshots.csv line 3: ride_id 12 is not in rides.csv or the database",
    ]
