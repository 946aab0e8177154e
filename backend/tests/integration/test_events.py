"""Events (SPEC §13) derived from stored data, on SQLite and MariaDB.

A park of three attractions (weights 3, 2, 1; not down-reporting, so a CLOSED ride that had
operated counts down) is fed one cycle at a time, as the collector does, and the events are
derived after each. Expected events are worked by hand in the comments.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from tests import scenarios as scen
from tests.factories import cycle, ingest, make_park
from themepark_tracker.config import Settings
from themepark_tracker.db import alert_tables as at
from themepark_tracker.ingest.events import derive_events, events_after
from themepark_tracker.timeutil import local_date_of, zone_of

M = timedelta(minutes=1)
T0 = datetime(2025, 7, 1, 10, 0)
RIDES = [101, 102, 103]


def settings(engine: Engine, **overrides: Any) -> Settings:
    return Settings(database_url=engine.url.render_as_string(hide_password=False), **overrides)


def feed(engine: Engine, conf: Settings, rows: Sequence[str], start: datetime = T0,
         waits: Sequence[Sequence[int | None]] | None = None) -> datetime:
    """Ingest one cycle every 5 minutes and derive events after each, "now" = the cycle."""
    at_ = start
    for n, row in enumerate(rows):
        at_ = start + n * 5 * M
        summary = ingest(engine, [cycle(1, at_, row, RIDES, waits[n] if waits else None)], 5)
        derive_events(engine, conf, summary.days_marked, now=at_ + M)
    return at_


def events(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return events_after(conn, 0)


def subscribe(engine: Engine, event_type: str, *, park_id: int | None = None,
              ride_id: int | None = None, threshold: float | None = None,
              minutes: int | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(insert(at.webhook_subscriptions).values(
            url="http://127.0.0.1:9/hook", event_type=event_type, park_id=park_id,
            ride_id=ride_id, threshold=threshold, minutes=minutes, format="json",
            secret="s", status="active", consecutive_failures=0, event_cursor=0))


@pytest.fixture
def park(engine: Engine) -> Engine:
    scen.at_head(engine)
    make_park(engine, 1, tiers=(1, 2, 3), name="Test Park")
    return engine


def test_a_breakdown_gives_one_down_after_the_cycles_and_one_up(park: Engine) -> None:
    conf = settings(park)
    # 10:00-10:10 all run; 101 closed (counted down) 10:15-10:30; back at 10:35.
    feed(park, conf, ["OOO"] * 3 + ["COO"] * 4 + ["OOO"] * 2)
    got = events(park)
    assert [(e.event_type, e.ride_id, e.occurred_at) for e in got] == [
        ("ride.down", 101, T0 + 15 * M), ("ride.up", 101, T0 + 35 * M)]
    assert [e.event_id for e in got] == ["ride.down:ride-101:20250701T101500Z",
                                         "ride.up:ride-101:20250701T103500Z"]
    assert all(e.deliver for e in got)
    down = json.loads(got[0].payload)
    assert down["id"] == got[0].event_id and down["detected_at"] == "2025-07-01T10:20:00Z"
    assert down["down_minutes"] == 10 and "down for 10 minutes" in down["text"]
    assert json.loads(got[1].payload)["down_minutes"] == 20  # 4 counted-down cycles x 5


def test_ride_down_waits_for_the_configured_cycles(park: Engine) -> None:
    conf = settings(park, alert_min_down_cycles=3)
    # two short breakdowns of 2 cycles (no event at 3), then one of 3 cycles.
    end = feed(park, conf, ["OOO", "COO", "COO", "OOO", "COO", "COO", "COO"])
    got = events(park)
    assert [(e.event_type, e.occurred_at) for e in got] == [("ride.down", T0 + 20 * M)]
    assert json.loads(got[0].payload)["detected_at"] == "2025-07-01T10:30:00Z" == (
        f"{end:%Y-%m-%dT%H:%M:%SZ}")
    assert "down for 15 minutes" in json.loads(got[0].payload)["text"]


def test_rederiving_after_a_restart_records_nothing_new(park: Engine) -> None:
    conf = settings(park)
    feed(park, conf, ["OOO"] * 2 + ["COO"] * 3 + ["OOO"])
    before = [(e.seq, e.event_id, e.payload) for e in events(park)]
    day = local_date_of(T0, zone_of("UTC"))
    again = derive_events(park, conf, [(1, day)], now=T0 + timedelta(hours=5))
    assert again.recorded == 0
    assert [(e.seq, e.event_id, e.payload) for e in events(park)] == before
    assert len(before) == 2


def test_a_backfill_is_recorded_but_not_delivered(park: Engine) -> None:
    conf = settings(park)
    cycles = [cycle(1, T0 + n * 5 * M, row, RIDES)
              for n, row in enumerate(["OOO"] * 2 + ["COO"] * 3 + ["OOO"])]
    summary = ingest(park, cycles, 5)  # imported a week later, all at once
    result = derive_events(park, conf, summary.days_marked, now=T0 + timedelta(days=7))
    got = events(park)
    assert result.recorded == 2 and result.to_deliver == 0
    assert [e.event_type for e in got] == ["ride.down", "ride.up"]
    assert not any(e.deliver for e in got)


def test_late_data_older_than_the_max_age_is_not_delivered(park: Engine) -> None:
    conf = settings(park, event_max_age_minutes=30)
    # the ride recovers at 10:25 (cause 10:25); derived at 10:50 -> delivered (25 min) ...
    cycles = [cycle(1, T0 + n * 5 * M, row, RIDES)
              for n, row in enumerate(["OOO", "COO", "COO", "COO", "OOO", "OOO"])]
    summary = ingest(park, cycles, 5)
    derive_events(park, conf, summary.days_marked, now=T0 + 50 * M)
    by_type = {e.event_type: e.deliver for e in events(park)}
    # ... ride.down was caused at 10:10 (its second counted-down cycle): 40 min old.
    assert by_type == {"ride.down": False, "ride.up": True}


def test_score_above_fires_once_per_crossing_and_rearms(park: Engine) -> None:
    subscribe(park, "park.score_above", park_id=1, threshold=3.0)
    subscribe(park, "park.score_above", park_id=None, threshold=3.0)  # same threshold, once
    conf = settings(park)
    # s(t) = 10 x 3/6 = 5.0 while ride 101 (weight 3 of 6) is counted down, else 0. Today's
    # score after each open cycle (sum / n): 0/1, 5/2 = 2.5, 10/3 = 3.3 (fires), 15/4, 15/5 =
    # 3.0 (not re-armed: above 2.5), 15/6 = 2.5 (re-arms), 20/7 = 2.9, 25/8 = 3.1 (fires again
    # at 10:35), 30/9, 35/10 (above, nothing).
    rows = ["OOO", "COO", "COO", "COO", "OOO", "OOO", "COO", "COO", "COO", "COO"]
    feed(park, conf, rows)
    got = [e for e in events(park) if e.event_type == "park.score_above"]
    assert [(e.occurred_at, e.threshold) for e in got] == [(T0 + 10 * M, 3.0),
                                                           (T0 + 35 * M, 3.0)]
    assert got[0].event_id == "park.score_above:park-1:20250701T101000Z:3"
    assert [json.loads(e.payload)["score"] for e in got] == [3.3, 3.1]


def test_score_above_fires_again_on_a_new_local_day(park: Engine) -> None:
    subscribe(park, "park.score_above", threshold=3.0)
    conf = settings(park)
    feed(park, conf, ["OOO", "COO", "COO", "COO"])  # fires at 10:10 and stays above
    feed(park, conf, ["OOO", "COO", "COO"], start=T0 + timedelta(days=1))  # 0, 2.5, 3.3
    got = [e.occurred_at for e in events(park) if e.event_type == "park.score_above"]
    assert got == [T0 + 10 * M, T0 + timedelta(days=1) + 10 * M]


def test_wait_below_fires_once_per_crossing(park: Engine) -> None:
    subscribe(park, "ride.wait_below", ride_id=102, minutes=30)
    subscribe(park, "ride.wait_below", park_id=1, minutes=15)
    conf = settings(park)
    waits = [45, 40, 25, 20, 35, 30, 10, 10]
    # ride 102 at 30 min: 40 -> 25 fires (10:10), 35 -> 30 fires (10:25); at 15: 30 -> 10
    # fires (10:30). Rides 101 and 103 post 5 minutes all along: never from above.
    feed(park, conf, ["OOO"] * len(waits), waits=[(5, w, 5) for w in waits])
    got = [(e.ride_id, e.threshold, e.occurred_at) for e in events(park)
           if e.event_type == "ride.wait_below"]
    assert sorted(got) == [(102, 15.0, T0 + 30 * M), (102, 30.0, T0 + 10 * M),
                           (102, 30.0, T0 + 25 * M)]


def test_no_subscription_no_threshold_events(park: Engine) -> None:
    feed(park, settings(park), ["OOO", "COO", "COO", "COO"], waits=[(50, 50, 50)] + [
        (None, 5, 5)] * 3)
    assert {e.event_type for e in events(park)} == {"ride.down"}


def test_before_revision_014_deriving_does_nothing(engine: Engine) -> None:
    """Before revision 014 (no events table) deriving does nothing and raises nothing."""
    with engine.begin() as conn:
        at.events.drop(conn)
    try:
        from themepark_tracker.ingest import events as ev
        ev._HAVE_TABLE.discard(engine)
        result = derive_events(engine, settings(engine), [(1, T0.date())])
        assert result.skipped
    finally:
        with engine.begin() as conn:
            at.events.create(conn)
    with engine.connect() as conn:
        assert conn.execute(select(at.events)).first() is None


def test_an_imported_week_is_in_the_events_but_delivers_nothing(park: Engine,
                                                                tmp_path: Any) -> None:
    from sqlalchemy import delete

    from themepark_tracker.db import tables as t
    from themepark_tracker.transfer import export_dir, import_dir

    cycles = [cycle(1, T0 + timedelta(days=d) + n * 5 * M, row, RIDES)
              for d in range(7) for n, row in enumerate(["OOO", "COO", "COO", "OOO"])]
    ingest(park, cycles, 5)
    export_dir(park, tmp_path / "week")
    with park.begin() as conn:  # a fresh database: the same catalogue and nothing else
        for table in (t.ride_outages, t.ride_status_snapshots, t.park_activity_snapshots):
            conn.execute(delete(table))
    summary = import_dir(park, tmp_path / "week", settings(park))
    got = events(park)
    # one breakdown a day: 7 ride.down at 10:05 and 7 ride.up at 10:15, none to deliver
    assert summary.events is not None and summary.events.recorded == 14
    assert sorted((e.event_type, e.occurred_at) for e in got) == sorted(
        [("ride.down", T0 + timedelta(days=d) + 5 * M) for d in range(7)]
        + [("ride.up", T0 + timedelta(days=d) + 15 * M) for d in range(7)])
    assert not any(e.deliver for e in got)
    assert "events: 14 new, 0 to deliver" in summary.describe()
