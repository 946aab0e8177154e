"""How the page is served and used: from a static server against the API on another port,
by keyboard, on a phone, and what it says when there is no data or no API."""

from __future__ import annotations

import json
import socket
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.browser.conftest import Tab, frontend_allowing, serve_api, serve_static
from tests.browser.helpers import api_get, chart_points, save, wait_details, wait_rankings
from themepark_tracker.db.engine import make_engine
from themepark_tracker.db.migrate import upgrade


def test_static_server_page_against_the_api_on_another_port(
    tab: Tab, api_url: str, static_url: str,
) -> None:
    page = tab.page
    page.goto(f"{static_url}/index.html?api={api_url}")
    assert wait_rankings(page, "today") == "ready"
    expected = api_get(api_url, "/api/parks/downtime", period="today", limit=200)["data"]
    shown = page.eval_on_selector_all("#results-body tr.park-row",
                                      "trs => trs.map(tr => Number(tr.dataset.parkId))")
    assert shown == [r["park_id"] for r in expected]
    park = expected[0]
    page.get_by_role("link", name=f"Details for {park['park_name']}").click()
    wait_details(page, "park", park["park_id"], "today")
    assert len(chart_points(page, "park-chart")["values"]) in (23, 24, 25)
    assert page.locator("#api-base").inner_text() == api_url
    tab.assert_no_errors()


def test_where_the_page_looks_for_the_api(tab: Tab, static_url: str) -> None:
    page = tab.page
    page.goto(f"{static_url}/favicon.svg")
    found = page.evaluate("""async () => {
        const { resolveApiBase } = await import('/js/api.js');
        const allowed = ['http://127.0.0.1:9000'];
        const at = (href) => { const u = new URL(href);
            return resolveApiBase({ search: u.search, protocol: u.protocol, port: u.port,
                                    hostname: u.hostname, origin: u.origin }, allowed); };
        return [at('http://example.test:8080/'), at('http://example.test/'),
                at('https://tracker.example.test/#/parks/1'),
                at('http://localhost:8080/?api=http://127.0.0.1:9000/'),
                at('http://localhost:8080/?api=http://127.0.0.1:9001/'),
                at('https://tracker.example.test/?api=https://tracker.example.test/v1/'),
                at('https://tracker.example.test/?api=javascript:alert(1)'),
                at('https://tracker.example.test/?api=http://127.0.0.1:9000@evil.test/')];
    }""")
    # An ?api= origin that is neither the page's own nor allowed is refused (D5).
    assert found == ["http://example.test:5001", "http://example.test",
                     "https://tracker.example.test", "http://127.0.0.1:9000",
                     "http://localhost:5001", "https://tracker.example.test/v1",
                     "https://tracker.example.test", "https://tracker.example.test"]


def test_keyboard_opens_and_escape_closes_the_details_returning_focus(
    tab: Tab, api_url: str,
) -> None:
    page = tab.page
    page.goto(f"{api_url}/")
    wait_rankings(page, "today")
    # Arrow keys move between the period tabs.
    page.focus("#tab-today")
    page.keyboard.press("ArrowRight")
    wait_rankings(page, "yesterday")
    assert page.evaluate("document.activeElement.id") == "tab-yesterday"

    link = page.locator("#results-body tr.park-row a.btn").first
    label = link.get_attribute("aria-label")
    link.focus()
    page.keyboard.press("Enter")
    page.locator('#details[open][data-state="ready"]').wait_for()
    assert page.evaluate("document.getElementById('details').contains(document.activeElement)")
    assert page.evaluate("document.activeElement.id") == "details-title"
    page.keyboard.press("Escape")
    page.locator("#details:not([open])").wait_for(state="attached")
    # The address goes back to the rankings once the dialog's close event has run.
    page.wait_for_function("location.hash.startsWith('#/?period=yesterday')", timeout=5000)
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == label
    tab.assert_no_errors()


def test_search_finds_parks_and_rides_and_opens_them(tab: Tab, api_url: str) -> None:
    page = tab.page
    page.goto(f"{api_url}/")
    wait_rankings(page, "today")
    found = api_get(api_url, "/api/search", q="Magic")
    page.fill("#search-input", "Magic")
    results = page.locator("#search-results:not([hidden]) a")
    results.first.wait_for()
    names = results.evaluate_all("as => as.map(a => a.firstChild.textContent)")
    assert names == [p["name"] for p in found["parks"]] + [r["name"] for r in found["rides"]]
    results.first.click()
    wait_details(page, "park", found["parks"][0]["park_id"], "today")
    page.keyboard.press("Escape")
    page.fill("#search-input", "no such ride anywhere")
    page.locator("#search-results .search-empty").wait_for()
    tab.assert_no_errors()


