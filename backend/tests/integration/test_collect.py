"""Catalogue sync and collection cycles against the fake upstream (a real local HTTP server),
on SQLite and MariaDB; then aggregation, rankings, health and retention over what was
collected. Expected values are worked by hand from the fixture payloads."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from tests.upstream import EUROPA_WIKI, MK_WIKI, FakeUpstream, serve_upstream, set_live
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.aggregate.hourly import run_hourly
from themepark_tracker.cli import main
from themepark_tracker.collect.catalog import sync_catalog
from themepark_tracker.collect.cleanup import cleanup
from themepark_tracker.collect.cycle import collect_once
from themepark_tracker.collect.schedules import refresh_schedules
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t
from themepark_tracker.queries.health import health_report
from themepark_tracker.queries.rankings import park_rankings
from themepark_tracker.web import create_app

MK_LIVE = f"/wiki/entity/{MK_WIKI}/live"
GA_LIVE = "/qt/parks/57/queue_times.json"
USF_LIVE = "/qt/parks/65/queue_times.json"
# 10:00 in Orlando, 07:00 in California, 16:00 at Europa-Park: every park is open.
T0 = datetime(2025, 12, 5, 15, 0)


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with serve_upstream() as fake:
        yield fake


def make_settings(engine: Engine, upstream: FakeUpstream, **changes: Any) -> Settings:
    url = engine.url.render_as_string(hide_password=False)
    return replace(upstream.settings(Settings(database_url=url)), **changes)


def synced_settings(engine: Engine, upstream: FakeUpstream) -> Settings:
    """``make_settings``, with the catalogue already synced from ``upstream``."""
    settings = make_settings(engine, upstream)
    sync_catalog(engine, settings)
    return settings


def parks(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return {r.name: r for r in conn.execute(select(t.parks))}


def rides(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return {r.name: r for r in conn.execute(select(t.rides))}


def statuses(engine: Engine, park_name: str) -> dict[str, tuple[datetime, str, int | None]]:
    rss = t.ride_status_snapshots
    with engine.connect() as conn:
        return {r.name: (r.recorded_at, r.status, r.wait_time) for r in conn.execute(
            select(t.rides.c.name, rss.c.recorded_at, rss.c.status, rss.c.wait_time)
            .join(t.rides, t.rides.c.ride_id == rss.c.ride_id)
            .join(t.parks, t.parks.c.park_id == rss.c.park_id)
            .where(t.parks.c.name == park_name))}


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


# --- catalogue --------------------------------------------------------------------------------


def test_catalogue_from_both_feeds_matched_categorised_and_tiered(
        engine: Engine, upstream: FakeUpstream) -> None:
    report = sync_catalog(engine, make_settings(engine, upstream))

    stored = parks(engine)
    assert set(stored) == {"Magic Kingdom Park", "California's Great America",
                           "Universal Studios Florida", "Europa-Park"}
    mk = stored["Magic Kingdom Park"]
    assert (mk.queue_times_id, mk.themeparks_wiki_id, mk.timezone, mk.operator, mk.country) == (
        6, MK_WIKI, "America/New_York", "Walt Disney Attractions", "United States")
    assert (mk.is_disney, mk.is_universal) == (True, False)
    assert (stored["Universal Studios Florida"].is_disney,
            stored["Universal Studios Florida"].is_universal) == (False, True)
    ga = stored["California's Great America"]
    assert (ga.queue_times_id, ga.themeparks_wiki_id, ga.is_disney, ga.is_universal) == (
        57, None, False, False)
    assert ga.latitude == pytest.approx(37.397799)
    europa = stored["Europa-Park"]
    assert (europa.queue_times_id, europa.themeparks_wiki_id, europa.timezone) == (
        None, EUROPA_WIKI, "Europe/Berlin")
    # Magic Kingdom: same name once "Disney"/"Park" are dropped, same zone, 0.2 km apart.
    assert report.park_matches == {"name, time zone and distance": 1}
    assert any("Mars/Olympus_Mons" in p for p in report.problems)  # left out, and said so
    with engine.connect() as conn:
        recorded = conn.execute(select(
            t.data_quality_issues.c.park_id, t.data_quality_issues.c.issue_type,
            t.data_quality_issues.c.source, t.data_quality_issues.c.detail)).all()
    # The park without a usable zone, recorded under park 0 (not stored). Nothing else in the
    # hand-made catalogue is wrong.
    assert [(r.park_id, r.issue_type, r.source) for r in recorded] == [
        (0, "CATALOG_SKIPPED", "queue_times")]
    assert "Park Without A Time Zone" in recorded[0].detail

    r = rides(engine)
    mk_rides = {n: (x.category, x.tier, x.queue_times_id, x.themeparks_wiki_id is not None)
                for n, x in r.items() if x.park_id == mk.park_id}
    assert mk_rides == {
        "Space Mountain": ("ATTRACTION", 1, 138, True),
        "Seven Dwarfs Mine Train": ("ATTRACTION", 1, 1186, True),
        "Big Thunder Mountain Railroad": ("ATTRACTION", 1, 130, True),
        "Haunted Mansion": ("ATTRACTION", 2, 137, True),
        "Peter Pan’s Flight": ("ATTRACTION", 2, 147, True),  # "Peter Pan's Flight" upstream
        "Walt Disney World Railroad": ("ATTRACTION", 2, 164, False),
        "Walt Disney World Railroad - Main Street, U.S.A.": ("ATTRACTION", 2, None, True),
        "Meet Mickey at Town Square Theater": ("MEET_AND_GREET", 2, None, True),
        "Mickey's Magical Friendship Faire": ("SHOW", 2, None, True),
        "Be Our Guest Restaurant": ("RESTAURANT", 2, None, True),
    }
    assert r["Gold Striker Single Rider"].category == "SINGLE_RIDER"
    assert r["Blue Fire Single Rider"].category == "SINGLE_RIDER"
    assert len(report.unmatched_rides) == 5  # MK rides that only one feed lists

    ids_before = {n: x.ride_id for n, x in r.items()}
    again = sync_catalog(engine, make_settings(engine, upstream))
    assert (again.parks_new, again.rides_new) == (0, 0)
    assert {n: x.ride_id for n, x in rides(engine).items()} == ids_before


def test_a_match_between_two_stored_parks_leaves_them_apart(
        engine: Engine, upstream: FakeUpstream) -> None:
    # First sync without ThemeParks.wiki: Magic Kingdom is stored from Queue-Times alone ...
    upstream.fail("/wiki/destinations", 502)
    settings = make_settings(engine, upstream, http_retries=0)
    sync_catalog(engine, settings)
    # ... then ThemeParks.wiki's Magic Kingdom gets a row of its own (its name differed then).
    with engine.begin() as conn:
        conn.execute(t.parks.insert().values(park_id=50, name="Magic Kingdom Park",
                                             timezone="America/New_York",
                                             themeparks_wiki_id=MK_WIKI))
    upstream.reset()
    report = sync_catalog(engine, settings)
    assert any("look like one but are stored apart" in p for p in report.problems)
    with engine.connect() as conn:
        rows = conn.execute(select(t.parks.c.park_id, t.parks.c.queue_times_id,
                                   t.parks.c.themeparks_wiki_id)
                            .where(t.parks.c.timezone == "America/New_York")
                            .order_by(t.parks.c.park_id)).all()
    assert {(r.queue_times_id, r.themeparks_wiki_id) for r in rows} == {
        (6, None), (65, None), (None, MK_WIKI)}
    assert (50, None, MK_WIKI) in [tuple(r) for r in rows]


def test_catalogue_keeps_going_when_one_feed_is_down(engine: Engine,
                                                     upstream: FakeUpstream) -> None:
    upstream.fail("/wiki/destinations", 502)
    report = sync_catalog(engine, make_settings(engine, upstream, http_retries=0))
    assert set(parks(engine)) == {"Disney Magic Kingdom", "California's Great America",
                                  "Universal Studios Florida"}
    assert any("destinations failed: HTTP 502" in p for p in report.problems)


# --- one cycle --------------------------------------------------------------------------------


def test_one_cycle_stores_every_park_with_the_right_statuses(
        engine: Engine, upstream: FakeUpstream) -> None:
    settings = make_settings(engine, upstream)
    sync_catalog(engine, settings)
    upstream.now = lambda: T0
    report = collect_once(engine, settings, now=T0 + timedelta(seconds=40))

    assert report.recorded_at == T0  # the start of the 5-minute slot
    assert report.parks_collected == 4 and report.ok
    assert report.unknown_entries == 1  # Country Bear: in live data, not in the catalogue
    assert statuses(engine, "Magic Kingdom Park") == {
        "Space Mountain": (T0, "OPERATING", 45),
        "Seven Dwarfs Mine Train": (T0, "OPERATING", None),  # null wait while operating
        "Big Thunder Mountain Railroad": (T0, "DOWN", None),
        "Haunted Mansion": (T0, "REFURBISHMENT", None),  # no queue at all
        # lastUpdated three days old, in a fresh feed: its last change, status stands (SPEC §1)
        "Peter Pan’s Flight": (T0, "OPERATING", 60),
        "Walt Disney World Railroad - Main Street, U.S.A.": (T0, "OPERATING", 5),
        # shows, restaurants and meet-and-greets are never stored as ride snapshots
    }
    assert statuses(engine, "California's Great America") == {
        "Gold Striker": (T0, "OPERATING", 25),
        "RailBlazer": (T0, "CLOSED", None),
        "Flight Deck": (T0, "OPERATING", 10),
    }
    assert statuses(engine, "Universal Studios Florida") == {
        "Hollywood Rip Ride Rockit": (T0, "OPERATING", 35),
        "Revenge of the Mummy": (T0, "OPERATING", 20),
    }
    assert {n: s for n, (_, s, _) in statuses(engine, "Europa-Park").items()} == {
        "Silver Star": "OPERATING", "Blue Fire Megacoaster": "OPERATING",
        "WODAN – Timburcoaster": "OPERATING"}
    with engine.connect() as conn:
        snaps = conn.execute(select(t.park_activity_snapshots.c.park_id,
                                    t.park_activity_snapshots.c.recorded_at)).all()
        issues = conn.execute(select(t.data_quality_issues.c.ride_id,
                                     t.data_quality_issues.c.issue_type,
                                     t.data_quality_issues.c.source)
                              .where(t.data_quality_issues.c.issue_type.not_like("CATALOG%"))
                              ).all()
    assert sorted(at for _, at in snaps) == [T0] * 4  # one cycle, one instant per park
    assert issues == []  # every feed is current
    # A feed that sent DOWN makes its park down-reporting (SPEC §1); Queue-Times parks stay not.
    stored = parks(engine)
    assert stored["Magic Kingdom Park"].reports_down is True
    assert stored["California's Great America"].reports_down is False


def test_failing_and_slow_parks_are_skipped_the_others_stored(
        engine: Engine, upstream: FakeUpstream) -> None:
    settings = make_settings(engine, upstream, http_timeout_seconds=1, http_retries=1)
    sync_catalog(engine, settings)
    catalogue_hits = len(upstream.hits(GA_LIVE))  # the catalogue reads the same URL
    upstream.fail(GA_LIVE, 500)
    upstream.slow(USF_LIVE, 4)
    report = collect_once(engine, settings, now=T0)
    assert report.parks_collected == 2
    assert set(report.parks_failed) == {"California's Great America",
                                        "Universal Studios Florida"}
    assert "HTTP 500" in report.parks_failed["California's Great America"]
    assert "timed out" in report.parks_failed["Universal Studios Florida"]
    with engine.connect() as conn:
        collected = set(conn.execute(select(t.parks.c.name).join(
            t.park_activity_snapshots,
            t.park_activity_snapshots.c.park_id == t.parks.c.park_id)).scalars())
    assert collected == {"Magic Kingdom Park", "Europa-Park"}
    assert len(upstream.hits(GA_LIVE)) - catalogue_hits == 2  # tried, then retried once


def test_a_429_is_retried_after_its_retry_after(engine: Engine, upstream: FakeUpstream) -> None:
    settings = make_settings(engine, upstream)
    sync_catalog(engine, settings)
    upstream.throttle(MK_LIVE, times=1, retry_after="1")
    report = collect_once(engine, settings, now=T0)
    assert report.ok and report.parks_collected == 4
    first, second = upstream.hits(MK_LIVE)
    assert second.at - first.at >= 1.0
    assert statuses(engine, "Magic Kingdom Park")["Space Mountain"][1] == "OPERATING"


def test_the_same_slot_collected_twice_is_one_cycle(engine: Engine,
                                                    upstream: FakeUpstream) -> None:
    settings = make_settings(engine, upstream)
    sync_catalog(engine, settings)
    collect_once(engine, settings, now=T0 + timedelta(seconds=5))
    upstream.transform(MK_LIVE, lambda d: set_live(d, "space", "DOWN"))
    collect_once(engine, settings, now=T0 + timedelta(seconds=200))  # same 5-minute slot
    assert count(engine, t.park_activity_snapshots) == 4
    assert statuses(engine, "Magic Kingdom Park")["Space Mountain"] == (T0, "DOWN", None)


def test_cli_collect_catalog_then_once(engine: Engine, upstream: FakeUpstream) -> None:
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False), **upstream.env()}
    runner = CliRunner()
    result = runner.invoke(main, ["collect", "--catalog"], env=env)
    assert result.exit_code == 0, result.output
    assert "Parks matched across the feeds: 1 by name" in result.output
    assert "Parks in one feed only (3)" in result.output
    result = runner.invoke(main, ["collect", "--once"], env=env)
    assert result.exit_code == 0, result.output
    assert ": 4 parks, 14 ride snapshots, 0 stale park feeds" in result.output
    assert count(engine, t.ride_status_snapshots) == 6 + 3 + 2 + 3


def test_cli_collect_says_what_is_missing(engine: Engine, upstream: FakeUpstream) -> None:
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False), **upstream.env()}
    result = CliRunner().invoke(main, ["collect"], env=env)
    assert result.exit_code == 2 and "give --catalog, --schedules and/or --once" in result.output
    result = CliRunner().invoke(main, ["collect", "--once"], env=env)
    assert result.exit_code == 1
    assert "run `themepark collect --catalog` first" in result.output
    assert "Traceback" not in result.output


def test_every_park_failing_exits_non_zero(engine: Engine, upstream: FakeUpstream) -> None:
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "HTTP_RETRIES": "0", **upstream.env()}
    assert CliRunner().invoke(main, ["collect", "--catalog"], env=env).exit_code == 0
    for path in (MK_LIVE, GA_LIVE, USF_LIVE, f"/wiki/entity/{EUROPA_WIKI}/live"):
        upstream.fail(path, 503)
    result = CliRunner().invoke(main, ["collect", "--once"], env=env)
    assert result.exit_code == 1
    assert "4 park(s) skipped" in result.output and "no park could be collected" in result.output


def test_schedules_refresh_keeps_operating_windows_from_today(
        engine: Engine, upstream: FakeUpstream) -> None:
    settings = make_settings(engine, upstream)
    sync_catalog(engine, settings)
    report = refresh_schedules(engine, settings, now=T0)  # 2025-12-05 in Orlando
    assert (report.parks, report.windows) == (2, 2)
    with engine.connect() as conn:
        rows = conn.execute(select(t.park_schedules.c.local_date,
                                   t.park_schedules.c.opening_time_utc,
                                   t.park_schedules.c.closing_time_utc)
                            .order_by(t.park_schedules.c.local_date)).all()
    assert [tuple(r) for r in rows] == [
        (T0.date(), datetime(2025, 12, 5, 14), datetime(2025, 12, 5, 23)),
        (datetime(2025, 12, 6).date(), datetime(2025, 12, 6, 14), datetime(2025, 12, 7, 6)),
    ]
    # The park changes its hours: the day's window is replaced, not doubled.
    upstream.transform(f"/wiki/entity/{MK_WIKI}/schedule", lambda d: {**d, "schedule": [
        {**d["schedule"][2], "closingTime": "2025-12-05T20:00:00-05:00"}]})
    refresh_schedules(engine, settings, now=T0)
    assert count(engine, t.park_schedules) == 2
    with engine.connect() as conn:
        assert conn.scalar(select(t.park_schedules.c.closing_time_utc).where(
            t.park_schedules.c.local_date == T0.date())) == datetime(2025, 12, 6, 1)


# --- end to end: a breakdown, aggregated, ranked ------------------------------------------------


def collect_series(engine: Engine, settings: Settings, upstream: FakeUpstream,
                   thunder: str) -> list[datetime]:
    """One cycle every 5 minutes from T0; Big Thunder's status per cycle from ``thunder``
    (O operating, D down); everything else as in the fixtures."""
    at = []
    for n, code in enumerate(thunder):
        now = T0 + timedelta(minutes=5 * n)
        status = {"O": "OPERATING", "D": "DOWN"}[code]
        upstream.now = lambda now=now: now - timedelta(seconds=30)
        upstream.transform(MK_LIVE, lambda d, s=status: set_live(d, "thunder", s, 20))
        report = collect_once(engine, settings, now=now + timedelta(seconds=10))
        assert report.ok
        at.append(report.recorded_at)
    return at


def test_end_to_end_a_breakdown_shows_in_the_rankings(engine: Engine,
                                                      upstream: FakeUpstream) -> None:
    settings = make_settings(engine, upstream)
    sync_catalog(engine, settings)
    cycles = collect_series(engine, settings, upstream, "OODDOO")
    assert cycles == [T0 + timedelta(minutes=5 * n) for n in range(6)]

    later = T0 + timedelta(hours=1, minutes=10)
    done = run_hourly(engine, settings.collection_interval_minutes, now=later)
    assert {c.hour for c in done} >= {T0}
    # Hand-worked: MK's attractions that operate are Space Mountain, Seven Dwarfs, Big
    # Thunder (tier 1, weight 3 each), the railroad and Peter Pan (tier 2, weight 2 each; Peter
    # Pan's old lastUpdated is its last change, in a fresh feed): W = 13. Two cycles of six
    # have Big Thunder down: s = 10 * 3 / 13 each, 0 otherwise. Haunted Mansion
    # (refurbishment) never counts.
    expected_today = round(2 * (30 / 13) / 6, 1)  # 0.769 -> 0.8
    with engine.connect() as conn:
        hourly = conn.execute(select(t.park_hourly_stats).join(
            t.parks, t.parks.c.park_id == t.park_hourly_stats.c.park_id
        ).where(t.parks.c.name == "Magic Kingdom Park")).one()
        ranked = park_rankings(conn, "today", later, interval_minutes=5, use_hourly=True)
        disney = park_rankings(conn, "today", later, interval_minutes=5, use_hourly=True,
                               park_filter="disney-universal")
    assert (hourly.snapshot_count, hourly.down_snapshots, hourly.effective_park_weight) == (
        6, 2, 13)
    assert hourly.shame_score_sum == pytest.approx(60 / 13)
    top = ranked["data"][0]
    assert top["park_name"] == "Magic Kingdom Park"
    assert top["shame_score"] == expected_today
    assert top["total_downtime_hours"] == round(2 * 5 / 60, 2)  # 0.17
    assert top["weighted_downtime_hours"] == round(2 * 3 * 5 / 60, 2)  # 0.5
    assert [r["shame_score"] for r in ranked["data"][1:]] == [0.0, 0.0, 0.0]
    assert [r["park_name"] for r in disney["data"]] == ["Magic Kingdom Park",
                                                        "Universal Studios Florida"]
    # The same, through the HTTP API.
    client = create_app(settings, clock=lambda: later).test_client()
    response = client.get("/api/parks/downtime?period=today")
    assert response.status_code == 200
    api_top = response.get_json()["data"][0]
    assert (api_top["park_name"], api_top["shame_score"], api_top["total_downtime_hours"]) == (
        "Magic Kingdom Park", expected_today, 0.17)

    next_day = datetime(2025, 12, 6, 12, 0)
    run_daily(engine, settings.collection_interval_minutes, now=next_day)
    with engine.connect() as conn:
        yesterday = park_rankings(conn, "yesterday", next_day, interval_minutes=5,
                                  use_hourly=True)
    assert yesterday["data"][0]["park_name"] == "Magic Kingdom Park"
    assert yesterday["data"][0]["shame_score"] == expected_today

    # Health: just after the last cycle everything is current ...
    report = health_report(engine, settings, now=cycles[-1] + timedelta(minutes=1))
    assert report["status"] == "ok", report
    assert report["collection"]["fresh"] and report["collection"]["stale_after_seconds"] == 900
    assert report["collection"]["newest_snapshot_at"] == "2025-12-05T15:25:00Z"
    # ... two hours later, with no cycle since, it is not.
    stale = health_report(engine, settings, now=cycles[-1] + timedelta(hours=2))
    assert stale["status"] == "degraded" and not stale["collection"]["fresh"]
    assert stale["database"] == {"ok": True}
    # The same through /api/health, whose status code is all a monitor reads.
    def api_health(at: datetime) -> int:
        return int(create_app(settings, clock=lambda: at).test_client()
                   .get("/api/health").status_code)

    assert (api_health(cycles[-1] + timedelta(minutes=1)),
            api_health(cycles[-1] + timedelta(hours=2))) == (200, 503)


def test_health_without_hourly_aggregation_is_degraded(engine: Engine,
                                                       upstream: FakeUpstream) -> None:
    settings = make_settings(engine, upstream)
    sync_catalog(engine, settings)
    collect_series(engine, settings, upstream, "OO")
    # 16:20: the 15:00 hour ended 80 minutes ago and has no aggregate.
    report = health_report(engine, settings, now=T0 + timedelta(minutes=80))
    assert report["hourly_aggregation"]["ok"] is False
    assert report["hourly_aggregation"]["newest_hour"] is None
    assert report["status"] == "degraded"
    run_hourly(engine, 5, now=T0 + timedelta(minutes=80))
    report = health_report(engine, settings, now=T0 + timedelta(minutes=80))
    assert report["hourly_aggregation"] == {"newest_hour": "2025-12-05T15:00:00Z",
                                            "lag_hours": 0, "ok": True}


def test_health_when_the_database_is_unreachable(tmp_path: Any) -> None:
    from themepark_tracker.db.engine import make_engine

    bad = make_engine("mysql+pymysql://root@127.0.0.1:1/none")
    report = health_report(bad, Settings(database_url=str(bad.url)))
    assert report["status"] == "down"
    assert report["database"]["ok"] is False and "Can't connect" in report["database"]["error"]


def test_cleanup_deletes_only_aggregated_old_days(engine: Engine,
                                                  upstream: FakeUpstream) -> None:
    settings = make_settings(engine, upstream)
    sync_catalog(engine, settings)
    collect_series(engine, settings, upstream, "OODD")
    later = datetime(2025, 12, 9)
    run_hourly(engine, 5, now=later)
    run_daily(engine, 5, now=later)
    # A late correction for Europa-Park (Silver Star was down at 15:05) marks its day for
    # re-aggregation: that day must be kept.
    upstream.now = lambda: T0
    upstream.transform(f"/wiki/entity/{EUROPA_WIKI}/live",
                       lambda d: {**d, "liveData": [{**d["liveData"][0], "status": "DOWN"}]})
    europa_only = replace(settings)
    with engine.begin() as conn:
        conn.execute(t.parks.update().where(t.parks.c.name != "Europa-Park")
                     .values(themeparks_wiki_id=None, queue_times_id=None))
    collect_once(engine, europa_only, now=T0 + timedelta(minutes=5))

    # The correction marked the 15:00 hour (for every park) and Europa-Park's day: nothing can
    # go until the hour is aggregated again.
    assert cleanup(engine, retention_days=2, now=later, dry_run=True).park_days_deleted == 0
    run_hourly(engine, 5, now=later)
    dry = cleanup(engine, retention_days=2, now=later, dry_run=True)
    assert count(engine, t.ride_status_snapshots) == 4 * (6 + 3 + 2 + 3)
    result = cleanup(engine, retention_days=2, now=later)
    assert (dry.park_days_deleted, result.park_days_deleted) == (3, 3)
    assert result.ride_snapshots_deleted == 4 * (6 + 3 + 2)
    assert len(result.kept_not_aggregated) == 1
    with engine.connect() as conn:
        left = set(conn.execute(select(t.parks.c.name).join(
            t.park_activity_snapshots,
            t.park_activity_snapshots.c.park_id == t.parks.c.park_id)).scalars())
    assert left == {"Europa-Park"}
    assert count(engine, t.park_daily_stats) == 4  # aggregates are kept


def test_a_collection_lock_keeps_a_second_run_out_until_its_owner_dies(
        engine: Engine, upstream: FakeUpstream) -> None:
    import os
    import socket

    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False), **upstream.env()}
    assert CliRunner().invoke(main, ["collect", "--catalog"], env=env).exit_code == 0
    host = socket.gethostname()
    with engine.begin() as conn:  # held by a live process (this one)
        conn.execute(t.job_locks.insert().values(
            name="collect", owner=f"{host}:{os.getpid()}", acquired_at=T0,
            expires_at=datetime(2100, 1, 1)))
    result = CliRunner().invoke(main, ["collect", "--once"], env=env)
    assert result.exit_code == 1
    assert f"another 'collect' run holds the lock by {host}:{os.getpid()}" in result.output
    assert count(engine, t.park_activity_snapshots) == 0

    with engine.begin() as conn:
        conn.execute(t.job_locks.update().values(owner=f"{host}:{_dead_pid()}"))
    result = CliRunner().invoke(main, ["collect", "--once"], env=env)
    assert result.exit_code == 0, result.output
    assert count(engine, t.park_activity_snapshots) == 4
    assert count(engine, t.job_locks) == 0


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid
