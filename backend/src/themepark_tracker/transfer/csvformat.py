"""SPEC §8 files: their names and headers, and how one value is read and written.

Reading is strict and explains itself: a bad value raises ``FieldError`` whose message names
the column, the value and what is wrong; ``read_rows`` adds the file and line. Choices where
SPEC §8 leaves room:

- The header must hold exactly the file's columns, each once, in any order.
- A UTF-8 byte-order mark is accepted; blank lines are skipped.
- Booleans are ``true``/``false``/``1``/``0`` (any case).
- Times are ISO-8601 with whole seconds. ``Z``, ``+00:00`` or no offset mean UTC; any other
  offset is accepted and converted to UTC (``2025-12-04T18:05:00-05:00`` is 23:05:00Z).
  Written times are always ``YYYY-MM-DDTHH:MM:SSZ``. A time before ``EARLIEST_INSTANT``
  (2000-01-01) is refused as implausible, and a snapshot's ``recorded_at`` later than
  ``SNAPSHOT_FUTURE_ALLOWANCE`` (1 day) past the importing machine's clock too: such a time
  would pass for fresh data until that day comes.
- Park and ride names are stored as displayed (``names.clean_name``: HTML tags and
  surrounding whitespace removed, entities decoded); cleaning is idempotent, so an exported
  name imports unchanged.
- Text may not hold control characters (``names.first_control_character``: C0 with tab, CR
  and LF, DEL, C1); the message names the column and the character's position.
- Spreadsheet formulas: a written text cell that a spreadsheet would run as a formula (it
  starts with ``=``, ``+``, ``-`` or ``@``) gets a leading ``'``; so that reading reverses
  exactly that, a cell that starts with ``'`` followed by one of ``= + - @ '`` gets one too.
  Reading drops one leading ``'`` when one of ``= + - @ '`` follows it. Only text cells
  (names, operator, country, schedule type) are written or read this way: numbers such as
  a negative longitude are written as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import available_timezones

from themepark_tracker.errors import UserError
from themepark_tracker.names import (
    clean_name,
    first_control_character,
    quote_formula,
    unquote_formula,
)
from themepark_tracker.timeutil import utcnow

PARKS = "parks.csv"
RIDES = "rides.csv"
SCHEDULES = "schedules.csv"
SNAPSHOTS = "snapshots.csv"

HEADERS: dict[str, tuple[str, ...]] = {
    PARKS: ("park_id", "name", "timezone", "operator", "country", "is_disney", "is_universal",
            "reports_down", "queue_times_id", "latitude", "longitude"),
    RIDES: ("ride_id", "park_id", "name", "tier", "category"),
    SCHEDULES: ("park_id", "local_date", "opening_time_utc", "closing_time_utc",
                "schedule_type"),
    SNAPSHOTS: ("recorded_at", "ride_id", "status", "wait_time"),
}
#: Catalogue before what refers to it: the order files are read, checked and written in.
FILE_ORDER = (PARKS, RIDES, SCHEDULES, SNAPSHOTS)

#: A file stops being read after this many problems; one error then lists them all.
MAX_PROBLEMS_PER_FILE = 20

INT_MAX = 2**31 - 1  # INTEGER on MariaDB
SMALLINT_MAX = 2**15 - 1  # wait_time is a SMALLINT

EXAMPLE_TIME = "2025-12-04T23:05:00Z"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?")
_FLOAT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_EPOCH = datetime(1970, 1, 1)
_ONE_SECOND = timedelta(seconds=1)

#: Times before this are refused: the tracker's data starts decades later, and a year 1 or
#: 1900 time would pass every other check and then skew health and retention.
EARLIEST_INSTANT = datetime(2000, 1, 1)
#: How far past the importing machine's clock a snapshot's time may be (clock skew between
#: machines); a later one would make the health report call collection fresh until then.
SNAPSHOT_FUTURE_ALLOWANCE = timedelta(days=1)



class FieldError(ValueError):
    """One value that cannot be used; the message says which column and why."""


class CsvError(UserError):
    """A folder that cannot be imported. ``problems`` are the messages, one per problem."""

    def __init__(self, directory: Path, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"nothing was imported from {directory}; fix these problems first:\n"
                         f"{lines}")


@dataclass
class Problems:
    """The problems found in one file, each as ``<file> line <n>: <what>``."""

    file: str
    found: list[tuple[int, str]] = field(default_factory=list)
    stopped: bool = False  # too many problems: the rest of the file was not read
    unreadable: bool = False  # the file could not be read to its end (header, encoding...)

    def add(self, line: int | None, message: str) -> None:
        where = self.file if line is None else f"{self.file} line {line}"
        self.found.append((line or 0, f"{where}: {message}"))
        if len(self.found) >= MAX_PROBLEMS_PER_FILE:
            self.stopped = True

    @property
    def complete(self) -> bool:
        """Was every row read? If not, what the file declares is not fully known."""
        return not (self.stopped or self.unreadable)

    def report(self) -> list[str]:
        messages = [message for _, message in sorted(self.found, key=lambda p: p[0])]
        if self.stopped:
            messages.append(f"{self.file}: stopped reading after {MAX_PROBLEMS_PER_FILE} "
                            f"problems")
        return messages


# --- reading a file ----------------------------------------------------------------------------


def read_rows(path: Path, problems: Problems) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, values in HEADERS order)`` for each data row of ``path``.

    Problems with the file itself (empty, header, field count, encoding, CSV syntax) go to
    ``problems``; reading stops once ``problems.stopped`` (the caller's problems count too).
    """
    columns = HEADERS[problems.file]
    line = 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            header = next(reader, None)
            if header is None:
                problems.unreadable = True
                problems.add(None, f"the file is empty; the first line must be the header "
                                   f"{','.join(columns)}")
                return
            positions = _header_positions(header, columns, problems)
            if positions is None:
                return
            in_order = positions == list(range(len(columns)))
            line = reader.line_num  # the header's last line: a CSV error is on a later one
            for values in reader:
                line = reader.line_num
                if not values or values == [""]:
                    continue
                if len(values) != len(columns):
                    problems.add(line, f"{len(values)} values where the header has "
                                       f"{len(columns)} columns")
                elif in_order:
                    yield line, values
                else:
                    yield line, [values[p] for p in positions]
                if problems.stopped:
                    return
    except UnicodeDecodeError:
        problems.unreadable = True
        problems.add(*_undecodable(path))
    except csv.Error as exc:
        problems.unreadable = True
        problems.add(line + 1, f"not valid CSV ({exc})")


