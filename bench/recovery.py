"""Calibration of the "stay or go" recovery estimate (SPEC §11) on simulated data.

Simulates ``--days`` (60) days of ``--parks`` parks / ``--rides`` attractions into a benchmark
database (MariaDB ``tpt_bench_recovery`` by default, or a SQLite file with ``--sqlite``; kept
between runs, ``--rebuild`` makes it again) and writes the simulator's true breakdown laws
beside it. Then, timed:

- the outages of every park (SPEC §10), through ``load_outages``;
- Kaplan–Meier curves (``survival.fit``) of each park and pooled per feed kind, over the outages
  that started in the first ``--fit-days`` (40) days;
- SPEC §11 calibration on the outages that started in the remaining days: for each bucket T*
  and horizon H, among held-out outages with duration ≥ T* observed long enough to tell, the
  share recovered within T* + H against the prediction of the basis SPEC §11 picks for the
  outage's park (its own curve with ≥ 200 at risk at T*, else the pooled one of its kind).
  A cell's prediction is the mean over its outages of their park's prediction; the published
  figure is the mean absolute error over cells with at least 100 such outages. Also shown: the
  same with one cell per (basis curve, T*, H), so that parks' errors cannot cancel, and each
  feed kind's outages alone;
- each fitted curve against the simulator's true law: max |S_KM(t) − S_true(t)| over
  t = 5, 10, ..., 600 where at least 200 outages are at risk (the pooled truth is the parks'
  laws weighted by their fitted outages).

``load_outages`` reads ``ride_outages``, which ingest keeps as the simulation goes (SPEC §10);
a database simulated before ingest kept them is brought up to date first with the library
function behind ``themepark outages rebuild`` (timed). The curves are fitted by the fit job's
own ``strata`` (aggregate/recovery.py). Last, the fit job stores the curves as of the data's
end, and a ride-details request of a ride down at that instant, carrying its estimate, is timed
uncached through the app (``create_app`` with no cache, the clock at the data's end). Prints
the figures and writes them to docs/performance.md (the section between the recovery markers).
A benchmark, not a test: nothing here asserts.

    .venv/bin/python bench/recovery.py [--rebuild] [--sqlite FILE] [--parks 40] [--rides 2000]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

# bench/ is the script's folder, so it is on sys.path: ``common`` is bench/common.py.
from common import environment_line, mariadb_engine, write_section
from sqlalchemy import Engine, func, select

from themepark_tracker import survival
from themepark_tracker.aggregate.recovery import POOLED, FitOutage, feed_kind, strata
from themepark_tracker.cli.outages import rebuild
from themepark_tracker.db import tables as t
from themepark_tracker.db.engine import make_engine
from themepark_tracker.db.migrate import upgrade
from themepark_tracker.ingest.outages import RECOVERED
from themepark_tracker.simulate import build_catalogue, simulate, truth

DATABASE = "tpt_bench_recovery"
END = datetime(2025, 12, 5, 8, 0)
INTERVAL = 5
MIN_TOLD = 100  # SPEC §11: cells with at least this many held-out outages count
TRUTH_MINUTES = tuple(range(5, 601, 5))


@dataclass(frozen=True, slots=True)
class Outage:
    park_id: int
    feed_kind: str
    started_at: datetime
    duration: int  # down_minutes, the current one while ongoing
    recovered: bool


def load_outages(engine: Engine, timings: dict[str, float]) -> list[Outage]:
    """Every outage (SPEC §10) of every park, from ``ride_outages``; rebuilt first (timed in
    ``timings["rebuild"]``) when the data predates ingest's upkeep of that table."""
    o, parks = t.ride_outages, t.parks
    with engine.connect() as conn:
        kept = conn.scalar(select(func.count()).select_from(o))
    if not kept:
        print("Deriving ride_outages for data simulated before ingest kept them...")
        started = time.perf_counter()
        rebuild(engine, INTERVAL)
        timings["rebuild"] = time.perf_counter() - started
    with engine.connect() as conn:
        rows = conn.execute(select(o.c.park_id, parks.c.reports_down, o.c.started_at,
                                   o.c.down_minutes, o.c.end_reason)
                            .join(parks, parks.c.park_id == o.c.park_id)).all()
    return [Outage(park_id, feed_kind(bool(down)), started, minutes, reason == RECOVERED)
            for park_id, down, started, minutes, reason in rows]


