"""Reading and checking a folder of SPEC §8 files, before anything is written.

Each file is read whole; every problem is recorded (up to ``MAX_PROBLEMS_PER_FILE`` a file)
rather than stopping at the first, and references are checked against the database and the
other files of the folder: a ride's park must be in parks.csv or the database, a snapshot's
ride in rides.csv or the database. Only when every file has passed does the import write.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, select

from themepark_tracker import metrics
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.models import ParkRecord, RideRecord, ScheduleRecord
from themepark_tracker.transfer.csvformat import (
    FILE_ORDER,
    HEADERS,
    INT_MAX,
    PARKS,
    RIDES,
    SCHEDULES,
    SMALLINT_MAX,
    SNAPSHOTS,
    CsvError,
    FieldError,
    Problems,
    epoch_seconds,
    format_instant,
    from_epoch_seconds,
    latest_snapshot_instant,
    parse_bool,
    parse_choice,
    parse_csv_instant,
    parse_date,
    parse_id,
    parse_int,
    parse_name,
    parse_optional_float,
    parse_optional_id,
    parse_optional_text,
    parse_snapshot_instant,
    parse_text,
    parse_tier,
    parse_timezone,
    read_rows,
)
from themepark_tracker.transfer.staging import STATUS_CODES, SnapshotStage, StagedRow

Parser = Callable[[str, str], Any]

STAGE_BATCH_ROWS = 10_000


@dataclass(frozen=True)
class StoredCatalogue:
    """What the database already holds, for checking references."""

    park_ids: frozenset[int]
    park_of_queue_times_id: Mapping[int, int]
    rides: Mapping[int, tuple[int, str]]  # ride_id -> (park_id, category)

    @classmethod
    def load(cls, conn: Connection) -> StoredCatalogue:
        parks = conn.execute(select(t.parks.c.park_id, t.parks.c.queue_times_id)).all()
        rides = conn.execute(select(t.rides.c.ride_id, t.rides.c.park_id, t.rides.c.category))
        return cls(
            park_ids=frozenset(p.park_id for p in parks),
            park_of_queue_times_id={p.queue_times_id: p.park_id for p in parks
                                    if p.queue_times_id is not None},
            rides={r.ride_id: (r.park_id, r.category) for r in rides},
        )


@dataclass
class Folder:
    """Everything read from a folder that passed: records to upsert, snapshots staged."""

    files: tuple[str, ...]
    parks: list[ParkRecord]
    rides: list[RideRecord]
    schedules: list[ScheduleRecord]
    snapshot_rows: int
    down_parks: set[int]  # parks with a DOWN reading of an attraction in snapshots.csv


def read_folder(directory: Path, stored: StoredCatalogue, stage: SnapshotStage) -> Folder:
    """Read and check every SPEC §8 file in ``directory``; raise ``CsvError`` listing every
    problem of every file, or return what to write (snapshots go into ``stage``)."""
    files = tuple(name for name in FILE_ORDER if (directory / name).is_file())
    if not files:
        raise CsvError(directory, [f"none of {', '.join(FILE_ORDER)} is in the folder"])
    found = {name: Problems(name) for name in files}

    # What a file declares counts for the references of the next ones; if a file could not be
    # read to its end, references into it are not checked (None): its own problem is enough.
    parks: list[ParkRecord] = []
    park_ids: set[int] | None = set(stored.park_ids)
    if PARKS in files:
        parks, declared = read_parks(directory / PARKS, stored, found[PARKS])
        park_ids = set(stored.park_ids) | declared if found[PARKS].complete else None

    rides: list[RideRecord] = []
    known_rides = {ride_id: (park_id, category == metrics.ATTRACTION)
                   for ride_id, (park_id, category) in stored.rides.items()}
    ride_info: dict[int, tuple[int, bool]] | None = known_rides
    if RIDES in files:
        rides, declared = read_rides(directory / RIDES, park_ids, found[RIDES])
        # A ride whose row is bad is still known: its snapshots are not "unknown ride" too.
        known_rides.update((ride_id, (0, False)) for ride_id in declared)
        known_rides.update((r.ride_id, (r.park_id, r.category == metrics.ATTRACTION))
                           for r in rides)
        ride_info = known_rides if found[RIDES].complete else None

    schedules: list[ScheduleRecord] = []
    if SCHEDULES in files:
        schedules = read_schedules(directory / SCHEDULES, park_ids, found[SCHEDULES])

    down_parks: set[int] = set()
    if SNAPSHOTS in files:
        down_parks = stage_snapshots(directory / SNAPSHOTS, ride_info, stage, found[SNAPSHOTS])

    messages = [m for name in files for m in found[name].report()]
    if messages:
        raise CsvError(directory, messages)
    return Folder(files, parks, rides, schedules, stage.rows, down_parks)


# --- one row -----------------------------------------------------------------------------------


def _parse(values: list[str], file: str, parsers: tuple[Parser, ...], problems: Problems,
           line: int) -> tuple[dict[str, Any], bool]:
    """Parse each value of a row; return the good values by column and whether all were."""
    parsed: dict[str, Any] = {}
    ok = True
    for column, parse, value in zip(HEADERS[file], parsers, values, strict=True):
        try:
            parsed[column] = parse(value, column)
        except FieldError as exc:
            problems.add(line, str(exc))
            ok = False
    return parsed, ok


def _text(column: Column[Any], required: bool = True) -> Parser:
    """Text no longer than the database column holds."""
    length = column.type.length  # type: ignore[attr-defined]
    if required:
        return lambda value, name: parse_text(value, name, length)
    return lambda value, name: parse_optional_text(value, name, length)


def _name(column: Column[Any]) -> Parser:
    """A park or ride name, stored as its display name (``names.clean_name``)."""
    length = column.type.length  # type: ignore[attr-defined]
    return lambda value, name: parse_name(value, name, length)


def _coordinate(limit: float) -> Parser:
    return lambda value, name: parse_optional_float(value, name, limit)


def _status(value: str, column: str) -> str:
    return parse_choice(value, column, metrics.STATUSES)


_PARK_PARSERS: tuple[Parser, ...] = (
    parse_id, _name(t.parks.c.name), parse_timezone, _text(t.parks.c.operator, False),
    _text(t.parks.c.country, False), parse_bool, parse_bool, parse_bool, parse_optional_id,
    _coordinate(90), _coordinate(180),
)
_RIDE_PARSERS: tuple[Parser, ...] = (
    parse_id, parse_id, _name(t.rides.c.name), parse_tier,
    lambda value, name: parse_choice(value, name, metrics.RIDE_CATEGORIES),
)
_SCHEDULE_PARSERS: tuple[Parser, ...] = (
    parse_id, parse_date, parse_csv_instant, parse_csv_instant,
    _text(t.park_schedules.c.schedule_type),
)


# --- the files ---------------------------------------------------------------------------------


def read_parks(path: Path, stored: StoredCatalogue, problems: Problems
               ) -> tuple[list[ParkRecord], set[int]]:
    """The good park rows, and every park_id the file declares (bad rows included)."""
    records: list[ParkRecord] = []
    first_line: dict[int, int] = {}
    queue_times: dict[int, tuple[int, int]] = {}  # queue_times_id -> (park_id, line)
    for line, values in read_rows(path, problems):
        parsed, ok = _parse(values, PARKS, _PARK_PARSERS, problems, line)
        park_id = parsed.get("park_id")
        if park_id is None:
            continue
        if park_id in first_line:
            problems.add(line, f"park_id {park_id} appears again (first on line "
                               f"{first_line[park_id]})")
            continue
        first_line[park_id] = line
        qt_id = parsed.get("queue_times_id")
        if qt_id is not None:
            owner = stored.park_of_queue_times_id.get(qt_id)
            if qt_id in queue_times:
                other, other_line = queue_times[qt_id]
                problems.add(line, f"queue_times_id {qt_id} is also park {other}'s "
                                   f"(line {other_line})")
                ok = False
            elif owner is not None and owner != park_id:
                problems.add(line, f"queue_times_id {qt_id} already belongs to park {owner} "
                                   f"in the database")
                ok = False
            queue_times.setdefault(qt_id, (park_id, line))
        if ok:
            records.append(ParkRecord(**parsed))
    return records, set(first_line)


def read_rides(path: Path, park_ids: Collection[int] | None, problems: Problems
               ) -> tuple[list[RideRecord], set[int]]:
    """The good ride rows, and every ride_id the file declares (bad rows included).
    ``park_ids``: the parks a ride may belong to (None: unknown, not checked)."""
    records: list[RideRecord] = []
    first_line: dict[int, int] = {}
    for line, values in read_rows(path, problems):
        parsed, ok = _parse(values, RIDES, _RIDE_PARSERS, problems, line)
        ride_id = parsed.get("ride_id")
        if ride_id is not None:
            if ride_id in first_line:
                problems.add(line, f"ride_id {ride_id} appears again (first on line "
                                   f"{first_line[ride_id]})")
                continue
            first_line[ride_id] = line
        park_id = parsed.get("park_id")
        if park_id is not None and park_ids is not None and park_id not in park_ids:
            problems.add(line, f"park_id {park_id} is not in parks.csv or the database")
            ok = False
        if ok:
            records.append(RideRecord(**parsed))
    return records, set(first_line)


def read_schedules(path: Path, park_ids: Collection[int] | None, problems: Problems
                   ) -> list[ScheduleRecord]:
    records: list[ScheduleRecord] = []
    first_line: dict[tuple[int, date, datetime, str], int] = {}
    for line, values in read_rows(path, problems):
        parsed, ok = _parse(values, SCHEDULES, _SCHEDULE_PARSERS, problems, line)
        if not ok:
            continue
        record = ScheduleRecord(**parsed)
        if park_ids is not None and record.park_id not in park_ids:
            problems.add(line, f"park_id {record.park_id} is not in parks.csv or the database")
            continue
        if record.closing_time_utc <= record.opening_time_utc:
            problems.add(line, f"closing_time_utc {format_instant(record.closing_time_utc)} is "
                               f"not after opening_time_utc "
                               f"{format_instant(record.opening_time_utc)}")
            continue
        key = (record.park_id, record.local_date, record.opening_time_utc, record.schedule_type)
        if key in first_line:
            problems.add(line, f"the {record.schedule_type} window of park {record.park_id} "
                               f"opening {format_instant(record.opening_time_utc)} appears again "
                               f"(first on line {first_line[key]})")
            continue
        first_line[key] = line
        records.append(record)
    return records


def stage_snapshots(path: Path, rides: Mapping[int, tuple[int, bool]] | None,
                    stage: SnapshotStage, problems: Problems) -> set[int]:
    """Check every row of snapshots.csv and stage the good ones; ``rides`` maps a ride_id to
    (park_id, is an attraction), or is None when unknown (references are then not checked).
    Returns the parks with a DOWN reading of an attraction."""
    down = STATUS_CODES[metrics.DOWN]
    down_parks: set[int] = set()
    rows = _SnapshotRows(rides, problems, latest_snapshot_instant())
    batch: list[StagedRow] = []

    def flush() -> None:
        for line, first, ride_id, at in stage.add(batch):
            if not problems.stopped:
                problems.add(line, f"ride_id {ride_id} at {format_instant(from_epoch_seconds(at))}"
                                   f" appears again (first on line {first})")
        batch.clear()

    for line, values in read_rows(path, problems):
        parsed = rows.parse(line, values)
        if parsed is None:
            continue
        row, attraction = parsed
        if row[4] == down and attraction:
            down_parks.add(row[0])
        batch.append(row)
        if len(batch) >= STAGE_BATCH_ROWS:
            flush()
    flush()
    return down_parks


#: A ride_id of at most this many digits (and no leading zero) is between 1 and INT_MAX, and a
#: wait_time of at most this many between 0 and SMALLINT_MAX: read without further checks.
_PLAIN_ID_DIGITS = len(str(INT_MAX)) - 1
_PLAIN_WAIT_DIGITS = len(str(SMALLINT_MAX)) - 1


class _SnapshotRows:
    """Parses snapshots.csv rows one at a time. Millions of rows repeat a few thousand times
    and ride ids, so the common spellings take a short path and each time is parsed once."""

    def __init__(self, rides: Mapping[int, tuple[int, bool]] | None, problems: Problems,
                 latest: datetime) -> None:
        self.rides = rides
        self.problems = problems
        self.latest = latest
        self.times: dict[str, int] = {}  # recorded_at text -> epoch seconds

    def parse(self, line: int, values: list[str]) -> tuple[StagedRow, bool] | None:
        """The staged row and whether its ride is an attraction; None (problems recorded)
        if any value is bad. The common spellings are checked inline: this runs per row."""
        recorded_at, ride, status, wait = values
        at = self.times.get(recorded_at)
        if at is None:
            at = self._time(line, recorded_at)
        if ride.isdigit() and ride.isascii() and ride[0] != "0" and len(ride) <= _PLAIN_ID_DIGITS:
            ride_id: int | None = int(ride)
        else:
            ride_id = self._ride_id(line, ride)
        ride_of = self._ride(line, ride_id)
        code = STATUS_CODES.get(status)
        if code is None:
            self.problems.add(line, f"status {status!r} is not one of "
                                    f"{', '.join(metrics.STATUSES)}")
        if not wait:
            ok, wait_time = True, None
        elif wait.isdigit() and wait.isascii() and len(wait) <= _PLAIN_WAIT_DIGITS:
            ok, wait_time = True, int(wait)
        else:
            ok, wait_time = self._wait(line, wait)
        if not ok or at is None or ride_id is None or ride_of is None or code is None:
            return None
        return (ride_of[0], at, ride_id, line, code, wait_time), ride_of[1]

    def _time(self, line: int, text: str) -> int | None:
        try:
            at = epoch_seconds(parse_snapshot_instant(text, "recorded_at", self.latest))
        except FieldError as exc:
            self.problems.add(line, str(exc))
            return None
        if len(self.times) >= 100_000:
            self.times.clear()
        self.times[text] = at
        return at

    def _ride_id(self, line: int, text: str) -> int | None:
        try:
            return parse_id(text, "ride_id")
        except FieldError as exc:
            self.problems.add(line, str(exc))
            return None

    def _ride(self, line: int, ride_id: int | None) -> tuple[int, bool] | None:
        if self.rides is None:
            return 0, False
        if ride_id is None:
            return None
        ride_of = self.rides.get(ride_id)
        if ride_of is None:
            self.problems.add(line, f"ride_id {ride_id} is not in rides.csv or the database")
        return ride_of

    def _wait(self, line: int, text: str) -> tuple[bool, int | None]:
        try:
            return True, parse_int(text, "wait_time", 0, SMALLINT_MAX)
        except FieldError as exc:
            self.problems.add(line, str(exc))
            return False, None
