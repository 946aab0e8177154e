"""Events (SPEC §13), derived from stored data: the one writer of the ``events`` table.

How to read new events: every row has ``seq`` (ascending, in the order recorded, never
reused); keep the last ``seq`` you handled and ask for ``seq > it`` in ``seq`` order
(``events_after(conn, seq)`` below does exactly that). A row is never updated or deleted after
it is written. ``deliver`` false means the cause was older than ``EVENT_MAX_AGE_MINUTES`` when
the row was recorded (a backfill, an import, late data): show it, never deliver it.
``payload`` is the event as JSON (the body a webhook receives): ``id`` (= ``event_id``),
``type``, ``occurred_at`` (the SPEC instant), ``detected_at`` (the cycle that caused it),
``park`` {id, name, timezone}, ``ride`` {id, name} or null, ``text`` (one sentence) and, by
type, ``down_minutes`` (``ride.down``: so far; ``ride.up``: the whole outage), ``threshold`` and
``score`` (``park.score_above``), ``minutes`` and ``wait_time`` (``ride.wait_below``; the
column ``threshold`` holds the minutes for this type).

``derive_events`` runs after the rows it reads are committed: after each collection cycle
(the collector calls it, and a failure there never touches the cycle) and after an import or a
simulation. It re-derives the park-days given from the stored outages and snapshots and
inserts the events not yet recorded (found by their stable id), so running it twice, or after
a restart, neither repeats nor loses an event. On a database before revision 014 (no
``events`` table) it does nothing.
"""

from __future__ import annotations

import json
import logging
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, insert, inspect, select

from themepark_tracker.config import Settings
from themepark_tracker.db import alert_tables as at
from themepark_tracker.db.engine import take_write_lock
from themepark_tracker.ingest import event_sources as src
from themepark_tracker.ingest.event_rules import (
    PARK_SCORE_ABOVE,
    RIDE_DOWN,
    RIDE_UP,
    RIDE_WAIT_BELOW,
    Occurrence,
    crossings_of,
    running_scores,
    wait_crossed,
)
from themepark_tracker.ingest.event_texts import payload_of
from themepark_tracker.timeutil import local_day_bounds, utcnow, zone_of

logger = logging.getLogger(__name__)

__all__ = ["EventSummary", "derive_events", "derive_stored_events", "events_after",
           "events_recorded"]

_HAVE_TABLE: weakref.WeakSet[Engine] = weakref.WeakSet()


@dataclass
class EventSummary:
    recorded: int = 0
    to_deliver: int = 0
    skipped: bool = False  # the database is before revision 014

    def describe(self) -> str:
        if self.skipped:
            return "events: not recorded on this database (before revision 014)"
        return f"events: {self.recorded} new, {self.to_deliver} to deliver"


def events_recorded(engine: Engine) -> bool:
    """Whether the database has the ``events`` table (revision 014 or later); remembered per
    engine once true, asked again otherwise (the database may be upgraded meanwhile)."""
    if engine in _HAVE_TABLE:
        return True
    with engine.connect() as conn:
        present = at.events.name in inspect(conn).get_table_names()
    if present:
        _HAVE_TABLE.add(engine)
    return present


def events_after(conn: Connection, seq: int, limit: int = 1000) -> list[Row[Any]]:
    """The events recorded after ``seq``, oldest first (see the module docstring)."""
    ev = at.events
    return list(conn.execute(select(ev).where(ev.c.seq > seq).order_by(ev.c.seq).limit(limit)))


def derive_events(engine: Engine, settings: Settings, park_days: Iterable[tuple[int, date]],
                  now: datetime | None = None) -> EventSummary:
    """Record the events of ``park_days`` (park id, local date) not recorded yet, in one
    transaction of its own. ``now`` is the recording time, by which ``deliver`` is decided."""
    if not events_recorded(engine):
        return EventSummary(skipped=True)
    days: dict[int, set[date]] = defaultdict(set)
    for park_id, day in park_days:
        days[park_id].add(day)
    if not days:
        return EventSummary()
    with engine.begin() as conn:
        take_write_lock(conn, at.events.name)  # runs beside the collector's writes
        found = _occurrences(conn, settings, days)
        return _record(conn, found, settings, now or utcnow())


@dataclass
class _Found:
    """The occurrences found; a ``ride.down`` whose causing cycle needs a query keeps its
    outage here and is resolved only if it turns out to be new."""

    items: list[Occurrence] = field(default_factory=list)
    outage_of: dict[str, Row[Any]] = field(default_factory=dict)


def derive_stored_events(engine: Engine, settings: Settings, now: datetime | None = None
                         ) -> EventSummary:
    """``derive_events`` over every stored park-day (the demo, after its simulated week)."""
    if not events_recorded(engine):
        return EventSummary(skipped=True)
    with engine.connect() as conn:
        days = src.stored_park_days(conn)
    return derive_events(engine, settings, days, now=now)


