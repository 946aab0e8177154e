"""Upstream history -> cycles, without a database: parsing the SDK's real park capture, the
collection grid over ordinary and DST days, and "a status holds from its change until the
next" at the grid's instants (hand-worked examples)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from themepark_tracker.collect.history_grid import grid, park_day_cycles
from themepark_tracker.sources.http import SourceError
from themepark_tracker.sources.wiki_history import (
    EntityHistory,
    StatusChange,
    parse_history,
)
from themepark_tracker.timeutil import local_day_bounds, zone_of

HISTORY = (Path(__file__).parents[1] / "fixtures" / "upstream" / "real" / "ThemeParks_JavaScript"
           / "history")
ORLANDO = zone_of("America/New_York")


def test_the_real_park_capture_parses_to_openings_and_changes() -> None:
    payload = json.loads((HISTORY / "mk_history_park.json").read_text("utf-8"))
    entities, nxt = parse_history(payload)
    assert nxt is None
    by_name = {e.name: e for e in entities}
    assert set(by_name) == {"Astro Orbiter", "Be Our Guest Restaurant",
                            "Big Thunder Mountain Railroad"}
    thunder = by_name["Big Thunder Mountain Railroad"]
    assert thunder.opening == StatusChange(datetime(2026, 9, 17, 4, 0), "CLOSED", None)
    assert [(c.time, c.status, c.wait_time) for c in thunder.changes] == [
        (datetime(2026, 9, 17, 4, 29, 29), "CLOSED", None),
        (datetime(2026, 9, 17, 13, 1, 29), "OPERATING", 5),
        (datetime(2026, 9, 17, 13, 5, 54), "OPERATING", 5)]
    restaurant = by_name["Be Our Guest Restaurant"]
    assert restaurant.entity_type == "RESTAURANT" and restaurant.changes == []
    assert restaurant.opening == StatusChange(datetime(2026, 9, 17, 4, 0), "OPERATING", None)


def test_a_single_entity_answer_parses_too_and_garbage_is_a_clear_error() -> None:
    payload = json.loads((HISTORY / "space_mountain_history_2026-09-26.json").read_text("utf-8"))
    (entity,), _ = parse_history(payload)
    assert entity.opening == StatusChange(datetime(2026, 9, 26, 4, 0), "OPERATING", 15)
    assert len(entity.changes) == 187
    # Status changes only three times; the other rows move a wait or the return-time queue.
    flips = [(c.time, c.status) for prev, c in zip([entity.opening, *entity.changes],
                                                    entity.changes, strict=False)
             if c.status != prev.status]
    assert flips == [(datetime(2026, 9, 26, 4, 1, 3), "CLOSED"),
                     (datetime(2026, 9, 26, 11, 30, 53), "OPERATING"),
                     (datetime(2026, 9, 27, 3, 1, 4), "CLOSED")]
    with pytest.raises(SourceError, match="from http://x/history: expected an object"):
        parse_history(["not", "an", "answer"], "http://x/history")


def test_the_real_single_ride_capture_parses_to_its_own_rows() -> None:
    payload = json.loads((HISTORY / "barnstormer_history.json").read_text("utf-8"))
    (barnstormer,), nxt = parse_history(payload)
    assert nxt is None and barnstormer.name == "The Barnstormer"
    assert barnstormer.opening == StatusChange(datetime(2026, 9, 17, 4, 0), "CLOSED", None)
    assert [(c.time.strftime("%H:%M:%S"), c.status, c.wait_time)
            for c in barnstormer.changes][:2] == [("04:29:28", "CLOSED", None),
                                                   ("12:30:25", "OPERATING", 5)]
    assert len(barnstormer.changes) == 6


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 9, 17), 24), (date(2026, 3, 8), 23),
                                            (date(2026, 11, 1), 25)])
def test_the_grid_covers_the_local_day_every_five_minutes(day: date, hours: int) -> None:
    start, end = local_day_bounds(day, ORLANDO)
    instants = grid(start, end, 300)
    assert len(instants) == hours * 12
    assert instants[0] == start and instants[-1] == end - timedelta(minutes=5)


def test_the_grid_starts_at_the_first_slot_inside_the_range() -> None:
    start = datetime(2026, 9, 17, 4, 2)
    assert grid(start, datetime(2026, 9, 17, 4, 20), 300) == [
        datetime(2026, 9, 17, 4, 5), datetime(2026, 9, 17, 4, 10), datetime(2026, 9, 17, 4, 15)]


def at(hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(2026, 9, 17, hh, mm, ss)


def test_each_status_holds_from_its_change_until_the_next() -> None:
    ride = EntityHistory("r1", "Ride", "ATTRACTION", StatusChange(at(4, 0), "OPERATING", 20), [
        StatusChange(at(13, 5), "DOWN", None),        # exactly on a grid instant
        StatusChange(at(13, 39, 59), "OPERATING", 30),  # a second before one
    ])
    late = EntityHistory("r2", "Late", "ATTRACTION", None, [StatusChange(at(13, 12), "CLOSED",
                                                                         None)])
    other = EntityHistory("x", "Not ours", "RESTAURANT", None, [StatusChange(at(13, 0), "DOWN",
                                                                             None)])
    instants = [at(13, 0), at(13, 5), at(13, 10), at(13, 15), at(13, 35), at(13, 40)]
    cycles = park_day_cycles(7, [ride, late, other], {"r1": 1, "r2": 2}, instants)
    seen = {(c.recorded_at, o.ride_id): (o.status, o.wait_time) for c in cycles for o in c.rides}
    assert [seen[(i, 1)] for i in instants] == [
        ("OPERATING", 20), ("DOWN", None), ("DOWN", None), ("DOWN", None), ("DOWN", None),
        ("OPERATING", 30)]
    # "Late" is unknown before its first change (no opening): not observed, not invented.
    assert [i for i in instants if (i, 2) in seen] == [at(13, 15), at(13, 35), at(13, 40)]
    assert all(c.park_id == 7 and c.feed_updated is None for c in cycles)
    assert all(o.ride_id in (1, 2) for c in cycles for o in c.rides)


def test_no_known_ride_means_no_cycle() -> None:
    only_theirs = EntityHistory("x", "Not ours", "SHOW", StatusChange(at(4, 0), "OPERATING",
                                                                      None))
    assert park_day_cycles(7, [only_theirs], {}, [at(13, 0)]) == []
