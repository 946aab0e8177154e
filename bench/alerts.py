"""Benchmark of webhook delivery (issue 16) on MariaDB: 1,000 subscriptions and a simulated
collection cycle of 80 parks.

Builds the simulator's 80 parks / 4,200 attractions (``tpt_bench_alerts``, made afresh) and
1,000 mixed subscriptions (ride.down and ride.up per ride, ride.down per park, park.score_above
and ride.wait_below with thresholds; json, slack, discord and ntfy), all to one local receiver
(a separate process that notes when each request arrives). Then, for each round:

- a burst of events is committed in one transaction (one per subscribed subject: every
  subscription is owed at least one delivery, ~1,600 in all), the worker is woken, and the
  time from that commit to each delivery's arrival is noted (its last one: the round's
  figure);
- half a second into those deliveries, the next simulated cycle of the 80 parks runs as the
  scheduler runs it: deliveries paused, each park ingested in its own transaction (as
  ``collect`` does), deliveries resumed; then its events are derived by the real writer in a
  thread of their own (as ``themepark run`` does), timed apart. That cycle's seconds, against
  the cycles in between with nothing to deliver and no event derivation (baseline rounds,
  alternating with the measured ones), is the cost alerts add to a cycle.

Prints the figures and writes them to docs/performance.md (between the alerts markers). A
benchmark, not a test: nothing here asserts a time.

    .venv/bin/python bench/alerts.py [--rounds 10] [--subscriptions 1000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from common import environment_line, free_port, mariadb_engine, write_section
from sqlalchemy import Engine, func, select

from themepark_tracker.config import Settings
from themepark_tracker.db.alert_tables import events, webhook_outbox
from themepark_tracker.ingest.catalog import upsert_parks, upsert_rides
from themepark_tracker.ingest.events import derive_events
from themepark_tracker.ingest.models import Cycle
from themepark_tracker.ingest.snapshots import IngestSummary, ingest_cycles
from themepark_tracker.simulate import Simulation, build_catalogue
from themepark_tracker.webhooks import store
from themepark_tracker.webhooks.worker import DeliveryWorker

DATABASE = "tpt_bench_alerts"
END = datetime(2025, 12, 5, 23, 55)
INTERVAL = 5
RECEIVER = '''
import http.server, sys, time
out = open(sys.argv[2], "a", buffering=1)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        out.write(f"{time.time()} {self.headers['X-Themepark-Event-Id']}\\n")
        self.send_response(204); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
'''


def build(engine: Engine, subscriptions: int, url: str, seed: int = 1
          ) -> tuple[Simulation, list[dict[str, Any]]]:
    catalogue = build_catalogue(80, 4200, seed)
    with engine.begin() as conn:
        upsert_parks(conn, catalogue.park_records)
        upsert_rides(conn, catalogue.ride_records)
    rng = random.Random(seed)
    rides = [r.ride_id for r in catalogue.ride_records]
    parks = [p.park_id for p in catalogue.park_records]
    formats = ("json", "slack", "discord", "ntfy")
    made = []
    with engine.begin() as conn:
        for n in range(subscriptions):
            kind = rng.random()
            fields: dict[str, Any]
            if kind < 0.4:
                fields = {"event_type": "ride.down", "ride_id": rng.choice(rides)}
            elif kind < 0.6:
                fields = {"event_type": "ride.up", "ride_id": rng.choice(rides)}
            elif kind < 0.75:
                fields = {"event_type": "ride.down", "park_id": rng.choice(parks)}
            elif kind < 0.9:
                fields = {"event_type": "park.score_above", "park_id": rng.choice(parks),
                          "threshold": float(rng.choice((2, 3, 4, 5)))}
            else:
                fields = {"event_type": "ride.wait_below", "ride_id": rng.choice(rides),
                          "minutes": rng.choice((15, 30, 45))}
            new = store.NewSubscription(url=url, format=formats[n % 4], **fields)
            made.append(store.add(conn, new, END, allow_private=True) | fields)
    return Simulation(catalogue, seed, END, 1, INTERVAL), made


def cycles_by_instant(sim: Simulation) -> list[list[Cycle]]:
    """The day's cycles grouped by instant, the instants with the most parks open first."""
    found: dict[datetime, list[Cycle]] = {}
    for park in sim.catalogue.parks:
        day = sim.park_day(park, 0)
        for cycle in day.cycles if day is not None else []:
            found.setdefault(cycle.recorded_at, []).append(cycle)
    return [found[at] for at in sorted(found)]


