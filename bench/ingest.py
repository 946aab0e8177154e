"""Benchmark of the ingest path with the simulator's data: where the time of ``simulate`` goes.

Generates the cycles of the given scale twice: once without a database (the simulator's own
cost), once through ``simulate`` into a fresh database (``tpt_bench_ingest`` on MariaDB, dropped
afterwards, or a temporary SQLite file with ``--sqlite``). Prints rows per second of each and
their ratio. A benchmark, not a test: nothing here asserts a time.

    .venv/bin/python bench/ingest.py [--parks 80 --rides 4200 --days 7] [--sqlite]
"""

from __future__ import annotations

import argparse
import platform
import resource
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from themepark_tracker.db.engine import make_engine
from themepark_tracker.db.migrate import upgrade
from themepark_tracker.simulate import Simulation, build_catalogue, simulate

SERVER = "mysql+pymysql://root@127.0.0.1:3306/?charset=utf8mb4"
DATABASE = "tpt_bench_ingest"
END = datetime(2025, 12, 5, 8, 0)
INTERVAL = 5


def generate_only(parks: int, rides: int, days: int, seed: int) -> tuple[int, float]:
    """Ride observations generated (attractions and others) and the seconds it took."""
    started = time.perf_counter()
    sim = Simulation(build_catalogue(parks, rides, seed), seed, END, days, INTERVAL)
    observations = 0
    for k in range(sim.day_count):
        for park in sim.catalogue.parks:
            day = sim.park_day(park, k)
            if day is not None:
                observations += sum(len(c.rides) for c in day.cycles)
    return observations, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parks", type=int, default=80)
    parser.add_argument("--rides", type=int, default=4200)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file")
    args = parser.parse_args()
    scale = dict(parks=args.parks, rides=args.rides, days=args.days, seed=args.seed)

    observations, gen_seconds = generate_only(**scale)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"generate only: {observations:,} ride observations in {gen_seconds:.1f} s "
          f"({observations / gen_seconds:,.0f}/s)")

    with tempfile.TemporaryDirectory() as folder:
        if args.sqlite:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            server = None
        else:
            server = make_engine(SERVER)
            with server.begin() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{DATABASE}`"))
                conn.execute(text(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4"))
            url = SERVER.replace("/?", f"/{DATABASE}?")
        engine = make_engine(url)
        try:
            upgrade(engine)
            summary = simulate(engine, end=END, interval_minutes=INTERVAL, **scale)
        finally:
            engine.dispose()
            if server is not None:
                with server.begin() as conn:
                    conn.execute(text(f"DROP DATABASE IF EXISTS `{DATABASE}`"))
                server.dispose()

    rate = summary.ride_snapshots / summary.seconds
    print(f"{engine.dialect.name}: {summary.describe()}")
    print(f"simulate + ingest: {rate:,.0f} stored ride snapshots/s; generation is "
          f"{gen_seconds / summary.seconds:.0%} of the whole")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
