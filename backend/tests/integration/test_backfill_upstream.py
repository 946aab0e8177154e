"""``backfill-upstream`` against a real local HTTP server replaying ThemeParks.wiki's history
captures (tests/fixtures/upstream/real/ThemeParks_JavaScript/history/, from the official SDK),
over the real Magic Kingdom catalogue, on SQLite and MariaDB.

Expected values come from the capture files and SPEC, by the rule "a status holds from its
change until the next" applied here by hand, never from the code under test. Where a day is
edited (a breakdown added to Big Thunder), the test says what it changed.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from tests.integration.test_collect import synced_settings
from tests.upstream import MK_WIKI, REAL, RIDE, FakeUpstream, real_files, serve_upstream
from themepark_tracker.collect.upstream_backfill import backfill_upstream
from themepark_tracker.config import Settings
from themepark_tracker.db import record_tables as rt
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.models import Cycle, RideObservation
from themepark_tracker.ingest.snapshots import ingest_cycles

HISTORY = REAL / "ThemeParks_JavaScript" / "history"
PARK = f"/wiki/entity/{MK_WIKI}"
DAY = date(2026, 9, 17)  # the day of the real park capture mk_history_park.json
NOW = datetime(2026, 9, 18, 12, 0)  # the next day, so the window of 1 day is DAY
ASTRO = "d9d12438-d999-4482-894b-8955fdb20ccf"


def load(name: str) -> Any:
    return json.loads((HISTORY / name).read_text("utf-8"))


def history_path(day: date) -> str:
    return f"{PARK}/history?date={day.isoformat()}"


def schedule_file(tmp: Path, days: list[date]) -> Path:
    """Hand-made, in the real schedule shape: the park open 09:00-23:00 Orlando time (EDT,
    UTC-4) on each day. (No real past-month schedule capture exists.)"""
    rows = [{"date": d.isoformat(), "type": "OPERATING",
             "openingTime": f"{d.isoformat()}T09:00:00-04:00",
             "closingTime": f"{d.isoformat()}T23:00:00-04:00"} for d in days]
    path = tmp / "schedule.json"
    path.write_text(json.dumps({"id": MK_WIKI, "schedule": rows}), "utf-8")
    return path


def shift(data: Any, days: int) -> Any:
    """The same capture, ``days`` later (every date and instant moved), for another day."""
    text = re.sub(r"2026-09-(\d\d)", lambda m: (date(2026, 9, int(m[1])) + timedelta(
        days=days)).isoformat(), json.dumps(data))
    return json.loads(text)


def with_breakdown(data: Any) -> Any:
    """The real 2026-09-17 capture, edited: Big Thunder DOWN at 13:05:00 and OPERATING again
    at 13:40:00 (its one real row in between, a return-time change at 13:05:54, removed)."""
    data = copy.deepcopy(data)
    for entity in data["entities"]:
        if entity["id"] == RIDE["thunder"]:
            rows = [r for r in entity["history"]
                    if not "2026-09-17T13:05:00Z" <= r["time"] < "2026-09-17T13:40:00Z"]
            for at, status in (("13:05:00", "DOWN"), ("13:40:00", "OPERATING")):
                rows.append({"time": f"2026-09-17T{at}Z", "changed": ["status"],
                             "status": status, "queue": {"STANDBY": {"waitTime": None}}})
            entity["history"] = sorted(rows, key=lambda r: r["time"])
    return data


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[FakeUpstream]:
    files = real_files()
    files[history_path(DAY)] = HISTORY / "mk_history_park.json"
    files[history_path(DAY - timedelta(days=1))] = HISTORY / "mk_history_park.json"
    files[f"{PARK}/schedule/2026/09"] = schedule_file(
        tmp_path, [DAY - timedelta(days=1), DAY, date(2026, 9, 26)])
    with serve_upstream(files) as fake:
        fake.transform(history_path(DAY - timedelta(days=1)), lambda d: shift(d, -1))
        yield fake


@pytest.fixture
def settings(engine: Engine, upstream: FakeUpstream) -> Settings:
    return replace(synced_settings(engine, upstream), history_request_spacing_ms=0,
                   history_max_wait_seconds=5)


def ride_id(engine: Engine, wiki_id: str) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(t.rides.c.ride_id).where(
            t.rides.c.themeparks_wiki_id == wiki_id)))


def snapshots(engine: Engine, ride: int) -> dict[datetime, tuple[str, bool]]:
    rss = t.ride_status_snapshots
    with engine.connect() as conn:
        return {r.recorded_at: (r.status, bool(r.counted_down)) for r in conn.execute(
            select(rss.c.recorded_at, rss.c.status, rss.c.counted_down).where(
                rss.c.ride_id == ride))}


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {table.name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
                for table in (t.ride_status_snapshots, t.park_activity_snapshots, t.ride_outages,
                              t.ride_hourly_stats, t.park_hourly_stats, t.ride_daily_stats,
                              t.park_daily_stats, rt.upstream_backfill_days)}


def test_a_breakdown_is_down_in_exactly_the_cycles_that_cover_it(
        engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    upstream.transform(history_path(DAY), with_breakdown)
    report = backfill_upstream(engine, settings, 1, now=NOW)
    assert [p.filled for p in report.parks] == [[DAY]] and report.stopped is None
    thunder = snapshots(engine, ride_id(engine, RIDE["thunder"]))
    start = datetime(2026, 9, 17, 4, 0)  # local midnight, EDT
    grid = [start + timedelta(minutes=5 * k) for k in range(24 * 12)]
    assert sorted(thunder) == grid  # one snapshot per 5-minute cycle of the local day
    down = [at for at, (status, _) in thunder.items() if status == "DOWN"]
    expected = [datetime(2026, 9, 17, 13, 5) + timedelta(minutes=5 * k) for k in range(7)]
    assert sorted(down) == expected  # 13:05 ... 13:35; 13:40 is OPERATING again
    assert thunder[datetime(2026, 9, 17, 13, 40)][0] == "OPERATING"
    assert thunder[datetime(2026, 9, 17, 13, 0)][0] == "CLOSED"  # opens at 13:01:29
    assert sorted(at for at, (_, counted) in thunder.items() if counted) == expected
    with engine.connect() as conn:
        outage = conn.execute(select(t.ride_outages).where(
            t.ride_outages.c.ride_id == ride_id(engine, RIDE["thunder"]))).one()
        daily = conn.execute(select(t.ride_daily_stats).where(
            t.ride_daily_stats.c.ride_id == ride_id(engine, RIDE["thunder"]))).one()
    assert (outage.started_at, outage.ended_at, outage.end_reason) == (
        expected[0], datetime(2026, 9, 17, 13, 40), "recovered")
    assert outage.down_minutes == 35
    assert report.refitted_outages == 1  # the recovery curves know it at once
    assert daily.stat_date == DAY and daily.down_snapshots == 7
    assert float(daily.downtime_hours) == pytest.approx(35 / 60, abs=0.005)
    astro = snapshots(engine, ride_id(engine, ASTRO))
    operating = sorted(at for at, (status, _) in astro.items() if status == "OPERATING")
    assert operating[0] == datetime(2026, 9, 17, 12, 35)  # first cycle after 12:30:25


def test_daily_downtime_beside_the_captured_daily_summary(
        engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    """Space Mountain, 2026-09-26: its whole day's history (real, 187 rows) and the real daily
    summary of the same day. Our park hours are the schedule above (09:00-23:00 local)."""
    day = date(2026, 9, 26)
    captured = load("space_mountain_history_2026-09-26.json")
    path = history_path(day)
    upstream.files[path] = HISTORY / "space_mountain_history_2026-09-26.json"
    upstream.transform(path, lambda d: {**{k: d[k] for k in ("id", "range", "next")},
                                        "entityType": "PARK", "entities": [d]})
    backfill_upstream(engine, settings, 1, now=datetime(2026, 9, 27, 12, 0))
    summary = load("space_mountain_daily_2026-09-26.json")["days"][0]
    with engine.connect() as conn:
        ours = conn.execute(select(t.ride_daily_stats).where(
            t.ride_daily_stats.c.ride_id == ride_id(engine, RIDE["space"]),
            t.ride_daily_stats.c.stat_date == day)).one()
    down_minutes = ours.down_snapshots * 5
    operating_minutes = ours.operating_snapshots * 5
    print(f"\nSpace Mountain 2026-09-26: our downtime {down_minutes} min, capture downMinutes "
          f"{summary['downMinutes']}; our operating-while-open {operating_minutes} min, "
          f"capture operatingMinutes {summary['operatingMinutes']} (in published hours "
          f"{summary['inParkHours']['operatingMinutes']} of "
          f"{summary['inParkHours']['scheduledMinutes']}); our mean wait "
          f"{float(ours.avg_wait_time_minutes):.1f} and peak {ours.peak_wait_time} min, "
          f"capture standby mean {summary['standby']['mean']} and max {summary['standby']['max']}")
    assert down_minutes == summary["downMinutes"] == 0
    # It ran 11:30:53Z-03:01:04Z, covering our whole open window 13:00Z-03:00Z: 14 h.
    assert operating_minutes == 14 * 60
    # Our waits are some of the posted ones, sampled every 5 minutes while the park was open.
    posted = {r["queue"]["STANDBY"]["waitTime"] for r in captured["history"]} - {None}
    assert summary["standby"]["min"] <= min(posted) and ours.peak_wait_time <= max(posted)
    assert max(posted) == summary["standby"]["max"] == 65


def test_a_second_run_fetches_and_changes_nothing(
        engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    backfill_upstream(engine, settings, 2, now=NOW)
    first = counts(engine)
    assert first["upstream_backfill_days"] == 2 and first["park_daily_stats"] == 2
    hits = len(upstream.hits(history_path(DAY)))
    report = backfill_upstream(engine, settings, 2, now=NOW)
    assert counts(engine) == first
    assert len(upstream.hits(history_path(DAY))) == hits == 1
    assert report.parks[0].already == 2 and not report.parks[0].filled


def test_a_429_waits_and_resumes_and_a_spent_budget_stops_cleanly(
        engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    earlier = DAY - timedelta(days=1)
    upstream.throttle(history_path(DAY), 1, "1")
    upstream.throttle(history_path(earlier), 1, "1847")  # the real budget answer's wait
    report = backfill_upstream(engine, settings, 2, now=NOW)
    assert len(upstream.hits(history_path(DAY))) == 2  # refused once, then served
    assert report.parks[0].filled == [DAY] and report.parks[0].left == [earlier]
    assert report.stopped is not None and "1847 s" in report.stopped
    report = backfill_upstream(engine, settings, 2, now=NOW)  # the budget is back: resume
    assert report.parks[0].filled == [earlier] and report.parks[0].already == 1
    assert counts(engine)["upstream_backfill_days"] == 2


def test_a_window_error_names_the_limit_and_the_rest_is_kept(
        engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    earlier = DAY - timedelta(days=1)
    upstream.fail(history_path(earlier), 403,
                  (HISTORY / "history_window_exceeded.json").read_bytes())
    report = backfill_upstream(engine, settings, 2, now=NOW)
    assert report.window is not None
    assert "back to 2026-09-12 (7 days)" in report.window and "\n" not in report.window
    # Asked newest first: DAY filled and kept; DAY-1 refused, named, nothing stored for it.
    assert report.parks[0].filled == [DAY] and report.parks[0].outside_window == [earlier]
    assert report.stopped is None
    with engine.connect() as conn:
        days = set(conn.execute(select(rt.upstream_backfill_days.c.local_date)).scalars())
        snap_days = set(conn.execute(select(t.park_activity_snapshots.c.local_date)).scalars())
    assert days == snap_days == {DAY}


def test_live_data_wins_unless_replace(engine: Engine, settings: Settings,
                                       upstream: FakeUpstream) -> None:
    thunder = ride_id(engine, RIDE["thunder"])
    live_at = datetime(2026, 9, 17, 14, 0)  # on the grid: the collector's slot
    with engine.begin() as conn:
        ingest_cycles(conn, [Cycle(ride_park(engine, thunder), live_at,
                                   (RideObservation(thunder, "CLOSED", None),))])
    report = backfill_upstream(engine, settings, 1, now=NOW)
    assert report.parks[0].live == [DAY] and not report.parks[0].filled
    assert snapshots(engine, thunder) == {live_at: ("CLOSED", False)}
    report = backfill_upstream(engine, settings, 1, now=NOW, replace=True)
    assert report.parks[0].filled == [DAY]
    rows = snapshots(engine, thunder)
    assert len(rows) == 24 * 12 and rows[live_at][0] == "OPERATING"  # history's, one row
    rss = t.ride_status_snapshots
    with engine.connect() as conn:
        per_instant = conn.execute(select(func.count()).select_from(rss).where(
            rss.c.ride_id == thunder, rss.c.recorded_at == live_at)).scalar()
    assert per_instant == 1


def ride_park(engine: Engine, ride: int) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(t.rides.c.park_id).where(t.rides.c.ride_id == ride)))


def test_queue_times_only_parks_are_named(engine: Engine, settings: Settings) -> None:
    with engine.begin() as conn:
        conn.execute(t.parks.insert().values(park_id=999, name="Only Queue-Times",
                                             timezone="Europe/Paris", queue_times_id=4242))
    report = backfill_upstream(engine, settings, 1, now=NOW)
    assert report.queue_times_only == ["Only Queue-Times"]
    assert "Only Queue-Times" in report.describe() and "no history" in report.describe()


def test_pages_are_followed_with_next_and_joined(
        engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    """A second page (the API's ``next``, followed verbatim) with Astro Orbiter DOWN at 15:00:
    the day is the two pages joined."""
    page2 = f"{history_path(DAY)}&page=2"
    upstream.files[page2] = HISTORY / "mk_history_park.json"

    def second_page(data: Any) -> Any:
        astro = next(e for e in data["entities"] if e["id"] == ASTRO)
        astro["history"] = [{"time": "2026-09-17T15:00:00Z", "changed": ["status"],
                             "status": "DOWN", "queue": {"STANDBY": {"waitTime": None}}}]
        return {**data, "entities": [astro], "next": None}

    upstream.transform(history_path(DAY), lambda d: {**d, "next": upstream.base_url + page2})
    upstream.transform(page2, second_page)
    backfill_upstream(engine, settings, 1, now=NOW)
    assert len(upstream.hits(page2)) == 1
    astro = snapshots(engine, ride_id(engine, ASTRO))
    assert astro[datetime(2026, 9, 17, 14, 55)][0] == "OPERATING"  # from page 1
    assert astro[datetime(2026, 9, 17, 15, 0)][0] == "DOWN"  # from page 2, holding to the end
    assert astro[datetime(2026, 9, 18, 3, 55)][0] == "DOWN"


def test_live_data_arriving_while_the_day_is_fetched_wins(
        engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    """The collector (or an import) stores a cycle of the day after the backfill planned it
    and before it writes: the write is skipped, the live cycle stays alone."""
    thunder = ride_id(engine, RIDE["thunder"])
    live_at = datetime(2026, 9, 17, 20, 0)

    def live_arrives(data: Any) -> Any:
        with engine.begin() as conn:
            ingest_cycles(conn, [Cycle(ride_park(engine, thunder), live_at,
                                       (RideObservation(thunder, "DOWN", None),))])
        return data

    upstream.transform(history_path(DAY), live_arrives)
    report = backfill_upstream(engine, settings, 1, now=NOW)
    assert report.parks[0].live == [DAY] and not report.parks[0].filled
    assert snapshots(engine, thunder) == {live_at: ("DOWN", True)}  # open by the schedule
    assert counts(engine)["upstream_backfill_days"] == 0


def test_requests_are_spaced(engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    backfill_upstream(engine, replace(settings, history_request_spacing_ms=300), 2, now=NOW)
    times = sorted(s.at for s in upstream.requests if "/history" in s.path or
                   "/schedule/" in s.path)
    assert len(times) == 3, times  # one schedule month, two days
    assert all(b - a >= 0.29 for a, b in zip(times, times[1:], strict=False)), times


def test_a_budget_429_without_retry_after_is_read_from_its_body(
        engine: Engine, settings: Settings, upstream: FakeUpstream) -> None:
    """The SDK's budget body (hand-written by its authors) names the wait in ``retryAfter``."""
    upstream.fail(history_path(DAY), 429, (HISTORY / "history_rate_limited.json").read_bytes())
    report = backfill_upstream(engine, settings, 1, now=NOW)
    assert report.stopped is not None
    assert "120 history requests an hour" in report.stopped and "1847 s" in report.stopped
    assert report.parks[0].left == [DAY] and counts(engine)["ride_status_snapshots"] == 0
    assert len(upstream.hits(history_path(DAY))) == 1  # not hammered
