"""Properties of the pure cores, checked over many generated inputs (Hypothesis).

Each property is stated independently of the code under test: rounding against ``Decimal``,
the cycle derivation against ``tests/reference.py`` (its own plain-loop re-derivation of
SPEC §2) and SPEC's invariants, day and slot arithmetic against calendar facts, the CSV format
against the values it was given. The example budget is fixed and derandomized, so a run takes
seconds and gives the same examples every time.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from tempfile import TemporaryDirectory
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st

from tests import reference as ref
from themepark_tracker import metrics
from themepark_tracker.aggregate.backfill import day_chunks
from themepark_tracker.ingest.derive import DayState, ParkRules, Reading, derive_cycle
from themepark_tracker.metrics import round_half_up
from themepark_tracker.timeutil import (
    floor_to_interval,
    local_date_of,
    local_day_bounds,
    slot_start,
)
from themepark_tracker.transfer import csvformat as fmt

examples = settings(max_examples=200, deadline=None, derandomize=True)
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)

# --- rounding (SPEC §6) ------------------------------------------------------------------------


def _decimal_half_up(value: Decimal, places: int) -> float:
    return float(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


@examples
@given(st.integers(-10**9, 10**9), st.integers(1, 3))
def test_round_half_up_of_a_decimal_number_is_the_decimal_half_up(
        units: int, places: int) -> None:
    """A value written with places+1 decimals (2.25, 0.05, -1.35, 123456.75...) rounds as
    ``Decimal`` rounds it half away from zero, even when its float is a little below."""
    value = Decimal(units).scaleb(-(places + 1))
    assert round_half_up(float(value), places) == _decimal_half_up(value, places)


@examples
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_round_half_up_is_within_half_a_step_and_on_the_grid(value: float) -> None:
    rounded = round_half_up(value, 1)
    assert rounded is not None
    assert abs(Decimal(repr(rounded)) - Decimal(repr(value))) <= Decimal("0.05") + Decimal("1e-9")
    assert Decimal(repr(rounded)) == Decimal(repr(rounded)).quantize(Decimal("0.1"))


def test_round_half_up_hand_worked_halves() -> None:
    assert [round_half_up(v) for v in (2.25, 0.05, -0.05, -2.25, 1234567.85)] == [
        2.3, 0.1, -0.1, -2.3, 1234567.9]


# --- the cycle derivation (SPEC §2) ------------------------------------------------------------

DAY = date(2025, 7, 1)
MIDNIGHT = datetime(2025, 7, 1)
INTERVAL = timedelta(minutes=5)
STATUS = st.sampled_from(metrics.STATUSES)


@st.composite
def park_days(draw: st.DrawFn) -> tuple[dict[int, int], bool, list[ref.RawWindow],
                                       list[dict[int, tuple[str, int | None]]]]:
    """(weights, reports_down, schedule, one {ride: (status, wait)} per cycle) of one UTC day.

    Rides may be missing from a cycle; the schedule is none, or windows of the day (OPERATING
    or not), which then decide open and closed."""
    weights = dict(enumerate(draw(st.lists(st.integers(1, 3), min_size=3, max_size=8)),
                             start=1))
    reports_down = draw(st.booleans())
    schedule = []
    for _ in range(draw(st.integers(0, 2))):
        first = draw(st.integers(0, 40))
        length = draw(st.integers(1, 40))
        kind = draw(st.sampled_from(("OPERATING", "OPERATING", "CLOSED")))
        schedule.append(ref.RawWindow(DAY, MIDNIGHT + first * INTERVAL,
                                      MIDNIGHT + (first + length) * INTERVAL, kind))
    # Most rides report in most cycles, mostly OPERATING: parks open and close, rides go down.
    status = st.sampled_from((metrics.OPERATING,) * 4 + metrics.STATUSES[1:])
    reading = st.tuples(st.integers(0, 9), status, st.none() | st.integers(0, 300)).map(
        lambda r: None if r[0] == 0 else r[1:])
    rides = sorted(weights)
    cycles = [
        {i: r for i, r in zip(rides, statuses, strict=True) if r is not None}
        for statuses in draw(st.lists(st.lists(reading, min_size=len(rides),
                                               max_size=len(rides)), min_size=1, max_size=30))
    ]
    return weights, reports_down, schedule, cycles


@examples
@given(park_days())
def test_derive_cycle_keeps_spec_invariants_and_matches_the_reference(
        day: tuple[dict[int, int], bool, list[ref.RawWindow],
                   list[dict[int, tuple[str, int | None]]]]) -> None:
    weights, reports_down, schedule, cycles = day
    instants = [MIDNIGHT + (k + 1) * INTERVAL for k in range(len(cycles))]
    raw = ref.Raw(
        parks={1: ref.RawPark(1, ZoneInfo("UTC"), reports_down)},
        rides={i: ref.RawRide(i, 1, None, w, True) for i, w in weights.items()},
        schedules={1: schedule},
        cycles={1: instants},
        readings={(1, at): c for at, c in zip(instants, cycles, strict=True)},
    )
    expected = ref.derive(raw)
    rules = ParkRules(weights, reports_down, [
        metrics.ScheduleWindow(w.local_date.isoformat(), w.opening, w.closing, w.schedule_type)
        for w in schedule])
    state = DayState()
    for at, readings in zip(instants, cycles, strict=True):
        rides, park = derive_cycle(
            at, DAY, [Reading(i, s, wait) for i, (s, wait) in sorted(readings.items())],
            rules, state)
        down = {r.ride_id for r in rides if r.counted_down}
        active = state.operated_today | down
        # SPEC invariants, whatever the reference says
        assert down <= active and park.down_weight <= park.active_weight
        assert park.rides_down == len(down) <= park.total_rides_tracked == len(readings)
        assert (park.shame_score is None) == (not park.park_appears_open)
        if park.shame_score is not None:
            assert 0 <= park.shame_score <= 10
        for r in rides:
            if r.status in (metrics.REFURBISHMENT, metrics.UNKNOWN, metrics.OPERATING):
                assert not r.counted_down, r  # SPEC §2.3: never down
            if r.status == metrics.CLOSED and reports_down:
                assert not r.counted_down, r  # a down-reporting park says DOWN when it means it
        # the independent re-derivation
        snap = expected[(1, at)]
        assert park.park_appears_open == snap.park_open
        assert (park.active_weight, park.down_weight) == (snap.active_weight, snap.down_weight)
        assert park.shame_score == round_half_up(snap.shame, 1)
        assert {r.ride_id for r in snap.rides if r.counted_down} == down
        assert [(r.ride_id, r.operated_today) for r in snap.rides] == [
            (r.ride_id, r.operated_today) for r in rides]
        assert (park.rides_operated_today, park.rides_down_today) == (
            snap.operated_so_far, snap.down_so_far)


# --- local days and slots ----------------------------------------------------------------------

ZONES = sorted(available_timezones() - {"Factory", "localtime"})


#: Zones whose clocks moved by other than one hour between 2000 and 2100 (tz database facts):
#: Lord Howe's DST is 30 minutes (23.5 and 24.5 hour days every year), Troll's 2 hours,
#: Caracas (2007, 2016), Colombo (2006), Pyongyang (2015, 2018) and Norfolk (2015) moved by
#: 30 minutes, Casey, Davis and Vostok (Antarctic stations), Chita and Magadan (2014), Simferopol
#: (2014), Bahia Banderas (2010) and Winamac (2007) by 2 or 3 hours, and Apia and Fakaofo
#: skipped 2011-12-30 altogether (a day of 0 hours) when they crossed the date line.
ODD_ZONES = {"Australia/Lord_Howe", "Australia/LHI", "Antarctica/Troll", "America/Caracas",
             "Asia/Colombo", "Asia/Pyongyang", "Pacific/Norfolk", "Antarctica/Casey",
             "Antarctica/Davis", "Antarctica/Vostok", "Asia/Chita", "Asia/Magadan",
             "Europe/Simferopol", "America/Bahia_Banderas", "America/Indiana/Winamac",
             "Pacific/Apia", "Pacific/Fakaofo"}


@st.composite
def zone_days(draw: st.DrawFn) -> tuple[str, date]:
    """A zone and a date of 2000-2100, half the time a day on which the zone's UTC offset
    changes (found by comparing the offsets at consecutive local noons), or the day after."""
    name = draw(st.sampled_from(ZONES))
    if draw(st.booleans()):
        return name, draw(st.dates(date(2000, 1, 1), date(2100, 12, 31)))
    zone = ZoneInfo(name)
    first = date(draw(st.integers(2000, 2100)), 1, 1)
    noons = [datetime(first.year, 1, 1, 12, tzinfo=zone) + timedelta(days=k) for k in range(366)]
    changes = [n.date() for n, m in zip(noons, noons[1:], strict=False)
               if n.utcoffset() != m.utcoffset()]
    if not changes:
        return name, first
    return name, draw(st.sampled_from(changes)) + timedelta(days=draw(st.integers(0, 1)))


@examples
@given(zone_days())
def test_a_local_day_runs_from_local_midnight_to_the_next(zone_day: tuple[str, date]) -> None:
    name, day = zone_day
    zone = ZoneInfo(name)
    start, end = local_day_bounds(day, zone)
    length = end - start
    if name not in ODD_ZONES:
        assert length in {timedelta(hours=h) for h in (23, 24, 25)}
    assert timedelta(0) <= length <= timedelta(hours=27)
    if length == timedelta(0):  # a day the zone skipped: nothing falls in it
        assert local_date_of(start, zone) == day + timedelta(days=1)
        return
    # The day starts at local midnight, or where midnight does not exist (a zone that moves
    # its clocks at midnight, such as Asia/Amman on 2000-03-30) at the first instant after it.
    local_start = start.replace(tzinfo=UTC).astimezone(zone)
    assert local_start.date() == day
    assert (local_start.hour, local_start.minute) == (0, 0) or (
        datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
        .astimezone(zone).replace(tzinfo=None) != datetime(day.year, day.month, day.day))
    assert local_date_of(start, zone) == day
    assert local_date_of(end - SECOND, zone) == day
    assert local_date_of(end, zone) == day + timedelta(days=1)
    assert local_date_of(start - SECOND, zone) < day


def test_the_odd_local_days_named_above() -> None:
    """Hand-checked against the tz database's rules."""
    def hours(name: str, day: date) -> float:
        start, end = local_day_bounds(day, ZoneInfo(name))
        return (end - start) / HOUR

    assert hours("Australia/Lord_Howe", date(2025, 4, 6)) == 24.5  # DST ends 02:00 -> 01:30
    assert hours("Australia/Lord_Howe", date(2025, 10, 5)) == 23.5  # 02:00 -> 02:30
    assert hours("Antarctica/Troll", date(2025, 3, 30)) == 22  # +00 -> +02
    assert hours("Pacific/Apia", date(2011, 12, 30)) == 0  # 29 Dec was followed by 31 Dec
    assert hours("Europe/Paris", date(2025, 3, 30)) == 23
    assert hours("Europe/Paris", date(2025, 10, 26)) == 25
    assert hours("America/New_York", date(2025, 11, 2)) == 25


