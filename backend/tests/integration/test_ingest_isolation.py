"""Probe D4 and its live consequence, on SQLite and MariaDB: a ride that stops being an
attraction mid-day is dropped from the rest of the day's derivation instead of crashing every
later cycle of its park, and one park whose ingest fails never costs the other parks their
cycle. Live cases go through the collector against the fake upstream (a real local HTTP
server); expected values are worked by hand from the fixture payloads or, for the simulated
days, recomputed by tests/reference.py, which shares no code with ingest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select

from tests.integration.test_collect import T0, make_settings, statuses
from tests.reference import Reference
from tests.upstream import MK_WIKI, RIDE, FakeUpstream, serve_upstream, set_live
from themepark_tracker.collect import cycle as collect_cycle
from themepark_tracker.collect.catalog import sync_catalog
from themepark_tracker.collect.cycle import collect_once
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.models import Cycle
from themepark_tracker.ingest.snapshots import IngestSummary, ingest_cycles
from themepark_tracker.metrics import round_half_up
from themepark_tracker.simulate import simulate

MK = "Magic Kingdom Park"
RAILROAD = "Walt Disney World Railroad - Main Street, U.S.A."  # ThemeParks.wiki only
MK_CHILDREN = f"/wiki/entity/{MK_WIKI}/children"


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with serve_upstream() as fake:
        yield fake


# --- the probe's reproduction: simulate seed 1, then seed 2, into one database -----------------


def test_a_second_simulation_that_reclassifies_a_ride_is_ingested(engine: Engine) -> None:
    end = datetime(2025, 12, 5, 8, 0)
    simulate(engine, parks=1, rides=5, days=1, seed=1, end=end)
    with engine.connect() as conn:
        before = dict(conn.execute(select(t.rides.c.ride_id, t.rides.c.category)).all())
    simulate(engine, parks=1, rides=5, days=1, seed=2, end=end)  # KeyError: 4 before the fix
    with engine.connect() as conn:
        after = dict(conn.execute(select(t.rides.c.ride_id, t.rides.c.category)).all())
        # The probe's case: seed 2 turns ride 4, an attraction of seed 1, into a SHOW.
        assert (before[4], after[4]) == ("ATTRACTION", "SHOW")
        # Seed 2 re-sent every instant, so the whole range is derived under its catalogue:
        # every stored derived value equals the reference's recomputation, which counts only
        # today's attractions.
        assert _mismatches(conn) == []
        # Ride 4's raw rows (from seed 1) are kept, out of the derivation.
        rss = t.ride_status_snapshots
        assert conn.execute(select(rss.c.ride_id).where(rss.c.ride_id == 4)).first()


def _mismatches(conn: Connection) -> list[str]:
    """Stored derived values of park snapshots and attractions' ride snapshots that differ from
    the reference's derivation (rows of rides that are not attractions are not derived)."""
    snaps = Reference(conn).snaps
    problems = []
    for r in conn.execute(select(t.park_activity_snapshots)):
        c = snaps[(r.park_id, r.recorded_at)]
        want = (c.park_open, c.active_weight, c.down_weight, round_half_up(c.shame, 1),
                len(c.rides), c.operated_so_far, c.down_so_far)
        got = (r.park_appears_open, r.active_weight, r.down_weight, r.shame_score,
               r.total_rides_tracked, r.rides_operated_today, r.rides_down_today)
        if got != want:
            problems.append(f"park {r.park_id} {r.recorded_at}: {got} != {want}")
    for r in conn.execute(select(t.ride_status_snapshots)):
        ride = {s.ride_id: s for s in snaps[(r.park_id, r.recorded_at)].rides}.get(r.ride_id)
        if ride is None:
            continue
        if (r.park_open, r.operated_today, r.counted_down) != (
                ride.park_open, ride.operated_today, ride.counted_down):
            problems.append(f"ride {r.ride_id} {r.recorded_at}")
    return problems


# --- the live path: a catalogue refresh reclassifies a ride mid-day ----------------------------


def _as_show(data: Any) -> Any:
    for child in data["children"]:
        if child["id"] == RIDE["railroad"]:
            child["entityType"] = "SHOW"
    return data


def _mk_row(engine: Engine, at: datetime) -> tuple[Any, ...]:
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        return tuple(conn.execute(
            select(pas.c.park_appears_open, pas.c.total_rides_tracked, pas.c.active_weight,
                   pas.c.down_weight, pas.c.shame_score)
            .join(t.parks, t.parks.c.park_id == pas.c.park_id)
            .where(t.parks.c.name == MK, pas.c.recorded_at == at)).one())