# --- fitting and scoring ------------------------------------------------------------------------


@dataclass
class Curves:
    park: dict[int, survival.Curve]
    pooled: dict[str, survival.Curve]
    kind_of: dict[int, str]
    fitted: dict[int, int]  # outages per park in the fit

    def basis(self, park_id: int, bucket: int) -> tuple[str, survival.Curve] | None:
        """SPEC §11: the park's curve with enough at risk at T*, else its kind's pooled one
        (with a name for it)."""
        kind = self.kind_of[park_id]
        for name, curve in ((f"park {park_id}", self.park.get(park_id)),
                            (f"pooled {kind}", self.pooled.get(kind))):
            if curve is not None and curve.at_risk(bucket) >= survival.MIN_AT_RISK:
                return name, curve
        return None


def fit_curves(outages: Sequence[Outage]) -> Curves:
    """The fit job's strata (aggregate/recovery.py ``strata``) over ``outages``."""
    fitted = strata(FitOutage(o.park_id, o.feed_kind, o.duration, o.recovered)
                    for o in outages)
    counts: dict[int, int] = defaultdict(int)
    for o in outages:
        counts[o.park_id] += 1
    return Curves({p: c for (p, _), c in fitted.items() if p != POOLED},
                  {k: c for (p, k), c in fitted.items() if p == POOLED},
                  {o.park_id: o.feed_kind for o in outages}, dict(counts))


@dataclass
class Cell:
    told: int = 0
    hits: int = 0
    predicted: float = 0.0  # Σ over told outages of their basis's prediction

    def error(self) -> float:
        return abs(self.hits / self.told - self.predicted / self.told)


def calibrate(curves: Curves, held: Iterable[Outage]) -> dict[tuple[str, int, int], Cell]:
    """Calibration cells (basis curve, bucket, H) over the held-out outages; SPEC §11's
    (bucket, H) cells are their sums over the curves (``by_bucket``)."""
    by_park: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for o in held:
        by_park[o.park_id].append((o.duration, o.recovered))
    cells: dict[tuple[str, int, int], Cell] = defaultdict(Cell)
    for park_id, durations in by_park.items():
        if park_id not in curves.kind_of:
            continue
        for bucket in survival.BUCKETS:
            basis = curves.basis(park_id, bucket)
            if basis is None:
                continue
            name, curve = basis
            for horizon in survival.HORIZONS:
                predicted = survival.within(curve, bucket, horizon)
                hits, told = survival.observed_share(durations, bucket, horizon)
                if predicted is None or not told:
                    continue
                cell = cells[(name, bucket, horizon)]
                cell.told, cell.hits = cell.told + told, cell.hits + hits
                cell.predicted += predicted * told
    return cells


def by_bucket(cells: dict[tuple[str, int, int], Cell]) -> dict[tuple[int, int], Cell]:
    out: dict[tuple[int, int], Cell] = defaultdict(Cell)
    for (_, bucket, horizon), c in cells.items():
        total = out[(bucket, horizon)]
        total.told, total.hits = total.told + c.told, total.hits + c.hits
        total.predicted += c.predicted
    return out


def mean_error(cells: Iterable[Cell]) -> tuple[float, int]:
    """The mean absolute error over the cells with at least ``MIN_TOLD`` outages, and their
    number."""
    counted = [c.error() for c in cells if c.told >= MIN_TOLD]
    return (sum(counted) / len(counted) if counted else float("nan")), len(counted)


def by_kind(curves: Curves, held: Sequence[Outage]) -> str:
    """The calibration error of each feed kind's held-out outages alone."""
    parts = []
    for kind in sorted(curves.pooled):
        error, n = mean_error(by_bucket(calibrate(
            curves, [o for o in held if o.feed_kind == kind])).values())
        parts.append(f"{kind} {100 * error:.2f} pp over {n} cells")
    return "; ".join(parts)


def truth_error(curve: survival.Curve, true_s: dict[int, float]) -> tuple[float, int]:
    """max |S_KM(t) − S_true(t)| over the tabulated t with at least 200 at risk, and the
    largest such t."""
    worst, reach = 0.0, 0
    for minutes, s in true_s.items():
        if curve.at_risk(minutes) < survival.MIN_AT_RISK:
            continue
        worst, reach = max(worst, abs(curve.survival(minutes) - s)), minutes
    return worst, reach


