"""Benchmark of the HTTP API at the quickstart's scale, on MariaDB, through real servers.

Builds 80 parks / 4,200 attractions / 7 days of 5-minute snapshots ending at the current
5 minutes (in ``tpt_bench_api``; rebuilt when its newest snapshot is more than 10 minutes
old, or with ``--rebuild``: older data would leave LIVE without a cycle in its 15-minute
window and TODAY without its unfinished hour), aggregates it, then:

- runs the hourly and daily jobs for whatever has ended (as ``themepark run`` would), and
  ``ANALYZE TABLE`` on every table (as after any bulk load);
- starts ``themepark serve`` twice (granian): once with ``CACHE_URL=none`` (every request
  recomputes) and once with the default in-process cache, and times each endpoint over one
  keep-alive HTTP connection: p50 and p99 of ``--repeat`` requests, uncached and cached;
  ``--server gunicorn23 --server granian`` measures the replaced gunicorn 23 setup and then
  granian on the same data and writes them side by side ("Server choice (issue 12)");
- loads the rankings endpoint with 500 concurrent connections for ``--duration`` seconds
  with wrk (Debian's ``wrk``) and reports throughput, latency percentiles and errors.

The per-client rate limit is switched off for these servers (``API_RATE_LIMIT=off``): 500
connections from one address would otherwise be throttled, which is the limit working, not
the server's speed. Prints the figures and writes them to docs/performance.md. A benchmark,
not a test: nothing here asserts a time.

    .venv/bin/python bench/api.py [--rebuild] [--repeat 50] [--duration 30] [--database NAME]
                                  [--server granian|gunicorn23 ...]
                                  [--days 90 [--simulate-days N]]

``--days 90`` measures issue 14's long periods instead (bench/long_periods.py): 80 parks /
4,200 attractions over 90 days in ``tpt_bench_days90``, built once and kept.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import time
from datetime import timedelta

# bench/ is the script's folder, so it is on sys.path: ``common`` is bench/common.py.
from common import environment_line, mariadb_engine, write_section
from long_periods import long_data, long_lines
from serving import SERVERS, Data, Figures, get, percentiles, server
from sqlalchemy import Engine, func, select, text
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.aggregate.hourly import run_hourly
from themepark_tracker.db import tables as t
from themepark_tracker.db.engine import make_engine
from themepark_tracker.timeutil import utcnow
from themepark_tracker.simulate import simulate

DATABASE = "tpt_bench_api"
SCALE = {"parks": 80, "rides": 4200, "days": 7, "seed": 1}
INTERVAL = 5
STALE_AFTER = timedelta(minutes=10)
LOAD_PATH = "/api/parks/downtime?period=today&limit=50"


SMALL = {"parks": 6, "rides": 150, "days": 2, "seed": 1}


def build(rebuild: bool, database: str, scale: dict[str, int]) -> Engine:
    engine = mariadb_engine(database, drop=rebuild)
    with engine.connect() as conn:
        newest = conn.scalar(select(func.max(t.park_activity_snapshots.c.recorded_at)))
    now = utcnow()
    if newest is None or now - newest > STALE_AFTER:
        if newest is not None:
            engine.dispose()
            engine = mariadb_engine(database, drop=True)
        end = now.replace(second=0, microsecond=0)
        end -= timedelta(minutes=end.minute % INTERVAL)
        print(f"Building {scale} ending {end:%Y-%m-%d %H:%M} UTC in {database}...")
        started = time.perf_counter()
        print("  " + simulate(engine, end=end, interval_minutes=INTERVAL, **scale).describe())
        print("  " + backfill(engine, INTERVAL, days=scale["days"]).describe())
        print(f"  built in {time.perf_counter() - started:.0f} s")
    catch_up(engine)
    analyze(engine)
    return engine


def analyze(engine: Engine) -> None:
    """Fresh statistics for every table, as after any bulk load. Right after building 8 M
    rows, InnoDB's own statistics lag for minutes, and plans chosen from them made some
    answers several times slower than the same answers ten minutes later (ride rankings
    3.6 s against 0.7 s, the status summary 177 ms against 8 ms)."""
    names = ", ".join(f"`{name}`" for name in t.metadata.tables)
    with engine.connect() as conn:
        conn.execute(text(f"ANALYZE TABLE {names}")).all()


def catch_up(engine: Engine) -> None:
    """Aggregate every hour and local day that has ended, as ``themepark run`` keeps them, so
    that the figures are those of a served database, not of one whose jobs stopped."""
    hours = run_hourly(engine, INTERVAL)
    days = run_daily(engine, INTERVAL)
    print(f"  caught up: {len(hours)} hours, {len(days)} local dates aggregated")


def wrk(port: int, path: str, connections: int, duration: int) -> dict[str, str]:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency",
         f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    print(out)
    found = {name: m.group(1) for name, pattern in (
        ("p50", r"50%\s+(\S+)"), ("p99", r"99%\s+(\S+)"), ("rps", r"Requests/sec:\s+(\S+)"),
        ("requests", r"(\d+) requests in"))
        if (m := re.search(pattern, out))}
    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    found["errors"] = errors.group(1) if errors else "none"
    found["non2xx"] = non2xx.group(1) if non2xx else "0"
    return found


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=50, help="requests per endpoint")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load")
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--small", action="store_true",
                        help="a quick check of this script on 6 parks (writes no figures)")
    parser.add_argument("--database", default=None,
                        help="measure an existing database with the quickstart's data "
                             "(e.g. themepark_tracker_dev after its steps 1-3) as it is")
    parser.add_argument("--days", type=int, choices=(7, 90), default=7,
                        help="7: the quickstart's week (rebuilt when stale); 90: issue 14's "
                             "long periods on tpt_bench_days90 (kept; built once)")
    parser.add_argument("--simulate-days", type=int, default=90,
                        help="with --days 90: simulate this many days (a multiple of 7) and "
                             "copy them forward to 90 (bench/days90.py) [default: all 90]")
    parser.add_argument("--server", action="append", choices=SERVERS, dest="servers",
                        help="server(s) to measure, one after the other on the same data "
                             "[default: granian, what themepark serve runs]")
    args = parser.parse_args()
    args.servers = args.servers or ["granian"]
    return args


def open_data(args: argparse.Namespace) -> Data:
    """The database to measure (built or caught up first), its size, and the paths to ask."""
    if args.days == 90:
        return long_data(args, catch_up, analyze)
    if args.database:
        database = args.database
        engine = make_engine(f"mysql+pymysql://root@127.0.0.1:3306/{database}?charset=utf8mb4")
    else:
        database = DATABASE + "_small" if args.small else DATABASE
        engine = build(args.rebuild, database, SMALL if args.small else SCALE)
    with engine.connect() as conn:
        newest = conn.scalar(select(func.max(t.park_activity_snapshots.c.recorded_at)))
        parks = conn.scalar(select(func.count()).select_from(t.parks))
    engine.dispose()
    with server(database, "none", args.servers[0]) as port:
        live = json.loads(get(port, "/api/parks/downtime?period=live"))["aggregate_stats"]
        started = utcnow()
        top = json.loads(get(port, "/api/parks/downtime?period=today&limit=1"))["data"]
        ride = json.loads(get(port, "/api/rides/downtime?period=today&limit=1"))["data"]
    park = top[0]["park_id"] if top else 1
    ride_id = ride[0]["ride_id"] if ride else 1
    return Data(database, parks or 0, newest, started, live, endpoint_paths(park, ride_id))


def endpoint_paths(park: int, ride: int) -> list[str]:
    return [
        "/api/parks/downtime?period=live", "/api/parks/downtime?period=today",
        "/api/parks/downtime?period=yesterday", "/api/parks/downtime?period=last_week",
        "/api/parks/downtime?period=last_month", f"/api/parks/{park}/details?period=today",
        f"/api/parks/{park}/details?period=last_week", "/api/parks/waittimes?period=today",
        "/api/rides/downtime?period=today", "/api/rides/waittimes?period=today",
        f"/api/rides/{ride}/details?period=today", "/api/live/status-summary",
        "/api/search?q=Mountain",
    ]


def measure(data: Data, kind: str, args: argparse.Namespace) -> Figures:
    """Every path uncached then cached, then wrk on the cached server, all on ``kind``."""
    figures = Figures(kind)
    before = os.getloadavg()[0]
    with server(data.database, "none", kind) as port:
        for path in data.paths:
            figures.uncached[path] = percentiles(port, path, args.repeat)
            p50, p99 = figures.uncached[path]
            print(f"{kind} uncached {path}: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    with server(data.database, "", kind) as port:
        for path in data.paths:
            figures.cached[path] = percentiles(port, path, args.repeat)
            print(f"{kind} cached   {path}: p50 {figures.cached[path][0]:.2f} ms")
        if args.days == 7:  # the load test is the quickstart's (TODAY's rankings)
            figures.load = wrk(port, LOAD_PATH, args.connections, args.duration)
    figures.loadavg = (before, os.getloadavg()[0])
    return figures


def api_lines(data: Data, figures: Figures, args: argparse.Namespace) -> list[str]:
    """The section "HTTP API": every endpoint on one server."""
    rows, cached, load = figures.uncached, figures.cached, figures.load
    minutes = (data.started - data.newest).total_seconds() / 60
    return [
        environment_line(),
        "",
        f"Data: {data.parks} parks, 7 days ending {data.newest:%Y-%m-%d %H:%M} UTC in "
        f"`{data.database}`, measured from {data.started:%H:%M} UTC ({minutes:.0f} minutes "
        f"after the newest cycle; LIVE covered {data.live['parks_open']} open parks). Each "
        f"figure: {args.repeat} sequential requests over one keep-alive connection to "
        f"`themepark serve` ({figures.server}, default workers and threads), after one "
        "warm-up request; uncached = `CACHE_URL=none`, cached = the default in-process cache.",
        "",
        "| endpoint | uncached p50 | uncached p99 | cached p50 | cached p99 |",
        "|---|---|---|---|---|",
        *(f"| `{p}` | {rows[p][0]:.1f} ms | {rows[p][1]:.1f} ms | {cached[p][0]:.2f} ms | "
          f"{cached[p][1]:.2f} ms |" for p in data.paths),
        "",
        f"Load: wrk, {args.connections} concurrent connections, {args.duration} s, on "
        f"`{LOAD_PATH}` (cached server): **{load.get('requests', '?')} requests, "
        f"{load.get('rps', '?')} req/s, p50 {load.get('p50', '?')}, p99 "
        f"{load.get('p99', '?')}**; socket errors: {load['errors']}; non-2xx responses: "
        f"{load['non2xx']}. Load average (1 min) {figures.loadavg[0]:.2f} before, "
        f"{figures.loadavg[1]:.2f} after.",
        "",
        "Targets (issue 4): uncached TODAY rankings p50 < 50 ms, cached < 5 ms; 500 "
        "concurrent clients with no errors and p99 < 1 s (the quickstart asks < 2 s).",
    ]


def comparison_lines(data: Data, all_figures: list[Figures], args: argparse.Namespace
                     ) -> list[str]:
    """The servers side by side on the same data, in the order they ran."""
    today = "/api/parks/downtime?period=today"
    return [
        environment_line(),
        "",
        f"`bench/api.py {' '.join(f'--server {f.server}' for f in all_figures)} --repeat "
        f"{args.repeat} --duration {args.duration}` on `{data.database}` ({data.parks} parks), "
        f"one server after the other; wrk: {args.connections} connections on `{LOAD_PATH}`.",
        "",
        "| server | load avg before/after | uncached TODAY p50 | cached TODAY p50 | "
        "wrk requests | req/s | wrk p50 | wrk p99 | socket errors | non-2xx |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(f"| {f.server} | {f.loadavg[0]:.2f} / {f.loadavg[1]:.2f} | "
          f"{f.uncached[today][0]:.1f} ms | {f.cached[today][0]:.2f} ms | "
          f"{f.load.get('requests', '?')} | {f.load.get('rps', '?')} | "
          f"{f.load.get('p50', '?')} | {f.load.get('p99', '?')} | {f.load['errors']} | "
          f"{f.load['non2xx']} |" for f in all_figures),
    ]


def main() -> None:
    args = parse_args()
    data = open_data(args)
    all_figures = [measure(data, kind, args) for kind in args.servers]
    product = next((f for f in all_figures if f.server == "granian"), None)
    if args.days == 90 and product is not None:
        lines = "\n".join(long_lines(data, product, args))
        print(lines)
        write_section("bench/api.py days90", "Long periods (issue 14, bench/api.py --days 90)",
                      lines)
        return
    if args.small or product is None:
        for figures in all_figures:
            print("\n".join(api_lines(data, figures, args)))
    else:
        write_section("bench/api.py", "HTTP API (bench/api.py)",
                      "\n".join(api_lines(data, product, args)))
    if len(all_figures) > 1:
        lines = "\n".join(comparison_lines(data, all_figures, args))
        print(lines)
        if not args.small:
            write_section("bench/api.py servers", "Server choice (issue 12)", lines)


if __name__ == "__main__":
    main()
