"""``themepark crosscheck``: our downtime beside ThemeParks.wiki's published daily figures, with
ThemeParks.wiki's real captured ``/history/daily`` answer (tests/fixtures/upstream/real/)
served by a real local HTTP server, and the catalogue synced from the real Magic Kingdom
captures. Expected figures: theirs read from the file here, ours from the rows this test
writes; SQLite and MariaDB."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from tests.upstream import MK_WIKI, REAL, RIDE, FakeUpstream, real_files, serve_upstream
from themepark_tracker.cli import main
from themepark_tracker.collect.catalog import sync_catalog
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t
from themepark_tracker.sources.wiki_daily import parse_daily

DAILY = REAL / "ThemeParks_JavaScript" / "mk_park_daily_2026-08-01_02.json"
SPACE_DAILY = REAL / "ThemeParks_JavaScript" / "space_mountain_daily_2026-09-26.json"
SMALL_WORLD = "f5aad2d4-a419-4384-bd9a-42f86385c750"
DAY = date(2026, 8, 1)
I = 5  # noqa: E741 - COLLECTION_INTERVAL_MINUTES, the default


def daily_path(day: date) -> str:
    return f"/wiki/entity/{MK_WIKI}/history/daily?from={day}&to={day}"


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    files = {**real_files(), daily_path(DAY): DAILY, daily_path(date(2026, 8, 2)): DAILY}
    with serve_upstream(files) as fake:
        yield fake


def their_row(entity_id: str, day: date) -> dict[str, Any]:
    page = json.loads(DAILY.read_text("utf-8"))
    entity = next(e for e in page["entities"] if e["id"] == entity_id)
    return dict(next(d for d in entity["days"] if d["date"] == day.isoformat()))


def store_ours(engine: Engine, wiki_id: str, day: date, down_snapshots: int) -> None:
    """One ride_daily_stats row of ours (as aggregate.daily would write it)."""
    with engine.begin() as conn:
        ride = conn.execute(select(t.rides.c.ride_id, t.rides.c.park_id)
                            .where(t.rides.c.themeparks_wiki_id == wiki_id)).one()
        conn.execute(t.ride_daily_stats.insert().values(
            ride_id=ride.ride_id, park_id=ride.park_id, stat_date=day, snapshot_count=200,
            open_snapshot_count=170, operating_snapshots=170 - down_snapshots,
            down_snapshots=down_snapshots, operating_minutes=170 * I,
            downtime_hours=down_snapshots * I / 60, wait_sum=0, wait_count=0,
            ride_operated=True))


def env(engine: Engine, upstream: FakeUpstream) -> dict[str, str]:
    return {"DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "HTTP_RETRIES": "0", **upstream.env()}


@pytest.fixture
def synced(engine: Engine, upstream: FakeUpstream) -> Engine:
    url = engine.url.render_as_string(hide_password=False)
    sync_catalog(engine, upstream.settings(Settings(database_url=url, http_retries=0)))
    store_ours(engine, SMALL_WORLD, DAY, 24)  # 120 minutes counted down
    store_ours(engine, RIDE["space"], DAY, 3)  # 15: ThemeParks.wiki's page has no row for it
    return engine


def ride_line(output: str, name: str) -> list[str]:
    line = next(x for x in output.splitlines() if x.strip().startswith(name))
    return line[len(line) - len(line.lstrip()) + len(name):].split()


def test_ours_beside_theirs_per_ride_with_totals_and_the_largest_differences(
        synced: Engine, upstream: FakeUpstream) -> None:
    result = CliRunner().invoke(main, ["crosscheck", "--date", "2026-08-01"],
                                env=env(synced, upstream))
    assert result.exit_code == 0, result.output
    out = result.output
    theirs = their_row(SMALL_WORLD, DAY)
    ours = 24 * I
    assert ride_line(out, "\"it's a small world\"") == [
        str(ours), str(theirs["downMinutes"]), str(theirs["operatingMinutes"]),
        str(ours - theirs["downMinutes"])]
    # Space Mountain: ours only; their column a dash, never a figure of ours.
    assert ride_line(out, "Space Mountain") == ["15", "-", "-", "-"]
    # A ride without a daily row of ours shows a dash as ours, even where theirs exists.
    assert ride_line(out, "Haunted Mansion") == ["-", "-", "-", "-"]
    # The show and the restaurant of their page are not attractions: not listed.
    assert "Philharmonic" not in out and "Royal Table" not in out
    assert (f"Total over the 1 attraction(s) both have a figure for: ours {ours} min, "
            f"ThemeParks.wiki {theirs['downMinutes']} min "
            f"(ours-TPW {ours - theirs['downMinutes']:+})") in out
    assert (f"1. Magic Kingdom Park / \"it's a small world\": ours {ours}, ThemeParks.wiki "
            f"{theirs['downMinutes']} ({ours - theirs['downMinutes']:+})") in out


def test_a_day_without_figures_of_ours_shows_only_theirs(synced: Engine,
                                                        upstream: FakeUpstream) -> None:
    result = CliRunner().invoke(main, ["crosscheck", "--date", "2026-08-02"],
                                env=env(synced, upstream))
    assert result.exit_code == 0, result.output
    theirs = their_row(SMALL_WORLD, date(2026, 8, 2))
    assert ride_line(result.output, "\"it's a small world\"") == [
        "-", str(theirs["downMinutes"]), f"{theirs['operatingMinutes']:,}", "-"]
    assert "No attraction's minutes differ." in result.output


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--date", "2026-13-01"], 2, "Invalid value for '--date'"),
    (["--date", "tomorrow"], 2, "Invalid value for '--date'"),
    (["--date", "2999-01-01"], 1, "Error: --date 2999-01-01 has not begun in any park yet"),
])
def test_bad_dates_are_one_line_errors(synced: Engine, upstream: FakeUpstream,
                                       args: list[str], code: int, message: str) -> None:
    result = CliRunner().invoke(main, ["crosscheck", *args], env=env(synced, upstream))
    assert result.exit_code == code and message in result.output, result.output
    assert "Traceback" not in result.output


def test_unreachable_upstream_and_unknown_shape_are_one_line_errors(
        synced: Engine, upstream: FakeUpstream) -> None:
    unreachable = {**env(synced, upstream), "THEMEPARKS_WIKI_BASE_URL": "http://127.0.0.1:9"}
    result = CliRunner().invoke(main, ["crosscheck", "--date", "2026-08-01"], env=unreachable)
    assert result.exit_code == 1, result.output
    [line] = [x for x in result.output.splitlines() if x.startswith("Error:")]
    assert "daily summaries could not be read for any of 1 park(s)" in line
    assert "127.0.0.1:9" in line

    upstream.transform(daily_path(DAY), lambda data: {"entity": data["id"], "rows": []})
    result = CliRunner().invoke(main, ["crosscheck", "--date", "2026-08-01"],
                                env=env(synced, upstream))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "unexpected ThemeParks.wiki daily summary" in result.output
    assert "neither an 'entities' nor a 'days' list" in result.output


def test_no_park_with_a_themeparks_wiki_id(engine: Engine, upstream: FakeUpstream) -> None:
    result = CliRunner().invoke(main, ["crosscheck", "--date", "2026-08-01"],
                                env=env(engine, upstream))
    assert result.exit_code == 1
    assert "no park has a ThemeParks.wiki id: run `themepark collect --catalog` first" in (
        result.output)


def test_one_attractions_answer_is_read_too() -> None:
    payload = json.loads(SPACE_DAILY.read_text("utf-8"))
    row = payload["days"][0]
    [figure] = parse_daily(payload, date.fromisoformat(row["date"]))
    assert (figure.entity_id, figure.entity_type, figure.down_minutes,
            figure.operating_minutes) == (RIDE["space"], "ATTRACTION", row["downMinutes"],
                                          row["operatingMinutes"])
    assert parse_daily(payload, date(2026, 9, 27)) == []


def test_an_attraction_only_they_list_is_shown_as_theirs_alone(
        synced: Engine, upstream: FakeUpstream) -> None:
    extra = {"id": "00000000-0000-4000-8000-000000000001", "name": "Coaster Not Ours",
             "entityType": "ATTRACTION",
             "days": [{"date": "2026-08-01", "operatingMinutes": 500, "downMinutes": 10}]}
    upstream.transform(daily_path(DAY), lambda data: {**data,
                                                      "entities": [*data["entities"], extra]})
    result = CliRunner().invoke(main, ["crosscheck", "--date", "2026-08-01"],
                                env=env(synced, upstream))
    assert result.exit_code == 0, result.output
    assert ride_line(result.output, "Coaster Not Ours (not in our catalogue)") == [
        "-", "10", "500", "-"]
