"""SPEC §11: fit the Kaplan–Meier recovery curves and store them in ``recovery_curves``.

One curve per park and one pooled curve per feed kind (``park_id`` 0), over the outages that
started within ``RECOVERY_WINDOW_DAYS`` before now: duration = ``down_minutes``, event =
ended ``recovered``; every other end, and ongoing outages at their current duration, are
censored. The strata are replaced whole in one transaction, so a reader sees the old fit or
the new one, never a mix. This module is the only writer of ``recovery_curves``; a request
only reads what it stored.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, and_, delete, insert, select

from themepark_tracker import survival
from themepark_tracker.aggregate.runlog import logged_run
from themepark_tracker.db import tables as t
from themepark_tracker.db.lock import job_lock
from themepark_tracker.ingest.outages import RECOVERED
from themepark_tracker.timeutil import iso_utc, utcnow

logger = logging.getLogger(__name__)

RECOVERY = "recovery"  # aggregation_log.aggregation_type
REPORTS_DOWN, CLOSED_ONLY = "reports_down", "closed_only"  # SPEC §12 feed kinds
POOLED = 0  # the park_id of a feed kind's pooled curve


def feed_kind(reports_down: bool) -> str:
    return REPORTS_DOWN if reports_down else CLOSED_ONLY


@dataclass(frozen=True, slots=True)
class FitOutage:
    """What the fit needs of one outage."""

    park_id: int
    feed_kind: str
    down_minutes: int
    recovered: bool


@dataclass(frozen=True)
class FitResult:
    window_start: datetime
    fitted_at: datetime
    outages: int
    strata: int


def fit_outage(park_id: int, reports_down: bool, down_minutes: int, end_reason: str | None
               ) -> FitOutage:
    """An outage as the fit sees it: only an end ``recovered`` is an event; every other end,
    and an ongoing outage (``end_reason`` None) at its current duration, is censored."""
    return FitOutage(park_id, feed_kind(reports_down), down_minutes, end_reason == RECOVERED)


def strata(outages: Iterable[FitOutage]) -> dict[tuple[int, str], survival.Curve]:
    """The curves to store, keyed (park_id, feed_kind): one per park with outages and one
    pooled (park_id 0) per feed kind with outages."""
    groups: dict[tuple[int, str], list[FitOutage]] = defaultdict(list)
    for o in outages:
        groups[(o.park_id, o.feed_kind)].append(o)
        groups[(POOLED, o.feed_kind)].append(o)
    return {key: survival.fit([o.down_minutes for o in rows], [o.recovered for o in rows])
            for key, rows in sorted(groups.items())}


def load_outages(conn: Connection, window_start: datetime, now: datetime) -> list[FitOutage]:
    """The outages that started in [window_start, now], with their park's feed kind."""
    o, p = t.ride_outages, t.parks
    rows = conn.execute(
        select(o.c.park_id, p.c.reports_down, o.c.down_minutes, o.c.end_reason)
        .join(p, p.c.park_id == o.c.park_id)
        .where(o.c.started_at >= window_start, o.c.started_at <= now))
    return [fit_outage(int(r.park_id), bool(r.reports_down), int(r.down_minutes), r.end_reason)
            for r in rows]


def store(conn: Connection, curves: dict[tuple[int, str], survival.Curve],
          fitted_at: datetime, window_start: datetime) -> None:
    """Replace every stored stratum by ``curves`` (a stratum with no outages left is
    dropped), inside the caller's transaction."""
    conn.execute(delete(t.recovery_curves))
    rows = [{"park_id": park_id, "feed_kind": kind, "minutes": pt.minutes,
             "at_risk": pt.at_risk, "events": pt.events, "survival": pt.survival,
             "fitted_at": fitted_at, "window_start": window_start}
            for (park_id, kind), curve in curves.items() for pt in curve.points]
    if rows:
        conn.execute(insert(t.recovery_curves), rows)


def fit_curves(engine: Engine, window_days: int, *, now: datetime | None = None
               ) -> FitResult:
    """The ``recovery fit`` job (also run daily by ``themepark run``): under its lock and
    logged in aggregation_log."""
    now = now or utcnow()
    window_start = now - timedelta(days=window_days)
    with job_lock(engine, "recovery-fit"), logged_run(
            engine, RECOVERY, f"{iso_utc(window_start)}/{iso_utc(now)}") as run:
        with engine.begin() as conn:
            outages = load_outages(conn, window_start, now)
            curves = strata(outages)
            store(conn, curves, now, window_start)
        run.parks_processed = len({park for park, _ in curves if park != POOLED})
        run.rides_processed = len(outages)
    logger.info("Recovery curves fitted: %d outages since %s, %d strata", len(outages),
                iso_utc(window_start), len(curves))
    return FitResult(window_start, now, len(outages), len(curves))


def stored_curves(conn: Connection, keys: Sequence[tuple[int, str]]
                  ) -> dict[tuple[int, str], survival.Curve]:
    """The stored curves of these strata (a stratum never fitted is left out)."""
    if not keys:
        return {}
    rc = t.recovery_curves
    rows = conn.execute(
        select(rc.c.park_id, rc.c.feed_kind, rc.c.minutes, rc.c.at_risk, rc.c.events,
               rc.c.survival)
        .where(and_(rc.c.park_id.in_({k[0] for k in keys}),
                    rc.c.feed_kind.in_({k[1] for k in keys})))
        .order_by(rc.c.park_id, rc.c.feed_kind, rc.c.minutes))
    points: dict[tuple[int, str], list[survival.CurvePoint]] = defaultdict(list)
    for r in rows:
        points[(int(r.park_id), r.feed_kind)].append(survival.CurvePoint(
            int(r.minutes), int(r.at_risk), int(r.events), float(r.survival)))
    return {k: survival.Curve(tuple(points[k])) for k in keys if k in points}
