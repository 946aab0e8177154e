"""An independent recomputation of SPEC §2, §3 and §4 from the raw rows, for the tests.

``load_raw`` SELECTs the catalogue (parks, rides), the schedules and the *raw* snapshot rows
(which park cycles exist, and each ride's status and wait in them) back from the database.
``derive`` then re-applies SPEC §2 per park-day with plain loops, and the ``expected_*``
functions build every row of SPEC §3 (hourly) and §4 (daily) with plain dicts.

Nothing here imports ``themepark_tracker.aggregate`` or ``themepark_tracker.ingest.derive``:
the only production code used is ``metrics.round_half_up`` and ``metrics.tier_weight``, which
are SPEC's own definitions (§6 rounding, §1 weights), and the table objects to SELECT from.
The derived columns ingest stored (``park_open``, ``counted_down``, ``active_weight``…) are
*not* used for the expected rows; ``derived_mismatches`` compares them with this module's own
derivation instead.

Column definitions (SPEC §3/§4 literally; the ones SPEC does not spell out are defined from
their names and marked "name:"):

park rows (hourly and daily)
    snapshot_count         park snapshots (cycles) in the bucket
    open_snapshot_count    those with the park open
    park_was_open          open_snapshot_count > 0
    shame_score_sum        Σ s(t) over open snapshots, full precision
    shame_score            round_half_up(shame_score_sum / open_snapshot_count, 1), NULL if 0
    wait_sum, wait_count   over ride snapshots OPERATING while open that have a wait
    avg_wait_time_minutes  round_half_up(wait_sum / wait_count, 2), NULL if no wait
    rides_operating        distinct attractions OPERATING while open at least once
    rides_down             distinct attractions counted down at least once
    operating_snapshots    name: ride snapshots OPERATING while open
    down_snapshots         name: ride snapshots counted down (= Σ over open t of |down set|)
    weighted_down_snapshots name: Σ weight over counted-down ride snapshots (= Σ D(t))
    total_downtime_hours   round_half_up(down_snapshots × I / 60, 2)
    weighted_downtime_hours round_half_up(weighted_down_snapshots × I / 60, 2)
    effective_park_weight  max W(t) over open snapshots, NULL if never open
    max_wait_time          name: max wait over the snapshots the average is taken over
    rides_operated         name: distinct attractions with ride_operated (operating or down > 0)
  daily only
    operating_minutes      open snapshots × I
    rides_with_downtime    distinct attractions counted down at least once that day
    peak_wait_time         name: max wait over the snapshots the average is taken over
    uptime_percentage      round_half_up(100 × Σ operating / Σ (operating + down), 2), NULL if 0

ride rows (hourly and daily; one per ATTRACTION of the park per bucket in which the park has
at least one park snapshot, zeros when the ride was not in any cycle)
    snapshot_count, open_snapshot_count, operating_snapshots, down_snapshots as SPEC §3
    downtime_hours         round_half_up(down_snapshots × I / 60, 2)
    uptime_percentage      round_half_up(100 × op / (op + down), 2), NULL when both are 0
    avg_wait_time_minutes, max_wait_time, wait_sum, wait_count as for parks, for this ride
    ride_operated          operating_snapshots + down_snapshots > 0
  daily only
    operating_minutes      SPEC §4 literally: open snapshots × I, i.e. the ride's
                           open_snapshot_count × I (minutes the *park* was open while the ride
                           was observed). Ambiguous for rides: "the minutes the ride operated"
                           (operating_snapshots × I) is the other reading.
    peak_wait_time         as max_wait_time
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Table, select

from themepark_tracker.db import tables as t
from themepark_tracker.metrics import round_half_up, tier_weight

OPERATING, DOWN, CLOSED = "OPERATING", "DOWN", "CLOSED"
ATTRACTION = "ATTRACTION"
HOUR = timedelta(hours=1)

#: Columns every aggregate table carries that are bookkeeping, not numbers.
BOOKKEEPING = ("id", "created_at", "updated_at")
#: Kept at full precision by SPEC; everything else is a count or a rounded DECIMAL (exact).
FULL_PRECISION = {"shame_score_sum": 1e-9}

Rows = dict[tuple[Any, ...], dict[str, Any]]


# --- raw rows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawPark:
    park_id: int
    zone: ZoneInfo
    reports_down: bool


@dataclass(frozen=True)
class RawRide:
    ride_id: int
    park_id: int
    tier: int | None
    weight: int
    attraction: bool


@dataclass(frozen=True)
class RawWindow:
    local_date: date
    opening: datetime
    closing: datetime
    schedule_type: str


@dataclass
class Raw:
    parks: dict[int, RawPark]
    rides: dict[int, RawRide]
    schedules: dict[int, list[RawWindow]]
    #: park -> instants of its park snapshots (one per cycle)
    cycles: dict[int, list[datetime]]
    #: (park, instant) -> ride -> (status, wait)
    readings: dict[tuple[int, datetime], dict[int, tuple[str, int | None]]]


def load_raw(conn: Connection) -> Raw:
    parks = {
        r.park_id: RawPark(r.park_id, ZoneInfo(r.timezone), bool(r.reports_down))
        for r in conn.execute(select(t.parks.c.park_id, t.parks.c.timezone,
                                     t.parks.c.reports_down))
    }
    rides = {
        r.ride_id: RawRide(r.ride_id, r.park_id, r.tier, tier_weight(r.tier),
                           r.category == ATTRACTION)
        for r in conn.execute(select(t.rides.c.ride_id, t.rides.c.park_id, t.rides.c.tier,
                                     t.rides.c.category))
    }
    schedules: dict[int, list[RawWindow]] = defaultdict(list)
    s = t.park_schedules
    for r in conn.execute(select(s.c.park_id, s.c.local_date, s.c.opening_time_utc,
                                 s.c.closing_time_utc, s.c.schedule_type)):
        schedules[r.park_id].append(
            RawWindow(r.local_date, r.opening_time_utc, r.closing_time_utc, r.schedule_type))
    # The two big tables are read through the driver (plain tuples, no per-row type processing);
    # SQLite hands back its stored text, parsed here.
    cycles: dict[int, list[datetime]] = defaultdict(list)
    for park_id, at in conn.exec_driver_sql(
            "SELECT park_id, recorded_at FROM park_activity_snapshots"):
        cycles[park_id].append(_instant(at))
    readings: dict[tuple[int, datetime], dict[int, tuple[str, int | None]]] = defaultdict(dict)
    for park_id, at, ride_id, status, wait in conn.exec_driver_sql(
            "SELECT park_id, recorded_at, ride_id, status, wait_time FROM ride_status_snapshots"):
        readings[(park_id, _instant(at))][ride_id] = (status, wait)
    for instants in cycles.values():
        instants.sort()
    return Raw(parks, rides, dict(schedules), dict(cycles), dict(readings))


def _instant(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.replace(tzinfo=UTC).astimezone(zone).date()


# --- SPEC §2, re-derived ------------------------------------------------------------------------


@dataclass(frozen=True)
class RideSnap:
    ride_id: int
    status: str
    wait: int | None
    park_open: bool
    operated_today: bool
    counted_down: bool

    @property
    def operating_open(self) -> bool:
        return self.park_open and self.status == OPERATING

    @property
    def waited(self) -> bool:
        return self.operating_open and self.wait is not None


@dataclass
class CycleSnap:
    park_id: int
    at: datetime
    local_date: date
    park_open: bool
    active_weight: int
    down_weight: int
    shame: float | None  # s(t), full precision, None while closed
    rides: list[RideSnap] = field(default_factory=list)
    operated_so_far: int = 0  # distinct attractions that operated today, up to this cycle
    down_so_far: int = 0  # distinct attractions counted down today, up to this cycle


def _schedule_says(windows: Sequence[RawWindow], at: datetime, day: date) -> bool | None:
    """SPEC §2.1: an OPERATING window covering t opens the park; schedule rows for the local
    date that do not cover t close it; no rows for that date -> undecided (None)."""
    for w in windows:
        if w.schedule_type == "OPERATING" and w.opening <= at < w.closing:
            return True
    if any(w.local_date == day for w in windows):
        return False
    return None


def derive(raw: Raw) -> dict[tuple[int, datetime], CycleSnap]:
    out: dict[tuple[int, datetime], CycleSnap] = {}
    for park_id, instants in raw.cycles.items():
        park = raw.parks[park_id]
        windows = raw.schedules.get(park_id, [])
        by_day: dict[date, list[datetime]] = defaultdict(list)
        for at in instants:
            by_day[local_date(at, park.zone)].append(at)
        for day, day_instants in by_day.items():
            seen_operating: set[int] = set()
            operated: set[int] = set()
            ever_down: set[int] = set()
            for at in sorted(day_instants):
                readings = {
                    ride_id: value
                    for ride_id, value in raw.readings.get((park_id, at), {}).items()
                    if raw.rides[ride_id].attraction and raw.rides[ride_id].park_id == park_id
                }
                operating_now = {i for i, (status, _) in readings.items() if status == OPERATING}
                seen_operating |= operating_now
                is_open = _schedule_says(windows, at, day)
                if is_open is None:
                    n = len(operating_now)
                    is_open = n >= 2 and n >= len(seen_operating) / 2
                if is_open:
                    operated |= operating_now
                snaps = []
                down: set[int] = set()
                for ride_id in sorted(readings):
                    status, wait = readings[ride_id]
                    if not is_open:
                        counted = False
                    elif park.reports_down:
                        counted = status == DOWN
                    else:
                        counted = status in (DOWN, CLOSED) and ride_id in operated
                    if counted:
                        down.add(ride_id)
                    snaps.append(RideSnap(ride_id, status, wait, is_open, ride_id in operated,
                                          counted))
                active = operated | down
                w = sum(raw.rides[i].weight for i in active)
                d = sum(raw.rides[i].weight for i in down)
                if not is_open:
                    shame = None
                elif w == 0:
                    shame = 0.0
                else:
                    shame = 10 * d / w
                ever_down |= down
                out[(park_id, at)] = CycleSnap(park_id, at, day, is_open, w, d, shame, snaps,
                                               len(operated), len(ever_down))
    return out


def derived_mismatches(conn: Connection, reference: Reference | None = None) -> list[str]:
    """Where the derived columns ingest stored differ from this module's derivation."""
    snaps = (reference or Reference(conn)).snaps
    rides_of = {key: {s.ride_id: s for s in c.rides} for key, c in snaps.items()}
    problems: list[str] = []
    pas = t.park_activity_snapshots
    for r in conn.execute(select(pas)):
        c = snaps[(r.park_id, r.recorded_at)]
        want = {
            "local_date": c.local_date,
            "park_appears_open": c.park_open,
            "rides_open": sum(1 for s in c.rides if s.operating_open),
            "rides_down": sum(1 for s in c.rides if s.counted_down),
            "total_rides_tracked": len(c.rides),
            "active_weight": c.active_weight,
            "down_weight": c.down_weight,
            "shame_score": round_half_up(c.shame, 1),
            "wait_sum": sum(s.wait or 0 for s in c.rides if s.waited),
            "wait_count": sum(1 for s in c.rides if s.waited),
            "rides_operated_today": c.operated_so_far,
            "rides_down_today": c.down_so_far,
        }
        for col, value in want.items():
            if r._mapping[col] != value:
                problems.append(f"park {r.park_id} {r.recorded_at} {col}: stored "
                                f"{r._mapping[col]!r}, expected {value!r}")
    rss = t.ride_status_snapshots
    for r in conn.execute(select(rss)):
        c = snaps[(r.park_id, r.recorded_at)]
        s = rides_of[(r.park_id, r.recorded_at)][r.ride_id]
        want = {"local_date": c.local_date, "park_open": s.park_open,
                "operated_today": s.operated_today, "counted_down": s.counted_down}
        for col, value in want.items():
            if r._mapping[col] != value:
                problems.append(f"ride {r.ride_id} {r.recorded_at} {col}: stored "
                                f"{r._mapping[col]!r}, expected {value!r}")
    return problems


