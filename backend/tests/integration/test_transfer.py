"""``import`` / ``export`` (SPEC §8) on a real database, SQLite and MariaDB alike: the round trip
gives the same files and tables, importing twice changes nothing, and a bad folder is rejected
whole, named by file and line, with the database left exactly as it was."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, Table, select

from tests.conftest import create_throwaway_mariadb, drop_throwaway_mariadb
from tests.factories import cycle, ingest, make_park, series
from themepark_tracker.cli import main
from themepark_tracker.db import tables as t
from themepark_tracker.db.engine import make_engine
from themepark_tracker.ingest.catalog import upsert_parks, upsert_rides
from themepark_tracker.ingest.models import ParkRecord, RideRecord, ScheduleRecord
from themepark_tracker.transfer import CsvError, export_dir, import_dir, importer
from themepark_tracker.transfer.csvformat import (
    FILE_ORDER,
    HEADERS,
    PARKS,
    RIDES,
    SCHEDULES,
    SNAPSHOTS,
)

FIXTURE = Path(__file__).parents[1] / "fixtures" / "csv" / "small"
ROUND_TRIP_TABLES = (t.parks, t.rides, t.park_schedules, t.ride_status_snapshots,
                     t.park_activity_snapshots, t.data_quality_issues)
SURROGATES = {"id", "created_at", "updated_at"}
DAY = datetime(2025, 7, 1)


# --- comparing databases -----------------------------------------------------------------------


def _order(row: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    return tuple((v is None, "" if v is None else v) for v in row)


def table_rows(engine: Engine, table: Table, skip: set[str] = SURROGATES
               ) -> list[tuple[Any, ...]]:
    columns = [c for c in table.c if c.name not in skip]
    with engine.connect() as conn:
        return sorted((tuple(r) for r in conn.execute(select(*columns))), key=_order)


def everything(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, every column (ids and timestamps included)."""
    return {table.name: table_rows(engine, table, skip=set())
            for table in t.metadata.sorted_tables}


@pytest.fixture
def other_engines(engine: Engine, tmp_path: Path) -> Iterator[list[tuple[str, Engine]]]:
    """Empty second databases to import into: a SQLite file, and on MariaDB runs a second
    throwaway MariaDB database too."""
    made = []
    sqlite = make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    t.metadata.create_all(sqlite)
    made.append(("sqlite", sqlite))
    url = None
    if engine.dialect.name != "sqlite":
        url = create_throwaway_mariadb("tpt_transfer")
        mariadb = make_engine(url)
        t.metadata.create_all(mariadb)
        made.append(("mariadb", mariadb))
    try:
        yield made
    finally:
        for _, other in made:
            other.dispose()
        if url is not None:
            drop_throwaway_mariadb(url)


# --- data built through the ingest path --------------------------------------------------------


def build_source(engine: Engine) -> None:
    """Three parks in three time zones: New York reports DOWN and has a schedule (and a show
    whose readings ingest drops); Paris and Kolkata only know open/closed and have none.
    Cycles cross both Paris and Kolkata local midnight and New York's closing, and are ingested
    out of order so late-data re-derivation is part of what the import must reproduce."""
    ny = make_park(engine, 1, tiers=(1, 2, 3, None), timezone="America/New_York",
                   reports_down=True, extra_rides=[("Festival Parade", "SHOW")],
                   schedules=[
                       ScheduleRecord(1, date(2025, 7, 1), DAY.replace(hour=13),
                                      DAY + timedelta(hours=25)),
                       ScheduleRecord(1, date(2025, 7, 1), DAY.replace(hour=12),
                                      DAY.replace(hour=13), "EXTRA_HOURS"),
                   ])
    paris = make_park(engine, 2, tiers=(1, 2, 2), timezone="Europe/Paris")
    kolkata = make_park(engine, 3, tiers=(2, 3, None), timezone="Asia/Kolkata")
    with engine.begin() as conn:
        upsert_parks(conn, [
            ParkRecord(1, 'Magic Kingdom, "Florida"', "America/New_York",
                       "Walt Disney Attractions", "US", is_disney=True, reports_down=True,
                       queue_times_id=6, latitude=28.417663, longitude=-81.581212),
            ParkRecord(2, "Parc Astérix", "Europe/Paris", "Compagnie des Alpes", "FR",
                       queue_times_id=9, latitude=49.13417591, longitude=2.5706234),
        ])
    rng = random.Random(20250701)
    cycles = []
    for park_id, ride_ids, codes in ((1, [*ny, 150], "OOOODCRU."), (2, paris, "OOOOCCRU."),
                                     (3, kolkata, "OOOOOCU.")):
        for n in range(61):
            statuses = "".join(rng.choice(codes) for _ in ride_ids)
            waits = [rng.choice([None, 5, 20, 45, 90]) for _ in ride_ids]
            cycles.append(cycle(park_id, DAY.replace(hour=17) + n * timedelta(minutes=10),
                                statuses, ride_ids, waits))
    rng.shuffle(cycles)
    for start in range(0, len(cycles), 40):
        ingest(engine, cycles[start:start + 40])


