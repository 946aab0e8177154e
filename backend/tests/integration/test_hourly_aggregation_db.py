"""The hourly job on a real database, SQLite and MariaDB (SPEC §3, §6).

Every stored hourly (and daily) row must equal an independent recomputation from the raw
snapshots (tests/reference.py), on data that hits every SPEC §2 case. Re-running an hour
changes nothing; late and out-of-order data marks hours stale, and re-aggregating corrects them.

A note on stale marks: a job clears only the marks it saw before it began reading; one made
while it ran survives for the next run. Tests that expect marks cleared date them a minute back
(``scen.date_marks``), which keeps them valid whether "before" is judged by a timestamp or by a
version counter (both designs existed while these tests were written).
"""

from __future__ import annotations

import importlib.util
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, delete, func, select, text, update

from tests import reference as ref
from tests import scenarios as scen
from tests.factories import cycle, ingest, make_park, series
from themepark_tracker.aggregate import hourly as hourly_module
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.aggregate.hourly import aggregate_hour, hours_due, run_hourly
from themepark_tracker.db import migrate
from themepark_tracker.db import tables as t
from themepark_tracker.ingest import snapshots
from themepark_tracker.ingest.snapshots import IngestSummary
from themepark_tracker.simulate import simulate
from themepark_tracker.timeutil import utcnow

INTERVAL = scen.WORLD_INTERVAL
LOOKBACK = timedelta(days=3650)  # the test data lies in 2025, the clock does not


@pytest.fixture(autouse=True)
def _schema_at_head(engine: Engine) -> None:
    scen.at_head(engine)


def later() -> datetime:
    """A ``now`` for the jobs' "has this hour finished?" checks."""
    return utcnow() + timedelta(minutes=1)


def count(engine: Engine, table: t.Table, *where: object) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table).where(*where)) or 0)


# --- equivalence with the reference on every SPEC §2 edge case ---------------------------------


def test_revision_012_computes_the_new_snapshot_sums_as_ingest_does(engine: Engine) -> None:
    """Snapshots stored before revision 012 get wait_sum, wait_count, rides_operated_today
    and rides_down_today from the revision's UPDATE; they must equal what ingest derives
    (and the reference re-derivation) on every edge case of the world."""
    scen.build_world(engine)
    path = migrate.MIGRATIONS_DIR / "versions" / "012_add_hourly_stats.py"
    spec = importlib.util.spec_from_file_location("revision_012", path)
    assert spec is not None and spec.loader is not None
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    pas = t.park_activity_snapshots
    with engine.begin() as conn:
        before = {r.id: tuple(r)[1:] for r in conn.execute(
            select(pas.c.id, *(pas.c[name] for name in revision.SNAPSHOT_SUMS)))}
        assert any(v[0] for v in before.values()) and any(v[3] for v in before.values())
        conn.execute(update(pas).values({name: 0 for name in revision.SNAPSHOT_SUMS}))
        conn.execute(text(revision.fill_snapshot_sums(engine.dialect.name)))
        conn.execute(text(revision.fill_snapshot_sums(engine.dialect.name)))  # idempotent
        after = {r.id: tuple(r)[1:] for r in conn.execute(
            select(pas.c.id, *(pas.c[name] for name in revision.SNAPSHOT_SUMS)))}
        assert after == before
        assert ref.derived_mismatches(conn) == []