def _occurrences(conn: Connection, settings: Settings, days: dict[int, set[date]]) -> _Found:
    """Every event of the park-days, found with one query per kind for all the parks."""
    wanted = src.thresholds(conn)
    zones = {p: zone_of(tz) for p, (_, tz) in src.names(conn, days, ()).parks.items()}
    spans = {p: [(d, *local_day_bounds(d, zones[p])) for d in sorted(ds)]
             for p, ds in days.items() if p in zones}
    found = _Found()
    if not spans:
        return found
    _outage_events(conn, settings, {p: v[0][1] for p, v in spans.items()}, found)
    found.items += _score_events(conn, {p: days[p] for p in spans}, wanted)
    found.items += _wait_events(conn, spans, wanted)
    return found


def _outage_events(conn: Connection, settings: Settings, since: dict[int, datetime],
                   found: _Found) -> None:
    """``ride.down`` for each outage with at least ``ALERT_MIN_DOWN_CYCLES`` counted-down
    cycles, ``ride.up`` when such an outage ended ``recovered`` (SPEC §13)."""
    n = settings.alert_min_down_cycles
    interval = settings.collection_interval_minutes
    for o in src.outages_touched(conn, since):
        if o.down_snapshots < n:
            continue
        cause = o.last_down_at if o.down_snapshots == n else None
        down = Occurrence(RIDE_DOWN, o.park_id, o.ride_id, o.started_at, cause,
                          details=(("down_minutes", n * interval),))
        found.items.append(down)
        if cause is None:
            found.outage_of[down.event_id] = o
        if o.end_reason == "recovered" and o.ended_at is not None:
            found.items.append(Occurrence(RIDE_UP, o.park_id, o.ride_id, o.ended_at,
                                          o.ended_at, details=(
                                              ("down_minutes", o.down_minutes),
                                              ("started_at", o.started_at))))


def _score_events(conn: Connection, days: dict[int, set[date]], wanted: src.Thresholds
                  ) -> list[Occurrence]:
    watched = {p: ds for p, ds in days.items() if wanted.scores_for(p)}
    if not watched:
        return []
    out: list[Occurrence] = []
    for (park_id, _), cycles in src.park_cycles(conn, watched).items():
        scores = running_scores(cycles)
        out += [Occurrence(PARK_SCORE_ABOVE, park_id, None, at_, at_, threshold,
                           (("score", s),))
                for threshold in sorted(wanted.scores_for(park_id))
                for at_, s in crossings_of(scores, threshold)]
    return out


def _wait_events(conn: Connection, spans: dict[int, list[tuple[date, datetime, datetime]]],
                 wanted: src.Thresholds) -> list[Occurrence]:
    everywhere = any(wanted.park_wants_waits(p) for p in spans)
    rides = None if everywhere else set(wanted.waits_by_ride)
    minutes = wanted.all_minutes()
    if (rides is not None and not rides) or not minutes:
        return []
    out: list[Occurrence] = []
    for drop in src.wait_drops(conn, spans, rides, min(minutes), max(minutes)):
        out += [Occurrence(RIDE_WAIT_BELOW, drop.park_id, drop.ride_id, drop.recorded_at,
                           drop.recorded_at, m, (("wait_time", drop.wait),))
                for m in sorted(wanted.waits_for(drop.park_id, drop.ride_id))
                if wait_crossed(drop.before, drop.wait, m)]
    return out


def _record(conn: Connection, found: _Found, settings: Settings, now: datetime
            ) -> EventSummary:
    """Insert the occurrences whose id is not recorded yet, oldest cause first."""
    summary = EventSummary()
    by_id = {o.event_id: o for o in found.items}
    new_ids = sorted(set(by_id) - _known(conn, by_id))
    if not new_ids:
        return summary
    n = settings.alert_min_down_cycles
    new = [replace(by_id[i], cause_at=src.nth_down_cycle(conn, found.outage_of[i], n))
           if i in found.outage_of else by_id[i] for i in new_ids]
    new.sort(key=lambda o: (o.cause_at or o.occurred_at, o.event_id))
    names = src.names(conn, {o.park_id for o in new}, {o.ride_id for o in new if o.ride_id})
    oldest = now - timedelta(minutes=settings.event_max_age_minutes)
    rows = [{
        "event_id": o.event_id, "event_type": o.event_type, "park_id": o.park_id,
        "ride_id": o.ride_id, "threshold": o.threshold, "occurred_at": o.occurred_at,
        "recorded_at": now, "deliver": o.cause_at is not None and o.cause_at >= oldest,
        "payload": json.dumps(payload_of(o, names), sort_keys=True),
    } for o in new]
    conn.execute(insert(at.events), rows)
    summary.recorded = len(rows)
    summary.to_deliver = sum(1 for r in rows if r["deliver"])
    logger.info("%s", summary.describe())
    return summary


def _known(conn: Connection, ids: Iterable[str]) -> set[str]:
    ev = at.events
    wanted = sorted(ids)
    known: set[str] = set()
    for i in range(0, len(wanted), 500):
        known |= set(conn.execute(select(ev.c.event_id).where(
            ev.c.event_id.in_(wanted[i:i + 500]))).scalars())
    return known