# --- SPEC §3 / §4 rows --------------------------------------------------------------------------


def _ratio(num: float, den: float, places: int, scale: float = 1.0) -> float | None:
    return round_half_up(scale * num / den, places) if den else None


def _hours(snapshots: int, interval: int) -> float:
    return round_half_up(snapshots * interval / 60, 2)  # type: ignore[return-value]


@dataclass
class _RideSums:
    snapshot_count: int = 0
    open_snapshot_count: int = 0
    operating_snapshots: int = 0
    down_snapshots: int = 0
    wait_sum: int = 0
    wait_count: int = 0
    max_wait: int | None = None

    def add(self, s: RideSnap) -> None:
        self.snapshot_count += 1
        self.open_snapshot_count += s.park_open
        self.operating_snapshots += s.operating_open
        self.down_snapshots += s.counted_down
        if s.waited:
            assert s.wait is not None
            self.wait_sum += s.wait
            self.wait_count += 1
            self.max_wait = s.wait if self.max_wait is None else max(self.max_wait, s.wait)


def _bucket_rows(
    raw: Raw, cycles: Iterable[CycleSnap], bucket_of: Any, interval: int, daily: bool,
) -> tuple[Rows, Rows]:
    groups: dict[tuple[int, Any], list[CycleSnap]] = defaultdict(list)
    for c in sorted(cycles, key=lambda c: (c.park_id, c.at)):
        groups[(c.park_id, bucket_of(c))].append(c)
    attractions: dict[int, list[int]] = defaultdict(list)
    for ride in raw.rides.values():
        if ride.attraction:
            attractions[ride.park_id].append(ride.ride_id)
    bucket_name = "stat_date" if daily else "hour_start_utc"
    park_rows: Rows = {}
    ride_rows: Rows = {}
    for (park_id, bucket), group in groups.items():
        sums = {ride_id: _RideSums() for ride_id in attractions[park_id]}
        opened = [c for c in group if c.park_open]
        for c in group:
            for s in c.rides:
                sums[s.ride_id].add(s)
        n = len(opened)
        shame_sum = 0.0
        for c in opened:
            assert c.shame is not None
            shame_sum += c.shame
        down_snaps = sum(1 for c in opened for s in c.rides if s.counted_down)
        weighted = 0
        for c in opened:
            weighted += c.down_weight
        operating = sum(x.operating_snapshots for x in sums.values())
        wait_sum = sum(x.wait_sum for x in sums.values())
        wait_count = sum(x.wait_count for x in sums.values())
        waits = [x.max_wait for x in sums.values() if x.max_wait is not None]
        operated = sum(1 for x in sums.values() if x.operating_snapshots + x.down_snapshots)
        row: dict[str, Any] = {
            "park_id": park_id,
            bucket_name: bucket,
            "snapshot_count": len(group),
            "open_snapshot_count": n,
            "park_was_open": n > 0,
            "shame_score_sum": shame_sum,
            "shame_score": _ratio(shame_sum, n, 1),
            "avg_wait_time_minutes": _ratio(wait_sum, wait_count, 2),
            "wait_sum": wait_sum,
            "wait_count": wait_count,
            "rides_operating": sum(1 for x in sums.values() if x.operating_snapshots),
            "rides_down": sum(1 for x in sums.values() if x.down_snapshots),
            "rides_operated": operated,
            "operating_snapshots": operating,
            "down_snapshots": down_snaps,
            "weighted_down_snapshots": weighted,
            "total_downtime_hours": _hours(down_snaps, interval),
            "weighted_downtime_hours": _hours(weighted, interval),
            "effective_park_weight": max((c.active_weight for c in opened), default=None),
            "max_wait_time": max(waits, default=None),
        }
        if daily:
            row["operating_minutes"] = n * interval
            row["rides_with_downtime"] = row["rides_down"]
            row["peak_wait_time"] = row["max_wait_time"]
            row["uptime_percentage"] = _ratio(operating, operating + down_snaps, 2, 100.0)
            row["expected_open_cycles"] = _expected_open_cycles(raw, park_id, bucket, opened,
                                                                interval)
        park_rows[(park_id, bucket)] = row
        for ride_id, x in sums.items():
            ride_row: dict[str, Any] = {
                "ride_id": ride_id,
                "park_id": park_id,
                bucket_name: bucket,
                "snapshot_count": x.snapshot_count,
                "open_snapshot_count": x.open_snapshot_count,
                "operating_snapshots": x.operating_snapshots,
                "down_snapshots": x.down_snapshots,
                "downtime_hours": _hours(x.down_snapshots, interval),
                "uptime_percentage": _ratio(x.operating_snapshots,
                                            x.operating_snapshots + x.down_snapshots, 2, 100.0),
                "avg_wait_time_minutes": _ratio(x.wait_sum, x.wait_count, 2),
                "max_wait_time": x.max_wait,
                "wait_sum": x.wait_sum,
                "wait_count": x.wait_count,
                "ride_operated": x.operating_snapshots + x.down_snapshots > 0,
            }
            if daily:
                ride_row["operating_minutes"] = x.open_snapshot_count * interval
                ride_row["peak_wait_time"] = x.max_wait
            ride_rows[(ride_id, bucket)] = ride_row
    return park_rows, ride_rows