def test_world_rows_equal_the_reference_on_every_edge_case(engine: Engine) -> None:
    world = scen.build_world(engine)
    with engine.connect() as conn:
        reference = ref.Reference(conn)
        # The stored per-snapshot derivation (ingest) agrees with the reference's own (SPEC §2).
        assert ref.derived_mismatches(conn, reference) == []
    hits = scen.coverage(reference, INTERVAL)
    cases = [
        "DOWN before first operation counts (down-reporting)",
        "CLOSED never counts at a down-reporting park",
        "CLOSED after first operation counts (closed-only)",
        "CLOSED before first operation does not count (closed-only)",
        "DOWN while the park is closed",
        "REFURBISHMENT", "UNKNOWN while open",
        "attraction missing from a cycle", "cycle without any attraction", "missed cycle",
        "wait on a ride that is not operating", "operating without a wait",
        "lone test run does not open a heuristic park",
        "schedule keeps a park with operating rides closed", "open by schedule",
        "open by the ride heuristic", "park closed",
        "UTC hour holding two local dates", "local day longer than 24 hours (DST)",
        "unclassified tier",
    ]
    assert {c: hits.get(c, 0) for c in cases if not hits.get(c)} == {}
    assert world.dropped_readings > 0  # the shows in the feed were left out by ingest

    summary = backfill(engine, INTERVAL, start=world.start, end=world.end - timedelta(hours=1),
                       now=later())
    parks, rides = ref.assert_hourly_match_reference(engine, world.start, world.end, INTERVAL,
                                                     reference)
    hours = int((world.end - world.start) / timedelta(hours=1))
    assert parks == summary.park_hours == hours * len(world.parks)  # every park every hour
    assert rides == summary.ride_hours == hours * sum(len(v) for v in world.attractions.values())

    run_daily(engine, INTERVAL, now=later())
    ref.assert_daily_match_reference(engine, INTERVAL, reference=reference)

    # SPEC §6 at both grains: shame_score_sum > 0 exactly when there was downtime.
    with engine.connect() as conn:
        rows = [*ref.stored_rows(conn, t.park_hourly_stats, ("park_id", "hour_start_utc")).values(),
                *ref.stored_rows(conn, t.park_daily_stats, ("park_id", "stat_date")).values()]
    assert any(r["total_downtime_hours"] > 0 for r in rows)
    assert any(r["total_downtime_hours"] == 0 and r["park_was_open"] for r in rows)
    for r in rows:
        ref.assert_downtime_invariant(r)


def test_simulated_parks_equal_the_reference(engine: Engine) -> None:
    """A second, independently generated data set: the project's simulator."""
    end = datetime(2025, 12, 5, 8, 0)
    simulate(engine, parks=3, rides=12, days=1, seed=11, end=end, interval_minutes=5)
    with engine.connect() as conn:
        first = conn.scalar(select(func.min(t.park_activity_snapshots.c.recorded_at)))
    start = first.replace(minute=0, second=0)
    backfill(engine, 5, start=start, end=end - timedelta(hours=1), now=later())
    parks, rides = ref.assert_hourly_match_reference(engine, start, end, 5)
    assert parks > 0 and rides > 0
    run_daily(engine, 5, now=later())
    ref.assert_daily_match_reference(engine, 5)


# --- idempotency --------------------------------------------------------------------------------

H10 = datetime(2025, 7, 1, 10, 0)


def two_parks(engine: Engine) -> tuple[list[int], list[int]]:
    a = make_park(engine, 1, tiers=(1, 2, 3))
    b = make_park(engine, 2, tiers=(1, 2), reports_down=True, timezone="Europe/Paris")
    ingest(engine, series(1, H10 - timedelta(minutes=10),
                          ["OOO", "OOO", "OOO", "DOO", "DOO", "OCO", "OOO", "OO.", "OOO",
                           "OOC", "OOO", "OOO", "OOO", "OOO", "OOO"], a))
    ingest(engine, series(2, H10, ["OO", "DO", "OO", "OD", "OO", "OO"], b,
                          every=timedelta(minutes=10)))
    return a, b