#: Stored instants are whole seconds; fractions are allowed here all the same. (Before 1970 a
#: fraction would make slot_start round up, towards the epoch: no instant of ours is there.)
INSTANTS = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1))


@examples
@given(INSTANTS, st.sampled_from((60, 300, 600, 900, 1800, 3600, 7, 86400)))
def test_slot_start_is_idempotent_not_later_and_within_one_period(
        instant: datetime, period: int) -> None:
    start = slot_start(instant, period)
    assert slot_start(start, period) == start
    assert start <= instant < start + timedelta(seconds=period)
    assert int((start - datetime(1970, 1, 1)).total_seconds()) % period == 0


@examples
@given(INSTANTS, st.sampled_from((1, 5, 10, 15, 30, 60, 7)))
def test_floor_to_interval_is_idempotent_not_later_and_within_one_interval(
        instant: datetime, minutes: int) -> None:
    floor = floor_to_interval(instant, minutes)
    assert floor_to_interval(floor, minutes) == floor
    assert floor <= instant < floor + timedelta(minutes=minutes)
    midnight = instant.replace(hour=0, minute=0, second=0, microsecond=0)
    assert (floor - midnight) % timedelta(minutes=minutes) == timedelta(0)


HOURS = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1)).map(
    lambda d: d.replace(minute=0, second=0, microsecond=0))


