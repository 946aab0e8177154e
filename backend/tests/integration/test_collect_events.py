"""Events recorded by the collector after its cycles (SPEC §13), against the fake upstream (a
real local HTTP server), on SQLite and MariaDB: a breakdown of Big Thunder Mountain (Magic
Kingdom reports DOWN) gives one ride.down after two counted-down cycles and one ride.up; a
failure while deriving leaves the cycle stored and the next cycle records what was missed."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from tests.integration.test_collect import MK_LIVE, T0, collect_series, make_settings
from tests.upstream import FakeUpstream, serve_upstream, set_live
from themepark_tracker.collect import cycle as collect_cycle
from themepark_tracker.collect.catalog import sync_catalog
from themepark_tracker.db import alert_tables as at
from themepark_tracker.db import tables as t

M = timedelta(minutes=1)


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with serve_upstream() as fake:
        yield fake


def recorded(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(at.events, t.rides.c.name)
                                 .join(t.rides, t.rides.c.ride_id == at.events.c.ride_id)
                                 .order_by(at.events.c.seq)))


def test_a_breakdown_gives_one_down_and_one_up(engine: Engine, upstream: FakeUpstream) -> None:
    settings = make_settings(engine, upstream)
    sync_catalog(engine, settings)
    collect_series(engine, settings, upstream, "OOD")  # one counted-down cycle: nothing yet
    assert recorded(engine) == []
    collect_series(engine, settings, upstream, "OODDDOO")  # the same slots again, then more
    got = [(e.event_type, e.name, e.occurred_at, e.deliver) for e in recorded(engine)]
    assert got == [("ride.down", "Big Thunder Mountain Railroad", T0 + 10 * M, True),
                   ("ride.up", "Big Thunder Mountain Railroad", T0 + 25 * M, True)]


def test_a_failed_derivation_never_breaks_the_cycle(engine: Engine, upstream: FakeUpstream,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(engine, upstream)
    sync_catalog(engine, settings)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("events table on fire")

    monkeypatch.setattr(collect_cycle, "derive_events", broken)
    with caplog.at_level(logging.ERROR):
        collect_series(engine, settings, upstream, "ODD")  # asserts each report is ok
    assert "Deriving this cycle's events failed" in caplog.text
    assert recorded(engine) == []
    monkeypatch.undo()
    # The next cycle re-derives the day: the missed ride.down is recorded then.
    collect_series(engine, settings, upstream, "ODDD")
    assert [(e.event_type, e.occurred_at) for e in recorded(engine)] == [
        ("ride.down", T0 + 5 * M)]


def test_themepark_run_derives_events_beside_the_cycle(engine: Engine,
                                                       upstream: FakeUpstream) -> None:
    """``events_in_background`` (as the scheduler collects): the cycle returns, its events are
    recorded by the "events" thread."""
    import threading

    from themepark_tracker.collect.cycle import collect_once

    settings = make_settings(engine, upstream)
    sync_catalog(engine, settings)
    for n, status in enumerate(["OPERATING", "DOWN", "DOWN"]):
        now = T0 + 5 * n * M
        upstream.now = lambda now=now: now - timedelta(seconds=30)
        upstream.transform(MK_LIVE, lambda d, s=status: set_live(d, "thunder", s, 20))
        assert collect_once(engine, settings, now=now + timedelta(seconds=10),
                            events_in_background=True).ok
        for thread in threading.enumerate():
            if thread.name == "events":
                thread.join(timeout=60)
    assert [(e.event_type, e.occurred_at) for e in recorded(engine)] == [
        ("ride.down", T0 + 5 * M)]