def test_aggregating_an_hour_twice_keeps_one_row_per_park_and_ride(engine: Engine) -> None:
    a, b = two_parks(engine)
    first = aggregate_hour(engine, H10, 5, now=later())
    with engine.connect() as conn:
        after_first = {tb.name: ref.table_contents(conn, tb)
                       for tb in (t.park_hourly_stats, t.ride_hourly_stats)}
    second = aggregate_hour(engine, H10, 5, now=later())
    with engine.connect() as conn:
        after_second = {tb.name: ref.table_contents(conn, tb)
                        for tb in (t.park_hourly_stats, t.ride_hourly_stats)}
        log = conn.execute(
            select(t.aggregation_log).order_by(t.aggregation_log.c.id)).mappings().all()
    # Same rows, same ids (updated in place, not deleted and re-inserted), nothing doubled.
    assert after_second == after_first
    assert len(after_first["park_hourly_stats"]) == 2
    assert len(after_first["ride_hourly_stats"]) == len(a) + len(b)
    assert (first.parks, first.rides) == (second.parks, second.rides) == (2, 5)
    assert [(r["aggregation_type"], r["target_period"], r["status"], r["parks_processed"],
             r["rides_processed"], r["error_message"]) for r in log] == [
        ("hourly", "2025-07-01 10:00:00", "success", 2, 5, None)] * 2
    ref.assert_hourly_match_reference(engine, H10, H10 + timedelta(hours=1), 5)


def test_a_rerun_rewrites_only_the_rows_whose_values_differ(engine: Engine) -> None:
    """Re-running an hour writes exactly the rows that are missing or differ in some value,
    NULL included both ways; the others keep their updated_at (when their values last changed)."""
    a, b = two_parks(engine)
    aggregate_hour(engine, H10, 5, now=later())
    pht, rht = t.park_hourly_stats, t.ride_hourly_stats
    surrogates = ("id", "created_at", "updated_at")  # the deleted row comes back as a new one
    with engine.connect() as conn:
        right = {tb.name: ref.table_contents(conn, tb, surrogates) for tb in (pht, rht)}
    long_ago = datetime(2000, 1, 1)
    with engine.begin() as conn:
        for tb in (pht, rht):
            conn.execute(update(tb).values(updated_at=long_ago))
        # The series carry no waits, so max_wait_time is NULL and uptime is not (both parks'
        # first rides operate).
        conn.execute(update(rht).where(rht.c.ride_id == a[0]).values(max_wait_time=30))
        conn.execute(update(rht).where(rht.c.ride_id == b[0]).values(uptime_percentage=None))
        conn.execute(update(pht).where(pht.c.park_id == 1)
                     .values(wait_count=pht.c.wait_count + 1))
        conn.execute(delete(rht).where(rht.c.ride_id == a[1]))
    before = utcnow().replace(microsecond=0)
    aggregate_hour(engine, H10, 5, now=later())
    with engine.connect() as conn:
        after = {tb.name: ref.table_contents(conn, tb, surrogates) for tb in (pht, rht)}
        stamped = {(tb.name, row[0]): row[1] for tb, key in ((pht, pht.c.park_id),
                                                            (rht, rht.c.ride_id))
                   for row in conn.execute(select(key, tb.c.updated_at)).all()}
    assert after == right
    rewritten = {k for k, at in stamped.items() if at >= before}
    assert rewritten == {("park_hourly_stats", 1), ("ride_hourly_stats", a[0]),
                         ("ride_hourly_stats", b[0]), ("ride_hourly_stats", a[1])}
    assert all(at == long_ago for k, at in stamped.items() if k not in rewritten)


def test_the_comparison_with_the_reference_catches_a_wrong_or_missing_row(engine: Engine
                                                                          ) -> None:
    """The equivalence tests are only as good as their comparison: it must see a changed count,
    a changed rounded DECIMAL and a missing row."""
    two_parks(engine)
    aggregate_hour(engine, H10, 5, now=later())
    end = H10 + timedelta(hours=1)
    ref.assert_hourly_match_reference(engine, H10, end, 5)
    pht, rht = t.park_hourly_stats, t.ride_hourly_stats
    for change, expected in (
        (update(pht).where(pht.c.park_id == 1).values(wait_count=pht.c.wait_count + 1),
         r"park_hourly_stats\(1, .*\)\.wait_count: stored"),
        (update(pht).where(pht.c.park_id == 2).values(total_downtime_hours=0.09),
         r"park_hourly_stats\(2, .*\)\.total_downtime_hours: stored 0.09"),
        (delete(rht).where(rht.c.ride_id == 101), r"ride_hourly_stats\(101, .*\): missing"),
    ):
        aggregate_hour(engine, H10, 5, now=later())
        with engine.begin() as conn:
            conn.execute(change)
        with pytest.raises(AssertionError, match=expected):
            ref.assert_hourly_match_reference(engine, H10, end, 5)