@examples
@given(HOURS, st.integers(1, 24 * 40))
def test_day_chunks_partition_the_range_at_utc_midnights(start: datetime, hours: int) -> None:
    end = start + hours * HOUR
    chunks = day_chunks(start, end)
    assert chunks[0][1] == end and chunks[-1][0] == start  # newest first, whole range
    for newer, older in zip(chunks, chunks[1:], strict=False):
        assert older[1] == newer[0]  # contiguous, no gap, no overlap
    for a, b in chunks:
        assert a < b
        assert a.date() == (b - SECOND).date()  # inside one UTC day
        assert b.time() == datetime.min.time() or b == end  # cut at midnight (or the end)
    assert len(chunks) == len({(end - k * HOUR - SECOND).date() for k in range(hours)})


# --- the CSV files (SPEC §8) -------------------------------------------------------------------

#: Text as anyone might type it: quotes, commas, a leading "=" or "'", any script. Lone
#: surrogates cannot be written as UTF-8 at all, and control characters (line breaks included)
#: are refused by the import (D16: names and text may not hold them).
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")),
               min_size=1, max_size=60).filter(lambda s: s.strip() != "")
HOSTILE = st.sampled_from(['=1+1', '"quoted"', "a,b", "'=quoted already", "'Ohana",
                           "=HYPERLINK(\"x\")", "🎢 Space", "-2+3", "@SUM(A1)", " padded ",
                           "\ufeffbom", "+1"])
