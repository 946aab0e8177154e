"""Derived columns through the real ingest path, on SQLite and MariaDB (SPEC §1, §2).

Time zones: every "day" is the park's local day (23 or 25 hours on DST change days), and
"operated today" resets at local midnight. A stale park feed is stored as UNKNOWN.
Expected values are worked out by hand; the UTC <-> local arithmetic is in the comments.
America/New_York: EST = UTC-5, EDT = UTC-4; 2025-03-09 02:00 EST -> 03:00 EDT (07:00 UTC),
2025-11-02 02:00 EDT -> 01:00 EST (06:00 UTC). Asia/Kolkata: IST = UTC+5:30, no DST.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from tests.factories import cycle, ingest, make_park
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.models import Cycle, RideObservation, ScheduleRecord
from themepark_tracker.timeutil import local_date_of, local_day_bounds

NY = "America/New_York"
KOLKATA = "Asia/Kolkata"


def park_rows(engine: Engine) -> list[tuple]:
    """(recorded_at, local_date, open, rides_down, active_weight, down_weight, shame)."""
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(pas.c.recorded_at, pas.c.local_date, pas.c.park_appears_open,
                   pas.c.rides_down, pas.c.active_weight, pas.c.down_weight, pas.c.shame_score)
            .order_by(pas.c.recorded_at))]


def ride_rows(engine: Engine) -> list[tuple]:
    """(recorded_at, ride_id, status, local_date, park_open, operated_today, counted_down)."""
    rss = t.ride_status_snapshots
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(rss.c.recorded_at, rss.c.ride_id, rss.c.status, rss.c.local_date,
                   rss.c.park_open, rss.c.operated_today, rss.c.counted_down)
            .order_by(rss.c.recorded_at, rss.c.ride_id))]


# --- local day bounds and local dates (pure) -----------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "start", "end", "hours"),
    [
        # 2025-03-09 00:00 EST = 05:00 UTC; 2025-03-10 00:00 EDT = 04:00 UTC -> 23 h
        (NY, date(2025, 3, 9), datetime(2025, 3, 9, 5), datetime(2025, 3, 10, 4), 23),
        # 2025-11-02 00:00 EDT = 04:00 UTC; 2025-11-03 00:00 EST = 05:00 UTC -> 25 h
        (NY, date(2025, 11, 2), datetime(2025, 11, 2, 4), datetime(2025, 11, 3, 5), 25),
        # an ordinary summer day: 00:00 EDT = 04:00 UTC both ends
        (NY, date(2025, 7, 1), datetime(2025, 7, 1, 4), datetime(2025, 7, 2, 4), 24),
        # an ordinary winter day: 00:00 EST = 05:00 UTC both ends
        (NY, date(2025, 1, 15), datetime(2025, 1, 15, 5), datetime(2025, 1, 16, 5), 24),
        # Kolkata: 00:00 IST = 18:30 UTC the day before
        (KOLKATA, date(2025, 7, 2), datetime(2025, 7, 1, 18, 30), datetime(2025, 7, 2, 18, 30),
         24),
        # Europe/London: 2025-03-30 00:00 GMT = 00:00 UTC, 03-31 00:00 BST = 03-30 23:00 UTC
        ("Europe/London", date(2025, 3, 30), datetime(2025, 3, 30, 0), datetime(2025, 3, 30, 23),
         23),
        ("UTC", date(2025, 7, 1), datetime(2025, 7, 1), datetime(2025, 7, 2), 24),
    ],
)
def test_local_day_bounds(zone: str, day: date, start: datetime, end: datetime, hours: int
                          ) -> None:
    assert local_day_bounds(day, ZoneInfo(zone)) == (start, end)
    assert end - start == timedelta(hours=hours)


# (zone, UTC instant, park-local date)
LOCAL_DATES = [
    # 2025-03-09 (spring forward, clocks still on EST until 07:00 UTC)
    (NY, datetime(2025, 3, 9, 3, 30), date(2025, 3, 8)),   # 22:30 EST 03-08
    (NY, datetime(2025, 3, 9, 4, 30), date(2025, 3, 8)),   # 23:30 EST 03-08
    (NY, datetime(2025, 3, 9, 5, 30), date(2025, 3, 9)),   # 00:30 EST 03-09
    (NY, datetime(2025, 3, 10, 3, 30), date(2025, 3, 9)),  # 23:30 EDT 03-09
    (NY, datetime(2025, 3, 10, 4, 30), date(2025, 3, 10)),  # 00:30 EDT 03-10
    # 2025-11-02 (fall back at 06:00 UTC)
    (NY, datetime(2025, 11, 2, 3, 30), date(2025, 11, 1)),  # 23:30 EDT 11-01
    (NY, datetime(2025, 11, 2, 4, 30), date(2025, 11, 2)),  # 00:30 EDT 11-02
    (NY, datetime(2025, 11, 2, 5, 30), date(2025, 11, 2)),  # 01:30 EDT (first 01:30)
    (NY, datetime(2025, 11, 2, 6, 30), date(2025, 11, 2)),  # 01:30 EST (second 01:30)
    (NY, datetime(2025, 11, 3, 4, 30), date(2025, 11, 2)),  # 23:30 EST 11-02
    (NY, datetime(2025, 11, 3, 5, 30), date(2025, 11, 3)),  # 00:30 EST 11-03
    # UTC midnight is not the park's midnight: 2025-11-02 00:05 UTC = 20:05 EDT 11-01
    (NY, datetime(2025, 11, 2, 0, 5), date(2025, 11, 1)),
    # Kolkata: local midnight 18:30 UTC
    (KOLKATA, datetime(2025, 7, 1, 18, 25), date(2025, 7, 1)),  # 23:55 IST
    (KOLKATA, datetime(2025, 7, 1, 18, 30), date(2025, 7, 2)),  # 00:00 IST
    (KOLKATA, datetime(2025, 7, 1, 18, 35), date(2025, 7, 2)),  # 00:05 IST
    (KOLKATA, datetime(2025, 7, 1, 0, 5), date(2025, 7, 1)),    # 05:35 IST
]


@pytest.mark.parametrize(("zone", "instant", "local"), LOCAL_DATES)
def test_local_date_of(zone: str, instant: datetime, local: date) -> None:
    assert local_date_of(instant, ZoneInfo(zone)) == local


# --- local dates through ingest ------------------------------------------------------------------


@pytest.mark.parametrize("zone", [NY, KOLKATA])
def test_ingest_stores_the_park_local_date(engine: Engine, zone: str) -> None:
    ids = make_park(engine, tiers=(2, 2), timezone=zone)
    cases = [(i, loc) for z, i, loc in LOCAL_DATES if z == zone]
    ingest(engine, [cycle(1, instant, "OO", ids) for instant, _ in cases])
    expected = sorted(cases)
    assert [(r[0], r[1]) for r in park_rows(engine)] == expected
    # both ride rows of each cycle carry the same local date as the park row
    assert [(r[0], r[3]) for r in ride_rows(engine)] == [c for c in expected for _ in ids]


@pytest.mark.parametrize(
    ("first", "last", "per_date"),
    [
        # hourly cycles 2025-03-09 04:00 UTC .. 2025-03-10 05:00 UTC (26 cycles):
        # 04:00 = 23:00 EST 03-08; 05:00 03-09 .. 03:00 03-10 UTC = 23 cycles on 03-09;
        # 04:00 and 05:00 03-10 UTC = 00:00, 01:00 EDT 03-10
        (datetime(2025, 3, 9, 4), datetime(2025, 3, 10, 5),
         {date(2025, 3, 8): 1, date(2025, 3, 9): 23, date(2025, 3, 10): 2}),
        # hourly cycles 2025-11-02 03:00 UTC .. 2025-11-03 05:00 UTC (27 cycles):
        # 03:00 = 23:00 EDT 11-01; 04:00 11-02 .. 04:00 11-03 UTC = 25 cycles on 11-02;
        # 05:00 11-03 UTC = 00:00 EST 11-03
        (datetime(2025, 11, 2, 3), datetime(2025, 11, 3, 5),
         {date(2025, 11, 1): 1, date(2025, 11, 2): 25, date(2025, 11, 3): 1}),
    ],
)
def test_dst_days_hold_23_and_25_hourly_cycles(
    engine: Engine, first: datetime, last: datetime, per_date: dict[date, int]
) -> None:
    ids = make_park(engine, tiers=(2, 2), timezone=NY)
    hours = int((last - first) / timedelta(hours=1)) + 1
    ingest(engine, [cycle(1, first + timedelta(hours=h), "OO", ids) for h in range(hours)])
    assert Counter(r[1] for r in park_rows(engine)) == per_date


# --- "operated today" resets at local midnight ---------------------------------------------------


def _window(local_date: date, first: datetime, last: datetime) -> ScheduleRecord:
    """An OPERATING window of ``local_date`` from an hour before ``first`` to an hour after
    ``last`` (crossing local midnight where the two instants straddle it)."""
    return ScheduleRecord(1, local_date, first - timedelta(hours=1), last + timedelta(hours=1))


@pytest.mark.parametrize(
    ("first", "second", "window_date", "same_local_day"),
    [
        # 2025-03-09 04:55 UTC = 23:55 EST 03-08; 05:05 UTC = 00:05 EST 03-09: new day
        (datetime(2025, 3, 9, 4, 55), datetime(2025, 3, 9, 5, 5), date(2025, 3, 8), False),
        # 2025-03-10 03:55 UTC = 23:55 EDT 03-09; 04:05 UTC = 00:05 EDT 03-10: new day
        (datetime(2025, 3, 10, 3, 55), datetime(2025, 3, 10, 4, 5), date(2025, 3, 9), False),
        # 2025-11-02 03:55 UTC = 23:55 EDT 11-01; 04:05 UTC = 00:05 EDT 11-02: new day
        (datetime(2025, 11, 2, 3, 55), datetime(2025, 11, 2, 4, 5), date(2025, 11, 1), False),
        # 2025-11-03 04:55 UTC = 23:55 EST 11-02; 05:05 UTC = 00:05 EST 11-03: new day
        (datetime(2025, 11, 3, 4, 55), datetime(2025, 11, 3, 5, 5), date(2025, 11, 2), False),
        # UTC midnight: 2025-11-01 23:55 UTC = 19:55 EDT, 11-02 00:05 UTC = 20:05 EDT 11-01
        (datetime(2025, 11, 1, 23, 55), datetime(2025, 11, 2, 0, 5), date(2025, 11, 1), True),
        # UTC midnight: 2025-03-09 23:55 UTC = 19:55 EDT, 03-10 00:05 UTC = 20:05 EDT 03-09
        (datetime(2025, 3, 9, 23, 55), datetime(2025, 3, 10, 0, 5), date(2025, 3, 9), True),
        # the repeated hour of 11-02: 05:30 UTC = 01:30 EDT, 06:30 UTC = 01:30 EST, one day
        (datetime(2025, 11, 2, 5, 30), datetime(2025, 11, 2, 6, 30), date(2025, 11, 2), True),
    ],
)
def test_operated_today_resets_at_local_midnight_new_york(
    engine: Engine, first: datetime, second: datetime, window_date: date, same_local_day: bool
) -> None:
    # CLOSED-only park, two tier-2 rides (weight 2), kept open by the schedule.
    ids = make_park(engine, tiers=(2, 2), timezone=NY,
                    schedules=[_window(window_date, first, second)])
    ingest(engine, [cycle(1, first, "OO", ids), cycle(1, second, "CO", ids)])
    at_second = park_rows(engine)[1]
    ride1 = ride_rows(engine)[2]  # second cycle, ride 1: CLOSED
    assert at_second[2] is True  # open by the schedule window
    if same_local_day:
        # ride 1 operated earlier today -> its CLOSED counts: A={1,2} W=4, D=2 -> 5.0
        assert at_second[3:] == (1, 4, 2, 5.0)
        assert ride1[2:] == ("CLOSED", window_date, True, True, True)
    else:
        # new local day: ride 1 has not operated today -> not counted, not active:
        # A={2} W=2, D=0 -> 0.0
        assert at_second[3:] == (0, 2, 0, 0.0)
        assert ride1[2:] == ("CLOSED", window_date + timedelta(days=1), True, False, False)


KOLKATA_DAY = ScheduleRecord(  # 2025-07-01 09:00 IST -> 2025-07-02 02:00 IST
    1, date(2025, 7, 1), datetime(2025, 7, 1, 3, 30), datetime(2025, 7, 1, 20, 30))
KOLKATA_NEXT = ScheduleRecord(  # 2025-07-02 09:00 IST -> 22:00 IST: does not cover 00:05 IST
    1, date(2025, 7, 2), datetime(2025, 7, 2, 3, 30), datetime(2025, 7, 2, 16, 30))


@pytest.mark.parametrize(
    "schedules",
    [
        [KOLKATA_DAY],
        # 07-02 has its own rows, none covering 18:35 UTC; the 07-01 window still covers it,
        # and SPEC rule 1 starts "if P has an OPERATING schedule window covering t" -> open.
        [KOLKATA_DAY, KOLKATA_NEXT],
    ],
)
def test_kolkata_operated_today_resets_at_1830_utc(
    engine: Engine, schedules: list[ScheduleRecord]
) -> None:
    ids = make_park(engine, tiers=(2, 2), timezone=KOLKATA, schedules=schedules)
    # 18:25 UTC = 23:55 IST 07-01: both operate. 18:35 UTC = 00:05 IST 07-02: ride 1 CLOSED.
    ingest(engine, [cycle(1, datetime(2025, 7, 1, 18, 25), "OO", ids),
                    cycle(1, datetime(2025, 7, 1, 18, 35), "CO", ids)])
    # 18:35: open (covered by the 07-01 window), ride 1 not operated on 07-02 -> not counted;
    # A={2} W=2, D=0 -> 0.0
    assert park_rows(engine) == [
        (datetime(2025, 7, 1, 18, 25), date(2025, 7, 1), True, 0, 4, 0, 0.0),
        (datetime(2025, 7, 1, 18, 35), date(2025, 7, 2), True, 0, 2, 0, 0.0),
    ]
    assert ride_rows(engine)[2] == (
        datetime(2025, 7, 1, 18, 35), ids[0], "CLOSED", date(2025, 7, 2), True, False, False)


def test_kolkata_same_local_day_counts_closed_after_operating(engine: Engine) -> None:
    # the control: 18:15 UTC = 23:45 IST and 18:25 UTC = 23:55 IST, both 07-01
    ids = make_park(engine, tiers=(2, 2), timezone=KOLKATA, schedules=[KOLKATA_DAY])
    ingest(engine, [cycle(1, datetime(2025, 7, 1, 18, 15), "OO", ids),
                    cycle(1, datetime(2025, 7, 1, 18, 25), "CO", ids)])
    # ride 1 operated at 23:45 IST: its CLOSED counts. W=4, D=2 -> 10*2/4 = 5.0
    assert park_rows(engine)[1] == (
        datetime(2025, 7, 1, 18, 25), date(2025, 7, 1), True, 1, 4, 2, 5.0)


# --- closed park, rides DOWN: nothing stored as counted ------------------------------------------


def test_closed_park_with_down_rides_stores_null_shame(engine: Engine) -> None:
    ids = make_park(engine, tiers=(1, 2, 3), reports_down=True)
    # no schedule; 0 operating -> closed: nothing counts, shame NULL
    ingest(engine, [cycle(1, datetime(2025, 7, 1, 23), "DDD", ids)])
    assert park_rows(engine) == [
        (datetime(2025, 7, 1, 23), date(2025, 7, 1), False, 0, 0, 0, None)]
    assert [r[4:] for r in ride_rows(engine)] == [(False, False, False)] * 3


# --- stale upstream data (SPEC §1: judged per park feed, not per ride) -------------------------

AT = datetime(2025, 7, 1, 12, 0)


def _feed_cycle(ids: list[int], feed_age: timedelta | None, at: datetime = AT) -> Cycle:
    """Rides 1 and 2 OPERATING, ride 3 DOWN; the feed's newest update ``feed_age`` old."""
    return Cycle(1, at, (
        RideObservation(ids[0], "OPERATING", 10),
        RideObservation(ids[1], "OPERATING", 20),
        RideObservation(ids[2], "DOWN", None),
    ), source="themeparks_wiki", feed_updated=None if feed_age is None else at - feed_age)