# --- the run ------------------------------------------------------------------------------------


def build(args: argparse.Namespace) -> tuple[Engine, str, dict[str, float]]:
    """The benchmark's database (simulated if empty) and what building it took; the scale
    and the simulation's seconds are kept beside the data (``<name>.json``)."""
    if args.sqlite:
        path = Path(args.sqlite)
        if args.rebuild:
            path.unlink(missing_ok=True)
        engine, where = make_engine(f"sqlite:///{path.resolve()}"), f"SQLite {path.name}"
        upgrade(engine)
        meta = path.with_suffix(".json")
    else:
        engine, where = mariadb_engine(args.database, drop=args.rebuild), f"MariaDB {args.database}"
        meta = Path(f"/tmp/{args.database}.json")
    with engine.connect() as conn:
        have = conn.scalar(select(func.count()).select_from(t.park_activity_snapshots))
    if not have:
        print(f"Simulating {args.parks} parks, {args.rides} rides, {args.days} days "
              f"into {where}...")
        summary = simulate(engine, parks=args.parks, rides=args.rides, days=args.days,
                           seed=args.seed, end=END, interval_minutes=INTERVAL)
        meta.write_text(json.dumps({"parks": args.parks, "rides": args.rides, "days": args.days,
                                    "seed": args.seed, "seconds": summary.seconds,
                                    "ride_snapshots": summary.ride_snapshots}))
    return engine, where, json.loads(meta.read_text())


