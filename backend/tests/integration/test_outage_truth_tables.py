"""SPEC §10 truth tables through the one ingest path, on SQLite and MariaDB: each case is a
park with an opening schedule (which decides open and closed), cycles written as compact rows
(tests/factories.py: O operating, D down, C closed, R refurbishment, '.' absent), and the
outage rows a reader of SPEC §10 writes down by hand (I = 5 minutes)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine, select

from tests.factories import cycle, ingest, make_park
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.models import ScheduleRecord

D0 = date(2025, 7, 1)


def at(hhmm: str, day: int = 0) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(D0.year, D0.month, D0.day) + timedelta(days=day, hours=h, minutes=m)


def open_daily(days: int, opening: str = "09:00", closing: str = "22:00"
               ) -> list[ScheduleRecord]:
    return [ScheduleRecord(1, D0 + timedelta(days=d), at(opening, d), at(closing, d))
            for d in range(days)]


def outage_rows(engine: Engine) -> list[tuple[object, ...]]:
    o = t.ride_outages
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(o.c.ride_id, o.c.started_at, o.c.last_down_at, o.c.down_snapshots,
                   o.c.down_minutes, o.c.ended_at, o.c.end_reason, o.c.decided_at,
                   o.c.start_local_date)
            .order_by(o.c.ride_id, o.c.started_at))]


def run(engine: Engine, reports_down: bool, days: int, rows: list[tuple[datetime, str]],
        **schedule: str) -> list[tuple[object, ...]]:
    ids = make_park(engine, reports_down=reports_down, schedules=open_daily(days, **schedule))
    ingest(engine, [cycle(1, when, row, ids) for when, row in rows])
    return outage_rows(engine)


def test_a_night_pauses_an_outage_at_a_down_reporting_park(engine: Engine) -> None:
    rows = [(at("21:45"), "OOO"), (at("21:50"), "DOO"), (at("21:55"), "DOO"),
            (at("22:00"), "DCC"), (at("22:05"), "DCC"),  # closed: paused
            (at("08:50", 1), "DCC"), (at("09:00", 1), "DOO"), (at("09:05", 1), "OOO")]
    assert run(engine, True, 2, rows) == [
        (101, at("21:50"), at("09:00", 1), 3, 15, at("09:05", 1), "recovered", at("09:05", 1),
         D0)]


def test_closing_ends_it_at_a_closed_only_park_and_next_morning_is_a_new_one(
        engine: Engine) -> None:
    rows = [(at("10:00"), "OOO"), (at("10:05"), "COO"), (at("10:10"), "COO"),
            (at("10:15"), "COO"), (at("10:20"), "CCC"), (at("10:25"), "CCC"),
            (at("09:00", 1), "OOO"), (at("09:05", 1), "COO")]
    assert run(engine, False, 2, rows, closing="10:20") == [
        (101, at("10:05"), at("10:15"), 3, 15, at("10:20"), "park_closed", at("10:20"), D0),
        (101, at("09:05", 1), at("09:05", 1), 1, 5, None, None, None, D0 + timedelta(1))]


def test_four_missing_cycles_while_open_end_it_as_a_gap(engine: Engine) -> None:
    # 10:05 -> 10:30 is 25 minutes > 3 x I.
    rows = [(at("10:00"), "DOO"), (at("10:05"), "DOO"), (at("10:30"), "DOO"),
            (at("10:35"), "OOO")]
    assert run(engine, True, 1, rows) == [
        (101, at("10:00"), at("10:05"), 2, 10, at("10:10"), "gap", at("10:30"), D0),
        (101, at("10:30"), at("10:30"), 1, 5, at("10:35"), "recovered", at("10:35"), D0)]


def test_down_then_refurbishment_is_reclassified(engine: Engine) -> None:
    rows = [(at("10:00"), "DOO"), (at("10:05"), "DOO"), (at("10:10"), "ROO")]
    assert run(engine, True, 1, rows) == [
        (101, at("10:00"), at("10:05"), 2, 10, at("10:10"), "reclassified", at("10:10"), D0)]


def test_down_across_the_24_hour_limit_ends_as_park_closed(engine: Engine) -> None:
    # Last open cycle 21:55 on day 0; the closed cycle at 22:00 on day 1 is 24 h 5 min later.
    rows = [(at("21:55"), "DOO"), (at("22:00"), "DCC"), (at("22:00", 1), "DCC"),
            (at("09:00", 2), "DOO")]
    assert run(engine, True, 3, rows) == [
        (101, at("21:55"), at("21:55"), 1, 5, at("22:00"), "park_closed", at("22:00", 1), D0),
        (101, at("09:00", 2), at("09:00", 2), 1, 5, None, None, None, D0 + timedelta(2))]


def test_an_absent_ride_ends_its_outage_censored(engine: Engine) -> None:
    rows = [(at("10:00"), "DOO"), (at("10:05"), ".OO"), (at("10:10"), "DOO")]
    assert run(engine, True, 1, rows) == [
        (101, at("10:00"), at("10:00"), 1, 5, at("10:05"), "censored", at("10:05"), D0),
        (101, at("10:10"), at("10:10"), 1, 5, None, None, None, D0)]