def _quality_rows(engine: Engine) -> list[tuple]:
    dq = t.data_quality_issues
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(dq.c.park_id, dq.c.ride_id, dq.c.recorded_at, dq.c.issue_type)
            .order_by(dq.c.recorded_at))]


def test_a_stale_feed_makes_every_ride_unknown_with_one_park_record(engine: Engine) -> None:
    ids = make_park(engine, tiers=(2, 2, 2), reports_down=True)
    summary = ingest(engine, [_feed_cycle(ids, timedelta(hours=2))])
    # The feed's newest update is 2 h (> 60 min) older than the cycle: every ride UNKNOWN.
    assert [r[2] for r in ride_rows(engine)] == ["UNKNOWN"] * 3
    # Nothing operating and no schedule -> closed; UNKNOWN never counts: shame NULL.
    assert park_rows(engine) == [(AT, date(2025, 7, 1), False, 0, 0, 0, None)]
    assert _quality_rows(engine) == [(1, None, AT, "STALE_DATA")]
    assert summary.stale_cycles == 1
    # The same cycle again, and again with a fresh cycle after it: still one record.
    ingest(engine, [_feed_cycle(ids, timedelta(hours=2))])
    ingest(engine, [_feed_cycle(ids, timedelta(hours=2)),
                    _feed_cycle(ids, timedelta(minutes=1), AT + timedelta(minutes=5))])
    assert _quality_rows(engine) == [(1, None, AT, "STALE_DATA")]