def test_attribution_and_newest_data_with_its_time_zone(tab: Tab, api_url: str) -> None:
    page = tab.page
    page.goto(f"{api_url}/")
    wait_rankings(page, "today")
    links = page.eval_on_selector_all("#attribution a",
                                      "as => as.map(a => [a.textContent, a.href])")
    assert ["Powered by Queue-Times.com", "https://queue-times.com/"] in links
    assert any(href.startswith("https://themeparks.wiki") for _, href in links)
    newest = api_get(api_url, "/api/parks/downtime")["newest_data_at"]
    freshness = page.locator("#freshness")
    assert freshness.locator("time").get_attribute("datetime") == newest
    hhmm = newest[11:16]
    assert f"{hhmm} UTC" in freshness.inner_text()
    # The simulated parks carry no feed ids: the page says the data is simulated.
    assert api_get(api_url, "/api/parks/downtime")["from_live_feeds"] is False
    banner = page.locator("#data-origin")
    assert banner.is_visible() and "Simulated data" in banner.inner_text()
    tab.assert_no_errors()


def test_phone_width_has_no_sideways_scrolling(
    phone_tab: Tab, api_url: str, artifacts: Path,
) -> None:
    page = phone_tab.page
    page.goto(f"{api_url}/")
    wait_rankings(page, "today")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    save(page, artifacts, "phone-rankings")
    page.locator("#results-body tr.park-row a.btn").first.click()
    page.locator('#details[open][data-state="ready"]').wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    save(page, artifacts, "phone-details")
    phone_tab.assert_no_errors()


# ---- empty and failing ---------------------------------------------------------------------


@pytest.fixture
def empty_api_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    engine: Engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    server = serve_api(url)
    yield f"http://127.0.0.1:{server.server.server_port}"
    server.stop()


def test_an_empty_database_says_so(tab: Tab, empty_api_url: str) -> None:
    page = tab.page
    page.goto(f"{empty_api_url}/")
    assert wait_rankings(page, "today") == "empty"
    assert "No park was open" in page.locator("#results-body").inner_text()
    assert "none yet" in page.locator("#freshness").inner_text()
    assert "No park has reported" in page.locator("#live-body").inner_text()
    assert not page.locator("#data-origin").is_visible()  # no parks, nothing to label
    tab.assert_no_errors()


def test_api_errors_are_shown_not_hidden(tab: Tab, api_url: str, tmp_path: Path) -> None:
    page = tab.page
    # An unknown park: the API's own message, in the dialog.
    page.goto(f"{api_url}/#/parks/999999?period=today")
    page.locator('#details[open][data-state="error"]').wait_for()
    with pytest.raises(urllib.error.HTTPError) as answer:
        api_get(api_url, "/api/parks/999999/details", period="today")
    assert answer.value.code == 404
    api_message = json.loads(answer.value.read())["error"]["message"]
    assert api_message in page.locator("#details [role=alert]").inner_text()

    # No API at all (at an allowed origin): the rankings say where they looked.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    server = serve_static(frontend_allowing(tmp_path / "frontend", [dead]))
    try:
        page.goto(f"http://127.0.0.1:{server.server.server_port}/index.html?api={dead}")
        assert wait_rankings(page, "today") == "error"
        alert = page.locator("#results [role=alert]").inner_text()
        assert "Could not reach the API" in alert and dead in alert
        assert page.locator("#results button:has-text('Try again')").is_visible()
    finally:
        server.stop()



def test_every_view_and_period_loads_without_console_errors(tab: Tab, api_url: str) -> None:
    page = tab.page
    page.goto(f"{api_url}/")
    wait_rankings(page, "today")
    park = api_get(api_url, "/api/parks/downtime", period="today", limit=1)["data"][0]
    ride = api_get(api_url, "/api/rides/downtime", period="today", limit=1)["data"][0]
    for period in ("live", "today", "yesterday", "last_week", "last_month"):
        for view in ("parks", "rides", "waits"):
            page.goto(f"{api_url}/#/?period={period}&filter=all-parks&view={view}")
            assert wait_rankings(page, period, view) in ("ready", "empty"), (period, view)
        page.goto(f"{api_url}/#/parks/{park['park_id']}?period={period}")
        wait_details(page, "park", park["park_id"], period)
        page.goto(f"{api_url}/#/rides/{ride['ride_id']}?period={period}")
        wait_details(page, "ride", ride["ride_id"], period)
    tab.assert_no_errors()