def test_an_hour_without_snapshots_writes_nothing_and_logs_zero(engine: Engine) -> None:
    two_parks(engine)
    result = aggregate_hour(engine, datetime(2025, 7, 1, 3, 0), 5, now=later())
    assert (result.parks, result.rides) == (0, 0)
    assert count(engine, t.park_hourly_stats) == count(engine, t.ride_hourly_stats) == 0
    with engine.connect() as conn:
        row = conn.execute(select(t.aggregation_log)).mappings().one()
    assert (row["status"], row["parks_processed"], row["rides_processed"]) == ("success", 0, 0)


# --- late and out-of-order data ----------------------------------------------------------------


def test_late_and_out_of_order_cycles_mark_hours_and_reaggregation_corrects_them(
    engine: Engine,
) -> None:
    ids = make_park(engine, 1, tiers=(2, 2, 2))  # open/closed only (never sends DOWN)
    day = [H10 + timedelta(minutes=5 * k) for k in range(36)]  # 10:00 .. 12:55
    late_at, out_of_order_at = H10 + timedelta(minutes=25), H10 + timedelta(minutes=5)
    # Ride 3 operates only at 10:05 and is CLOSED afterwards: once the 10:05 cycle is known,
    # its CLOSED counts as down for the rest of the day.
    rows = {at: ("OOC" if at != out_of_order_at else "OOO") for at in day}
    on_time = [cycle(1, at, rows[at], ids, [20, None, None]) for at in day
               if at not in (late_at, out_of_order_at)]
    ingest(engine, on_time)
    scen.date_marks(engine)
    hours = [H10, H10 + timedelta(hours=1), H10 + timedelta(hours=2)]
    for hour in hours:
        aggregate_hour(engine, hour, 5, now=later())
    with engine.connect() as conn:
        assert conn.execute(select(t.stale_hours)).all() == []
    ref.assert_hourly_match_reference(engine, H10, hours[-1] + timedelta(hours=1), 5)

    # A late cycle in hour 10 re-derives the rest of its day: hours 10, 11, 12 are marked.
    summary = ingest(engine, [cycle(1, late_at, rows[late_at], ids, [30, None, None])])
    assert summary.hours_marked == set(hours)
    with engine.connect() as conn:
        marked = set(conn.execute(select(t.stale_hours.c.hour_start_utc)).scalars())
        stale_days = conn.execute(select(t.stale_days.c.park_id, t.stale_days.c.local_date)).all()
    assert marked == set(hours)
    assert [tuple(r) for r in stale_days] == [(1, date(2025, 7, 1))]
    assert set(hours) <= set(hours_due(engine, later(), LOOKBACK))
    with engine.connect() as conn:
        park10 = ref.stored_rows(conn, t.park_hourly_stats, ("park_id", "hour_start_utc"))
        expected = ref.Reference(conn).hourly(H10, H10 + timedelta(hours=1), 5)[0]
    assert park10[(1, H10)]["snapshot_count"] == 10  # the stored row is stale ...
    assert expected[(1, H10)]["snapshot_count"] == 11  # ... until the hour is redone

    # The out-of-order 10:05 cycle changes every later cycle of the day (ride 3 now counts).
    summary = ingest(engine, [cycle(1, out_of_order_at, rows[out_of_order_at], ids)])
    assert summary.park_days_rederived == 1 and summary.hours_marked == set(hours)
    with engine.connect() as conn:
        expected = ref.Reference(conn).hourly(H10, hours[-1] + timedelta(hours=1), 5)[0]
        stored = ref.stored_rows(conn, t.park_hourly_stats, ("park_id", "hour_start_utc"))
    for hour in hours[1:]:
        assert stored[(1, hour)]["down_snapshots"] == 0
        assert expected[(1, hour)]["down_snapshots"] == 12  # ride 3 CLOSED counts all hour

    due = hours_due(engine, later(), LOOKBACK)
    assert set(hours) <= set(due)
    scen.date_marks(engine)
    done = run_hourly(engine, 5, now=later(), lookback=LOOKBACK)
    assert {c.hour for c in done if c.parks} == set(hours)
    ref.assert_hourly_match_reference(engine, H10, hours[-1] + timedelta(hours=1), 5)
    with engine.connect() as conn:
        assert conn.execute(select(t.stale_hours)).all() == []
    assert not set(hours) & set(hours_due(engine, later(), LOOKBACK))

    run_daily(engine, 5, now=later())
    ref.assert_daily_match_reference(engine, 5)
    assert count(engine, t.stale_days) == 0


