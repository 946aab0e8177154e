"""``ride_outages`` kept by the one ingest path (SPEC §10), on SQLite and MariaDB.

Whole-data cases compare with the independent ride-by-ride reference
(``reference_outages.expected_outages`` over ``reference.derive``); the late-data and time-zone
cases have hand-worked expected rows. Rides: one subject ride (x01) and two that keep
OPERATING so that the park appears open (SPEC §2 rule 1 without a schedule).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select

from tests import reference as ref
from tests import scenarios as scen
from tests.factories import cycle, ingest, make_park
from tests.reference_outages import expected_outages
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.models import Cycle
from themepark_tracker.ingest.outage_store import OUTAGE_COLUMNS
from themepark_tracker.ingest.snapshots import ingest_cycles
from themepark_tracker.simulate import simulate

Key = tuple[int, datetime]
M = timedelta(minutes=1)


def stored(engine: Engine, columns: Sequence[str] = OUTAGE_COLUMNS) -> dict[Key, dict[str, Any]]:
    ro = t.ride_outages
    with engine.connect() as conn:
        return {(r.ride_id, r.started_at): {c: r._mapping[c] for c in columns}
                for r in conn.execute(select(ro))}


def reference(engine: Engine, interval: int) -> dict[Key, dict[str, Any]]:
    with engine.connect() as conn:
        raw = ref.load_raw(conn)
    expected = expected_outages(raw, ref.derive(raw), interval)
    return {k: {c: v[c] for c in OUTAGE_COLUMNS} for k, v in expected.items()}


def assert_equal_rows(got: dict[Key, dict[str, Any]], want: dict[Key, dict[str, Any]]) -> None:
    assert sorted(got) == sorted(want)
    for key in want:
        assert got[key] == want[key], key


def row(ride_id: int, park_id: int, start: datetime, last: datetime, snapshots: int,
        interval: int, local: date, end: datetime | None = None, reason: str | None = None,
        decided: datetime | None = None) -> dict[str, Any]:
    return {"ride_id": ride_id, "park_id": park_id, "started_at": start, "last_down_at": last,
            "ended_at": end, "end_reason": reason, "decided_at": decided,
            "down_snapshots": snapshots, "down_minutes": snapshots * interval,
            "start_local_date": local}


# --- whole data against the reference ----------------------------------------------------------

def test_the_world_scenario_equals_the_reference(engine: Engine,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLLECTION_INTERVAL_MINUTES", str(scen.WORLD_INTERVAL))
    scen.at_head(engine)
    scen.build_world(engine)
    want = reference(engine, scen.WORLD_INTERVAL)
    reasons = {r["end_reason"] for r in want.values()}
    assert {"recovered", "park_closed", "censored"} <= reasons, reasons  # the data covers them
    assert len(want) > 50
    assert_equal_rows(stored(engine), want)


def test_a_simulated_week_equals_the_reference(engine: Engine) -> None:
    scen.at_head(engine)
    simulate(engine, parks=3, rides=30, days=7, seed=3, end=datetime(2025, 7, 8),
             interval_minutes=10)
    want = reference(engine, 10)
    assert len(want) > 100
    assert_equal_rows(stored(engine), want)


# --- any order of arrival gives the same rows --------------------------------------------------

ORDER_PARKS = (scen.WORLD_PARKS[0], scen.WORLD_PARKS[1], scen.WORLD_PARKS[2])


def order_cycles(engine: Engine) -> list[Cycle]:
    out: list[Cycle] = []
    for spec in ORDER_PARKS:
        ids = make_park(engine, spec.park_id, tiers=spec.tiers, timezone=spec.timezone,
                        reports_down=spec.reports_down)
        out += scen.world_cycles(spec, ids, [], datetime(2025, 11, 1, 16),
                                 datetime(2025, 11, 2, 20), seed=11 + spec.park_id, every=10)
    return sorted(out, key=lambda c: c.recorded_at)


def forget_snapshots(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in (t.ride_outages, t.ride_status_snapshots, t.park_activity_snapshots):
            conn.execute(delete(table))


@pytest.mark.parametrize("interval", [10, 5])  # 5: a missed 10-minute cycle is a gap
def test_in_order_at_once_and_shuffled_batches_give_the_same_rows(
        engine: Engine, monkeypatch: pytest.MonkeyPatch, interval: int) -> None:
    monkeypatch.setenv("COLLECTION_INTERVAL_MINUTES", str(interval))
    scen.at_head(engine)
    cycles = order_cycles(engine)
    ingest(engine, cycles)
    at_once = stored(engine)
    assert_equal_rows(at_once, reference(engine, interval))
    reasons = {r["end_reason"] for r in at_once.values()}
    assert {"recovered", "park_closed", "censored"} <= reasons
    assert ("gap" in reasons) == (interval == 5)
    everything = stored(engine, ("outage_id", "updated_at", *OUTAGE_COLUMNS))
    ingest(engine, cycles)  # the same cycles again: nothing changes, not even a timestamp
    assert stored(engine, ("outage_id", "updated_at", *OUTAGE_COLUMNS)) == everything

    forget_snapshots(engine)
    for c in cycles:  # as collect does: one cycle of one park per transaction
        ingest(engine, [c])
    assert_equal_rows(stored(engine), at_once)

    forget_snapshots(engine)
    rng = random.Random(5)
    shuffled = cycles[:]
    rng.shuffle(shuffled)
    for n in range(0, len(shuffled), 37):
        ingest(engine, shuffled[n:n + 37])
    assert_equal_rows(stored(engine), at_once)


# --- late cycles, hand-worked ------------------------------------------------------------------

T = datetime(2025, 7, 1, 10, 0)
INTERVAL = 5


def at(minutes: int) -> datetime:
    return T + minutes * M


def down_park(engine: Engine, monkeypatch: pytest.MonkeyPatch, park_id: int = 1,
              timezone: str = "UTC") -> list[int]:
    monkeypatch.setenv("COLLECTION_INTERVAL_MINUTES", str(INTERVAL))
    scen.at_head(engine)
    return make_park(engine, park_id, tiers=(1, 2, 2), timezone=timezone, reports_down=True)


def test_a_late_cycle_splits_one_outage_into_two(engine: Engine,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ids = down_park(engine, monkeypatch)
    ingest(engine, [cycle(1, at(m), s, ids) for m, s in
                    ((0, "DOO"), (5, "DOO"), (15, "DOO"), (20, "OOO"))])
    # 10:10 missing (10:05 -> 10:15 is 10 min, not a gap): one outage 10:00-10:20, 3 snapshots
    assert stored(engine) == {(101, at(0)): row(101, 1, at(0), at(15), 3, INTERVAL,
                                                date(2025, 7, 1), at(20), "recovered", at(20))}
    ingest(engine, [cycle(1, at(10), "OOO", ids)])  # late: it was up at 10:10
    assert stored(engine) == {
        (101, at(0)): row(101, 1, at(0), at(5), 2, INTERVAL, date(2025, 7, 1),
                          at(10), "recovered", at(10)),
        (101, at(15)): row(101, 1, at(15), at(15), 1, INTERVAL, date(2025, 7, 1),
                           at(20), "recovered", at(20)),
    }


def test_late_cycles_join_two_outages_into_one(engine: Engine,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ids = down_park(engine, monkeypatch)
    ingest(engine, [cycle(1, at(m), "DOO", ids) for m in (0, 25)])
    # 10:00 -> 10:25 is 25 min > 3 x 5 while open: a gap ends the first (at 10:00 + I, decided
    # by the 10:25 cycle) and a second starts at 10:25, still ongoing.
    assert stored(engine) == {
        (101, at(0)): row(101, 1, at(0), at(0), 1, INTERVAL, date(2025, 7, 1),
                          at(5), "gap", at(25)),
        (101, at(25)): row(101, 1, at(25), at(25), 1, INTERVAL, date(2025, 7, 1)),
    }
    ingest(engine, [cycle(1, at(m), "DOO", ids) for m in (5, 10, 15, 20)])
    assert stored(engine) == {
        (101, at(0)): row(101, 1, at(0), at(25), 6, INTERVAL, date(2025, 7, 1)),
    }
    ingest(engine, [cycle(1, at(30), "OOO", ids)])  # then in order: it recovers
    assert stored(engine) == {
        (101, at(0)): row(101, 1, at(0), at(25), 6, INTERVAL, date(2025, 7, 1),
                          at(30), "recovered", at(30)),
    }


def test_a_late_cycle_inside_a_night_pause(engine: Engine,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # Down at 21:50 and 21:55, the park closed overnight (every ride CLOSED: the park appears
    # closed; a pause), DOWN again next morning at 09:00, then up: one outage of 3 snapshots.
    # A late open cycle at 22:00 in which it was up splits it in two.
    ids = down_park(engine, monkeypatch)
    day0, day1 = datetime(2025, 7, 1), datetime(2025, 7, 2)
    night = [cycle(1, day0 + timedelta(hours=21, minutes=m), s, ids)
             for m, s in ((50, "DOO"), (55, "DOO"))]
    night += [cycle(1, day0 + timedelta(hours=22, minutes=5), "CCC", ids),  # 10 min: no gap
              cycle(1, day0 + timedelta(hours=23), "CCC", ids),  # after a closed one: no gap
              cycle(1, day1 + timedelta(hours=9), "DOO", ids),
              cycle(1, day1 + timedelta(hours=9, minutes=5), "OOO", ids)]
    ingest(engine, night)
    nine, nine5 = day1 + timedelta(hours=9), day1 + timedelta(hours=9, minutes=5)
    start = day0 + timedelta(hours=21, minutes=50)
    assert stored(engine) == {(101, start): row(101, 1, start, nine, 3, INTERVAL,
                                                date(2025, 7, 1), nine5, "recovered", nine5)}
    ten = day0 + timedelta(hours=22)
    ingest(engine, [cycle(1, ten, "OOO", ids)])
    assert stored(engine) == {
        (101, start): row(101, 1, start, start + 5 * M, 2, INTERVAL, date(2025, 7, 1),
                          ten, "recovered", ten),
        (101, nine): row(101, 1, nine, nine, 1, INTERVAL, date(2025, 7, 2),
                         nine5, "recovered", nine5),
    }
    # Later still, a cycle at 08:55 after the closed night (its previous cycle is closed):
    # down then too, so the second outage starts there, two snapshots long.
    early = nine - 5 * M
    ingest(engine, [cycle(1, early, "DOO", ids)])
    assert stored(engine) == {
        (101, start): row(101, 1, start, start + 5 * M, 2, INTERVAL, date(2025, 7, 1),
                          ten, "recovered", ten),
        (101, early): row(101, 1, early, nine, 2, INTERVAL, date(2025, 7, 2),
                          nine5, "recovered", nine5),
    }


# --- local dates -------------------------------------------------------------------------------

def test_start_local_date_on_the_dst_end_day_in_new_york(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = down_park(engine, monkeypatch, timezone="America/New_York")
    # 2025-11-02 03:50 UTC = 11-01 23:50 EDT; 2025-11-03 04:30 UTC = 11-02 23:30 EST (after
    # the fall back; with EDT's offset it would wrongly read 11-03 00:30).
    first, second = datetime(2025, 11, 2, 3, 50), datetime(2025, 11, 3, 4, 30)
    ingest(engine, [cycle(1, first, "DOO", ids), cycle(1, first + 5 * M, "OOO", ids),
                    cycle(1, second, "DOO", ids)])
    got = stored(engine)
    assert {k: v["start_local_date"] for k, v in got.items()} == {
        (101, first): date(2025, 11, 1), (101, second): date(2025, 11, 2)}


def test_start_local_date_in_a_half_hour_zone(engine: Engine,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    ids = down_park(engine, monkeypatch, timezone="Asia/Kolkata")
    # IST = UTC+5:30: 18:20 UTC = 23:50 on 11-01; 18:40 UTC = 00:10 on 11-02.
    before, after = datetime(2025, 11, 1, 18, 20), datetime(2025, 11, 1, 18, 40)
    with engine.begin() as conn:
        ingest_cycles(conn, [cycle(1, before, "DOO", ids), cycle(1, before + 5 * M, "OOO", ids),
                             cycle(1, after, "DOO", ids)], interval_minutes=INTERVAL)
    got = stored(engine)
    assert {k: v["start_local_date"] for k, v in got.items()} == {
        (101, before): date(2025, 11, 1), (101, after): date(2025, 11, 2)}


def test_down_minutes_follow_the_interval_ingest_is_given(engine: Engine) -> None:
    scen.at_head(engine)
    ids = make_park(engine, 1, tiers=(1, 2, 2), reports_down=True)
    with engine.begin() as conn:
        ingest_cycles(conn, [cycle(1, at(m), "DOO", ids) for m in (0, 15, 30)],
                      interval_minutes=15)
    assert stored(engine, ("down_snapshots", "down_minutes")) == {
        (101, at(0)): {"down_snapshots": 3, "down_minutes": 45}}