def _expected_open_cycles(raw: Raw, park_id: int, day: date, opened: Sequence[CycleSnap],
                          interval: int) -> int:
    """SPEC §12: a schedule day's OPERATING minutes within the local day ÷ I (counted minute
    by minute), else the first-to-last open cycle span ÷ I + 1; rounded half up."""
    windows = raw.schedules.get(park_id, [])
    if any(w.local_date == day for w in windows):
        zone = raw.parks[park_id].zone
        start, end = (datetime(d.year, d.month, d.day, tzinfo=zone).astimezone(UTC)
                      .replace(tzinfo=None) for d in (day, day + timedelta(days=1)))
        minutes, at = 0, start
        while at < end:
            minutes += any(w.schedule_type == "OPERATING" and w.opening <= at < w.closing
                           for w in windows)
            at += timedelta(minutes=1)
        return int(minutes / interval + 0.5)
    if not opened:
        return 0
    span = (opened[-1].at - opened[0].at).total_seconds() / 60
    return int(span / interval + 0.5) + 1


def _hour_of(c: CycleSnap) -> datetime:
    return c.at.replace(minute=0, second=0, microsecond=0)


class Reference:
    """The raw rows read once and re-derived once; then any number of expected row sets."""

    def __init__(self, conn: Connection) -> None:
        self.raw = load_raw(conn)
        self.snaps = derive(self.raw)

    def hourly(self, start: datetime, end: datetime, interval: int) -> tuple[Rows, Rows]:
        """(park rows, ride rows) of every UTC hour in [start, end), keyed
        (park_id | ride_id, hour_start_utc)."""
        cycles = [c for c in self.snaps.values() if start <= c.at < end]
        return _bucket_rows(self.raw, cycles, _hour_of, interval, daily=False)

    def daily(self, park_days: Iterable[tuple[int, date]] | None, interval: int
              ) -> tuple[Rows, Rows]:
        """(park rows, ride rows) of the given (park, local date) pairs (all when None), keyed
        (park_id | ride_id, stat_date)."""
        wanted = None if park_days is None else set(park_days)
        cycles = [c for c in self.snaps.values()
                  if wanted is None or (c.park_id, c.local_date) in wanted]
        return _bucket_rows(self.raw, cycles, lambda c: c.local_date, interval, daily=True)


