"""The long record on the page (issue 14): a park's History view (daily score, 7-day rolling
mean, each period against the one before in words), the rankings' change column, and a
ride's 90-day uptime with its rank among its park's attractions. Expected values come from
the API read directly and, where it can be, from an independent working of its numbers
(the rolling mean from the daily scores, the rank from the rides ranking)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.browser.conftest import Tab
from tests.browser.helpers import (
    api_get,
    chart_points,
    dataset_values,
    local_today,
    one_decimal,
    save,
    wait_history,
    wait_rankings,
)

#: What the page calls each compared period and the one before it.
WORDS = {
    "yesterday": ("Yesterday", "the day before", 1),
    "last_week": ("Last week", "the week before", 7),
    "last_month": ("Last month", "the month before", 30),
    "last_90_days": ("The last 90 days", "the 90 days before", 90),
}


def arrow(change: float | None) -> str:
    if change is None:
        return "—"
    sign = "▲" if change > 0 else "▼" if change < 0 else "±"
    return f"{sign}{one_decimal(abs(change))}"


def history(api_url: str, park_id: int, **dates: str) -> dict[str, Any]:
    body: dict[str, Any] = api_get(api_url, f"/api/parks/{park_id}/history", **dates)
    return body


def window(api_url: str, park_id: int, to: str, days: int) -> dict[str, Any]:
    start = date.fromisoformat(to) - timedelta(days=days - 1)
    return history(api_url, park_id, **{"from": start.isoformat(), "to": to})


def busiest_park(api_url: str) -> dict[str, Any]:
    """The park ranked first last week (it has data both weeks in the long simulation)."""
    rows = api_get(api_url, "/api/parks/downtime", period="last_week", limit=200)["data"]
    assert rows, "the long simulation has parks open last week"
    row: dict[str, Any] = rows[0]
    return row


def test_park_history_shows_the_daily_score_the_rolling_mean_and_the_period_before(
        tab: Tab, long_api_url: str, artifacts: Path) -> None:
    page = tab.page
    park = busiest_park(long_api_url)
    pid = park["park_id"]
    page.goto(f"{long_api_url}/#/parks/{pid}?period=last_week")
    page.locator('#details[data-state="ready"] .view-link[data-view="history"]').click()
    wait_history(page, "park", pid)
    assert page.url.endswith(f"#/parks/{pid}?period=last_week&view=history")
    whole = history(long_api_url, pid)
    assert page.locator("#details-title").inner_text() == whole["park_name"]

    # The chart: one bar per date from the first with data, and the rolling mean.
    first = next(i for i, d in enumerate(whole["days"]) if d["park_was_open"] is not None)
    shown = whole["days"][first:]
    chart = chart_points(page, "history-chart")
    assert chart["labels"] == [d["date"] for d in shown]
    assert chart["values"] == [d["shame_score"] for d in shown]
    means = dataset_values(page, "history-chart", 1)
    assert means == [d["rolling_mean_7d"] for d in shown]
    # The rolling mean worked here: the open days' daily scores among each date and the 6
    # before it. The API means the unrounded scores and rounds the mean: within 0.05 + 0.05
    # of the mean of the rounded scores shown.
    days = whole["days"]
    for i, day in enumerate(days):
        scores = [d["shame_score"] for d in days[max(0, i - 6):i + 1]
                  if d["park_was_open"] and d["shame_score"] is not None]
        if not scores:
            assert day["rolling_mean_7d"] is None, day["date"]
        else:
            assert abs(sum(scores) / len(scores) - day["rolling_mean_7d"]) <= 0.1 + 1e-9, \
                day["date"]

    # Each period against the one before, in words, and the rankings agree with it.
    for period, (now, before, length) in WORDS.items():
        body = window(long_api_url, pid, whole["to"], length)
        previous = body["previous"]["score"]
        line = page.locator(f'#details .compare-list li[data-period="{period}"]').inner_text()
        assert line.startswith(f"{now} {one_decimal(body['score'])}, {before} "
                               f"{one_decimal(previous)}, {arrow(body['change'])}"), line
        if body["score"] is not None and previous is not None:
            assert abs(body["change"] - (body["score"] - previous)) <= 0.1 + 1e-9
        ranked = {r["park_id"]: r for r in api_get(
            long_api_url, "/api/parks/downtime", period=period, limit=200)["data"]}
        if pid in ranked:
            assert ranked[pid]["shame_score"] == body["score"], period
            assert ranked[pid]["previous_shame_score"] == previous, period
            assert ranked[pid]["shame_score_change"] == body["change"], period
    week = page.locator('#details .compare-list li[data-period="last_week"]').inner_text()
    assert "—" not in week.split("(")[0], "22 simulated days give last week and the week before"
    save(page, artifacts, "history", element="#details")
    tab.assert_no_errors()


def test_rankings_show_the_change_against_the_period_before(
        tab: Tab, long_api_url: str) -> None:
    page = tab.page
    for period in ("yesterday", "last_week"):
        page.goto(f"{long_api_url}/#/?period={period}&filter=all-parks&view=parks")
        assert wait_rankings(page, period) == "ready"
        rows = api_get(long_api_url, "/api/parks/downtime", period=period, limit=200)["data"]
        for row in rows:
            cell = page.locator(f'#results-body tr[data-park-id="{row["park_id"]}"] .change')
            assert cell.locator('[aria-hidden="true"]').inner_text() == \
                arrow(row["shame_score_change"]), (period, row["park_name"])
            before = "the day before" if period == "yesterday" else "the week before"
            assert cell.get_attribute("title") == \
                f"{before}: {one_decimal(row['previous_shame_score'])}"
        assert any(r["shame_score_change"] is not None for r in rows), period
    # Live and today have no previous period: no change column.
    page.goto(f"{long_api_url}/#/?period=today&filter=all-parks&view=parks")
    wait_rankings(page, "today")
    assert page.locator("#results-body .change").count() == 0
    assert page.locator('#results-body th:has-text("Change")').count() == 0
    tab.assert_no_errors()


def ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def test_ride_history_shows_90_days_of_uptime_and_its_rank_in_the_park(
        tab: Tab, long_api_url: str, artifacts: Path) -> None:
    page = tab.page
    rides = api_get(long_api_url, "/api/rides/downtime", period="last_90_days", limit=200)["data"]
    # The second of the top park's rides: its rank in the park is a "2nd"-like word.
    top_park = rides[0]["park_id"]
    ride = [r for r in rides if r["park_id"] == top_park][1]
    rid = ride["ride_id"]
    page.goto(f"{long_api_url}/#/rides/{rid}?period=last_90_days&view=history")
    wait_history(page, "ride", rid)
    body = api_get(long_api_url, f"/api/rides/{rid}/history")
    assert body["to"] == str(local_today(body["timezone"]) - timedelta(days=1))
    assert len(body["days"]) == 90
    first = next(i for i, d in enumerate(body["days"]) if d["operated"] is not None)
    chart = chart_points(page, "uptime-chart")
    assert chart["labels"] == [d["date"] for d in body["days"][first:]]
    assert chart["values"] == [d["uptime_percentage"] for d in body["days"][first:]]

    # Over the 90 days: the same uptime as the rides ranking of last_90_days gives it.
    assert body["uptime_percentage"] == ride["uptime_percentage"]
    assert page.locator("#details .range-uptime").inner_text() == \
        f"{one_decimal(body['uptime_percentage'])} %"
    # Its rank, worked from the rides ranking: the park's rides by downtime, then name.
    mine = sorted((r for r in rides if r["park_id"] == ride["park_id"]),
                  key=lambda r: (-r["downtime_hours"], r["ride_name"]))
    position = [r["ride_id"] for r in mine].index(rid) + 1
    assert body["rank"]["position"] == position
    assert body["rank"]["of"] == len(mine)
    words = page.locator("#details .rank-words").inner_text()
    which = "The most downtime" if position == 1 else f"{ordinal(position)} most downtime"
    assert words.startswith(f"{which} of {len(mine)} attractions at {ride['park_name']}"), words
    assert f"{body['rank']['downtime_hours']:.2f} h" in words
    save(page, artifacts, "ride-uptime", element="#details")
    tab.assert_no_errors()


def test_an_unknown_park_or_ride_says_so_in_the_history_view(
        tab: Tab, long_api_url: str) -> None:
    page = tab.page
    for kind in ("park", "ride"):
        page.goto(f"{long_api_url}/#/{kind}s/987654?period=last_week&view=history")
        page.locator('#details[open][data-state="error"]').wait_for()
        expected = api_error(long_api_url, f"/api/{kind}s/987654/history")
        assert expected["code"] == 404
        assert expected["message"] in page.locator("#details .state-error").inner_text()
        assert page.locator("#details button.btn", has_text="Try again").count() == 1
    # A 404 answer is logged by the browser as a failed resource; nothing else may be.
    assert all("404" in e for e in tab.errors), tab.errors


def api_error(api_url: str, path: str) -> dict[str, Any]:
    """The error envelope of a request the API refuses, with its HTTP status as ``code``."""
    try:
        urllib.request.urlopen(f"{api_url}{path}", timeout=30)  # noqa: S310 - 127.0.0.1 only
    except urllib.error.HTTPError as err:
        body = json.load(err)
        return {"code": err.code, "message": body["error"]["message"]}
    raise AssertionError(f"{path} answered 200")
