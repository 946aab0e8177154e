"""The "Records" view: each park's worst day, the longest outages, the most downtime per open
hour and the most improved parks, as the API lists them; every figure links to the day or
the ride it came from, and following a link shows the same figure there."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from tests.browser.conftest import Tab
from tests.browser.helpers import (
    api_get,
    one_decimal,
    save,
    wait_details,
    wait_rankings,
)


def duration(minutes: float) -> str:
    """As the page writes a duration: whole minutes rounded half up, "1 h 05 min"."""
    m = int(Decimal(str(minutes)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return f"{m} min" if m < 60 else f"{m // 60} h {m % 60:02d} min"


def check_most_downtime(page: Any, body: dict[str, Any]) -> None:
    """The rides with the most downtime per open hour: the API's rows, each open at least
    100 hours, its figure (in minutes per open hour) the downtime over the open hours."""
    most = page.locator("#most-downtime tbody tr")
    assert most.count() == len(body["most_downtime"])
    for i, row in enumerate(body["most_downtime"]):
        assert most.nth(i).get_attribute("data-ride-id") == str(row["ride_id"])
        assert row["open_hours"] >= 100
        assert abs(row["downtime_per_open_hour"] - row["downtime_hours"] / row["open_hours"]) < 1e-3
        shown = most.nth(i).locator("a.record-figure").inner_text()
        assert abs(float(shown.removesuffix(" min")) - row["downtime_per_open_hour"] * 60) <= 0.051
    ratios = [r["downtime_per_open_hour"] for r in body["most_downtime"]]
    assert ratios == sorted(ratios, reverse=True)


def open_records(page: Any, api_url: str, period: str) -> dict[str, Any]:
    page.goto(f"{api_url}/#/?period={period}&filter=all-parks&view=records")
    assert wait_rankings(page, period, view="records") == "ready"
    body: dict[str, Any] = api_get(api_url, "/api/records", period=period)
    return body


def test_records_show_the_api_lists_and_each_worst_day_is_the_parks_highest(
        tab: Tab, long_api_url: str, artifacts: Path) -> None:
    page = tab.page
    body = open_records(page, long_api_url, "last_week")
    worst = page.locator("#worst-days tbody tr")
    assert worst.count() == len(body["worst_days"]) > 0
    for i, row in enumerate(body["worst_days"]):
        tr = worst.nth(i)
        assert tr.get_attribute("data-park-id") == str(row["park_id"])
        assert tr.locator("th").inner_text() == row["park_name"]
        figure = tr.locator("a.record-figure")
        assert figure.get_attribute("href") == \
            f"#/parks/{row['park_id']}?period=date&date={row['date']}"
        assert figure.locator(".score").get_attribute("data-score") == \
            one_decimal(row["shame_score"])
        # Independently: the highest daily score of the park's last 7 local dates.
        to = api_get(long_api_url, f"/api/parks/{row['park_id']}/history")["to"]
        week = api_get(long_api_url, f"/api/parks/{row['park_id']}/history", **{
            "from": str(date.fromisoformat(to) - timedelta(days=6)), "to": to})["days"]
        top = max(d["shame_score"] for d in week if d["shame_score"] is not None)
        assert row["shame_score"] == top
        assert row["date"] in [d["date"] for d in week if d["shame_score"] == top]
    scores = [r["shame_score"] for r in body["worst_days"]]
    assert scores == sorted(scores, reverse=True)

    outages = page.locator("#longest-outages tbody tr")
    assert outages.count() == len(body["longest_outages"])
    for i, row in enumerate(body["longest_outages"]):
        tr = outages.nth(i)
        assert tr.get_attribute("data-ride-id") == str(row["ride_id"])
        assert tr.locator("a.record-figure").inner_text() == duration(row["down_minutes"])
    minutes = [r["down_minutes"] for r in body["longest_outages"]]
    assert minutes == sorted(minutes, reverse=True)

    check_most_downtime(page, body)  # none open 100 hours in one simulated week

    improved = page.locator("#most-improved tbody tr")
    assert improved.count() == len(body["most_improved"])
    for i, row in enumerate(body["most_improved"]):
        assert row["previous_shame_score"] > row["shame_score"]
        assert improved.nth(i).get_attribute("data-park-id") == str(row["park_id"])
        assert improved.nth(i).locator("a.record-change").inner_text() == \
            f"▼{one_decimal(abs(row['change']))}"
        assert improved.nth(i).locator("a.record-before .score").get_attribute("data-score") == \
            one_decimal(row["previous_shame_score"])
    # Every figure is a link to where it came from.
    figures = page.locator("#results-body .records td.num")
    assert figures.count() > 0
    assert figures.count() == page.locator("#results-body .records td.num a").count()
    page.locator("#results").screenshot(path=str(artifacts / "records.png"))
    save(page, artifacts, "records-page", full_page=True)
    tab.assert_no_errors()


def test_a_worst_day_links_to_that_day_and_an_outage_to_its_ride(
        tab: Tab, long_api_url: str, artifacts: Path) -> None:
    page = tab.page
    body = open_records(page, long_api_url, "last_month")
    assert body["most_downtime"], "22 simulated days: rides open over 100 hours"
    check_most_downtime(page, body)
    save(page, artifacts, "records-last-month", element="#results")
    row = body["worst_days"][0]
    page.locator("#worst-days tbody tr").first.locator("a.record-figure").click()
    wait_details(page, "park", row["park_id"], "date")
    assert f"date={row['date']}" in page.url
    # The park's score on that day, in its dialog, is the record.
    assert page.locator("#details .score-value").get_attribute("data-score") == \
        one_decimal(row["shame_score"])
    page.keyboard.press("Escape")
    wait_rankings(page, "last_month", view="records")

    outage = body["longest_outages"][0]
    page.locator("#longest-outages tbody tr").first.locator("a.record-figure").click()
    wait_details(page, "ride", outage["ride_id"], "date")
    assert f"date={outage['start_local_date']}" in page.url
    details = api_get(long_api_url, f"/api/rides/{outage['ride_id']}/details",
                      period="date", date=outage["start_local_date"])
    assert outage["started_at"] in [i["start"] for i in details["incidents"]]
    tab.assert_no_errors()


def test_records_of_live_say_they_show_the_last_365_days(tab: Tab, long_api_url: str) -> None:
    page = tab.page
    page.goto(f"{long_api_url}/#/?period=live&filter=all-parks&view=records")
    wait_rankings(page, "live", view="records")
    note = page.locator("#results-body .records .table-note").inner_text()
    assert "live shows the last 365 days" in note
    assert page.locator("#results-body .records").get_attribute("data-period") == "last_365_days"
    assert page.locator('#view-group [data-view="records"]').get_attribute("aria-pressed") == "true"
    tab.assert_no_errors()