def expected_park_hourly(conn: Connection, start: datetime, end: datetime, interval: int
                         ) -> Rows:
    return Reference(conn).hourly(start, end, interval)[0]


def expected_ride_hourly(conn: Connection, start: datetime, end: datetime, interval: int
                         ) -> Rows:
    return Reference(conn).hourly(start, end, interval)[1]


def expected_park_daily(conn: Connection, park_days: Iterable[tuple[int, date]] | None,
                        interval: int) -> Rows:
    return Reference(conn).daily(park_days, interval)[0]


def expected_ride_daily(conn: Connection, park_days: Iterable[tuple[int, date]] | None,
                        interval: int) -> Rows:
    return Reference(conn).daily(park_days, interval)[1]


# --- reading and comparing stored rows ----------------------------------------------------------


def stored_rows(conn: Connection, table: Table, key: Sequence[str], where: Any = None,
                ignore: Sequence[str] = BOOKKEEPING) -> Rows:
    stmt = select(table)
    if where is not None:
        stmt = stmt.where(where)
    out = {}
    for r in conn.execute(stmt):
        row = {k: v for k, v in r._mapping.items() if k not in ignore}
        out[tuple(row[k] for k in key)] = row
    return out


def table_contents(conn: Connection, table: Table, ignore: Sequence[str] = ("updated_at",)
                   ) -> list[tuple[Any, ...]]:
    """Every row, sorted, without the ``ignore`` columns."""
    cols = [c for c in table.c if c.name not in ignore]
    return sorted(tuple(r) for r in conn.execute(select(*cols)))


