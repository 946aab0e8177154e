"""The ingest path on a real database: derived columns, idempotency, late data (SPEC §2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select

from tests.factories import ingest, make_park, series
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.catalog import reports_down_after, upsert_parks
from themepark_tracker.ingest.models import ParkRecord

T0 = datetime(2025, 7, 1, 10, 0)


def park_rows(engine: Engine) -> list[tuple]:
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(pas.c.recorded_at, pas.c.park_appears_open, pas.c.rides_open, pas.c.rides_down,
                   pas.c.active_weight, pas.c.down_weight, pas.c.shame_score)
            .order_by(pas.c.recorded_at))]


def test_closed_only_park_counts_closed_after_first_operation(engine: Engine) -> None:
    # Tiers 1,2,3 -> weights 3,2,1. Ride 3 CLOSED before it ever operated: not counted.
    ids = make_park(engine, tiers=(1, 2, 3))
    ingest(engine, series(1, T0, ["OOC", "COC", "OOO"], ids))
    rows = park_rows(engine)
    # t0: open (2 of 2 seen operating), active {1,2}=5, nothing down -> 0.0
    assert rows[0][1:] == (True, 2, 0, 5, 0, 0.0)
    # t1: ride 1 CLOSED after operating -> down weight 3; active {1,2}=5; 1 of 2 operating
    #     and 1 < 2 -> the no-schedule rule says closed! so nothing counts.
    assert rows[1][1:] == (False, 0, 0, 5, 0, None)
    # t2: all three operate: open, active 6, shame 0
    assert rows[2][1:] == (True, 3, 0, 6, 0, 0.0)


def test_down_reporting_park_counts_down_before_first_operation(engine: Engine) -> None:
    ids = make_park(engine, tiers=(1, 2, 3, 2), reports_down=True)
    ingest(engine, series(1, T0, ["DOOO", "OCOD"], ids))
    rows = park_rows(engine)
    # t0: 3 operating of 3 seen -> open. Ride 1 DOWN counts (down-reporting): D=3, A={1,2,3,4}
    #     W=3+2+1+2=8 -> 10*3/8 = 3.75 -> 3.8
    assert rows[0][1:] == (True, 3, 1, 8, 3, 3.8)
    # t1: ride 2 CLOSED never counts at a down-reporting park; ride 4 DOWN: D=2, W=8 -> 2.5
    assert rows[1][1:] == (True, 2, 1, 8, 2, 2.5)


def test_ingest_twice_changes_nothing(engine: Engine) -> None:
    ids = make_park(engine, tiers=(1, 2, 3))
    cycles = series(1, T0, ["OOO", "DOO", "OOO"], ids)
    first = ingest(engine, cycles)
    before = park_rows(engine)
    second = ingest(engine, cycles)
    assert first.ride_snapshots == 9
    assert second.park_days_unchanged == 1 and second.ride_snapshots == 0
    assert park_rows(engine) == before
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.ride_status_snapshots)) == 9


def test_late_cycle_rederives_the_rest_of_the_day(engine: Engine) -> None:
    ids = make_park(engine, tiers=(2, 2, 2))
    cycles = series(1, T0, ["OOC", "OOC", "OOC", "OOC"], ids)
    # Without the second cycle, ride 3 never operated: its CLOSED is not counted.
    ingest(engine, [cycles[0], cycles[2], cycles[3]])
    assert [r[5] for r in park_rows(engine)] == [0, 0, 0]
    # The late cycle says ride 3 operated at 10:05: from then on its CLOSED counts.
    late = series(1, T0, ["OOC", "OOO"], ids)[1]
    summary = ingest(engine, [late])
    assert summary.park_days_rederived == 1
    assert [r[5] for r in park_rows(engine)] == [0, 0, 2, 2]


def _reports_down(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.scalar(select(t.parks.c.reports_down).where(t.parks.c.park_id == 1)))


def test_reports_down_only_ever_turns_on(engine: Engine) -> None:
    # SPEC §1: a park whose feed has once sent DOWN stays down-reporting, whatever a later
    # catalogue (a sync, an import) says.
    ids = make_park(engine, tiers=(2, 2, 2))
    assert not _reports_down(engine)
    ingest(engine, series(1, T0, ["OOD"], ids))  # the feed sends DOWN
    assert _reports_down(engine)
    with engine.begin() as conn:
        upsert_parks(conn, [ParkRecord(1, "Park 1", "UTC", reports_down=False)])
    assert _reports_down(engine)
    assert [reports_down_after(s, d) for s, d in
            [(False, False), (False, True), (True, False), (True, True)]] == [
        False, True, True, True]
