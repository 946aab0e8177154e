"""SPEC §10 truth tables: outages from a park's cycles, hand-worked (I = 5 minutes).

Each case lists the park's cycles (instant, open, rides counted down, statuses) and the
outages a reader of SPEC §10 writes down by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from themepark_tracker.ingest.outages import (
    Outage,
    OutageCycle,
    ParkOutageState,
    derive_outages,
)

INTERVAL = 5
DAY = datetime(2025, 7, 1)


def at(hhmm: str, day: int = 0) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return DAY + timedelta(days=day, hours=h, minutes=m)


def cycle(when: datetime, open_: bool, down: set[int] = frozenset(),  # type: ignore[assignment]
          statuses: dict[int, str] | None = None) -> OutageCycle:
    statuses = statuses if statuses is not None else {r: "DOWN" for r in down}
    return OutageCycle(when, open_, frozenset(down), statuses)


def outages(cycles: list[OutageCycle], reports_down: bool) -> list[Outage]:
    return derive_outages(cycles, reports_down=reports_down, interval_minutes=INTERVAL)


def test_a_breakdown_that_recovers() -> None:
    rows = outages([
        cycle(at("10:00"), True, statuses={1: "OPERATING"}),
        cycle(at("10:05"), True, {1}),
        cycle(at("10:10"), True, {1}),
        cycle(at("10:15"), True, statuses={1: "OPERATING"}),
    ], reports_down=True)
    assert rows == [Outage(1, at("10:05"), at("10:10"), 2, at("10:15"), "recovered",
                           at("10:15"))]
    assert rows[0].down_minutes(INTERVAL) == 10


def test_down_then_refurbishment_is_reclassified() -> None:
    rows = outages([
        cycle(at("10:00"), True, {1}),
        cycle(at("10:05"), True, statuses={1: "REFURBISHMENT"}),
    ], reports_down=True)
    assert rows == [Outage(1, at("10:00"), at("10:00"), 1, at("10:05"), "reclassified",
                           at("10:05"))]


def test_a_ride_missing_from_an_open_cycle_is_censored() -> None:
    rows = outages([
        cycle(at("10:00"), True, {1, 2}),
        cycle(at("10:05"), True, {2}, {2: "DOWN"}),  # ride 1 absent
        cycle(at("10:10"), True, statuses={2: "CLOSED"}),
    ], reports_down=True)
    assert rows == [
        Outage(1, at("10:00"), at("10:00"), 1, at("10:05"), "censored", at("10:05")),
        Outage(2, at("10:00"), at("10:05"), 2, at("10:10"), "censored", at("10:10")),
    ]


def test_a_gap_of_four_missing_cycles_ends_the_outage_and_a_new_one_starts() -> None:
    # 10:05 -> 10:25 is 20 minutes > 3 x I: the ride may have recovered unseen.
    rows = outages([
        cycle(at("10:00"), True, {1}),
        cycle(at("10:05"), True, {1}),
        cycle(at("10:25"), True, {1}),
        cycle(at("10:30"), True, statuses={1: "OPERATING"}),
    ], reports_down=True)
    assert rows == [
        Outage(1, at("10:00"), at("10:05"), 2, at("10:10"), "gap", at("10:25")),
        Outage(1, at("10:25"), at("10:25"), 1, at("10:30"), "recovered", at("10:30")),
    ]


def test_three_intervals_apart_is_not_a_gap() -> None:
    rows = outages([
        cycle(at("10:00"), True, {1}),
        cycle(at("10:15"), True, {1}),
    ], reports_down=True)
    assert rows == [Outage(1, at("10:00"), at("10:15"), 2)]
    assert rows[0].ongoing


def test_closing_ends_an_outage_at_a_park_that_only_knows_closed() -> None:
    # Closing time and a breakdown look the same there: the outage ends at the closure, and
    # the ride closed again next morning (counted down once it has operated) is a new one.
    rows = outages([
        cycle(at("21:50"), True, {1}, {1: "CLOSED"}),
        cycle(at("21:55"), True, {1}, {1: "CLOSED"}),
        cycle(at("22:00"), False, statuses={1: "CLOSED"}),
        cycle(at("09:00", 1), True, statuses={1: "OPERATING"}),
        cycle(at("09:05", 1), True, {1}, {1: "CLOSED"}),
    ], reports_down=False)
    assert rows == [
        Outage(1, at("21:50"), at("21:55"), 2, at("22:00"), "park_closed", at("22:00")),
        Outage(1, at("09:05", 1), at("09:05", 1), 1),
    ]


def test_a_night_pauses_an_outage_at_a_down_reporting_park() -> None:
    # Closed cycles within 24 hours of the last open one pause it; missing cycles while closed
    # do not matter; the night does not count in its length.
    rows = outages([
        cycle(at("21:50"), True, {1}),
        cycle(at("21:55"), True, {1}),
        cycle(at("22:00"), False, statuses={1: "DOWN"}),
        cycle(at("23:00"), False, statuses={1: "DOWN"}),
        cycle(at("09:00", 1), True, {1}),
        cycle(at("09:05", 1), True, statuses={1: "OPERATING"}),
    ], reports_down=True)
    assert rows == [Outage(1, at("21:50"), at("09:00", 1), 3, at("09:05", 1), "recovered",
                           at("09:05", 1))]
    assert rows[0].down_minutes(INTERVAL) == 15


def test_down_across_the_24_hour_limit_ends_as_park_closed() -> None:
    # Last open cycle 21:55 on day 0; a closed cycle at 22:00 on day 1 is 24 h 5 min later.
    rows = outages([
        cycle(at("21:55"), True, {1}),
        cycle(at("22:00"), False, statuses={1: "DOWN"}),
        cycle(at("21:55", 1), False, statuses={1: "DOWN"}),
        cycle(at("22:00", 1), False, statuses={1: "DOWN"}),
        cycle(at("09:00", 2), True, {1}),
    ], reports_down=True)
    assert rows == [
        Outage(1, at("21:55"), at("21:55"), 1, at("22:00"), "park_closed",
               at("22:00", 1)),  # decided by the cycle past the limit, a day after its end
        Outage(1, at("09:00", 2), at("09:00", 2), 1),
    ]


def test_exactly_24_hours_after_the_last_open_cycle_still_pauses() -> None:
    rows = outages([
        cycle(at("21:55"), True, {1}),
        cycle(at("22:00"), False, statuses={1: "DOWN"}),
        cycle(at("21:50", 1), False, statuses={1: "DOWN"}),
        cycle(at("21:55", 1), True, {1}),  # 24 h after the last open cycle, not more
    ], reports_down=True)
    assert rows == [Outage(1, at("21:55"), at("21:55", 1), 2)]


def test_an_open_cycle_followed_a_day_later_is_a_gap_not_a_pause() -> None:
    # Rule 2 comes first: the previous cycle was open and the next one is far later, so data
    # went missing while the park was open.
    rows = outages([
        cycle(at("21:55"), True, {1}),
        cycle(at("21:00", 1), False, statuses={1: "DOWN"}),
    ], reports_down=True)
    assert rows == [Outage(1, at("21:55"), at("21:55"), 1, at("22:00"), "gap", at("21:00", 1))]


def test_a_late_cycle_splits_one_outage_into_two_and_another_joins_two() -> None:
    base = [
        cycle(at("10:00"), True, {1}),
        cycle(at("10:05"), True, {1}),
        cycle(at("10:15"), True, {1}),
    ]
    late_up = cycle(at("10:10"), True, statuses={1: "OPERATING"})
    assert outages(sorted([*base, late_up], key=lambda c: c.recorded_at), True) == [
        Outage(1, at("10:00"), at("10:05"), 2, at("10:10"), "recovered", at("10:10")),
        Outage(1, at("10:15"), at("10:15"), 1),
    ]
    apart = [cycle(at("10:00"), True, {1}), cycle(at("10:25"), True, {1})]  # a gap: two
    assert len(outages(apart, True)) == 2
    joined = [apart[0], *(cycle(at(f"10:{m}"), True, {1}) for m in ("05", "10", "15", "20")),
              apart[1]]
    assert outages(joined, True) == [Outage(1, at("10:00"), at("10:25"), 6)]


def test_state_carries_an_ongoing_outage_to_the_next_call() -> None:
    state = ParkOutageState()
    derive_outages([cycle(at("10:00"), True, {1})], reports_down=True, interval_minutes=INTERVAL,
                   state=state)
    rows = derive_outages([cycle(at("10:05"), True, statuses={1: "OPERATING"})],
                          reports_down=True, interval_minutes=INTERVAL, state=state)
    assert rows == [Outage(1, at("10:00"), at("10:00"), 1, at("10:05"), "recovered",
                           at("10:05"))]
    assert state.ongoing == {}


# --- properties over arbitrary cycles ---------------------------------------------------------

_statuses = st.sampled_from(["OPERATING", "DOWN", "CLOSED", "REFURBISHMENT", "UNKNOWN"])


@st.composite
def park_cycles(draw: st.DrawFn) -> list[OutageCycle]:
    steps = draw(st.lists(st.sampled_from([5, 5, 5, 10, 20, 60, 600, 1500]), min_size=1,
                          max_size=40))
    when, out = DAY, []
    for minutes in steps:
        when += timedelta(minutes=minutes)
        open_ = draw(st.booleans())
        statuses = draw(st.dictionaries(st.integers(1, 4), _statuses, max_size=4))
        down = {r for r, s in statuses.items() if open_ and s in ("DOWN", "CLOSED")}
        out.append(OutageCycle(when, open_, frozenset(down), statuses))
    return out


@settings(max_examples=300, deadline=None, derandomize=True)
@given(park_cycles(), st.booleans())
def test_every_counted_down_snapshot_is_in_exactly_one_outage(
        cycles: list[OutageCycle], reports_down: bool) -> None:
    rows = outages(cycles, reports_down)
    down = sum(len(c.down) for c in cycles)
    assert sum(o.down_snapshots for o in rows) == down
    for ride in {o.ride_id for o in rows}:
        mine = [o for o in rows if o.ride_id == ride]
        assert sum(o.ongoing for o in mine) <= 1
        for a, b in zip(mine, mine[1:], strict=False):  # in start order, never overlapping
            assert a.ended_at is not None and a.ended_at <= b.started_at
        for o in mine:
            assert o.started_at <= o.last_down_at
            assert o.ended_at is None or o.ended_at > o.last_down_at


@settings(max_examples=300, deadline=None, derandomize=True)
@given(park_cycles(), st.booleans())
def test_the_fold_equals_the_independent_ride_by_ride_reference(
        cycles: list[OutageCycle], reports_down: bool) -> None:
    from zoneinfo import ZoneInfo

    from reference import CycleSnap, Raw, RawPark, RideSnap
    from reference_outages import expected_outages

    zone = ZoneInfo("America/New_York")
    snaps = {
        (1, c.recorded_at): CycleSnap(
            1, c.recorded_at, c.recorded_at.date(), c.park_open, 0, 0, None,
            [RideSnap(r, s, None, c.park_open, False, r in c.down)
             for r, s in sorted(c.statuses.items())])
        for c in cycles
    }
    raw = Raw({1: RawPark(1, zone, reports_down)}, {}, {}, {}, {})
    expected = expected_outages(raw, snaps, INTERVAL)
    got = {(o.ride_id, o.started_at): (o.last_down_at, o.down_snapshots, o.ended_at,
                                        o.end_reason, o.decided_at)
           for o in outages(cycles, reports_down)}
    assert got == {k: (v["last_down_at"], v["down_snapshots"], v["ended_at"], v["end_reason"],
                       v["decided_at"])
                   for k, v in expected.items()}