def test_round_trip_gives_the_same_files_and_tables(
    engine: Engine, other_engines: list[tuple[str, Engine]], tmp_path: Path
) -> None:
    build_source(engine)
    first = export_dir(engine, tmp_path / "first")
    assert first.rows[PARKS] == 3 and first.rows[RIDES] == 11 and first.rows[SCHEDULES] == 2
    snapshots = (tmp_path / "first" / SNAPSHOTS).read_text(encoding="utf-8")
    assert ",DOWN," in snapshots and ",OPERATING,90" in snapshots
    assert ",150," not in snapshots  # the show's readings were never stored
    with engine.connect() as conn:
        assert first.rows[SNAPSHOTS] == len(conn.execute(select(t.ride_status_snapshots)).all())

    for name, other in other_engines:
        summary = import_dir(other, tmp_path / "first")
        assert summary.snapshots == first.rows[SNAPSHOTS], name
        export_dir(other, tmp_path / f"second-{name}")
        for file in FILE_ORDER:
            assert (tmp_path / f"second-{name}" / file).read_bytes() == \
                (tmp_path / "first" / file).read_bytes(), (name, file)
        for table in ROUND_TRIP_TABLES:
            assert table_rows(other, table) == table_rows(engine, table), (name, table.name)


def test_importing_an_export_into_its_own_database_changes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    build_source(engine)
    before = everything(engine)
    export_dir(engine, tmp_path / "out")
    summary = import_dir(engine, tmp_path / "out")
    assert everything(engine) == before
    assert (summary.parks_written, summary.rides_written, summary.schedules_written) == (0, 0, 0)
    assert summary.ingest.ride_snapshots == 0
    assert summary.ingest.park_days == summary.ingest.park_days_unchanged > 0


def test_importing_the_same_folder_twice_changes_nothing(engine: Engine) -> None:
    first = import_dir(engine, FIXTURE)
    assert first.ingest.ride_snapshots == 108 and first.ingest.dropped_readings == 12
    before = everything(engine)
    second = import_dir(engine, FIXTURE)
    assert everything(engine) == before
    assert (second.parks_written, second.rides_written, second.schedules_written) == (0, 0, 0)
    assert second.ingest.ride_snapshots == 0
    assert "0 ride snapshots written" in second.describe()


def test_the_fixture_exports_back_to_itself(engine: Engine, tmp_path: Path) -> None:
    import_dir(engine, FIXTURE)
    export_dir(engine, tmp_path)
    for file in (PARKS, RIDES, SCHEDULES):
        assert (tmp_path / file).read_bytes() == (FIXTURE / file).read_bytes(), file
    show_readings = [line for line in (FIXTURE / SNAPSHOTS).read_text().splitlines(True)
                     if ",150," not in line]
    assert (tmp_path / SNAPSHOTS).read_text() == "".join(show_readings)


