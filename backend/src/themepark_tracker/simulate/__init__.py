"""Realistic simulated parks, rides and collection cycles, written through the one ingest path.

``simulate`` builds a catalogue (parks across time zones, attractions by tier, shows, restaurants
and single-rider entries on top), then walks the period one simulated day at a time. For each
park its local day is planned (opening hours, rides opening over the first half-hour, breakdowns,
weather holds, refurbishments, closed days, now and then a lone test run at night), turned into
cycles (a few of which are missed, as in production) and handed to ``ingest_cycles``, one
transaction per simulated day. Nothing reaches the tables another way.

Everything random comes from ``random.Random`` streams seeded with ``seed`` and what they describe
(the catalogue, a park and a local date, a ride's refurbishment block), never from the global
generator: the same arguments always give the same rows.

- ``parks``: the tunable rates and mixes, the park templates and the ride-name tables (data only).
- ``catalogue``: ``build_catalogue``, the parks and their entries with their simulation traits.
- ``law``: each park's breakdown-length law (a lognormal mixture drawn from the seed), its
  sampler and survival function, and ``truth`` (what ``simulate --truth`` writes).
- ``days``: ``Simulation``, one park's local date planned and turned into cycles.
- here: ``simulate``, the command's driver (one transaction per simulated day), ``parse_end``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from themepark_tracker.errors import UserError
from themepark_tracker.ingest.catalog import upsert_parks, upsert_rides, upsert_schedules
from themepark_tracker.ingest.snapshots import IngestSummary, ingest_cycles
from themepark_tracker.progress import ProgressBar
from themepark_tracker.simulate.catalogue import Catalogue, build_catalogue
from themepark_tracker.simulate.days import SOURCE, ParkDay, Simulation
from themepark_tracker.simulate.law import OutageLaw, park_law, truth
from themepark_tracker.timeutil import floor_to_interval

__all__ = [
    "SOURCE",
    "Catalogue",
    "OutageLaw",
    "ParkDay",
    "Simulation",
    "SimulationSummary",
    "build_catalogue",
    "floor_to_interval",
    "park_law",
    "parse_end",
    "simulate",
    "truth",
]

logger = logging.getLogger(__name__)


@dataclass
class SimulationSummary:
    parks: int
    attractions: int
    other_entries: int
    days: int
    end: datetime
    interval_minutes: int
    park_snapshots: int = 0
    cycles_missed: int = 0
    ride_snapshots: int = 0
    dropped_readings: int = 0
    park_days_unchanged: int = 0
    schedules: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        text = (
            f"Simulated {self.parks:,} parks, {self.attractions:,} attractions "
            f"(+{self.other_entries:,} other entries), {self.days} "
            f"{'day' if self.days == 1 else 'days'} ending "
            f"{self.end:%Y-%m-%d %H:%M} UTC: {self.park_snapshots:,} park snapshots "
            f"({self.cycles_missed:,} cycles missed), {self.ride_snapshots:,} ride snapshots "
            f"in {self.seconds:.0f} s"
        )
        if self.park_days_unchanged:
            text += f" ({self.park_days_unchanged:,} park-days were already stored as they are)"
        return text


#: The years a simulation may end in: before 2000 is no data the tracker could have seen, and
#: the local days around a year-9999 end do not fit in a ``datetime``.
END_YEARS = (2000, 9998)


def parse_end(text: str | None, interval_minutes: int = 5) -> datetime:
    """The end of the simulated period, naive UTC: ``YYYY-MM-DD HH:MM`` (also ISO-8601 with T,
    seconds, ``Z`` or an offset). None gives now, floored to a cycle boundary."""
    if text is None:
        return floor_to_interval(datetime.now(UTC).replace(tzinfo=None), interval_minutes)
    cleaned = text.strip()
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError:
        raise UserError(
            f"--end {text!r} is not a UTC time like '2025-12-05 08:00'"
        ) from None
    if value.tzinfo is not None:
        try:
            value = value.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:
            value = value.replace(tzinfo=None)  # year 1 or 9999: refused just below
    if not END_YEARS[0] <= value.year <= END_YEARS[1]:
        raise UserError(f"--end {text!r} is outside the years {END_YEARS[0]} to {END_YEARS[1]} "
                        f"(the simulation computes local days before and after it)")
    if value != floor_to_interval(value, interval_minutes):
        raise UserError(
            f"--end {text!r} is not on a {interval_minutes}-minute cycle boundary "
            f"(e.g. {floor_to_interval(value, interval_minutes):%Y-%m-%d %H:%M})"
        )
    return value


def simulate(
    engine: Engine,
    *,
    parks: int,
    rides: int,
    days: int,
    seed: int,
    end: datetime,
    interval_minutes: int = 5,
) -> SimulationSummary:
    """Fill the database with ``days`` days of cycles every ``interval_minutes``, from
    ``end - days`` to ``end``, both included, through ``ingest_cycles``.

    Each simulated day is one transaction; running the same arguments again changes nothing.
    """
    started = time.monotonic()
    aligned = _checked_end(days, end, interval_minutes)
    catalogue = build_catalogue(parks, rides, seed)
    sim = Simulation(catalogue, seed, aligned, days, interval_minutes)
    summary = SimulationSummary(
        parks=parks, attractions=catalogue.attraction_count,
        other_entries=catalogue.other_count, days=days, end=aligned,
        interval_minutes=interval_minutes,
    )
    with engine.begin() as conn:
        upsert_parks(conn, catalogue.park_records)
        upsert_rides(conn, catalogue.ride_records)
    logger.info("Simulating %s parks, %s attractions (+%s other entries), %s to %s UTC, seed %s",
                parks, summary.attractions, summary.other_entries,
                f"{sim.start:%Y-%m-%d %H:%M}", f"{aligned:%Y-%m-%d %H:%M}", seed)

    total_days = sim.day_count
    with ProgressBar(total_days * len(catalogue.parks), "Simulating", "park-days") as progress:
        for k in range(total_days):
            _simulate_day(engine, sim, catalogue, k, summary, progress)
    summary.seconds = time.monotonic() - started
    return summary


def _checked_end(days: int, end: datetime, interval_minutes: int) -> datetime:
    """``end`` on a cycle boundary, once the arguments are known to make sense."""
    if days < 1:
        raise UserError("--days must be at least 1")
    if not 1 <= interval_minutes <= 60:
        raise UserError(f"the collection interval must be 1 to 60 minutes, not {interval_minutes}")
    aligned = floor_to_interval(end, interval_minutes)
    if aligned != end:
        logger.warning("End %s is not on a %d-minute cycle boundary: using %s",
                       end, interval_minutes, aligned)
    return aligned


def _simulate_day(engine: Engine, sim: Simulation, catalogue: Catalogue, k: int,
                  summary: SimulationSummary, progress: ProgressBar) -> None:
    """The ``k``-th simulated day of every park, in one transaction, counted in ``summary``."""
    total_days = sim.day_count
    day_started = time.monotonic()
    day = IngestSummary()
    missed = 0
    with engine.begin() as conn:
        for park in catalogue.parks:
            park_day = sim.park_day(park, k)
            if park_day is not None:
                summary.schedules += upsert_schedules(conn, park_day.schedules)
                day.add(ingest_cycles(conn, park_day.cycles, interval_minutes=sim.interval))
                missed += park_day.missed
            progress.advance(description=f"Simulating day {k + 1}/{total_days}")
    summary.park_snapshots += day.cycles
    summary.ride_snapshots += day.ride_snapshots
    summary.dropped_readings += day.dropped_readings
    summary.park_days_unchanged += day.park_days_unchanged
    summary.cycles_missed += missed
    # With a bar on the terminal the day lines would tear it: they go to debug then.
    logger.log(
        logging.DEBUG if progress.showing else logging.INFO,
        "Simulated day %d/%d: %s park snapshots (%d missed), %s ride snapshots in %.1f s",
        k + 1, total_days, f"{day.cycles:,}", missed, f"{day.ride_snapshots:,}",
        time.monotonic() - day_started,
    )