def test_a_mark_made_while_the_job_runs_survives_for_the_next_run(
    engine: Engine, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Late data that arrives while an hour is being aggregated may be missing from what the job
    read: its mark must survive, so the next run redoes the hour. The arrival is simulated by
    running ingest's own marking step on the job's connection between the job's two upserts
    (the only monkeypatching: a wrapper around hourly's reference to
    upsert_changed_from_select)."""
    ids = make_park(engine, 1, tiers=(2, 2))
    ingest(engine, series(1, H10, ["OO", "OO", "OD"], ids))
    scen.date_marks(engine)
    real = hourly_module.upsert_changed_from_select
    arrived: list[str] = []

    def upsert_then_late_data(conn: Connection, table: t.Table, *args: object,
                              **kwargs: object) -> int:
        rows = real(conn, table, *args, **kwargs)
        if not arrived:
            arrived.append(table.name)
            late = IngestSummary(hours_marked={H10}, days_marked={(1, H10.date())})
            snapshots._mark_stale(conn, late)
        return rows

    monkeypatch.setattr(hourly_module, "upsert_changed_from_select", upsert_then_late_data)
    aggregate_hour(engine, H10, 5)
    assert arrived
    assert count(engine, t.stale_hours) == 1
    assert H10 in hours_due(engine, later(), LOOKBACK)
    monkeypatch.undo()
    scen.date_marks(engine)
    aggregate_hour(engine, H10, 5)
    assert count(engine, t.stale_hours) == 0
    assert H10 not in hours_due(engine, later(), LOOKBACK)


def test_hours_due_lists_unaggregated_and_marked_hours_and_the_last_complete_hour(
    engine: Engine,
) -> None:
    ids = make_park(engine, 1, tiers=(2, 2))
    now = datetime(2025, 7, 1, 13, 20)
    ingest(engine, [cycle(1, H10 + timedelta(hours=h, minutes=5), "OO", ids) for h in range(4)])
    with engine.begin() as conn:
        conn.execute(update(t.stale_hours).values(marked_at=datetime(2025, 7, 1, 13, 10)))
    # 13:00 is not finished at 13:20; 12:00 is the last complete hour.
    assert hours_due(engine, now, timedelta(days=1)) == [
        H10, H10 + timedelta(hours=1), H10 + timedelta(hours=2)]
    assert hours_due(engine, now, timedelta(hours=1)) == [  # marks are not bound by lookback
        H10, H10 + timedelta(hours=1), H10 + timedelta(hours=2)]
    done = run_hourly(engine, 5, now=now, lookback=timedelta(days=1))
    assert [c.hour for c in done] == [H10, H10 + timedelta(hours=1), H10 + timedelta(hours=2)]
    with engine.connect() as conn:
        assert not conn.execute(select(t.stale_hours).where(
            t.stale_hours.c.hour_start_utc < datetime(2025, 7, 1, 13))).all()
    assert hours_due(engine, now, timedelta(days=1)) == [H10 + timedelta(hours=2)]
