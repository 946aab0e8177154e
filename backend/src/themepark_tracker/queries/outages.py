"""Outages as the API shows them (SPEC §10, §11): a ride's incidents, its reliability over a
period, the ongoing outage with its "stay or go" estimate, and a park's stored recovery
curves. Read-only: ``ride_outages`` is written by ingest, ``recovery_curves`` by the fit job.

On a database before revision 013 (the quickstart's 012) neither table exists: every answer
here is then null with ``NOT_RECORDED`` as its reason, never an error.
"""

from __future__ import annotations

import logging
import statistics
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, inspect, or_, select

from themepark_tracker import metrics, survival
from themepark_tracker.aggregate.recovery import POOLED, feed_kind, stored_curves
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.outages import RECOVERED
from themepark_tracker.queries.coverage import latest_cycles
from themepark_tracker.queries.periods import ParkWindow
from themepark_tracker.timeutil import iso_utc

logger = logging.getLogger(__name__)

#: A reliability figure needs at least this many outages behind it.
MIN_OUTAGES = 12
NOT_RECORDED = "outages are not recorded on this database yet (it is before revision 013)"
NOT_ENOUGH = "not enough outages yet"
#: Why an ongoing outage carries no estimate (SPEC §11).
PARK_CLOSED_NOW = "the park is closed now"
STALE_FEED = "the park's newest data is more than 15 minutes old"
TOO_EARLY = "down less than 5 minutes"
NOT_FITTED = "no recovery curve has been fitted yet"
_ESTIMATE_REASONS = {"too_early": TOO_EARLY, "not_enough_outages": NOT_ENOUGH}

_HAVE_TABLES: weakref.WeakSet[Engine] = weakref.WeakSet()


def recorded(conn: Connection) -> bool:
    """Whether this database has the outage tables (revision 013 or later). Remembered per
    engine once true; a database before 013 is asked again (it may be upgraded meanwhile)."""
    if conn.engine in _HAVE_TABLES:
        return True
    names = set(inspect(conn).get_table_names())
    if {t.ride_outages.name, t.recovery_curves.name} <= names:
        _HAVE_TABLES.add(conn.engine)
        return True
    return False


@dataclass(frozen=True, slots=True)
class OutageRow:
    """An outage as it stood at the request's ``now``: one decided later is still ongoing
    then, with the down snapshots seen by ``now``."""

    ride_id: int
    park_id: int
    started_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    down_minutes: int


