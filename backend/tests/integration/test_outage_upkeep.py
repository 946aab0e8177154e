"""``ride_outages`` beyond ingest, on SQLite and MariaDB: ``verify`` finds a corrupted or
missing row, ``outages rebuild`` (and ``db upgrade`` across 013) derives them from the stored
snapshots, ``cleanup`` never deletes them. Expected rows come from the independent reference
(``reference_outages``) or from what ingest stored before."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, update

from tests import scenarios as scen
from tests.integration.test_outage_records import reference, stored
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.aggregate.verify import verify
from themepark_tracker.collect.cleanup import cleanup
from themepark_tracker.db import tables as t
from themepark_tracker.db.migrate import current_revision, downgrade, upgrade
from themepark_tracker.ingest.outage_store import OUTAGE_COLUMNS
from themepark_tracker.timeutil import floor_hour, utcnow

INTERVAL = scen.WORLD_INTERVAL
ENV = {"COLLECTION_INTERVAL_MINUTES": str(INTERVAL)}
EVERYTHING = ("outage_id", "created_at", "updated_at", *OUTAGE_COLUMNS)


@pytest.fixture
def world(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> scen.World:
    monkeypatch.setenv("COLLECTION_INTERVAL_MINUTES", str(INTERVAL))
    scen.at_head(engine)
    return scen.build_world(engine)


def one_outage(engine: Engine, reason: str = "recovered") -> Any:
    ro = t.ride_outages
    with engine.connect() as conn:
        return conn.execute(select(ro).where(ro.c.end_reason == reason)
                            .order_by(ro.c.started_at, ro.c.ride_id).limit(1)).one()


# --- verify ------------------------------------------------------------------------------------

@pytest.mark.parametrize("days", [3, 1])  # 1: the window starts inside the data
def test_clean_outages_verify(engine: Engine, world: scen.World, days: int) -> None:
    report = verify(engine, INTERVAL, days=days, now=world.end)
    assert report.ok, report.describe()
    assert report.outages_checked > 20


def test_verify_names_a_hand_corrupted_outage(engine: Engine, world: scen.World) -> None:
    victim = one_outage(engine)
    ro = t.ride_outages
    with engine.begin() as conn:
        conn.execute(update(ro).where(ro.c.outage_id == victim.outage_id)
                     .values(down_minutes=victim.down_minutes + 1))
    report = verify(engine, INTERVAL, days=3, now=world.end)
    assert not report.ok
    assert [(m.table, m.key, m.column, m.stored, m.expected) for m in report.mismatches] == [
        ("ride_outages", (victim.ride_id, victim.started_at), "down_minutes",
         victim.down_minutes + 1, victim.down_minutes)]


def test_verify_names_a_deleted_outage(engine: Engine, world: scen.World) -> None:
    victim = one_outage(engine, "park_closed")
    with engine.begin() as conn:
        conn.execute(delete(t.ride_outages).where(t.ride_outages.c.outage_id == victim.outage_id))
    report = verify(engine, INTERVAL, days=3, now=world.end)
    assert [(m.key, m.column, m.stored) for m in report.mismatches] == [
        ((victim.ride_id, victim.started_at), "(row)", "missing")]


def test_the_verify_command_exits_1_on_a_corrupted_outage(engine: Engine) -> None:
    # verify looks back from the real clock: six recent hours, INTERVAL = 5 (the default setting).
    scen.at_head(engine)
    end = floor_hour(utcnow())
    parks = (scen.ParkSpec(1, "UTC", True, (1, 2, 3), day=(0, 24 * 60)),)
    scen.build_world(engine, parks=parks, start=end - timedelta(hours=6), end=end, every=5)
    done = scen.run_module(engine, "themepark_tracker", "verify", "--days", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    victim = one_outage(engine)
    with engine.begin() as conn:
        conn.execute(update(t.ride_outages).where(t.ride_outages.c.outage_id == victim.outage_id)
                     .values(end_reason="gap"))
    done = scen.run_module(engine, "themepark_tracker", "verify", "--days", "2")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"ride_outages[{victim.ride_id}, " in done.stdout and ".end_reason" in done.stdout


# --- rebuild and the upgrade across 013 ----------------------------------------------------------

def test_rebuild_equals_what_ingest_maintained(engine: Engine, world: scen.World) -> None:
    maintained = stored(engine)
    with engine.begin() as conn:
        conn.execute(delete(t.ride_outages))
    done = scen.run_module(engine, "themepark_tracker", "outages", "rebuild", env=ENV)
    assert done.returncode == 0, done.stderr
    assert f"Rebuilt the outages of 6 park(s) from their snapshots: {len(maintained):,} " \
           "outage(s)" in done.stdout
    assert stored(engine) == maintained


def test_rebuild_of_one_park_leaves_the_others(engine: Engine, world: scen.World) -> None:
    maintained = stored(engine)
    ro = t.ride_outages
    with engine.begin() as conn:
        conn.execute(update(ro).values(down_snapshots=0))
    done = scen.run_module(engine, "themepark_tracker", "outages", "rebuild", "--park", "2",
                           env=ENV)
    assert done.returncode == 0, done.stderr
    after = stored(engine)
    assert {k: v for k, v in after.items() if v["park_id"] == 2} == \
           {k: v for k, v in maintained.items() if v["park_id"] == 2}
    assert all(v["down_snapshots"] == 0 for v in after.values() if v["park_id"] != 2)


def test_rebuild_of_an_unknown_park_is_a_clean_error(engine: Engine) -> None:
    scen.at_head(engine)
    done = scen.run_module(engine, "themepark_tracker", "outages", "rebuild", "--park", "999")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "no park with id 999" in done.stderr


def test_upgrading_across_013_derives_the_outages_of_stored_snapshots(
        engine: Engine, world: scen.World) -> None:
    maintained = stored(engine)
    try:
        downgrade(engine, "012")  # as a database of the previous release: no ride_outages
        done = scen.run_module(engine, "themepark_tracker", "db", "upgrade", env=ENV)
    finally:
        upgrade(engine)
    assert done.returncode == 0, done.stderr
    assert current_revision(engine) is not None
    assert "Rebuilt the outages of 6 park(s)" in done.stdout
    assert stored(engine) == maintained
    again = scen.run_module(engine, "themepark_tracker", "db", "upgrade", env=ENV)
    assert "Rebuilt" not in again.stdout  # already at head: nothing to derive


# --- retention ---------------------------------------------------------------------------------

def test_cleanup_never_deletes_outages_and_rebuild_keeps_the_older_ones(
        engine: Engine, world: scen.World) -> None:
    later = world.end + timedelta(days=2)
    scen.date_marks(engine, world.start)
    backfill(engine, INTERVAL, start=world.start, end=world.end, now=later)
    run_daily(engine, INTERVAL, now=later)
    before = stored(engine, EVERYTHING)
    report = cleanup(engine, retention_days=1, now=world.end + timedelta(days=1))
    assert report.park_days_deleted > 0 and report.ride_snapshots_deleted > 0
    assert stored(engine, EVERYTHING) == before

    # Rebuilt from what retention left: outages from each park's earliest retained cycle on
    # are derived afresh (as the reference derives them from those snapshots alone); older
    # ones stay as they were.
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        first = dict(conn.execute(select(pas.c.park_id, func.min(pas.c.recorded_at))
                                  .group_by(pas.c.park_id)).all())
    done = scen.run_module(engine, "themepark_tracker", "outages", "rebuild", env=ENV)
    assert done.returncode == 0, done.stderr
    after = stored(engine)

    def older(rows: dict[Any, dict[str, Any]]) -> dict[Any, dict[str, Any]]:
        return {k: {c: v[c] for c in OUTAGE_COLUMNS} for k, v in rows.items()
                if v["park_id"] not in first or v["started_at"] < first[v["park_id"]]}

    assert older(after) == older(before) and older(before)
    newer = {k: v for k, v in after.items() if k not in older(after)}
    assert newer == reference(engine, INTERVAL)
