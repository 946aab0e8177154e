"""What feed quality (SPEC §12) adds to a park ranking, on MariaDB.

Simulates ``--parks`` (20) parks / ``--rides`` (600) attractions / ``--days`` (8) days of
5-minute cycles ending now into ``tpt_bench_quality`` (rebuilt when its newest cycle is more
than 10 minutes old, or with ``--rebuild``), aggregates it as ``themepark run`` would, then
times, in-process, per period: ``period_quality`` alone and the whole ``park_rankings`` that
includes it (medians of ``--repeat`` calls on one connection). Then empties
``park_daily_stats.expected_open_cycles`` (as on days aggregated before revision 014) and
times the long periods again, whose past days are then recomputed from park snapshots and
schedules (the stored values are put back afterwards). Prints the figures and
writes them to docs/performance.md. A benchmark, not a test: nothing here asserts.

    .venv/bin/python bench/quality.py [--rebuild] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

# bench/ is the script's folder, so it is on sys.path: ``common`` is bench/common.py.
from common import environment_line, mariadb_engine, write_section
from sqlalchemy import Engine, bindparam, func, select, update

from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.aggregate.hourly import run_hourly
from themepark_tracker.db import tables as t
from themepark_tracker.queries.park_stats import load_parks
from themepark_tracker.queries.quality import period_quality
from themepark_tracker.queries.rankings import park_rankings
from themepark_tracker.simulate import parse_end, simulate

INTERVAL = 5
PERIODS = ("live", "today", "yesterday", "last_week", "last_month", "last_365_days")
LONG = ("last_week", "last_month", "last_365_days")


def build(engine: Engine, args: argparse.Namespace) -> datetime:
    """The data, ending at the current 5 minutes; returns the "now" to read at."""
    with engine.connect() as conn:
        newest = conn.scalar(select(func.max(t.park_activity_snapshots.c.recorded_at)))
    current = datetime.now(UTC).replace(tzinfo=None)
    if newest is None or current - newest > timedelta(minutes=10):
        end = parse_end(None, INTERVAL)
        simulate(engine, parks=args.parks, rides=args.rides, days=args.days, seed=1, end=end,
                 interval_minutes=INTERVAL)
        newest = end
    now = newest + timedelta(minutes=1)
    backfill(engine, INTERVAL, days=args.days + 1)
    run_hourly(engine, INTERVAL, now=now)
    run_daily(engine, INTERVAL, now=now)
    return now


def median_ms(call: Callable[[], object], repeat: int) -> float:
    call()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(engine: Engine, now: datetime, periods: tuple[str, ...], repeat: int
            ) -> list[tuple[str, float, float]]:
    out = []
    with engine.connect() as conn:
        parks = load_parks(conn)
        for period in periods:
            quality = median_ms(lambda p=period: period_quality(  # type: ignore[misc]
                conn, parks, p, now, interval_minutes=INTERVAL, use_hourly=True), repeat)
            whole = median_ms(lambda p=period: park_rankings(  # type: ignore[misc]
                conn, p, now, interval_minutes=INTERVAL, use_hourly=True, limit=200), repeat)
            out.append((period, quality, whole))
            print(f"{period}: quality {quality:.1f} ms, rankings {whole:.1f} ms")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parks", type=int, default=20)
    parser.add_argument("--rides", type=int, default=600)
    parser.add_argument("--days", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    engine = mariadb_engine("tpt_bench_quality", drop=args.rebuild)
    now = build(engine, args)
    stored = measure(engine, now, PERIODS, args.repeat)
    pd = t.park_daily_stats
    with engine.begin() as conn:
        kept = [{"pid": r.park_id, "day": r.stat_date, "n": r.expected_open_cycles}
                for r in conn.execute(select(pd.c.park_id, pd.c.stat_date,
                                             pd.c.expected_open_cycles))]
        conn.execute(update(pd).values(expected_open_cycles=None))
    recomputed = measure(engine, now, LONG, args.repeat)
    with engine.begin() as conn:  # put the daily job's values back
        conn.execute(update(pd).where(pd.c.park_id == bindparam("pid"),
                                      pd.c.stat_date == bindparam("day"))
                     .values(expected_open_cycles=bindparam("n")), kept)
    rows = ["| period | `period_quality` p50 | whole `park_rankings` p50 (quality included) |",
            "|---|---|---|"]
    rows += [f"| `{p}` | {q:.1f} ms | {w:.1f} ms |" for p, q, w in stored]
    rows += [f"| `{p}`, column empty (before 014) | {q:.1f} ms | {w:.1f} ms |"
             for p, q, w in recomputed]
    block = "\n".join([
        environment_line(), "",
        f"Data: {args.parks} parks / {args.rides} attractions / {args.days} days of "
        f"{INTERVAL}-minute cycles ending {now:%Y-%m-%d %H:%M} UTC in `tpt_bench_quality`; "
        f"in-process, one connection, median of {args.repeat} calls after a warm-up.", "",
        *rows, "",
        "`live` and `today` read today's park snapshots (count, first and last open cycle) "
        "and schedules, and each park's newest cycle; past days read `park_daily_stats` and "
        "recompute only the days without a stored `expected_open_cycles`. `last_365_days` "
        "recomputes the ~357 days before the data began in every case (no daily row there).",
    ])
    write_section("bench/quality.py", "Feed quality (bench/quality.py)", block)


if __name__ == "__main__":
    main()