def ingest_cycle(engine: Engine, cycles: list[Cycle]) -> IngestSummary:
    total = IngestSummary()
    for cycle in cycles:
        with engine.begin() as conn:
            total.add(ingest_cycles(conn, [cycle], interval_minutes=INTERVAL))
    return total


def burst(engine: Engine, subs: list[dict[str, Any]], round_no: int
          ) -> tuple[float, int, int]:
    """One event per subscribed subject, committed at once; (commit time, first and last
    seq)."""
    subjects: dict[tuple[Any, ...], dict[str, Any]] = {}
    rides_of_park: dict[int, int] = {}
    with engine.connect() as conn:
        from themepark_tracker.db import tables as t
        for sub in subs:
            if sub.get("park_id") and sub["event_type"] == "ride.down" and not sub.get("ride_id"):
                rides_of_park[sub["park_id"]] = conn.scalar(
                    select(t.rides.c.ride_id).where(t.rides.c.park_id == sub["park_id"]).limit(1))
        park_of = dict(conn.execute(select(t.rides.c.ride_id, t.rides.c.park_id)).all())
    for sub in subs:
        ride = sub.get("ride_id") or rides_of_park.get(sub.get("park_id") or 0)
        park = sub.get("park_id") or park_of[ride]
        threshold = sub.get("threshold") or sub.get("minutes")
        subjects[(sub["event_type"], park, ride if sub["event_type"] != "park.score_above"
                  else None, threshold)] = sub
    at = datetime(2025, 12, 5, 12, 0)
    rows = [{"event_id": f"bench-{round_no}-{n}", "event_type": kind, "park_id": park,
             "ride_id": ride, "threshold": threshold, "occurred_at": at, "recorded_at": at,
             "deliver": True, "payload": '{"text": "bench"}'}
            for n, (kind, park, ride, threshold) in enumerate(subjects)]
    with engine.begin() as conn:
        first = int(conn.scalar(select(func.coalesce(func.max(events.c.seq), 0))) or 0) + 1
        conn.execute(events.insert(), rows)
    return time.time(), first, first + len(rows) - 1


def arrivals(log: Path, prefix: str) -> list[float]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [float(line.split()[0]) for line in lines if line.split()[1].startswith(prefix)]


def owed(engine: Engine, first_seq: int, last_seq: int) -> int:
    """Deliveries queued for the burst's events (not those the cycle's own events add)."""
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(webhook_outbox).where(
            webhook_outbox.c.event_seq.between(first_seq, last_seq))) or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--subscriptions", type=int, default=1000)
    args = parser.parse_args()
    engine = mariadb_engine(DATABASE, drop=True)
    port, workdir = free_port(), Path(tempfile.mkdtemp())
    log = workdir / "arrivals.log"
    (workdir / "receiver.py").write_text(RECEIVER)
    receiver = subprocess.Popen([sys.executable, str(workdir / "receiver.py"), str(port),
                                 str(log)])
    try:
        run(engine, args, f"http://127.0.0.1:{port}/hook", log)
    finally:
        receiver.terminate()
        engine.dispose()