def _equal(column: str, stored: Any, expected: Any) -> bool:
    if stored is None or expected is None:
        return stored is None and expected is None
    if isinstance(expected, bool):
        return isinstance(stored, bool) and stored == expected
    if column in FULL_PRECISION:
        return math.isclose(stored, expected, rel_tol=0, abs_tol=FULL_PRECISION[column])
    if isinstance(stored, bool) or type(stored).__name__ == "Decimal":
        return False  # a count or DECIMAL column must come back as a plain number
    # DECIMAL columns come back as float on MariaDB, and as int for whole values on SQLite
    # (NUMERIC affinity stores 1.0 as 1): compared by value.
    return bool(stored == expected)


def row_differences(table: str, stored: Mapping[Any, Mapping[str, Any]],
                    expected: Mapping[Any, Mapping[str, Any]]) -> list[str]:
    """Every difference between stored rows and reference rows, one line each. Every stored
    column must be defined by the reference (so a new column cannot go unchecked)."""
    out = [f"{table}{k}: missing (expected {dict(expected[k])})"
           for k in sorted(expected.keys() - stored.keys())]
    out += [f"{table}{k}: extra row {dict(stored[k])}"
            for k in sorted(stored.keys() - expected.keys())]
    for k in sorted(stored.keys() & expected.keys()):
        for column, value in stored[k].items():
            if column not in expected[k]:
                out.append(f"{table}: column {column} is not defined by tests/reference.py")
                continue
            if not _equal(column, value, expected[k][column]):
                out.append(f"{table}{k}.{column}: stored {value!r}, expected "
                           f"{expected[k][column]!r}")
    return out