def test_exactly_sixty_minutes_old_is_not_stale(engine: Engine) -> None:
    ids = make_park(engine, tiers=(2, 2, 2), reports_down=True)
    summary = ingest(engine, [_feed_cycle(ids, timedelta(minutes=60))])
    # "more than 60 minutes" -> 60 exactly is fresh: DOWN counts, D=2, W=6 -> 3.33 -> 3.3
    assert ride_rows(engine)[2] == (AT, ids[2], "DOWN", date(2025, 7, 1), True, False, True)
    assert park_rows(engine) == [(AT, date(2025, 7, 1), True, 1, 6, 2, 3.3)]
    assert _quality_rows(engine) == [] and summary.stale_cycles == 0


def test_a_cycle_resent_fresh_drops_its_stale_record(engine: Engine) -> None:
    ids = make_park(engine, tiers=(2, 2, 2), reports_down=True)
    ingest(engine, [_feed_cycle(ids, timedelta(hours=2))])
    ingest(engine, [_feed_cycle(ids, timedelta(minutes=2))])
    assert [r[2] for r in ride_rows(engine)] == ["OPERATING", "OPERATING", "DOWN"]
    assert _quality_rows(engine) == []


def test_a_stale_down_does_not_make_a_park_down_reporting(engine: Engine) -> None:
    ids = make_park(engine, tiers=(2, 2, 2), reports_down=False)
    ingest(engine, [_feed_cycle(ids, timedelta(hours=2))])
    with engine.connect() as conn:
        assert conn.scalar(select(t.parks.c.reports_down)) is False
    ingest(engine, [_feed_cycle(ids, timedelta(minutes=2), AT + timedelta(minutes=5))])
    with engine.connect() as conn:
        assert conn.scalar(select(t.parks.c.reports_down)) is True
