"""Shared test scaffolding for the aggregation tests: the schema stamp, stale-mark dating,
running the quickstart's commands, and the scenario data set that covers every SPEC §2 case.
The independent recomputation itself lives in tests/reference.py."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from tests.reference import (
    CLOSED,
    DOWN,
    OPERATING,
    Reference,
    _hour_of,
    local_date,
)
from themepark_tracker.db import tables as t

# --- the schema the jobs accept -----------------------------------------------------------------


def at_head(engine: Engine) -> Engine:
    """conftest builds the schema with ``metadata.create_all``, which Alembic never stamped, and
    the jobs refuse a database before revision 012. Stamp it at head (idempotent; the stamp
    survives conftest's emptying of the tables, which does not touch alembic_version)."""
    from alembic import command

    from themepark_tracker.db.migrate import current_revision, make_config

    if current_revision(engine) is None:
        with engine.begin() as conn:
            command.stamp(make_config(connection=conn), "head")
    return engine


# --- stale marks ----------------------------------------------------------------------------


def date_marks(engine: Engine, when: datetime | None = None) -> None:
    """Date every stale hour and park-day mark at ``when`` (default: a minute ago), as if the
    late data had arrived then. A job clears only the marks made before it began reading; when
    "before" is judged by ``marked_at`` (whole seconds), a mark made in the same second as a
    test's aggregation rightly stays, so tests that expect the marks cleared say when the data
    arrived. (With a version counter the dating is harmless.)"""
    from sqlalchemy import update

    stamp = when or datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(minutes=1)
    with engine.begin() as conn:
        conn.execute(update(t.stale_hours).values(marked_at=stamp))
        conn.execute(update(t.stale_days).values(marked_at=stamp))


# --- running the commands as the quickstart does -----------------------------------------------

BACKEND = Path(__file__).resolve().parent.parent


def run_module(engine: Engine | None, *args: str, env: Mapping[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    """``python -m <args>`` from backend/ with ``PYTHONPATH=src`` and ``DATABASE_URL`` pointing
    at ``engine``'s database (as the seed's commands run), output captured as text."""
    full = {k: v for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DATABASE_NAME", "COLLECTION_INTERVAL_MINUTES")}
    full["PYTHONPATH"] = "src"
    if engine is not None:
        full["DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", *args], cwd=BACKEND, env=full,
                          capture_output=True, text=True, timeout=120, check=False)


# --- scenario data shared by the aggregation tests ----------------------------------------------
#
# Built through the real ingest path (tests.factories). The status generator is seeded, so the
# data is the same on every run and on both dialects.


@dataclass(frozen=True)
class ParkSpec:
    park_id: int
    timezone: str
    reports_down: bool
    tiers: tuple[int | None, ...]
    #: local minutes of the day the rides run: (start, end); end > 1440 runs past midnight
    day: tuple[int, int] = (9 * 60, 21 * 60)
    #: local dates with an OPERATING schedule window, and that window in local minutes
    schedule_dates: tuple[date, ...] = ()
    schedule: tuple[int, int] = (10 * 60, 18 * 60 + 30)
    refurbishment: tuple[int, ...] = ()  # attraction indexes that are always REFURBISHMENT
    shows: int = 1


#: Five parks that between them hit every SPEC §2 case (see test_hourly_aggregation_db.py).
WORLD_PARKS = (
    # Queue-Times-like: open/closed only, no schedule, UTC. An unclassified ride (tier None).
    ParkSpec(1, "UTC", False, (1, 2, 3, None, 2)),
    # Down-reporting, schedule-driven on two local dates (rides run 09:30-19:00, the schedule
    # says 10:00-18:30) on 11-02, heuristic on 11-01 and 11-03; one ride in refurbishment.
    ParkSpec(2, "Europe/Paris", True, (1, 1, 2, 3, 2), day=(9 * 60 + 30, 19 * 60),
             schedule_dates=(date(2025, 11, 2),), refurbishment=(4,)),
    # Down-reporting, heuristic, across the 25-hour DST day 2025-11-02.
    ParkSpec(3, "America/New_York", True, (1, 2, 2, 3), day=(8 * 60, 23 * 60)),
    # Open/closed only, UTC+5:30, open past local midnight (00:30): the UTC hour 18:00-19:00
    # holds snapshots of two local days.
    ParkSpec(4, "Asia/Kolkata", False, (1, 2, 3), day=(10 * 60, 24 * 60 + 30)),
    # Down-reporting, UTC, many rides: small per-snapshot scores.
    ParkSpec(5, "UTC", True, (1, 1, 1, 2, 2, 2, 3, 3)),
    # A feed that lists only shows: park snapshots without a single attraction.
    ParkSpec(6, "Europe/Paris", False, (), shows=2),
)

#: 42 hours: holds the whole local date 2025-11-02 of every park (UTC; Paris 11-01 23:00 to
#: 11-02 23:00 UTC; New York 11-02 04:00 to 11-03 05:00 UTC, 25 hours; Kolkata 11-01 18:30 to
#: 11-02 18:30 UTC) and partial days on both sides.
WORLD_START = datetime(2025, 11, 1, 12, 0)
WORLD_END = datetime(2025, 11, 3, 6, 0)  # exclusive
#: One cycle every 10 minutes, aggregated with I = 10 (not the default 5, so the interval
#: really is a parameter).
WORLD_INTERVAL = 10


@dataclass
class World:
    parks: tuple[ParkSpec, ...]
    start: datetime
    end: datetime
    attractions: dict[int, list[int]]
    cycles: int = 0
    dropped_readings: int = 0  # shows (non-attractions) the ingest path left out


def _local(at: datetime, zone: ZoneInfo) -> datetime:
    return at.replace(tzinfo=UTC).astimezone(zone)


def _utc(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of the local wall-clock time ``minutes`` after the start of ``day``."""
    wall = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
    return wall.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def world_cycles(spec: ParkSpec, ride_ids: Sequence[int], show_ids: Sequence[int],
                 start: datetime, end: datetime, seed: int, every: int = 5) -> list[Any]:
    """Seeded, plausible cycles for one park, with every edge case SPEC §2 names:
    DOWN/CLOSED before and after a ride's first operation, mass closing, DOWN rides in a closed
    park, lone night test runs, REFURBISHMENT, UNKNOWN, rides missing from a cycle, missed
    cycles, a cycle with no attraction at all, shows in the feed, waits (also None, also on
    rides that are not operating)."""
    from tests.factories import CODES
    from themepark_tracker.ingest.models import Cycle, RideObservation

    rng = random.Random(seed)
    zone = ZoneInfo(spec.timezone)
    broken = [0] * len(ride_ids)
    out = []
    at = start
    n = 0
    while at < end:
        n += 1
        this, at = at, at + timedelta(minutes=every)
        if rng.random() < 0.02:
            continue  # missed cycle
        local = _local(this, zone)
        minute = local.hour * 60 + local.minute
        lo, hi = spec.day
        in_day = lo <= minute < hi or (hi > 1440 and minute < hi - 1440)
        since_open = (minute - lo) if minute >= lo else None
        obs = []
        for i, ride_id in enumerate(ride_ids):
            wait: int | None = None
            if i in spec.refurbishment:
                code = "R"
            elif n % 97 == 13 or rng.random() < 0.02:
                continue  # missing from the cycle (n % 97 == 13: the whole cycle is empty)
            elif rng.random() < 0.01:
                code = "U"
            elif in_day:
                stagger = 15 * i
                if since_open is not None and since_open < stagger:
                    # not yet opened today: DOWN before its first operation at down-reporting
                    # parks (every other ride), CLOSED otherwise
                    code = "D" if spec.reports_down and i % 2 == 0 else "C"
                    wait = 10 if code == "D" and rng.random() < 0.3 else None
                elif broken[i] > 0:
                    broken[i] -= 1
                    code = "D" if spec.reports_down and i % 3 != 2 else "C"
                    wait = 15 if rng.random() < 0.3 else None
                elif rng.random() < 0.04:
                    broken[i] = rng.randint(1, 8)
                    code = "D" if spec.reports_down else "C"
                else:
                    code = "O"
                    wait = None if rng.random() < 0.15 else 5 * rng.randint(0, 18)
            else:
                broken[i] = 0
                if i == 0 and rng.random() < 0.03:
                    code, wait = "O", 5  # lone night test run
                elif spec.reports_down and rng.random() < 0.2:
                    code = "D"  # DOWN while the park is closed
                else:
                    code = "C"
            obs.append(RideObservation(ride_id, CODES[code], wait))
        for show_id in show_ids:
            obs.append(RideObservation(show_id, OPERATING if in_day else CLOSED,
                                       rng.choice([None, 20])))
        out.append(Cycle(spec.park_id, this, tuple(obs)))
    return out


def build_world(engine: Engine, parks: Sequence[ParkSpec] = WORLD_PARKS,
                start: datetime = WORLD_START, end: datetime = WORLD_END, seed: int = 7,
                every: int = WORLD_INTERVAL) -> World:
    from tests.factories import ingest, make_park
    from themepark_tracker.ingest.models import ScheduleRecord

    attractions: dict[int, list[int]] = {}
    all_cycles = []
    for spec in parks:
        zone = ZoneInfo(spec.timezone)
        schedules = [
            ScheduleRecord(spec.park_id, d, _utc(d, spec.schedule[0], zone),
                           _utc(d, spec.schedule[1], zone))
            for d in spec.schedule_dates
        ]
        shows = [(f"Show {n}", "SHOW") for n in range(spec.shows)]
        ids = make_park(engine, spec.park_id, tiers=spec.tiers, timezone=spec.timezone,
                        reports_down=spec.reports_down, extra_rides=shows, schedules=schedules)
        attractions[spec.park_id] = ids
        show_ids = [spec.park_id * 100 + 50 + n for n in range(spec.shows)]
        all_cycles += world_cycles(spec, ids, show_ids, start, end, seed + spec.park_id, every)
    summary = ingest(engine, all_cycles)
    return World(tuple(parks), start, end, attractions, len(all_cycles),
                 summary.dropped_readings)


def coverage(ref: Reference, interval: int) -> dict[str, int]:
    """How often the data hits each SPEC §2 case (a test asserts none of them is 0)."""
    raw = ref.raw
    n: dict[str, int] = defaultdict(int)
    attractions: dict[int, int] = defaultdict(int)
    for ride in raw.rides.values():
        attractions[ride.park_id] += ride.attraction
    scheduled = {p: {w.local_date for w in ws} for p, ws in raw.schedules.items()}
    dates_in_hour: dict[tuple[int, datetime], set[date]] = defaultdict(set)
    for c in ref.snaps.values():
        park = raw.parks[c.park_id]
        dates_in_hour[(c.park_id, _hour_of(c))].add(c.local_date)
        statuses = [s.status for s in c.rides]
        operating = statuses.count(OPERATING)
        has_schedule = c.local_date in scheduled.get(c.park_id, set())
        if not c.rides:
            n["cycle without any attraction"] += 1
        elif len(c.rides) < attractions[c.park_id]:
            n["attraction missing from a cycle"] += 1
        if not c.park_open:
            n["park closed"] += 1
            n["DOWN while the park is closed"] += statuses.count(DOWN)
            if operating == 1 and not has_schedule:
                n["lone test run does not open a heuristic park"] += 1
            if operating >= 2 and has_schedule:
                n["schedule keeps a park with operating rides closed"] += 1
        elif has_schedule:
            n["open by schedule"] += 1
        else:
            n["open by the ride heuristic"] += 1
        if c.park_open and c.active_weight == 0:
            n["open with zero active weight"] += 1
        for s in c.rides:
            if s.status == "REFURBISHMENT":
                n["REFURBISHMENT"] += 1
            if s.status == "UNKNOWN" and s.park_open:
                n["UNKNOWN while open"] += 1
            if s.park_open and s.status != OPERATING and s.wait is not None:
                n["wait on a ride that is not operating"] += 1
            if s.operating_open and s.wait is None:
                n["operating without a wait"] += 1
            if not s.park_open or s.status not in (DOWN, CLOSED):
                continue
            if park.reports_down:
                if s.status == DOWN and not s.operated_today:
                    n["DOWN before first operation counts (down-reporting)"] += 1
                if s.status == CLOSED:
                    n["CLOSED never counts at a down-reporting park"] += 1
            elif s.status == CLOSED:
                if s.operated_today:
                    n["CLOSED after first operation counts (closed-only)"] += 1
                else:
                    n["CLOSED before first operation does not count (closed-only)"] += 1
    for park_id, instants in raw.cycles.items():
        gaps = [b - a for a, b in zip(instants, instants[1:], strict=False)]
        n["missed cycle"] += sum(1 for g in gaps if g > timedelta(minutes=interval))
        days: dict[date, list[datetime]] = defaultdict(list)
        for at in instants:
            days[local_date(at, raw.parks[park_id].zone)].append(at)
        for ats in days.values():
            if max(ats) - min(ats) > timedelta(hours=24):
                n["local day longer than 24 hours (DST)"] += 1
    n["UTC hour holding two local dates"] = sum(1 for v in dates_in_hour.values() if len(v) > 1)
    n["unclassified tier"] = sum(1 for r in raw.rides.values() if r.attraction and r.tier is None)
    return dict(n)
