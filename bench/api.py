"""Benchmark of the HTTP API at the quickstart's scale, on MariaDB, through real servers.

Builds 80 parks / 4,200 attractions / 7 days of 5-minute snapshots ending at the current
5 minutes (in ``tpt_bench_api``; rebuilt when its newest snapshot is more than 10 minutes
old, or with ``--rebuild``: older data would leave LIVE without a cycle in its 15-minute
window and TODAY without its unfinished hour), aggregates it, then:

- runs the hourly and daily jobs for whatever has ended (as ``themepark run`` would), and
  ``ANALYZE TABLE`` on every table (as after any bulk load);
- starts ``themepark serve`` twice (gunicorn): once with ``CACHE_URL=none`` (every request
  recomputes) and once with the default in-process cache, and times each endpoint over one
  keep-alive HTTP connection: p50 and p99 of ``--repeat`` requests, uncached and cached;
- loads the rankings endpoint with 500 concurrent connections for ``--duration`` seconds
  with wrk (Debian's ``wrk``) and reports throughput, latency percentiles and errors.

The per-client rate limit is switched off for these servers (``API_RATE_LIMIT=off``): 500
connections from one address would otherwise be throttled, which is the limit working, not
the server's speed. Prints the figures and writes them to docs/performance.md. A benchmark,
not a test: nothing here asserts a time.

    .venv/bin/python bench/api.py [--rebuild] [--repeat 50] [--duration 30] [--database NAME]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

# bench/ is the script's folder, so it is on sys.path: ``common`` is bench/common.py.
from common import environment_line, free_port, mariadb_engine, write_section
from sqlalchemy import Engine, func, select, text
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.aggregate.hourly import run_hourly
from themepark_tracker.db.engine import make_engine
from themepark_tracker.db import tables as t
from themepark_tracker.timeutil import utcnow
from themepark_tracker.simulate import simulate

DATABASE = "tpt_bench_api"
SCALE = {"parks": 80, "rides": 4200, "days": 7, "seed": 1}
INTERVAL = 5
STALE_AFTER = timedelta(minutes=10)


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


@contextmanager
def server(database: str, cache: str) -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "DATABASE_NAME": database, "CACHE_URL": cache,
           "API_RATE_LIMIT": "off"}
    env.pop("DATABASE_URL", None)
    themepark = str(Path(sys.executable).parent / "themepark")
    proc = subprocess.Popen([themepark, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            try:
                get(port, "/api/openapi.json")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"the server did not start: {proc.stderr.read() if proc.stderr else ''}")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def get(port: int, path: str, conn: http.client.HTTPConnection | None = None) -> bytes:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    if own:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status} {body[:200]!r}")
    return body


def percentiles(port: int, path: str, repeat: int) -> tuple[float, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    get(port, path, conn)  # warm: connection, statement cache, (cached server) the entry
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        get(port, path, conn)
        times.append((time.perf_counter() - start) * 1000)
    conn.close()
    times.sort()
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return statistics.median(times), p99


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


def main() -> None:
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
    args = parser.parse_args()
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
    with server(database, "none") as port:
        live = json.loads(get(port, "/api/parks/downtime?period=live"))["aggregate_stats"]
        started = utcnow()
        top = json.loads(get(port, "/api/parks/downtime?period=today&limit=1"))["data"]
        park = top[0]["park_id"] if top else 1
        ride = json.loads(get(port, "/api/rides/downtime?period=today&limit=1"))["data"]
        ride_id = ride[0]["ride_id"] if ride else 1
    paths = [
        "/api/parks/downtime?period=live", "/api/parks/downtime?period=today",
        "/api/parks/downtime?period=yesterday", "/api/parks/downtime?period=last_week",
        "/api/parks/downtime?period=last_month", f"/api/parks/{park}/details?period=today",
        f"/api/parks/{park}/details?period=last_week", "/api/parks/waittimes?period=today",
        "/api/rides/downtime?period=today", "/api/rides/waittimes?period=today",
        f"/api/rides/{ride_id}/details?period=today", "/api/live/status-summary",
        "/api/search?q=Mountain",
    ]
    rows = {}
    with server(database, "none") as port:
        for path in paths:
            rows[path] = percentiles(port, path, args.repeat)
            print(f"uncached {path}: p50 {rows[path][0]:.1f} ms, p99 {rows[path][1]:.1f} ms")
    cached = {}
    with server(database, "") as port:
        for path in paths:
            cached[path] = percentiles(port, path, args.repeat)
            print(f"cached   {path}: p50 {cached[path][0]:.2f} ms")
        load = wrk(port, "/api/parks/downtime?period=today&limit=50", args.connections,
                   args.duration)
    lines = [
        environment_line(),
        "",
        f"Data: {parks} parks, 7 days ending {newest:%Y-%m-%d %H:%M} UTC in `{database}`, "
        f"measured from {started:%H:%M} UTC ({(started - newest).total_seconds() / 60:.0f} "
        f"minutes after the newest cycle; LIVE covered {live['parks_open']} open parks). "
        f"Each figure: {args.repeat} sequential requests over one keep-alive connection to "
        "`themepark serve` (gunicorn, default workers and threads), after one warm-up "
        "request; uncached = `CACHE_URL=none`, cached = the default in-process cache.",
        "",
        "| endpoint | uncached p50 | uncached p99 | cached p50 | cached p99 |",
        "|---|---|---|---|---|",
        *(f"| `{p}` | {rows[p][0]:.1f} ms | {rows[p][1]:.1f} ms | {cached[p][0]:.2f} ms | "
          f"{cached[p][1]:.2f} ms |" for p in paths),
        "",
        f"Load: wrk, {args.connections} concurrent connections, {args.duration} s, on "
        "`/api/parks/downtime?period=today&limit=50` (cached server): "
        f"**{load.get('requests', '?')} requests, {load.get('rps', '?')} req/s, p50 "
        f"{load.get('p50', '?')}, p99 {load.get('p99', '?')}**; socket errors: "
        f"{load['errors']}; non-2xx responses: {load['non2xx']}.",
        "",
        "Targets (issue 4): uncached TODAY rankings p50 < 50 ms, cached < 5 ms; 500 "
        "concurrent clients with no errors and p99 < 1 s (the quickstart asks < 2 s).",
    ]
    if args.small:
        print("\n".join(lines))
        return
    write_section("bench/api.py", "HTTP API (bench/api.py)", "\n".join(lines))


if __name__ == "__main__":
    main()
