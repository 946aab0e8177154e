"""The details dialog: its own address, the score with its formula's numbers, an hourly chart
with a point per local hour and values on hover, instant period switches, the ride page."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from tests.browser.conftest import Tab
from tests.browser.helpers import (
    api_get,
    chart_points,
    hover_point,
    local_day_hours,
    local_span,
    local_today,
    save,
    wait_details,
    wait_rankings,
)

PREFERRED_PARK = "Six Flags Magic Mountain"  # the quickstart's step 6 opens this one


def chosen_park(api_url: str) -> dict[str, Any]:
    """Six Flags Magic Mountain when it is ranked today, else the top park of today."""
    ranked = api_get(api_url, "/api/parks/downtime", period="today", limit=200)["data"]
    assert ranked, "the simulation ends now, so some park must have been open today"
    return next((r for r in ranked if r["park_name"] == PREFERRED_PARK), ranked[0])


def open_park_from_rankings(page: Any, api_url: str, park: dict[str, Any]) -> None:
    page.goto(f"{api_url}/")
    wait_rankings(page, "today")
    page.get_by_role("link", name=f"Details for {park['park_name']}").click()
    wait_details(page, "park", park["park_id"], "today")


def test_today_details_have_a_point_per_local_hour_and_hover_shows_the_value(
    tab: Tab, api_url: str, artifacts: Path,
) -> None:
    page = tab.page
    park = chosen_park(api_url)
    open_park_from_rankings(page, api_url, park)
    assert page.url.endswith(f"#/parks/{park['park_id']}?period=today")
    assert page.locator("#details-title").inner_text() == park["park_name"]

    hours = local_day_hours(park["timezone"], local_today(park["timezone"]))
    chart = chart_points(page, "park-chart")
    assert len(chart["values"]) == len(hours)  # 24, or 23/25 on a DST change day
    assert chart["labels"] == [label for _, label in hours]

    expected = api_get(api_url, f"/api/parks/{park['park_id']}/details", period="today")
    points = expected["chart_data"]
    scored = [i for i, p in enumerate(points) if p["shame_score"] is not None]
    assert scored, "a park ranked today has at least one scored hour"
    for i in (scored[0], scored[-1]):
        hover_point(page, "park-chart", i)
        tooltip = page.locator("#details .chart-tooltip.visible")
        tooltip.wait_for()
        text = tooltip.inner_text()
        assert f"Shame score: {points[i]['shame_score']:.1f}" in text
        assert local_span(points[i]["hour_start_utc"], park["timezone"]) in text
        assert page.locator("#details .chart-tooltip").get_attribute("data-index") == str(i)
    save(page, artifacts, "details", element="#details")
    tab.assert_no_errors()


def test_the_score_and_its_formula_show_the_api_numbers(tab: Tab, api_url: str) -> None:
    page = tab.page
    park = chosen_park(api_url)
    open_park_from_rankings(page, api_url, park)
    for period in ("today", "yesterday"):
        page.click(f'#details .period-link[data-period="{period}"]')
        wait_details(page, "park", park["park_id"], period)
        body = api_get(api_url, f"/api/parks/{park['park_id']}/details", period=period)
        # One day: the formula's numbers give the score, worked here, rounded half up.
        worked = (Decimal(str(body["shame_score_sum"])) / body["open_snapshot_count"]).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert float(worked) == body["shame_score"], period
        formula = page.locator("#details .formula").inner_text()
        assert f"{body['shame_score_sum']:,.2f} ÷ {body['open_snapshot_count']:,}" in formula
        assert page.locator("#details .score-value").get_attribute("data-score") == \
            f"{body['shame_score']:.1f}"

    # Several days: the mean of the daily scores of the days the park was open.
    page.click('#details .period-link[data-period="last_week"]')
    wait_details(page, "park", park["park_id"], "last_week")
    body = api_get(api_url, f"/api/parks/{park['park_id']}/details", period="last_week")
    daily = [p["shame_score"] for p in body["chart_data"] if p["shame_score"] is not None]
    assert len(daily) == body["days_open"]
    numbers = page.locator("#details .formula .formula-numbers").inner_text()
    listed = numbers.split("(")[1].split(")")[0].split(" + ")
    assert [float(x) for x in listed] == daily
    assert f"÷ {body['days_open']} = {body['shame_score']:.1f}" in numbers
    # The mean of rounded daily scores is within rounding of the unrounded mean.
    assert abs(sum(daily) / len(daily) - body["shame_score"]) <= 0.1
    tab.assert_no_errors()


def test_rankings_and_details_show_the_same_score_for_every_park(tab: Tab, api_url: str) -> None:
    page = tab.page
    for period in ("today", "yesterday", "last_week"):
        page.goto(f"{api_url}/#/?period={period}&filter=all-parks&view=parks")
        wait_rankings(page, period)
        rows = page.evaluate("""() => [...document.querySelectorAll('#results-body tr.park-row')]
            .map((tr) => [Number(tr.dataset.parkId), tr.querySelector('.score').dataset.score])""")
        assert rows, period
        for park_id, score in rows:
            page.click(f'#results-body tr[data-park-id="{park_id}"] a.btn')
            wait_details(page, "park", park_id, period)
            assert page.locator("#details .score-value").get_attribute("data-score") == score, \
                (period, park_id)
            page.keyboard.press("Escape")
            page.locator("#details:not([open])").wait_for(state="attached")
    tab.assert_no_errors()


def test_switching_periods_in_the_details_redraws_without_a_reload(
    tab: Tab, api_url: str,
) -> None:
    page = tab.page
    park = chosen_park(api_url)
    open_park_from_rankings(page, api_url, park)
    page.evaluate("window.__sameDocument = 'yes'")
    render_ms = {}
    zone = park["timezone"]
    yesterday = local_today(zone) - timedelta(days=1)
    for period, expected_points in (
        ("yesterday", len(local_day_hours(zone, yesterday))),
        ("last_week", 7),
        ("today", len(local_day_hours(zone, local_today(zone)))),
        ("last_month", 30),
    ):
        page.click(f'#details .period-link[data-period="{period}"]')
        wait_details(page, "park", park["park_id"], period)
        render_ms[period] = int(page.get_attribute("#details", "data-render-ms") or -1)
        assert len(chart_points(page, "park-chart")["values"]) == expected_points, period
        assert page.url.endswith(f"#/parks/{park['park_id']}?period={period}")
        api = api_get(api_url, f"/api/parks/{park['park_id']}/details", period=period)
        assert page.locator("#details .score-value").get_attribute("data-score") == (
            "—" if api["shame_score"] is None else f"{api['shame_score']:.1f}")
    days = chart_points(page, "park-chart")["labels"]
    assert days[-1] == str(local_today(zone) - timedelta(days=1))
    assert page.evaluate("window.__sameDocument") == "yes"
    print(f"\ndetails render time per period (ms, click to chart): {render_ms}")
    tab.assert_no_errors()


def test_ride_details_show_downtime_hourly_breakdown_and_incidents(
    tab: Tab, api_url: str, artifacts: Path,
) -> None:
    page = tab.page
    page.goto(f"{api_url}/#/?period=today&filter=all-parks&view=rides")
    wait_rankings(page, "today", view="rides")
    first = page.locator("#results-body tbody tr").first
    ride_id = int(first.get_attribute("data-ride-id") or 0)
    first.locator("th a").click()
    wait_details(page, "ride", ride_id, "today")
    body = api_get(api_url, f"/api/rides/{ride_id}/details", period="today")
    assert page.locator("#details-title").inner_text() == body["ride"]["name"]
    stats = page.locator("#details .stats").first.inner_text()  # then reliability's
    assert f"{body['downtime_hours']:.2f} h" in stats
    breakdown = page.locator("#details .chart-table tbody tr")
    assert breakdown.count() == len(body["chart_data"])
    assert len(chart_points(page, "ride-chart")["values"]) == len(body["chart_data"])
    incidents = page.locator('#details section:has(#incidents-title) tbody tr')
    assert incidents.count() == len(body["incidents"])
    if not body["incidents"]:
        assert "No downtime" in page.locator("#details section:has(#incidents-title)").inner_text()
    save(page, artifacts, "ride", element="#details")
    tab.assert_no_errors()