def test_import_keeps_the_columns_the_format_does_not_carry(engine: Engine) -> None:
    make_park(engine, 1, tiers=(1,))
    with engine.begin() as conn:
        upsert_parks(conn, [ParkRecord(1, "Old name", "America/New_York",
                                       themeparks_wiki_id="wiki-park-1")])
        upsert_rides(conn, [RideRecord(101, 1, "Old ride", 1, queue_times_id=4242,
                                       themeparks_wiki_id="wiki-ride-101")])
    import_dir(engine, FIXTURE)
    with engine.connect() as conn:
        park = conn.execute(select(t.parks).where(t.parks.c.park_id == 1)).one()
        ride = conn.execute(select(t.rides).where(t.rides.c.ride_id == 101)).one()
    assert (park.name, park.themeparks_wiki_id) == ('Magic Kingdom, "Florida"', "wiki-park-1")
    assert (ride.name, ride.queue_times_id, ride.themeparks_wiki_id) == \
        ("Space Mountain", 4242, "wiki-ride-101")


def test_a_park_sending_down_is_down_reporting_for_the_whole_file(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # parks.csv says the park does not report DOWN, but its snapshots do, on the second day.
    folder = good_folder(tmp_path)
    write_rows(folder / SNAPSHOTS, HEADERS[SNAPSHOTS], [
        *snapshot_rows(DAY.replace(hour=10), ["OOO", "OOC"], [701, 702, 703]),
        *snapshot_rows(DAY.replace(hour=10) + timedelta(days=1), ["OOD"], [701, 702, 703]),
    ])
    monkeypatch.setattr(importer, "CHUNK_ROWS", 1)  # one cycle per ingest call
    import_dir(engine, folder)
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        assert conn.scalar(select(t.parks.c.reports_down).where(t.parks.c.park_id == 7))
        downs = conn.execute(select(pas.c.rides_down).where(pas.c.park_id == 7)
                             .order_by(pas.c.recorded_at)).scalars().all()
    # Day one's CLOSED after operating would count at a park that cannot report DOWN.
    assert downs == [0, 0, 1]


def test_a_database_failure_midway_writes_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(engine)
    before = everything(engine)
    calls = []
    real = importer.ingest_cycles

    def failing(conn: Any, cycles: Any) -> Any:
        calls.append(len(cycles))
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return real(conn, cycles)

    monkeypatch.setattr(importer, "CHUNK_ROWS", 5)
    monkeypatch.setattr(importer, "ingest_cycles", failing)
    with pytest.raises(RuntimeError, match="disk is full"):
        import_dir(engine, good_folder(tmp_path))
    assert everything(engine) == before


# --- bad folders -------------------------------------------------------------------------------


def seed(engine: Engine) -> None:
    """What the database holds before a (bad) import: one park, its rides and a few cycles."""
    ids = make_park(engine, 1, tiers=(1, 2, 3), timezone="Europe/London")
    ingest(engine, series(1, DAY.replace(hour=9), ["OOO", "ODO", "OOC"], ids))


def snapshot_rows(start: datetime, statuses: list[str], ride_ids: list[int]
                  ) -> list[list[str]]:
    names = {"O": "OPERATING", "D": "DOWN", "C": "CLOSED"}
    return [
        [f"{start + n * timedelta(minutes=5):%Y-%m-%dT%H:%M:%S}Z", str(ride_id), names[code],
         str(10 + n % 7 * 5) if code == "O" else ""]
        for n, row in enumerate(statuses) for code, ride_id in zip(row, ride_ids, strict=True)
    ]


def write_rows(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def good_folder(root: Path) -> Path:
    """A valid folder of data the seeded database does not hold yet: parks 7 and 8."""
    folder = root / "in"
    folder.mkdir(exist_ok=True)
    write_rows(folder / PARKS, HEADERS[PARKS], [
        ["7", "Seven Park", "Europe/Paris", "", "FR", "false", "false", "false", "", "", ""],
        ["8", "Eight Park", "America/Los_Angeles", "Eight Inc.", "US", "0", "1", "1", "88",
         "34.1381", "-118.3534"],
    ])
    write_rows(folder / RIDES, HEADERS[RIDES], [
        ["701", "7", "Seven One", "1", "ATTRACTION"],
        ["702", "7", "Seven Two", "2", "ATTRACTION"],
        ["703", "7", "Seven Three", "", "ATTRACTION"],
        ["801", "8", "Eight One", "3", "ATTRACTION"],
        ["802", "8", "Eight Two", "2", "ATTRACTION"],
    ])
    write_rows(folder / SCHEDULES, HEADERS[SCHEDULES], [
        ["8", "2025-07-01", "2025-07-01T16:00:00Z", "2025-07-02T04:00:00Z", "OPERATING"],
    ])
    write_rows(folder / SNAPSHOTS, HEADERS[SNAPSHOTS], [
        *snapshot_rows(DAY.replace(hour=8), ["OOO", "OOC", "OOO", "OCO", "OOO"], [701, 702, 703]),
        *snapshot_rows(DAY.replace(hour=17), ["OO", "DO", "OO", "OD"], [801, 802]),
    ])
    return folder


def set_value(path: Path, line: int, column: str, value: str) -> None:
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    rows[line - 1][rows[0].index(column)] = value
    write_rows(path, tuple(rows[0]), rows[1:])


def bad_status(folder: Path) -> str:
    set_value(folder / SNAPSHOTS, 11, "status", "BROKEN")
    return ("snapshots.csv line 11: status 'BROKEN' is not one of OPERATING, DOWN, CLOSED, "
            "REFURBISHMENT, UNKNOWN")


def unknown_ride(folder: Path) -> str:
    set_value(folder / SNAPSHOTS, 5, "ride_id", "999")
    return "snapshots.csv line 5: ride_id 999 is not in rides.csv or the database"


def bad_time(folder: Path) -> str:
    set_value(folder / SNAPSHOTS, 9, "recorded_at", "2025-07-01T25:00:00Z")
    return ("snapshots.csv line 9: recorded_at '2025-07-01T25:00:00Z' is not an ISO-8601 time "
            "like 2025-12-04T23:05:00Z")


def bad_tier(folder: Path) -> str:
    set_value(folder / RIDES, 3, "tier", "4")
    return "rides.csv line 3: tier '4' is not one of 1, 2, 3 (or empty: unclassified)"


def missing_column(folder: Path) -> str:
    rows = list(csv.reader((folder / RIDES).open(encoding="utf-8", newline="")))
    write_rows(folder / RIDES, tuple(rows[0][:-1]), [r[:-1] for r in rows[1:]])
    return ("rides.csv line 1: header has missing column(s) category; expected "
            "ride_id,park_id,name,tier,category")


def not_utf8(folder: Path) -> str:
    path = folder / PARKS
    path.write_bytes(path.read_bytes().replace(b"Eight Park", b"Eight Parc \xe9t\xe9"))
    return "parks.csv line 3: not UTF-8 (byte 0xe9 at character 14); save the file as UTF-8"


def duplicate_key(folder: Path) -> str:
    lines = (folder / SNAPSHOTS).read_text(encoding="utf-8").splitlines(True)
    lines.insert(9, lines[3])  # becomes line 10, a copy of line 4
    (folder / SNAPSHOTS).write_text("".join(lines), encoding="utf-8")
    return ("snapshots.csv line 10: ride_id 703 at 2025-07-01T08:00:00Z appears again "
            "(first on line 4)")


def closing_before_opening(folder: Path) -> str:
    set_value(folder / SCHEDULES, 2, "closing_time_utc", "2025-07-01T15:00:00Z")
    return ("schedules.csv line 2: closing_time_utc 2025-07-01T15:00:00Z is not after "
            "opening_time_utc 2025-07-01T16:00:00Z")


BAD_FOLDERS: list[Callable[[Path], str]] = [
    bad_status, unknown_ride, bad_time, bad_tier, missing_column, not_utf8, duplicate_key,
    closing_before_opening,
]


def test_the_good_folder_imports(engine: Engine, tmp_path: Path) -> None:
    seed(engine)
    summary = import_dir(engine, good_folder(tmp_path))
    assert (summary.parks_written, summary.rides_written, summary.snapshots) == (2, 5, 23)
    assert summary.ingest.ride_snapshots == 23


@pytest.mark.parametrize("spoil", BAD_FOLDERS, ids=lambda f: f.__name__)
def test_a_bad_file_is_rejected_whole_and_nothing_is_written(
    engine: Engine, tmp_path: Path, spoil: Callable[[Path], str]
) -> None:
    seed(engine)
    before = everything(engine)
    folder = good_folder(tmp_path)
    expected = spoil(folder)
    with pytest.raises(CsvError) as caught:
        import_dir(engine, folder)
    assert caught.value.problems == [expected]
    assert str(caught.value) == f"nothing was imported from {folder}; fix these problems " \
                                f"first:\n  {expected}"
    assert everything(engine) == before


def test_one_bad_line_at_the_end_of_1000_snapshots_writes_none_of_them(
    engine: Engine, tmp_path: Path
) -> None:
    seed(engine)
    before = everything(engine)
    folder = good_folder(tmp_path)
    rows = snapshot_rows(DAY, ["OOO", "OCO", "DOO", "OOC"] * 84, [701, 702, 703])[:1000]
    rows[-1][2] = "BROKEN"
    write_rows(folder / SNAPSHOTS, HEADERS[SNAPSHOTS], rows)
    with pytest.raises(CsvError) as caught:
        import_dir(engine, folder)
    assert caught.value.problems == [
        "snapshots.csv line 1001: status 'BROKEN' is not one of OPERATING, DOWN, CLOSED, "
        "REFURBISHMENT, UNKNOWN"
    ]
    assert everything(engine) == before


def test_a_bad_rides_file_keeps_a_good_parks_file_out_too(engine: Engine, tmp_path: Path
                                                          ) -> None:
    seed(engine)
    before = everything(engine)
    folder = good_folder(tmp_path)
    (folder / SCHEDULES).unlink()
    (folder / SNAPSHOTS).unlink()
    set_value(folder / RIDES, 4, "category", "ROLLERCOASTER")
    with pytest.raises(CsvError) as caught:
        import_dir(engine, folder)
    assert caught.value.problems == [
        "rides.csv line 4: category 'ROLLERCOASTER' is not one of ATTRACTION, SHOW, RESTAURANT, "
        "MEET_AND_GREET, SINGLE_RIDER, OTHER"
    ]
    assert everything(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(t.parks.c.park_id)).scalars().all() == [1]


def test_problems_of_several_files_are_reported_together(engine: Engine, tmp_path: Path
                                                         ) -> None:
    folder = good_folder(tmp_path)
    expected = [bad_tier(folder), unknown_ride(folder), bad_status(folder)]
    with pytest.raises(CsvError) as caught:
        import_dir(engine, folder)
    assert caught.value.problems == expected
    assert everything(engine) == {table.name: [] for table in t.metadata.sorted_tables}


# --- the command line --------------------------------------------------------------------------


def test_cli_import_of_a_bad_folder_exits_1_with_the_message(tmp_path: Path) -> None:
    folder = good_folder(tmp_path)
    expected = bad_status(folder)
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    result = CliRunner().invoke(main, ["import", str(folder)], env=env)
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_cli_import_and_export(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    imported = CliRunner().invoke(main, ["import", str(FIXTURE)], env=env)
    assert imported.exit_code == 0, imported.output
    assert "3 parks (3 new or changed)" in imported.stdout
    exported = CliRunner().invoke(main, ["export", str(tmp_path / "out")], env=env)
    assert exported.exit_code == 0, exported.output
    assert "Exported 3 parks, 10 rides, 2 schedules, 108 snapshots" in exported.stdout
    assert (tmp_path / "out" / PARKS).read_bytes() == (FIXTURE / PARKS).read_bytes()
