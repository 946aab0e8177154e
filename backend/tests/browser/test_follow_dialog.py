"""The "Follow" button of the park and ride views (frontend/js/follow.js): it opens a dialog
with the Atom feed's address (one the server answers with a valid feed) and plain words on
getting the alerts on a phone (ntfy) or in Discord/Slack; the page's CSP reports nothing."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import feedparser

from tests.browser.conftest import Tab
from tests.browser.helpers import api_get, save, wait_details


def fetch_feed(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - 127.0.0.1 only
        return response.status, response.read(), response.headers["Content-Type"]


def test_follow_on_a_ride_shows_its_feed_and_how_to_get_alerts(
        tab: Tab, api_url: str, artifacts: Path) -> None:
    page = tab.page
    ride = api_get(api_url, "/api/rides/downtime", period="today", limit=1)["data"][0]
    page.goto(f"{api_url}/#/rides/{ride['ride_id']}?period=today")
    wait_details(page, "ride", ride["ride_id"], "today")

    page.click("#details .follow-button")
    dialog = page.locator("dialog#follow[open]")
    dialog.wait_for()
    assert page.locator("#follow-title").inner_text() == f"Follow {ride['ride_name']}"
    url = page.locator("#follow-url").input_value()
    assert url == f"{api_url}/feeds/rides/{ride['ride_id']}.atom"
    status, body, kind = fetch_feed(url)
    assert status == 200 and kind.startswith("application/atom+xml")
    assert not feedparser.parse(body).bozo
    text = dialog.inner_text()
    for words in ("feed reader", "ntfy", "Discord", "Slack",
                  f"themepark webhooks add https://ntfy.sh/<your topic> --event ride.down "
                  f"--ride {ride['ride_id']} --format ntfy",
                  f"themepark webhooks add <webhook URL> --event ride.down --ride "
                  f"{ride['ride_id']} --format discord"):
        assert words in text, words
    assert page.locator("#follow a", has_text="Open the feed").get_attribute("href") == url
    save(page, artifacts, "follow-ride", element="dialog#follow")
    save(page, Path(__file__).resolve().parents[3] / "docs" / "screenshots", "follow-dialog",
         element="dialog#follow")

    page.keyboard.press("Escape")  # closes the follow dialog, not the ride behind it
    page.locator("dialog#follow:not([open])").wait_for(state="attached")
    assert page.locator("#details[open]").count() == 1
    tab.assert_no_errors()


def test_follow_on_a_park_gives_the_parks_feed(tab: Tab, api_url: str) -> None:
    page = tab.page
    park = api_get(api_url, "/api/parks/downtime", period="today", limit=1)["data"][0]
    page.goto(f"{api_url}/#/parks/{park['park_id']}?period=today")
    wait_details(page, "park", park["park_id"], "today")
    page.click("#details .follow-button")
    page.locator("dialog#follow[open]").wait_for()
    url = page.locator("#follow-url").input_value()
    assert url == f"{api_url}/feeds/parks/{park['park_id']}.atom"
    assert fetch_feed(url)[0] == 200
    assert f"--park {park['park_id']}" in page.locator("#follow").inner_text()
    tab.assert_no_errors()
