"""The rankings: every period tab shows what the API ranks, without reloading the page, and
agrees with the stored daily aggregates (checked straight from the database)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from tests.browser.conftest import Tab
from tests.browser.helpers import api_get, local_today, save, wait_rankings
from themepark_tracker.db import tables as t

PERIODS = ["live", "today", "yesterday", "last_week", "last_month"]
RIDE_IDS = "trs => trs.map(tr => Number(tr.dataset.rideId))"


def ranked_rows(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("""() => [...document.querySelectorAll('#results-body tr.park-row')]
        .map((tr) => ({park_id: Number(tr.dataset.parkId),
                       name: tr.querySelector('th').innerText.trim(),
                       score: tr.querySelector('.score').dataset.score ?? null}))""")


def test_every_period_tab_shows_the_api_ranking_without_a_reload(
    tab: Tab, api_url: str, artifacts: Path,
) -> None:
    page = tab.page
    page.goto(f"{api_url}/")
    assert wait_rankings(page, "today") == "ready"
    page.evaluate("window.__sameDocument = 'yes'")
    render_ms: dict[str, int] = {}
    for period in PERIODS:
        page.click(f"#tab-{period}")
        state = wait_rankings(page, period)
        render_ms[period] = int(page.get_attribute("#results", "data-render-ms") or -1)
        expected = api_get(api_url, "/api/parks/downtime", period=period, limit=200)
        rows = ranked_rows(page)
        assert [r["park_id"] for r in rows] == [r["park_id"] for r in expected["data"]], period
        assert [r["score"] for r in rows] == [
            f"{r['shame_score']:.1f}" for r in expected["data"]], period
        assert state == ("ready" if expected["data"] else "empty")
        assert page.get_attribute(f"#tab-{period}", "aria-selected") == "true"
        assert f"period={period}" in page.url
        if period == "today":
            save(page, artifacts, "rankings", full_page=True)
    # TODAY and YESTERDAY of a simulation that ends now must have ranked parks.
    page.click("#tab-today")
    wait_rankings(page, "today")
    assert len(ranked_rows(page)) > 0
    page.click("#tab-yesterday")
    wait_rankings(page, "yesterday")
    assert len(ranked_rows(page)) > 0
    assert page.evaluate("window.__sameDocument") == "yes", "switching tabs reloaded the page"
    (artifacts / "rankings-render-ms.json").write_text(json.dumps(render_ms, indent=2))
    print(f"\nrankings render time per tab (ms, click to table): {render_ms}")
    tab.assert_no_errors()


def test_yesterday_scores_equal_the_stored_daily_scores(
    tab: Tab, api_url: str, sim_db: Engine,
) -> None:
    """Independent of the API's read path: park_daily_stats of each park's local yesterday."""
    page = tab.page
    page.goto(f"{api_url}/#/?period=yesterday&filter=all-parks&view=parks")
    assert wait_rankings(page, "yesterday") == "ready"
    rows = ranked_rows(page)
    with sim_db.connect() as conn:
        zones = dict(conn.execute(select(t.parks.c.park_id, t.parks.c.timezone)).all())
        for row in rows:
            day = local_today(zones[row["park_id"]]) - timedelta(days=1)
            stored = conn.execute(select(t.park_daily_stats.c.shame_score).where(
                t.park_daily_stats.c.park_id == row["park_id"],
                t.park_daily_stats.c.stat_date == day)).scalar_one()
            assert row["score"] == f"{float(stored):.1f}", row["name"]
    tab.assert_no_errors()


def test_filter_and_views_show_the_matching_tables(tab: Tab, api_url: str) -> None:
    page = tab.page
    page.goto(f"{api_url}/")
    wait_rankings(page, "today")
    page.click('#filter-group [data-filter="disney-universal"]')
    wait_rankings(page, "today")
    expected = api_get(api_url, "/api/parks/downtime", period="today",
                       filter="disney-universal", limit=200)
    assert [r["park_id"] for r in ranked_rows(page)] == [r["park_id"] for r in expected["data"]]
    assert page.get_attribute('#filter-group [data-filter="disney-universal"]',
                              "aria-pressed") == "true"

    page.click('#filter-group [data-filter="all-parks"]')
    page.click('#view-group [data-view="rides"]')
    wait_rankings(page, "today", view="rides")
    rides = api_get(api_url, "/api/rides/downtime", period="today", limit=100)["data"]
    shown = page.eval_on_selector_all("#results-body tbody tr", RIDE_IDS)
    assert shown == [r["ride_id"] for r in rides]
    # Sorting by a column asks the API for that order.
    page.click('#results-body th button.sort:has-text("Average wait")')
    page.locator('#results-body th[aria-sort="descending"]:has-text("Average wait")').wait_for()
    by_wait = api_get(api_url, "/api/rides/downtime", period="today", limit=100,
                      sort_by="avg_wait_time_minutes")["data"]
    shown = page.eval_on_selector_all("#results-body tbody tr", RIDE_IDS)
    assert shown == [r["ride_id"] for r in by_wait]

    page.click('#view-group [data-view="waits"]')
    wait_rankings(page, "today", view="waits")
    park_waits = api_get(api_url, "/api/parks/waittimes", period="today", limit=200)["data"]
    first_table = page.locator("#results-body table").first
    assert first_table.locator("tbody tr").count() == len(park_waits)
    tab.assert_no_errors()


def test_park_columns_sort_in_the_page(tab: Tab, api_url: str) -> None:
    page = tab.page
    page.goto(f"{api_url}/#/?period=yesterday&filter=all-parks&view=parks")
    wait_rankings(page, "yesterday")
    park_header = '#results-body th:has(button:has-text("Park"))'
    page.click(f"{park_header} button")
    page.locator(f'{park_header}[aria-sort="ascending"]').wait_for()
    names = [r["name"] for r in ranked_rows(page)]
    assert names == sorted(names, key=str.lower)
    page.click(f"{park_header} button")
    page.locator(f'{park_header}[aria-sort="descending"]').wait_for()
    assert [r["name"] for r in ranked_rows(page)] == sorted(names, key=str.lower, reverse=True)
    tab.assert_no_errors()