def _as_of(conn: Connection, rows: Sequence[Any], now: datetime) -> list[OutageRow]:
    rss = t.ride_status_snapshots
    out = []
    for r in rows:
        if (r.decided_at is None or r.decided_at <= now) and r.last_down_at <= now:
            out.append(OutageRow(r.ride_id, r.park_id, r.started_at, r.ended_at,
                                 r.end_reason, int(r.down_minutes)))
            continue
        seen = int(conn.scalar(select(func.count()).select_from(rss).where(
            rss.c.ride_id == r.ride_id, rss.c.counted_down.is_(True),
            rss.c.recorded_at >= r.started_at,
            rss.c.recorded_at <= min(now, r.last_down_at))) or 0)
        out.append(OutageRow(r.ride_id, r.park_id, r.started_at, None, None,
                             seen * int(r.down_minutes) // int(r.down_snapshots)))
    return out


def _columns() -> tuple[Any, ...]:
    o = t.ride_outages
    return (o.c.ride_id, o.c.park_id, o.c.started_at, o.c.ended_at, o.c.end_reason,
            o.c.decided_at, o.c.last_down_at, o.c.down_minutes, o.c.down_snapshots)


def _period_outages(conn: Connection, ride_id: int, start: datetime, end: datetime,
                    now: datetime) -> list[OutageRow]:
    """The ride's outages that overlap [start, end) as they stood at ``now``."""
    o = t.ride_outages
    rows = conn.execute(
        select(*_columns())
        .where(o.c.ride_id == ride_id, o.c.started_at < end, o.c.started_at <= now,
               or_(o.c.ended_at.is_(None), o.c.ended_at > start))
        .order_by(o.c.started_at)).all()
    return _as_of(conn, rows, now)


def incidents(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """A ride's incidents are its outages (SPEC §10): start, end (null while ongoing), the
    duration (``down_minutes``) and why it ended."""
    return [{"start": iso_utc(r.started_at),
             "end": iso_utc(r.ended_at) if r.ended_at is not None else None,
             "duration_minutes": int(r.down_minutes), "ongoing": r.end_reason is None,
             "end_reason": r.end_reason} for r in rows]


def reliability(rows: Sequence[Any], start: datetime, open_snapshots: int,
                interval_minutes: int) -> dict[str, Any]:
    """Over the outages that started in the period: how many, per 100 open hours, the
    empirical median length of those that ended ``recovered`` and the longest; each only
    when at least ``MIN_OUTAGES`` outages support it."""
    started = [r for r in rows if r.started_at >= start]
    enough = len(started) >= MIN_OUTAGES
    recovered = [int(r.down_minutes) for r in started if r.end_reason == RECOVERED]
    open_hours = open_snapshots * interval_minutes / 60
    per_100 = (metrics.round_half_up(100 * len(started) / open_hours, 1)
               if enough and open_hours else None)
    median = (metrics.round_half_up(statistics.median(recovered), 1)
              if len(recovered) >= MIN_OUTAGES else None)
    figures = {
        "outage_count": len(started) if enough else None,
        "outages_per_100_open_hours": per_100,
        "median_recovered_minutes": median,
        "longest_minutes": max(int(r.down_minutes) for r in started) if enough else None,
    }
    return {**figures, "reason": None if None not in figures.values() else NOT_ENOUGH}


def not_recorded_reliability() -> dict[str, Any]:
    return {"outage_count": None, "outages_per_100_open_hours": None,
            "median_recovered_minutes": None, "longest_minutes": None, "reason": NOT_RECORDED}


def ride_outage_report(conn: Connection, ride_id: int, start: datetime, end: datetime,
                       now: datetime, *, open_snapshots: int, interval_minutes: int
                       ) -> dict[str, Any]:
    """The outage part of ride details: ``incidents``, ``reliability``, ``outage`` and, on a
    database without outages, ``outages_reason``."""
    if not recorded(conn):
        return {"incidents": None, "reliability": not_recorded_reliability(),
                "outage": None, "outages_reason": NOT_RECORDED}
    rows = _period_outages(conn, ride_id, start, end, now)
    return {
        "incidents": incidents(rows),
        "reliability": reliability(rows, start, open_snapshots, interval_minutes),
        "outage": ongoing_outages(conn, now, ride_ids=[ride_id]).get(ride_id),
        "outages_reason": None,
    }


def estimate_dict(est: survival.Estimate) -> dict[str, Any]:
    p25, p50, p75 = est.remaining
    return {"within_30": est.within_30, "within_60": est.within_60,
            "remaining": {"p25": p25, "p50": p50, "p75": p75},
            "basis": est.basis, "at_risk": est.at_risk, "bucket_minutes": est.bucket}


def _recovery(minutes: int, cycle: tuple[datetime, bool] | None,
              curves: dict[tuple[int, str], survival.Curve], park_key: tuple[int, str]
              ) -> tuple[dict[str, Any] | None, str | None]:
    if cycle is None:  # no cycle within the live window: the feed is stale
        return None, STALE_FEED
    if not cycle[1]:
        return None, PARK_CLOSED_NOW
    est = survival.estimate(minutes, curves.get(park_key), curves.get((POOLED, park_key[1])))
    if isinstance(est, str):
        return None, _ESTIMATE_REASONS[est]
    return estimate_dict(est), None


def ongoing_outages(conn: Connection, now: datetime, *, ride_ids: Sequence[int]
                    ) -> dict[int, dict[str, Any]]:
    """Each of these rides' ongoing outage (SPEC §11): when it started, its ``down_minutes``
    (T), and the estimate from the stored curves, or null with the reason."""
    if not ride_ids or not recorded(conn):
        return {}
    o, p = t.ride_outages, t.parks
    rows = _as_of(conn, conn.execute(
        select(*_columns())
        .where(o.c.ride_id.in_(ride_ids), o.c.started_at <= now,
               or_(o.c.decided_at.is_(None), o.c.decided_at > now))
        .order_by(o.c.started_at)).all(), now)
    kinds = dict(conn.execute(select(p.c.park_id, p.c.reports_down).where(
        p.c.park_id.in_({r.park_id for r in rows}))).all()) if rows else {}
    keys = {(r.park_id, feed_kind(bool(kinds[r.park_id]))) for r in rows}
    curves = stored_curves(conn, sorted(keys | {(POOLED, kind) for _, kind in keys}))
    cycles = latest_cycles(conn, sorted({k[0] for k in keys}), now) if keys else {}
    out: dict[int, dict[str, Any]] = {}
    for r in rows:  # oldest first: a ride's newest ongoing outage is the one kept
        key = (r.park_id, feed_kind(bool(kinds[r.park_id])))
        recovery, reason = _recovery(int(r.down_minutes), cycles.get(key[0]), curves, key)
        out[int(r.ride_id)] = {"started_at": iso_utc(r.started_at),
                               "down_minutes": int(r.down_minutes),
                               "recovery": recovery, "reason": reason}
    return out


def _curve(conn: Connection, park_id: int, kind: str) -> dict[str, Any] | None:
    rc = t.recovery_curves
    rows = conn.execute(
        select(rc.c.minutes, rc.c.survival, rc.c.at_risk, rc.c.events, rc.c.fitted_at,
               rc.c.window_start)
        .where(rc.c.park_id == park_id, rc.c.feed_kind == kind)
        .order_by(rc.c.minutes)).all()
    if not rows:
        return None
    return {"fitted_at": iso_utc(rows[0].fitted_at),
            "window_start": iso_utc(rows[0].window_start),
            "outages": int(rows[0].at_risk),
            "points": [{"minutes": int(r.minutes), "survival": float(r.survival),
                        "at_risk": int(r.at_risk), "events": int(r.events)} for r in rows]}


def park_recovery(conn: Connection, park_id: int) -> dict[str, Any] | None:
    """A park's stored recovery curve and the pooled one of its feed kind (for a chart), or
    None when there is no such park."""
    park = conn.execute(select(t.parks.c.park_id, t.parks.c.name, t.parks.c.reports_down)
                        .where(t.parks.c.park_id == park_id)).first()
    if park is None:
        return None
    kind = feed_kind(bool(park.reports_down))
    body: dict[str, Any] = {"park_id": park_id, "park_name": park.name, "feed_kind": kind,
                            "park_curve": None, "pooled_curve": None}
    if not recorded(conn):
        return body | {"reason": NOT_RECORDED}
    body["park_curve"] = _curve(conn, park_id, kind)
    body["pooled_curve"] = _curve(conn, POOLED, kind)
    return body | {"reason": None if body["pooled_curve"] is not None else NOT_FITTED}


def started_on_dates(
    conn: Connection, now: datetime, spans: Mapping[int, ParkWindow], *,
    ride_ids: Sequence[int] | None = None, longest: int | None = None,
) -> list[tuple[date, OutageRow]]:
    """The outages (as they stood at ``now``) whose ``start_local_date`` is among the dates
    of their park's window in ``spans`` (park id → window), each with that date. With
    ``longest``: only the ``longest`` longest of those decided by ``now``, plus every one
    not decided then (whose length at ``now`` the caller compares). The caller checks
    ``recorded`` first."""
    o = t.ride_outages
    groups: dict[tuple[date, date, datetime, datetime], list[int]] = {}
    for park_id, w in spans.items():
        groups.setdefault((w.first_date, w.last_date, w.start, w.end), []).append(park_id)
    if not groups:
        return []
    # started_at bounds let the (park_id, started_at) index find the rows.
    where = or_(*(and_(o.c.park_id.in_(ids), o.c.started_at >= start, o.c.started_at < end,
                       o.c.start_local_date >= first, o.c.start_local_date <= last)
                  for (first, last, start, end), ids in groups.items()))
    query = select(*_columns(), o.c.start_local_date).where(where, o.c.started_at <= now)
    if ride_ids is not None:
        query = query.where(o.c.ride_id.in_(list(ride_ids)))
    if longest is None:
        rows = list(conn.execute(query.order_by(o.c.started_at)).all())
    else:
        settled = and_(o.c.decided_at.is_not(None), o.c.decided_at <= now,
                       o.c.last_down_at <= now)
        rows = [*conn.execute(query.where(settled).order_by(
                    o.c.down_minutes.desc(), o.c.started_at, o.c.ride_id).limit(longest)),
                *conn.execute(query.where(~settled))]
    return [(r.start_local_date, row) for r, row in zip(rows, _as_of(conn, rows, now),
                                                         strict=True)]
