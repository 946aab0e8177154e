"""``ride_outages`` kept by ingest (SPEC §10): all the SQL around the pure fold of ``outages``.

``maintain_outages`` re-derives a park's outages from an instant ``t0`` on (the earliest
instant ingest re-derived in the park): it rebuilds the fold's state at ``t0`` exactly from
what is stored before it, deletes the outages that started at or after ``t0``, replays the
fold over every cycle of the park from ``t0`` to its newest, and writes what changed. An
in-order cycle (``t0`` = the park's newest cycle) costs a few indexed statements; late data
replays from its instant on.

The state at ``t0``: the park's previous cycle, its last open cycle, and the outages ongoing at
``t0`` (started before it and not decided before it), each rolled back to ``t0``. Those rows are
found through the (ended_at, park_id) index, never by scanning the park's history: an outage
decided at or after ``t0`` either is still ongoing, or ended at or after ``t0``, or (``gap`` /
``park_closed``) has only closed cycles between its last counted-down cycle and the cycle that
decided it, so its last counted-down cycle is the park's last open cycle before ``t0`` and its
``ended_at`` that cycle + I.

``rebuild_outages`` derives a park's outages from its earliest retained cycle on, from scratch
(the backfill); outages that started before that cycle keep their rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update

from themepark_tracker.db import tables as t
from themepark_tracker.ingest.outages import (
    PAUSE_LIMIT,
    Outage,
    OutageCycle,
    ParkOutageState,
    step,
)
from themepark_tracker.ingest.state import ParkInfo
from themepark_tracker.timeutil import local_date_of, utcnow

logger = logging.getLogger(__name__)

__all__ = ["OUTAGE_COLUMNS", "maintain_outages", "rebuild_outages", "recompute_outages"]

#: The cycles of a replay are read this much at a time (a day of one park: ~300 cycles).
REPLAY_WINDOW = timedelta(days=1)

Key = tuple[int, datetime]  # (ride_id, started_at)
Stored = dict[Key, tuple[int, Outage]]  # the stored rows the state was built from, by key

#: The columns of an outage row that derive from the snapshots (``verify`` compares them all).
OUTAGE_COLUMNS = ("ride_id", "park_id", "started_at", "last_down_at", "ended_at", "end_reason",
                  "decided_at", "down_snapshots", "down_minutes", "start_local_date")
_VALUE_COLUMNS = ("last_down_at", "ended_at", "end_reason", "decided_at", "down_snapshots",
                  "down_minutes")


def maintain_outages(conn: Connection, park: ParkInfo, t0: datetime, interval_minutes: int
                     ) -> int:
    """Re-derive ``park``'s outages from ``t0`` on, inside the caller's transaction; return
    the number of rows written."""
    state, stored = _state_at(conn, park, t0, interval_minutes)
    ro = t.ride_outages
    conn.execute(delete(ro).where(ro.c.park_id == park.park_id, ro.c.started_at >= t0))
    final = _replay(conn, park, t0, state, interval_minutes)
    return _write(conn, park, final, stored, interval_minutes)


def recompute_outages(conn: Connection, park: ParkInfo, t0: datetime, interval_minutes: int
                      ) -> list[dict[str, Any]]:
    """What ``maintain_outages`` would make of ``park``'s outages from ``t0`` on, as rows,
    without writing: those ongoing at ``t0`` and those started from it on (for ``verify``)."""
    state, _ = _state_at(conn, park, t0, interval_minutes)
    final = _replay(conn, park, t0, state, interval_minutes)
    return [_values(park, o, interval_minutes) for o in final.values()]


def rebuild_outages(conn: Connection, park: ParkInfo, interval_minutes: int) -> int:
    """Derive ``park``'s outages afresh from its earliest retained cycle on and replace the
    rows from that cycle on; return the number of outages written."""
    pas = t.park_activity_snapshots
    first = conn.execute(
        select(func.min(pas.c.recorded_at)).where(pas.c.park_id == park.park_id)).scalar()
    if first is None:
        return 0
    ro = t.ride_outages
    conn.execute(delete(ro).where(ro.c.park_id == park.park_id, ro.c.started_at >= first))
    final = _replay(conn, park, first, ParkOutageState(), interval_minutes)
    return _write(conn, park, final, {}, interval_minutes)


def _replay(conn: Connection, park: ParkInfo, t0: datetime, state: ParkOutageState,
            interval_minutes: int) -> dict[Key, Outage]:
    """The fold over the park's cycles from ``t0`` on: the last word on every outage touched,
    including those ongoing at ``t0`` that no cycle changed."""
    final = {(o.ride_id, o.started_at): o for o in state.ongoing.values()}
    for cycle in _cycles_from(conn, park, t0):
        for outage in step(cycle, state, reports_down=park.reports_down,
                           interval_minutes=interval_minutes):
            final[(outage.ride_id, outage.started_at)] = outage
    return final


# --- the state at t0 ---------------------------------------------------------------------------

def _state_at(conn: Connection, park: ParkInfo, t0: datetime, interval_minutes: int
              ) -> tuple[ParkOutageState, Stored]:
    pas = t.park_activity_snapshots
    previous = conn.execute(
        select(pas.c.recorded_at, pas.c.park_appears_open)
        .where(pas.c.park_id == park.park_id, pas.c.recorded_at < t0)
        .order_by(pas.c.recorded_at.desc()).limit(1)
    ).first()
    if previous is None:
        return ParkOutageState(), {}  # nothing stored before t0: nothing was ongoing there
    last_open = (previous.recorded_at if previous.park_appears_open
                 else _last_open_before(conn, park.park_id, previous.recorded_at))
    state = ParkOutageState(previous.recorded_at, bool(previous.park_appears_open), last_open)
    interval = timedelta(minutes=interval_minutes)
    stored: Stored = {}
    for outage_id, outage in _ongoing_rows(conn, park.park_id, t0, last_open, interval):
        rolled = _rolled_back(conn, park.park_id, outage, t0)
        if rolled is None:
            continue  # its snapshots before t0 are gone (retention): the row stays as it is
        current = state.ongoing.get(outage.ride_id)
        if current is not None and current.started_at > rolled.started_at:
            continue
        state.ongoing[outage.ride_id] = rolled
        stored[(outage.ride_id, outage.started_at)] = (outage_id, outage)
    return state, stored


def _last_open_before(conn: Connection, park_id: int, previous_at: datetime
                      ) -> datetime | None:
    """The park's last open cycle when its previous cycle (at ``previous_at``) was closed, if
    it lies within the pause limit before that cycle; else None, which the fold treats alike:
    an outage whose last down cycle is older than that was decided at that closed cycle at the
    latest (rules 3 and 5), and one that starts later starts at an open cycle."""
    pas = t.park_activity_snapshots
    found: datetime | None = conn.execute(
        select(pas.c.recorded_at)
        .where(pas.c.park_id == park_id, pas.c.park_appears_open,
               pas.c.recorded_at >= previous_at - PAUSE_LIMIT, pas.c.recorded_at < previous_at)
        .order_by(pas.c.recorded_at.desc()).limit(1)
    ).scalar()
    return found


def _ongoing_rows(conn: Connection, park_id: int, t0: datetime, last_open: datetime | None,
                  interval: timedelta) -> Iterator[tuple[int, Outage]]:
    """The stored outages ongoing at ``t0``: started before it, decided at or after it (or
    not yet), found through the (ended_at, park_id) index (see the module docstring)."""
    ro = t.ride_outages
    ends = [ro.c.ended_at.is_(None), ro.c.ended_at >= t0]
    if last_open is not None:
        ends.append(ro.c.ended_at == last_open + interval)
    # One statement, ranges of the index's first column ANDed with its second. ``started_at``
    # is checked here, not in SQL, so that the (park_id, started_at) index, which would read
    # the park's whole history, is never the better-looking plan.
    for row in conn.execute(select(ro).where(or_(*ends), ro.c.park_id == park_id)):
        if row.started_at < t0 and (row.decided_at is None or row.decided_at >= t0):
            yield row.outage_id, Outage(row.ride_id, row.started_at, row.last_down_at,
                                        row.down_snapshots, row.ended_at, row.end_reason,
                                        row.decided_at)


def _rolled_back(conn: Connection, park_id: int, outage: Outage, t0: datetime
                 ) -> Outage | None:
    """``outage`` as it stood just before ``t0``: ongoing, with its counted-down snapshots
    before ``t0`` only."""
    if outage.last_down_at < t0:
        return Outage(outage.ride_id, outage.started_at, outage.last_down_at,
                      outage.down_snapshots)
    rss = t.ride_status_snapshots
    count, last = conn.execute(
        select(func.count(), func.max(rss.c.recorded_at))
        .where(rss.c.park_id == park_id, rss.c.ride_id == outage.ride_id, rss.c.counted_down,
               rss.c.recorded_at >= outage.started_at, rss.c.recorded_at < t0)
    ).one()
    if not count:
        return None
    return Outage(outage.ride_id, outage.started_at, last, count)


# --- the cycles of a replay --------------------------------------------------------------------

def _cycles_from(conn: Connection, park: ParkInfo, t0: datetime) -> Iterator[OutageCycle]:
    """Every cycle of the park from ``t0`` on, in time order, read a window at a time: open or
    closed from the park snapshots, the attractions' statuses and counted-down flags from the
    ride snapshots."""
    pas = t.park_activity_snapshots
    newest = conn.execute(
        select(func.max(pas.c.recorded_at)).where(pas.c.park_id == park.park_id)).scalar()
    start = t0
    while newest is not None and start <= newest:
        end = start + REPLAY_WINDOW
        yield from _window(conn, park, start, end)
        start = end


def _window(conn: Connection, park: ParkInfo, start: datetime, end: datetime
            ) -> list[OutageCycle]:
    pas = t.park_activity_snapshots
    rss = t.ride_status_snapshots
    opens = conn.execute(
        select(pas.c.recorded_at, pas.c.park_appears_open)
        .where(pas.c.park_id == park.park_id, pas.c.recorded_at >= start,
               pas.c.recorded_at < end)
        .order_by(pas.c.recorded_at)
    ).all()
    if not opens:
        return []
    statuses: dict[datetime, dict[int, str]] = {}
    down: dict[datetime, set[int]] = {}
    for row in conn.execute(
        select(rss.c.recorded_at, rss.c.ride_id, rss.c.status, rss.c.counted_down)
        .where(rss.c.park_id == park.park_id, rss.c.recorded_at >= start,
               rss.c.recorded_at < end)
    ):
        if row.ride_id not in park.weights:
            continue  # SPEC §1: only the park's current attractions
        statuses.setdefault(row.recorded_at, {})[row.ride_id] = row.status
        if row.counted_down:
            down.setdefault(row.recorded_at, set()).add(row.ride_id)
    return [OutageCycle(o.recorded_at, bool(o.park_appears_open),
                        frozenset(down.get(o.recorded_at, ())), statuses.get(o.recorded_at, {}))
            for o in opens]


# --- writing -----------------------------------------------------------------------------------

def _values(park: ParkInfo, outage: Outage, interval_minutes: int) -> dict[str, Any]:
    return {
        "ride_id": outage.ride_id, "park_id": park.park_id, "started_at": outage.started_at,
        "last_down_at": outage.last_down_at, "ended_at": outage.ended_at,
        "end_reason": outage.end_reason, "decided_at": outage.decided_at,
        "down_snapshots": outage.down_snapshots,
        "down_minutes": outage.down_minutes(interval_minutes),
        "start_local_date": local_date_of(outage.started_at, park.zone),
    }


def _write(conn: Connection, park: ParkInfo, final: dict[Key, Outage], stored: Stored,
           interval_minutes: int) -> int:
    """Insert the new outages, update the stored ones that changed; return the rows written."""
    ro = t.ride_outages
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for key, outage in final.items():
        values = _values(park, outage, interval_minutes)
        if key not in stored:
            inserts.append({**values, "updated_at": now})
            continue
        outage_id, before = stored[key]
        if outage != before:
            updates.append({"v_id": outage_id, "v_updated_at": now,
                            **{f"v_{c}": values[c] for c in _VALUE_COLUMNS}})
    if inserts:
        conn.execute(insert(ro), inserts)
    if updates:
        conn.execute(
            update(ro).where(ro.c.outage_id == bindparam("v_id"))
            .values({c: bindparam(f"v_{c}") for c in (*_VALUE_COLUMNS, "updated_at")}),
            updates)
    return len(inserts) + len(updates)