def run(engine: Engine, args: argparse.Namespace, url: str, log: Path) -> None:
    sim, subs = build(engine, args.subscriptions, url)
    instants = [c for c in cycles_by_instant(sim) if len(c) >= 70]
    print(f"{len(subs)} subscriptions; {len(instants)} instants with 70+ parks open")
    settings = replace(Settings(database_url=engine.url.render_as_string(hide_password=False)),
                       webhook_allow_private=True)
    warm = 4  # cycles before the measured ones: outages and events need a history
    for cycles in instants[:warm]:
        ingest_cycle(engine, cycles)
    worker = DeliveryWorker(engine, settings)
    worker.start()
    baseline: list[float] = []
    with_alerts, derive_s, last, each, per_round = [], [], [], [], []
    try:
        # Baseline and measured cycles alternate, so both see the same load and the same
        # growth of the day's data: a baseline cycle has nothing to deliver and derives no
        # events; a measured one runs as the scheduler runs it (deliveries paused around the
        # cycle) with a burst in flight, and its events are then derived in a thread of their
        # own, as ``themepark run`` does (collect/cycle.py), timed apart.
        for n, cycles in enumerate(instants[warm:warm + 2 * args.rounds]):
            if n % 2 == 0:
                started = time.perf_counter()
                ingest_cycle(engine, cycles)
                baseline.append(time.perf_counter() - started)
                continue
            committed, first, last_seq = burst(engine, subs, n)
            worker.wake()
            time.sleep(0.5)  # the burst is being delivered when the cycle starts
            started = time.perf_counter()
            worker.pause()  # as the scheduler does around each cycle
            summary = ingest_cycle(engine, cycles)
            worker.resume()
            with_alerts.append(time.perf_counter() - started)
            derive_s.append(timed_in_thread(lambda: derive_events(
                engine, settings, summary.days_marked, now=cycles[0].recorded_at)))
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                expected = owed(engine, first, last_seq)
                got = arrivals(log, f"bench-{n}-")
                if expected and len(got) >= expected:
                    break
                time.sleep(0.05)
            got = arrivals(log, f"bench-{n}-")
            per_round.append(len(got))
            last.append(max(got) - committed)
            each += [g - committed for g in got]
    finally:
        worker.stop()
    report(args, baseline, with_alerts, derive_s, last, each, per_round)


def timed_in_thread(job: Any) -> float:
    """Run ``job`` in a thread of its own (as ``themepark run`` derives events beside the
    cycle) and return its seconds."""
    seconds: list[float] = []

    def timed() -> None:
        started = time.perf_counter()
        job()
        seconds.append(time.perf_counter() - started)

    thread = threading.Thread(target=timed)
    thread.start()
    thread.join()
    return seconds[0]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(args: argparse.Namespace, baseline: list[float], with_alerts: list[float],
           derive_s: list[float], last: list[float], each: list[float],
           per_round: list[int]) -> None:
    base, alerts = statistics.median(baseline), statistics.median(with_alerts)
    lines = [
        environment_line(),
        "",
        f"{args.subscriptions:,} subscriptions (40% ride.down per ride, 20% ride.up per ride, "
        "15% ride.down per park, 15% park.score_above, 10% ride.wait_below; the four formats "
        f"in turn), one local receiver; {len(last)} rounds of a burst of "
        f"{statistics.median(per_round):,.0f} deliveries (median) committed at once, "
        "`WEBHOOK_CONCURRENCY` 8.",
        "",
        "| figure | p50 | p99 |",
        "|---|---|---|",
        f"| commit → last delivery of the burst received | {statistics.median(last):.2f} s | "
        f"{pct(last, 0.99):.2f} s |",
        f"| commit → each delivery received | {pct(each, 0.5) * 1000:.0f} ms | "
        f"{pct(each, 0.99) * 1000:.0f} ms |",
        "",
        f"| a cycle of 70–80 parks (median of {len(baseline)} + {len(with_alerts)}, "
        "alternating) | seconds |",
        "|---|---|",
        f"| ingest only, nothing to deliver, no event derivation (baseline) | {base:.3f} |",
        "| pause deliveries + ingest + resume, a burst in flight (the cycle as `themepark "
        f"run` runs it) | {alerts:.3f} |",
        f"| **cost added to the cycle** | **{(alerts - base) * 1000:.0f} ms** |",
        "| event derivation (`derive_events`), after the cycle in a thread of its own | "
        f"{statistics.median(derive_s):.3f} |",
    ]
    block = "\n".join(lines) + "\n"
    print(block)
    write_section("bench/alerts.py", "Webhook delivery (bench/alerts.py)", block)


if __name__ == "__main__":
    main()
