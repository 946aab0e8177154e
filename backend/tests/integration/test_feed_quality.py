"""Feed quality (SPEC §12) on the SPEC §2 world, every period, SQLite and MariaDB.

``feed_kind``, ``coverage`` and ``stale`` of every ranking row (ranked and not ranked), every
wait-time row and every park's details equal an independent computation: the park kinds come
from the world's own specs, open cycles from ``tests.reference``'s re-derivation of the raw
snapshots, expected cycles by counting schedule minutes one by one, staleness from the raw
cycles and schedule rows. Also: the daily job stores ``expected_open_cycles`` (and skips it on
a database before revision 014), and days aggregated without it give the same answers.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from tests.reference import Reference
from tests.reference_periods import local_today, period_dates
from tests.scenarios import WORLD_INTERVAL, WORLD_PARKS, WORLD_START, at_head, build_world
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.db import migrate
from themepark_tracker.db import tables as t
from themepark_tracker.db.engine import make_engine

I = WORLD_INTERVAL  # noqa: E741
D = date.fromisoformat
#: Mid-data: every park's newest cycle is 3 minutes old.
NOW = datetime(2025, 11, 2, 20, 3)
#: Ten hours after the world's last cycle: Kolkata's feed went silent while open (stale by its
#: last cycle), Paris's while its 11-03 schedule says open (stale by schedule), the others
#: were closed when it stopped.
LATER = datetime(2025, 11, 3, 16, 3)
#: The world with a second Paris schedule date, 11-03, that no open cycle ever reaches.
PARKS = tuple(replace(p, schedule_dates=(D("2025-11-02"), D("2025-11-03")))
              if p.park_id == 2 else p for p in WORLD_PARKS)
REPORTS_DOWN = {p.park_id: p.reports_down for p in PARKS}
NAMED = {"yesterday": 1, "last_week": 7, "last_month": 30, "last_90_days": 90,
         "last_365_days": 365}
CASES: list[tuple[datetime, str, dict[str, str]]] = [
    (NOW, "live", {}), (NOW, "today", {}), (NOW, "yesterday", {}), (NOW, "last_week", {}),
    (NOW, "last_month", {}), (NOW, "date", {"date": "2025-11-01"}),
    (NOW, "date", {"date": "2025-11-02"}), (NOW, "date", {"date": "2025-11-03"}),
    (LATER, "live", {}), (LATER, "today", {}), (LATER, "yesterday", {}),
    (LATER, "last_90_days", {}), (LATER, "last_365_days", {}),
    (LATER, "range", {"from": "2025-11-01", "to": "2025-11-02"}),
    (LATER, "date", {"date": "2025-11-02"}),
]


@pytest.fixture
def world(engine: Engine) -> Engine:
    """Aggregated as far as NOW: at LATER, 11-02 of every park but Kolkata comes from raw."""
    at_head(engine)
    build_world(engine, PARKS)
    backfill(engine, I, start=WORLD_START, end=datetime(2025, 11, 2, 20))
    run_daily(engine, I, now=NOW)
    return engine


class Truth:
    """SPEC §12 recomputed from the raw rows, with plain loops."""

    def __init__(self, engine: Engine, now: datetime) -> None:
        with engine.connect() as conn:
            self.ref = Reference(conn)
        self.now = now
        self.cycles = sorted((c for c in self.ref.snaps.values() if c.at <= now),
                             key=lambda c: c.at)

    def zone(self, park_id: int) -> ZoneInfo:
        return self.ref.raw.parks[park_id].zone

    def bounds(self, park_id: int, day: date) -> tuple[datetime, datetime]:
        zone = self.zone(park_id)
        nxt = day + timedelta(days=1)
        start, end = (datetime(d.year, d.month, d.day, tzinfo=zone).astimezone(UTC)
                      .replace(tzinfo=None) for d in (day, nxt))
        return start, min(end, self.now)

    def day(self, park_id: int, day: date) -> tuple[int, int]:
        """(open cycles, expected) of one park-day, cut at now."""
        opens = [c.at for c in self.cycles
                 if c.park_id == park_id and c.local_date == day and c.park_open]
        windows = self.ref.raw.schedules.get(park_id, [])
        if any(w.local_date == day for w in windows):
            start, end = self.bounds(park_id, day)
            minutes, at = 0, start
            while at < end:  # minute by minute: no interval arithmetic to share a bug with
                minutes += any(w.schedule_type == "OPERATING" and w.opening <= at < w.closing
                               for w in windows)
                at += timedelta(minutes=1)
            return len(opens), int(minutes / I + 0.5)
        if not opens:
            return 0, 0
        return len(opens), int((opens[-1] - opens[0]).total_seconds() / 60 / I + 0.5) + 1

    def dates(self, park_id: int, period: str, dates: dict[str, str]) -> tuple[date, ...] | None:
        today = local_today(self.now, self.zone(park_id))
        if period in ("live", "today"):
            return (today,)
        if period in NAMED:
            return tuple(today - timedelta(days=k) for k in range(NAMED[period], 0, -1))
        first = D(dates.get("date", dates.get("from", "")))
        last = D(dates.get("date", dates.get("to", "")))
        return period_dates(period, today, first, last)

    def stale(self, park_id: int) -> bool:
        newest = [c for c in self.cycles if c.park_id == park_id]
        if newest and self.now - newest[-1].at <= timedelta(minutes=15):
            return False
        today = local_today(self.now, self.zone(park_id))
        windows = self.ref.raw.schedules.get(park_id, [])
        if any(w.schedule_type == "OPERATING" and w.opening <= self.now < w.closing
               for w in windows):
            return True
        if any(w.local_date == today for w in windows):
            return False
        return bool(newest) and newest[-1].park_open

    def quality(self, park_id: int, period: str, dates: dict[str, str]) -> dict[str, Any]:
        days = self.dates(park_id, period, dates)
        today = local_today(self.now, self.zone(park_id))
        current = days == (today,) and period in ("live", "today", "date")
        seen = expected = 0
        for day in days or ():
            a, b = self.day(park_id, day)
            seen, expected = seen + a, expected + b
        percent = None if expected == 0 else min(100.0, float(
            int(1000 * seen / expected + 0.5)) / 10)
        return {"feed_kind": "reports_down" if REPORTS_DOWN[park_id] else "closed_only",
                "coverage": percent, "stale": self.stale(park_id) if current else None}


def url(path: str, period: str, dates: dict[str, str], **extra: Any) -> str:
    return f"{path}?{urlencode({'period': period, **dates, **extra})}"


def quality_of(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("feed_kind", "coverage", "stale")}


def check_case(make_api: Any, truth: Truth, period: str, dates: dict[str, str],
               use_hourly: bool) -> None:
    client = make_api(truth.now, collection_interval_minutes=I, use_hourly_tables=use_hourly)
    case = (truth.now, period, dates, use_hourly)
    ranking = client.get(url("/api/parks/downtime", period, dates, limit=200)).get_json()
    rows = ranking["data"] + ranking["not_ranked"]
    assert sorted(r["park_id"] for r in rows) == sorted(REPORTS_DOWN), case
    for row in rows:
        assert quality_of(row) == truth.quality(row["park_id"], period, dates), (case, row)
    waits = client.get(url("/api/parks/waittimes", period, dates, limit=200)).get_json()
    for row in waits["data"]:
        assert quality_of(row) == truth.quality(row["park_id"], period, dates), (case, row)
    for park_id in REPORTS_DOWN:
        details = client.get(url(f"/api/parks/{park_id}/details", period, dates)).get_json()
        assert quality_of(details) == truth.quality(park_id, period, dates), (case, park_id)


def test_every_period_equals_the_independent_computation(world: Engine, make_api: Any
                                                         ) -> None:
    truths = {now: Truth(world, now) for now in (NOW, LATER)}
    for now, period, dates in CASES:
        for use_hourly in (True, False):
            check_case(make_api, truths[now], period, dates, use_hourly)
    # The cases really reach every branch of SPEC §12.
    later = truths[LATER]
    assert later.stale(4) and later.stale(2) and not later.stale(1)  # by last cycle, schedule
    assert later.quality(2, "today", {})["coverage"] == 0.0  # scheduled, silent: 0, not null
    assert later.quality(6, "yesterday", {})["coverage"] is None  # never open: nothing expected
    seen = {truths[n].quality(p, k, d)["coverage"] for n, k, d in CASES for p in REPORTS_DOWN}
    assert 100.0 in seen and any(c is not None and 0 < c < 100 for c in seen)


def test_the_daily_job_stores_the_expected_cycles(world: Engine) -> None:
    truth = Truth(world, datetime(2030, 1, 1))
    pd = t.park_daily_stats
    with world.connect() as conn:
        stored = {(r.park_id, r.stat_date): r.expected_open_cycles for r in conn.execute(
            select(pd.c.park_id, pd.c.stat_date, pd.c.expected_open_cycles))}
    assert len(stored) >= 6 and (4, D("2025-11-02")) in stored
    assert stored == {key: truth.day(*key)[1] for key in stored}


def test_days_aggregated_before_014_give_the_same_answers(world: Engine, make_api: Any
                                                          ) -> None:
    """At revision 013 the daily job runs without the column (the quickstart's jobs run at
    012); back at 014 the column is empty, and coverage is recomputed from park snapshots."""
    before = {}
    for now, period, dates in CASES:
        client = make_api(now, collection_interval_minutes=I)
        ranking = client.get(url("/api/parks/downtime", period, dates, limit=200)).get_json()
        before[(now, period, str(dates))] = ranking["data"] + ranking["not_ranked"]
    assert migrate.downgrade(world, "013") == "013"
    # A new engine, as a job started on that database has (one remembers the column).
    old = make_engine(world.url.render_as_string(hide_password=False))
    try:
        assert run_daily(old, I, now=LATER, stat_date=D("2025-11-02"))  # no column: skipped
    finally:
        old.dispose()
    assert migrate.upgrade(world) == migrate.head_revision()
    with world.connect() as conn:
        assert set(conn.execute(select(t.park_daily_stats.c.expected_open_cycles)
                                .distinct()).scalars()) == {None}
    for now, period, dates in CASES:
        client = make_api(now, collection_interval_minutes=I)
        ranking = client.get(url("/api/parks/downtime", period, dates, limit=200)).get_json()
        got = ranking["data"] + ranking["not_ranked"]
        assert [quality_of(r) for r in got] == [
            quality_of(r) for r in before[(now, period, str(dates))]], (now, period, dates)