NAME = HOSTILE | TEXT
OPTIONAL_ID = st.none() | st.integers(1, fmt.INT_MAX)
INSTANT = st.datetimes(datetime(2000, 1, 1), datetime(2025, 12, 31)).map(  # D8 bounds
    lambda d: d.replace(microsecond=0))


def exported(value: object) -> str:
    """How the export writes one value (the one place to adapt if that changes)."""
    return fmt.format_value(value)


def _through_a_file(name: str, row: list[object]) -> list[str]:
    """Write one row as the export does (format_value, then csv), read it back as the import
    does (read_rows): the field texts the parsers get."""
    with TemporaryDirectory() as folder:
        path = Path(folder) / name
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(fmt.HEADERS[name])
            writer.writerow([exported(v) for v in row])
        problems = fmt.Problems(name)
        rows = list(fmt.read_rows(path, problems))
    assert problems.found == []
    assert len(rows) == 1
    return rows[0][1]


@examples
@given(st.integers(1, fmt.INT_MAX), NAME, st.sampled_from(ZONES), st.none() | NAME,
       st.none() | NAME, st.booleans(), st.booleans(), st.booleans(), OPTIONAL_ID,
       st.none() | st.floats(-90, 90), st.none() | st.floats(-180, 180))
def test_a_parks_row_survives_export_and_import(
        park_id: int, name: str, timezone: str, operator: str | None, country: str | None,
        is_disney: bool, is_universal: bool, reports_down: bool, queue_times_id: int | None,
        latitude: float | None, longitude: float | None) -> None:
    row = [park_id, name, timezone, operator, country, is_disney, is_universal, reports_down,
           queue_times_id, latitude, longitude]
    values = _through_a_file(fmt.PARKS, row)
    parsed = [
        fmt.parse_id(values[0], "park_id"),
        fmt.parse_text(values[1], "name", 200),
        fmt.parse_timezone(values[2]),
        fmt.parse_optional_text(values[3], "operator", 200),
        fmt.parse_optional_text(values[4], "country", 200),
        *(fmt.parse_bool(v, "flag") for v in values[5:8]),
        fmt.parse_optional_id(values[8], "queue_times_id"),
        fmt.parse_optional_float(values[9], "latitude", 90),
        fmt.parse_optional_float(values[10], "longitude", 180),
    ]
    assert parsed == row


@examples
@given(st.integers(1, fmt.INT_MAX), st.dates(date(1970, 1, 1), date(2100, 1, 1)), INSTANT,
       INSTANT, NAME)
def test_a_schedules_row_survives_export_and_import(
        park_id: int, local_date: date, opening: datetime, closing: datetime,
        schedule_type: str) -> None:
    row: list[object] = [park_id, local_date, opening, closing, schedule_type]
    values = _through_a_file(fmt.SCHEDULES, row)
    parsed = [fmt.parse_id(values[0], "park_id"), fmt.parse_date(values[1], "local_date"),
              fmt.parse_csv_instant(values[2], "opening_time_utc"),
              fmt.parse_csv_instant(values[3], "closing_time_utc"),
              fmt.parse_text(values[4], "schedule_type", 32)]
    assert parsed == row


@examples
@given(INSTANT, st.integers(1, fmt.INT_MAX), STATUS,
       st.none() | st.integers(0, fmt.SMALLINT_MAX))
def test_a_snapshots_row_survives_export_and_import(
        recorded_at: datetime, ride_id: int, status: str, wait_time: int | None) -> None:
    row: list[object] = [recorded_at, ride_id, status, wait_time]
    values = _through_a_file(fmt.SNAPSHOTS, row)
    wait = None if values[3] == "" else fmt.parse_int(values[3], "wait_time", 0,
                                                       fmt.SMALLINT_MAX)
    parsed = [fmt.parse_csv_instant(values[0], "recorded_at"), fmt.parse_id(values[1], "ride_id"),
              fmt.parse_choice(values[2], "status", metrics.STATUSES), wait]
    assert parsed == row