def assert_rows_match(table: str, stored: Mapping[Any, Mapping[str, Any]],
                      expected: Mapping[Any, Mapping[str, Any]], limit: int = 40) -> None:
    diffs = row_differences(table, stored, expected)
    assert not diffs, f"{len(diffs)} difference(s):\n" + "\n".join(diffs[:limit])


def assert_downtime_invariant(row: Mapping[str, Any]) -> None:
    """SPEC §6 "shame_score > 0 exactly when total_downtime_hours > 0 at the same grain", for a
    stored park row (hourly or daily), as the code can keep it: on the full-precision
    shame_score_sum. The rounded shame_score can be 0.0 beside positive downtime (see
    test_shame_score_hourly.py); only "score > 0 implies downtime" holds for it."""
    assert (row["shame_score_sum"] > 0) == (row["total_downtime_hours"] > 0), row
    assert (row["shame_score_sum"] > 0) == (row["weighted_downtime_hours"] > 0), row
    if row["shame_score"] is not None and row["shame_score"] > 0:
        assert row["total_downtime_hours"] > 0, row


def assert_hourly_match_reference(engine: Engine, start: datetime, end: datetime,
                                  interval: int, reference: Reference | None = None
                                  ) -> tuple[int, int]:
    """Stored hourly rows of [start, end) == reference; returns (park rows, ride rows).
    ``reference``: one already read (the raw rows must not have changed since)."""
    with engine.connect() as conn:
        parks, rides = (reference or Reference(conn)).hourly(start, end, interval)
        ph, rh = t.park_hourly_stats, t.ride_hourly_stats
        in_range_p = (ph.c.hour_start_utc >= start) & (ph.c.hour_start_utc < end)
        in_range_r = (rh.c.hour_start_utc >= start) & (rh.c.hour_start_utc < end)
        stored_p = stored_rows(conn, ph, ("park_id", "hour_start_utc"), in_range_p)
        stored_r = stored_rows(conn, rh, ("ride_id", "hour_start_utc"), in_range_r)
    assert_rows_match("park_hourly_stats", stored_p, parks)
    assert_rows_match("ride_hourly_stats", stored_r, rides)
    return len(parks), len(rides)


def assert_daily_match_reference(engine: Engine, interval: int,
                                 park_days: Iterable[tuple[int, date]] | None = None,
                                 reference: Reference | None = None) -> tuple[int, int]:
    """Stored daily rows (of ``park_days``, or all) == reference; returns row counts."""
    pairs = None if park_days is None else set(park_days)
    with engine.connect() as conn:
        parks, rides = (reference or Reference(conn)).daily(pairs, interval)
        stored_p = stored_rows(conn, t.park_daily_stats, ("park_id", "stat_date"))
        stored_r = stored_rows(conn, t.ride_daily_stats, ("ride_id", "stat_date"))
    if pairs is not None:
        stored_p = {k: v for k, v in stored_p.items() if k in pairs}
        stored_r = {k: v for k, v in stored_r.items() if (v["park_id"], k[1]) in pairs}
    assert_rows_match("park_daily_stats", stored_p, parks)
    assert_rows_match("ride_daily_stats", stored_r, rides)
    return len(parks), len(rides)