def test_a_catalogue_refresh_that_reclassifies_a_ride_does_not_stop_collection(
        engine: Engine, upstream: FakeUpstream) -> None:
    settings = make_settings(engine, upstream)
    sync_catalog(engine, settings)
    upstream.now = lambda: T0
    assert collect_once(engine, settings, now=T0).ok
    # T0, Magic Kingdom (down-reporting: Big Thunder sends DOWN): operating Space Mountain,
    # Seven Dwarfs (tier 1, weight 3 each), Peter Pan and the railroad (tier 2, weight 2 each);
    # Big Thunder (3) down; Haunted Mansion (refurbishment) tracked, not active.
    # W = 3 + 3 + 2 + 2 + 3 = 13, D = 3 -> 30 / 13 = 2.31 -> 2.3.
    assert _mk_row(engine, T0) == (True, 6, 13, 3, 2.3)

    # The railroad becomes a show in ThemeParks.wiki's catalogue, and a refresh takes that.
    upstream.transform(MK_CHILDREN, _as_show)
    sync_catalog(engine, settings)
    with engine.connect() as conn:
        assert conn.scalar(select(t.rides.c.category).where(t.rides.c.name == RAILROAD)) == "SHOW"

    later = T0 + timedelta(minutes=5)
    upstream.now = lambda: later
    report = collect_once(engine, settings, now=later)  # raised KeyError before the fix
    assert report.ok and report.parks_collected == 4, report.describe()
    # Without the railroad: W = 3 + 3 + 2 + 3 = 11, D = 3 -> 30 / 11 = 2.73 -> 2.7; 5 tracked.
    assert _mk_row(engine, later) == (True, 5, 11, 3, 2.7)
    assert statuses(engine, MK)[RAILROAD] == (T0, "OPERATING", 5)  # its raw row is kept

    # The earlier cycle re-sent with a correction (the same slot collected again, Space
    # Mountain's wait now 50) after the reclassification: T0 is re-derived without the
    # railroad too, and the rest of the day after it. (The probe's second KeyError.)
    upstream.now = lambda: T0
    upstream.transform(f"/wiki/entity/{MK_WIKI}/live",
                       lambda d: set_live(d, "space", "OPERATING", 50))
    assert collect_once(engine, settings, now=T0 + timedelta(seconds=30)).ok
    assert _mk_row(engine, T0) == (True, 5, 11, 3, 2.7)
    assert _mk_row(engine, later) == (True, 5, 11, 3, 2.7)
    assert statuses(engine, MK)[RAILROAD] == (T0, "OPERATING", 5)
    rss = t.ride_status_snapshots
    with engine.connect() as conn:
        assert conn.scalar(select(rss.c.wait_time).join(
            t.rides, t.rides.c.ride_id == rss.c.ride_id).where(
            t.rides.c.name == "Space Mountain", rss.c.recorded_at == T0)) == 50


# --- one park's failure stays with that park ----------------------------------------------------


def test_a_park_whose_ingest_fails_does_not_stop_the_others(
        engine: Engine, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_settings(engine, upstream)
    sync_catalog(engine, settings)
    with engine.connect() as conn:
        mk_id = conn.scalar(select(t.parks.c.park_id).where(t.parks.c.name == MK))
    real = collect_cycle.ingest_cycles

    def failing_for_mk(conn: Connection, cycles: list[Cycle]) -> IngestSummary:
        if any(c.park_id == mk_id for c in cycles):
            ingest_cycles(conn, cycles)  # written, then rolled back with the failure
            raise RuntimeError("disk on fire")
        return real(conn, cycles)

    monkeypatch.setattr(collect_cycle, "ingest_cycles", failing_for_mk)
    upstream.now = lambda: T0
    report = collect_once(engine, settings, now=T0)

    assert not report.ok and report.parks_collected == 3
    assert report.parks_failed == {MK: "ingest failed: RuntimeError: disk on fire"}
    assert "1 park(s) skipped" in report.describe()
    with engine.connect() as conn:
        stored = set(conn.execute(select(t.parks.c.name).join(
            t.park_activity_snapshots,
            t.park_activity_snapshots.c.park_id == t.parks.c.park_id)).scalars())
        assert conn.execute(select(t.ride_status_snapshots).where(
            t.ride_status_snapshots.c.park_id == mk_id)).first() is None  # nothing half-written
    assert stored == {"California's Great America", "Universal Studios Florida", "Europa-Park"}
    assert _issues(engine) == [(mk_id, None, T0, "INGEST_FAILED", "themeparks_wiki",
                                "RuntimeError: disk on fire")]
    # The same slot again: still one record for that park and cycle.
    collect_once(engine, settings, now=T0 + timedelta(seconds=60))
    assert len(_issues(engine)) == 1


def _issues(engine: Engine) -> list[tuple[Any, ...]]:
    """The cycles' records (the catalogue sync's own, CATALOG_*, are not this test's)."""
    dq = t.data_quality_issues
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(
            dq.c.park_id, dq.c.ride_id, dq.c.recorded_at, dq.c.issue_type, dq.c.source,
            dq.c.detail).where(dq.c.issue_type.not_like("CATALOG%")))]