def report(built: dict[str, float], where: str, outages: Sequence[Outage], split: datetime,
           timings: dict[str, float]) -> tuple[str, Curves]:
    fitting = [o for o in outages if o.started_at < split]
    held = [o for o in outages if o.started_at >= split]
    started = time.perf_counter()
    curves = fit_curves(fitting)
    timings["fit"] = time.perf_counter() - started
    fine = calibrate(curves, held)
    cells = by_bucket(fine)
    overall, counted = mean_error(cells.values())
    per_curve, curve_cells = mean_error(fine.values())
    rebuilt = (f" (first derived by the rebuild in {timings['rebuild']:.0f} s: the data "
               "predates ingest's upkeep)" if "rebuild" in timings else "")
    lines = [
        f"{built['parks']:.0f} parks, {built['rides']:.0f} attractions, {built['days']:.0f} days "
        f"(seed {built['seed']:.0f}, {built['ride_snapshots']:,.0f} ride snapshots) simulated "
        f"into {where} in {built['seconds']:.0f} s. Outages read from `ride_outages` in "
        f"{timings['load']:.0f} s{rebuilt}: "
        f"{len(outages):,} in all, {len(fitting):,} fitted (started before "
        f"{split:%Y-%m-%d %H:%M} UTC), {len(held):,} held out. Curves fitted "
        f"({len(curves.park)} parks + {len(curves.pooled)} pooled) in {timings['fit']:.2f} s.",
        "",
        f"**Calibration error (mean absolute, cells with ≥ {MIN_TOLD} held-out outages): "
        f"{100 * overall:.2f} percentage points** over {counted} of {len(cells)} cells "
        f"(target: below 2.5). Scored per basis curve instead (cells (curve, T*, H), so that "
        f"errors of different parks cannot cancel): {100 * per_curve:.2f} pp over "
        f"{curve_cells} cells. By feed kind: {by_kind(curves, held)}.",
        "",
        "| T* (min) | H | held-out outages told | observed | predicted | abs. error (pp) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for (bucket, horizon), c in sorted(cells.items()):
        mark = "" if c.told >= MIN_TOLD else " (not counted)"
        lines.append(f"| {bucket} | {horizon} | {c.told:,}{mark} | {c.hits / c.told:.3f} | "
                     f"{c.predicted / c.told:.3f} | {100 * c.error():.2f} |")
    return "\n".join(lines), curves


def truth_lines(curves: Curves, laws: list[dict[str, object]]) -> str:
    """Each fitted curve against the simulator's law (``simulate --truth``)."""
    true_s = {int(str(law["park_id"])): {int(p["minutes"]): float(p["survival"])
                                         for p in law["survival"]}  # type: ignore[attr-defined]
              for law in laws}
    per_park = sorted((error, p) for p, c in curves.park.items()
                      for error, reach in [truth_error(c, true_s[p])] if reach)
    lines = ["", "Fitted curves against the true law, max |S_KM(t) − S_true(t)| over t = 5, 10, "
                 "..., 600 min with ≥ 200 at risk:", ""]
    if per_park:
        errors = [e for e, _ in per_park]
        lines.append(f"- {len(errors)} park curves: median {100 * errors[len(errors) // 2]:.1f} "
                     f"pp, worst {100 * errors[-1]:.1f} pp (park {per_park[-1][1]})")
    for kind, curve in sorted(curves.pooled.items()):
        parks = [p for p, k in curves.kind_of.items() if k == kind]
        weight = sum(curves.fitted[p] for p in parks)
        pooled = {m: sum(curves.fitted[p] * true_s[p][m] for p in parks) / weight
                  for m in TRUTH_MINUTES}
        error, reach = truth_error(curve, pooled)
        lines.append(f"- pooled {kind} ({len(parks)} parks): {100 * error:.1f} pp (t up to "
                     f"{reach} min)")
    return "\n".join(lines)


def details_timing(engine: Engine, where: str, repeat: int = 20) -> str:
    """Store the curves as the daily job would at the data's end, then time uncached
    ride-details requests of a ride down at that instant (its estimate included)."""
    from themepark_tracker.aggregate.recovery import fit_curves as store_curves
    from themepark_tracker.config import Settings
    from themepark_tracker.web import create_app

    store_curves(engine, 180, now=END)
    o = t.ride_outages
    with engine.connect() as conn:
        ride = conn.scalar(select(o.c.ride_id).where(o.c.ended_at.is_(None),
                                                     o.c.last_down_at >= END - timedelta(
                                                         minutes=INTERVAL))
                           .order_by(o.c.down_minutes.desc()).limit(1))
    if ride is None:
        return "No ride was down at the data's end: the ride-details request was not timed."
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url, cache_url="none", api_rate_limit=None),
                     clock=lambda: END)
    client, times, body = app.test_client(), [], {}
    for _ in range(repeat):
        started = time.perf_counter()
        body = client.get(f"/api/rides/{ride}/details").get_json()
        times.append(1000 * (time.perf_counter() - started))
    outage = body.get("outage") or {}
    recovery = outage.get("recovery") or {}
    return (f"Uncached `/api/rides/{ride}/details` (ride down {outage.get('down_minutes')} min "
            f"at the data's end, estimate basis {recovery.get('basis')}, at risk "
            f"{recovery.get('at_risk')}), {repeat} requests in process on {where}: p50 "
            f"{statistics.median(times):.1f} ms, min {min(times):.1f} ms.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="simulate the data again")
    parser.add_argument("--database", default=DATABASE, help="a tpt_bench_* MariaDB database")
    parser.add_argument("--sqlite", default=None, help="a SQLite file instead of MariaDB")
    parser.add_argument("--parks", type=int, default=40)
    parser.add_argument("--rides", type=int, default=2000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--fit-days", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    engine, where, built = build(args)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    outages = load_outages(engine, timings)
    timings["load"] = time.perf_counter() - started - timings.get("rebuild", 0.0)
    split = END - timedelta(days=float(built["days"]) - args.fit_days)
    block, curves = report(built, where, outages, split, timings)
    laws = truth(build_catalogue(int(built["parks"]), int(built["rides"]), int(built["seed"])),
                 int(built["seed"]))
    block += "\n" + truth_lines(curves, laws)
    block += "\n\n" + details_timing(engine, where)
    block += (f"\n\n{environment_line()}\n\n    .venv/bin/python bench/recovery.py "
              f"--parks {built['parks']:.0f} --rides {built['rides']:.0f} "
              f"--days {built['days']:.0f} --fit-days {args.fit_days}"
              + (f" --sqlite {args.sqlite}" if args.sqlite else "") + "\n")
    print(block)
    write_section("recovery", "Recovery estimate calibration (SPEC §11)", block)


if __name__ == "__main__":
    main()
