"""``bench/api.py --days 90``: issue 14's long periods on 80 parks / 4,200 attractions over 90
days (``tpt_bench_days90``, bench/days90.py): ``last_90_days`` rankings, one past ``date``, a
park's 365-day history (where the endpoint exists), and the park and ride heatmaps, each
uncached and cached. Targets (issue 14): uncached p50 < 50 ms, cached < 2 ms."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import timedelta

from common import environment_line, mariadb_engine
from days90 import DATABASE, SCALE, copy_forward, trim
from serving import Data, Figures, get, server
from sqlalchemy import Engine, func, select
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.db import tables as t
from themepark_tracker.simulate import simulate
from themepark_tracker.timeutil import HOUR, floor_hour, utcnow

INTERVAL = 5
DAY = timedelta(days=1)
#: What a long build took, step by step, as the last build printed it (kept in the database
#: would be a table of its own; the bench notes it in docs/performance.md instead).
BUILD_NOTE: list[str] = []


def build(args: argparse.Namespace) -> Engine:
    """The 90-day data set, built only when the database is empty (or ``--rebuild``)."""
    engine = mariadb_engine(DATABASE, drop=args.rebuild)
    with engine.connect() as conn:
        newest = conn.scalar(select(func.max(t.park_activity_snapshots.c.recorded_at)))
    if newest is not None:
        return engine
    end = utcnow().replace(second=0)
    end -= timedelta(minutes=end.minute % INTERVAL)
    first = end - timedelta(days=SCALE["days"])
    sim_days = min(args.simulate_days, SCALE["days"])
    if sim_days < SCALE["days"] and sim_days % 7:
        raise SystemExit("--simulate-days must be a multiple of 7 (copies keep weekdays)")
    whole = sim_days >= SCALE["days"]
    sim_end = end if whole else first.replace(hour=0, minute=0) + (sim_days + 1) * DAY
    steps = []
    began = time.perf_counter()
    scale = {**SCALE, "days": SCALE["days"] if whole else (sim_end - first).days + 1}
    print(simulate(engine, end=sim_end, interval_minutes=INTERVAL, **scale).describe())
    steps.append(("simulate", time.perf_counter() - began))
    if not whole:
        trim(engine, sim_end)
    began = time.perf_counter()
    print(backfill(engine, INTERVAL, start=floor_hour(first),
                   end=floor_hour(min(sim_end, end)) - HOUR).describe())
    steps.append(("backfill-hourly", time.perf_counter() - began))
    began = time.perf_counter()
    run_daily(engine, INTERVAL)
    steps.append(("aggregate-daily", time.perf_counter() - began))
    if not whole:
        block_start = first.replace(hour=0, minute=0) + DAY
        steps.append(("copy forward", copy_forward(engine, block_start, sim_days, end)))
    BUILD_NOTE.append(", ".join(f"{name} {seconds:.0f} s" for name, seconds in steps))
    return engine


def long_paths(park: int, ride: int, day: str, history: bool) -> list[str]:
    return [
        "/api/parks/downtime?period=last_90_days",
        f"/api/parks/downtime?period=date&date={day}",
        *([f"/api/parks/{park}/history"] if history else []),
        f"/api/parks/{park}/heatmap",
        f"/api/rides/{ride}/heatmap",
        f"/api/parks/{park}/heatmap?period=last_365_days",
    ]


def long_data(args: argparse.Namespace, catch_up: Callable[[Engine], None],
              analyze: Callable[[Engine], None]) -> Data:
    """Build (once) or catch up the 90-day database and pick the park and ride to ask."""
    engine = build(args)
    catch_up(engine)
    analyze(engine)
    with engine.connect() as conn:
        newest = conn.scalar(select(func.max(t.park_activity_snapshots.c.recorded_at)))
        parks = conn.scalar(select(func.count()).select_from(t.parks))
    engine.dispose()
    day = (newest - timedelta(days=30)).date().isoformat()
    with server(DATABASE, "none", args.servers[0]) as port:
        spec = json.loads(get(port, "/api/openapi.json"))
        top = json.loads(get(port, "/api/parks/downtime?period=last_90_days&limit=1"))["data"]
        ride = json.loads(get(port, "/api/rides/downtime?period=last_90_days&limit=1"))["data"]
    started = utcnow()
    history = "/api/parks/{park_id}/history" in spec["paths"]
    paths = long_paths(top[0]["park_id"] if top else 1, ride[0]["ride_id"] if ride else 1, day,
                       history)
    return Data(DATABASE, parks or 0, newest, started, {}, paths)


def long_lines(data: Data, figures: Figures, args: argparse.Namespace) -> list[str]:
    rows, cached = figures.uncached, figures.cached
    history = any("/history" in p for p in data.paths)
    return [
        environment_line(),
        "",
        f"Data: {data.parks} parks, 4,200 attractions, 90 days ending "
        f"{data.newest:%Y-%m-%d %H:%M} UTC in `{data.database}`"
        + (f" (built: {BUILD_NOTE[0]})" if BUILD_NOTE else "") + f". Each figure: "
        f"{args.repeat} sequential requests over one keep-alive connection to `themepark "
        f"serve` ({figures.server}), after one warm-up request; uncached = `CACHE_URL=none`, "
        "cached = the default in-process cache. Load average (1 min) "
        f"{figures.loadavg[0]:.2f} before, {figures.loadavg[1]:.2f} after.",
        "",
        "| endpoint | uncached p50 | uncached p99 | cached p50 | cached p99 |",
        "|---|---|---|---|---|",
        *(f"| `{p}` | {rows[p][0]:.1f} ms | {rows[p][1]:.1f} ms | {cached[p][0]:.2f} ms | "
          f"{cached[p][1]:.2f} ms |" for p in data.paths),
        "",
        "Targets (issue 14): uncached p50 < 50 ms, cached < 2 ms."
        + ("" if history else " The park history endpoint was not on this branch when "
                              "measured (no row)."),
    ]