def _header_positions(header: list[str], columns: tuple[str, ...], problems: Problems
                      ) -> list[int] | None:
    names = [h.strip() for h in header]
    missing = [c for c in columns if c not in names]
    extra = [n for n in names if n not in columns]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if not (missing or extra or doubled):
        return [names.index(c) for c in columns]
    parts = []
    if missing:
        parts.append("missing column(s) " + ", ".join(missing))
    if extra:
        parts.append("unexpected column(s) " + ", ".join(repr(e) for e in extra))
    if doubled:
        parts.append("repeated column(s) " + ", ".join(doubled))
    problems.unreadable = True
    problems.add(1, f"header has {'; '.join(parts)}; expected {','.join(columns)}")
    return None


def _undecodable(path: Path) -> tuple[int, str]:
    """Where the first byte that is not UTF-8 is: (line, message)."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, (f"not UTF-8 (byte 0x{raw[exc.start]:02x} at character "
                                f"{exc.start + 1}); save the file as UTF-8")
    return 1, "not UTF-8; save the file as UTF-8"  # pragma: no cover - decode failed above


# --- one value ---------------------------------------------------------------------------------


def parse_int(value: str, column: str, minimum: int = 0, maximum: int = INT_MAX) -> int:
    text = value.strip()
    digits = text[1:] if text[:1] == "-" else text
    if not (digits.isascii() and digits.isdigit()):
        raise FieldError(f"{column} {value!r} is not a whole number")
    number = int(text)
    if not minimum <= number <= maximum:
        raise FieldError(f"{column} {number} is out of range ({minimum} to {maximum})")
    return number


def parse_id(value: str, column: str) -> int:
    return parse_int(value, column, minimum=1)


def parse_optional_id(value: str, column: str) -> int | None:
    return None if value.strip() == "" else parse_id(value, column)


def parse_bool(value: str, column: str) -> bool:
    text = value.strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise FieldError(f"{column} {value!r} is not true, false, 1 or 0")


def parse_optional_float(value: str, column: str, limit: float) -> float | None:
    text = value.strip()
    if text == "":
        return None
    if not _FLOAT.fullmatch(text):
        raise FieldError(f"{column} {value!r} is not a number")
    number = float(text)
    if not -limit <= number <= limit:
        raise FieldError(f"{column} {number} is out of range (-{limit:g} to {limit:g})")
    return number


def parse_text(value: str, column: str, max_length: int) -> str:
    """A text cell: not blank, no control character, at most ``max_length`` characters once
    the export's formula guard (a leading ``'``, see the module docstring) is taken off."""
    text = unquote_formula(value)
    if text.strip() == "":
        raise FieldError(f"{column} is empty")
    at = first_control_character(text)
    if at is not None:
        raise FieldError(f"{column} has the control character U+{ord(text[at]):04X} at "
                         f"character {at + 1}; names and text may not hold control characters")
    if len(text) > max_length:
        raise FieldError(f"{column} is longer than {max_length} characters")
    return text


def parse_name(value: str, column: str, max_length: int) -> str:
    """A park or ride name as ``parse_text`` reads it, then as displayed: HTML tags and
    surrounding whitespace removed, entities decoded (``names.clean_name``)."""
    name = clean_name(parse_text(value, column, max_length))
    if name == "":
        raise FieldError(f"{column} {value!r} has no text once HTML tags are removed")
    return name


def parse_optional_text(value: str, column: str, max_length: int) -> str | None:
    return None if value.strip() == "" else parse_text(value, column, max_length)


def parse_choice(value: str, column: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise FieldError(f"{column} {value!r} is not one of {', '.join(choices)}")
    return value


def parse_tier(value: str, column: str = "tier") -> int | None:
    text = value.strip()
    if text == "":
        return None
    if text not in ("1", "2", "3"):
        raise FieldError(f"{column} {value!r} is not one of 1, 2, 3 (or empty: unclassified)")
    return int(text)


def parse_timezone(value: str, column: str = "timezone") -> str:
    if value not in _zones():
        raise FieldError(f"{column} {value!r} is not an IANA time zone like Europe/Paris")
    return value


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def parse_date(value: str, column: str) -> date:
    text = value.strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise FieldError(f"{column} {value!r} is not a date like 2025-12-04") from None


def parse_csv_instant(value: str, column: str) -> datetime:
    """An ISO-8601 time as naive UTC (see the module docstring for offsets), not before
    ``EARLIEST_INSTANT``."""
    text = value.strip()
    try:
        if not _TIME.fullmatch(text):
            raise ValueError
        instant = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
    except ValueError:
        raise FieldError(f"{column} {value!r} is not an ISO-8601 time like {EXAMPLE_TIME}"
                         ) from None
    if instant.microsecond:
        raise FieldError(f"{column} {value!r} has fractions of a second; use whole seconds")
    if instant.tzinfo is not None:
        try:
            instant = instant.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # an offset moving year 1 or 9999 past what datetime holds
            if instant.year > EARLIEST_INSTANT.year:
                raise FieldError(f"{column} {value!r} is after the year 9999") from None
            instant = datetime.min
    if instant < EARLIEST_INSTANT:
        raise FieldError(f"{column} {value!r} is before {format_instant(EARLIEST_INSTANT)}")
    return instant


def parse_snapshot_instant(value: str, column: str, latest: datetime) -> datetime:
    """``parse_csv_instant``, and not after ``latest`` (see ``latest_snapshot_instant``)."""
    instant = parse_csv_instant(value, column)
    if instant > latest:
        raise FieldError(f"{column} {value!r} is in the future (after "
                         f"{format_instant(latest)}, the importing machine's clock plus "
                         f"{SNAPSHOT_FUTURE_ALLOWANCE.days} day)")
    return instant


def latest_snapshot_instant(now: datetime | None = None) -> datetime:
    """The latest ``recorded_at`` an import accepts now (naive UTC)."""
    return (now or utcnow()) + SNAPSHOT_FUTURE_ALLOWANCE


def epoch_seconds(instant: datetime) -> int:
    """Seconds since 1970 of a naive-UTC time (how the import stages times compactly)."""
    return (instant - _EPOCH) // _ONE_SECOND


def from_epoch_seconds(seconds: int) -> datetime:
    return _EPOCH + seconds * _ONE_SECOND


# --- writing a value ---------------------------------------------------------------------------


def format_instant(instant: datetime) -> str:
    return f"{instant:%Y-%m-%dT%H:%M:%S}Z"


def format_value(value: object) -> str:
    """How the export writes one value; reading the file with ``read_rows`` and passing the
    cell to the column's ``parse_*`` function gives the value back (text through
    ``parse_text``, which undoes ``quote_formula``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return quote_formula(value)
    return str(value)
