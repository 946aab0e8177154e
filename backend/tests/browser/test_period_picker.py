"""The long and dated periods on the page: "Last 90 days" and "Last 365 days" tabs, and a
date input for one day, in the rankings and in the details dialog."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.browser.conftest import Tab
from tests.browser.helpers import api_get, local_day_hours, save, wait_details, wait_rankings


def ranked(page: Any) -> list[tuple[int, str | None]]:
    return [(r["park_id"], r["score"]) for r in page.evaluate(
        """() => [...document.querySelectorAll('#results-body tr.park-row')]
            .map((tr) => ({park_id: Number(tr.dataset.parkId),
                           score: tr.querySelector('.score').dataset.score ?? null}))""")]


def expected_rows(api_url: str, **params: Any) -> list[tuple[int, str | None]]:
    body = api_get(api_url, "/api/parks/downtime", limit=200, **params)
    return [(r["park_id"], f"{r['shame_score']:.1f}") for r in body["data"]]


def test_long_period_tabs_and_the_day_input_show_the_api_rankings(
        tab: Tab, api_url: str, artifacts: Path) -> None:
    page = tab.page
    page.goto(f"{api_url}/")
    wait_rankings(page, "today")
    for period in ("last_90_days", "last_365_days"):
        page.click(f"#tab-{period}")
        assert wait_rankings(page, period) == "ready", period
        assert ranked(page) == expected_rows(api_url, period=period), period
        assert page.get_attribute(f"#tab-{period}", "aria-selected") == "true"
    # One day: the local date every park has finished (yesterday in all of them).
    day = api_get(api_url, "/api/parks/downtime", period="yesterday")["first_date"]
    page.fill("#period-date", day)
    assert wait_rankings(page, "date") == "ready"
    assert f"period=date&date={day}" in page.url
    assert ranked(page) == expected_rows(api_url, period="date", date=day)
    assert day in page.locator("#results-title").inner_text()
    save(page, artifacts, "rankings-one-day", full_page=True)
    tab.assert_no_errors()


def test_details_take_the_long_periods_and_one_day(tab: Tab, api_url: str,
                                                   artifacts: Path) -> None:
    page = tab.page
    day = api_get(api_url, "/api/parks/downtime", period="yesterday")["first_date"]
    park = api_get(api_url, "/api/parks/downtime", period="date", date=day)["data"][0]
    page.goto(f"{api_url}/#/parks/{park['park_id']}?period=date&date={day}")
    wait_details(page, "park", park["park_id"], "date")
    body = api_get(api_url, f"/api/parks/{park['park_id']}/details", period="date", date=day)
    assert page.locator("#details .score-value").get_attribute("data-score") == \
        f"{body['shame_score']:.1f}"
    hours = local_day_hours(body["park"]["timezone"], date.fromisoformat(day))
    assert len(body["chart_data"]) == len(hours)  # one point per local hour
    # The dialog's own date input: the day before.
    before = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    page.fill("#details .details-date", before)
    page.wait_for_function(f"location.hash.includes('date={before}')", timeout=5000)
    wait_details(page, "park", park["park_id"], "date")
    page.locator(f'#details .coverage:has-text("{before}")').wait_for()
    # The long periods from the dialog's period links: a point per date, then per week.
    for period, granularity in (("last_90_days", "day"), ("last_365_days", "week")):
        page.click(f'#details .period-link[data-period="{period}"]')
        wait_details(page, "park", park["park_id"], period)
        body = api_get(api_url, f"/api/parks/{park['park_id']}/details", period=period)
        assert body["chart_granularity"] == granularity
        assert page.locator("#details .score-value").get_attribute("data-score") == (
            None if body["shame_score"] is None else f"{body['shame_score']:.1f}")
    save(page, artifacts, "details-last-365-days", element="#details")
    tab.assert_no_errors()
