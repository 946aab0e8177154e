"""The heatmap of when rides break (SPEC §7) on the park's and the ride's history views: a
7 × 24 grid in the park's local weekdays and hours, each cell's numbers in its tooltip, null
cells marked "not enough data", and the same numbers in a table for screen readers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import Tab
from tests.browser.helpers import api_get, one_decimal, save, wait_heatmap, wait_history

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def percent(share: float) -> str:
    return f"{one_decimal(share * 100)} %"


def hour_span(hour: int) -> str:
    return f"{hour:02d}:00–{(hour + 1) % 24:02d}:00"


def shown_cells(section: Any) -> list[dict[str, Any]]:
    cells: list[dict[str, Any]] = section.locator(".hm-cell").evaluate_all(
        """els => els.map(e => ({weekday: Number(e.dataset.weekday), hour: Number(e.dataset.hour),
                               share: e.dataset.share, title: e.title,
                               none: e.classList.contains('hm-none')}))""")
    return cells


def check_cells(section: Any, body: dict[str, Any]) -> None:
    """Every cell where it belongs (Monday first, hour 0 first), with the API's share, and its
    numbers in the tooltip; a null cell marked, never coloured."""
    cells = shown_cells(section)
    by_key = {(c["weekday"], c["hour"]): c for c in body["cells"]}
    assert len(by_key) == 168
    for i, shown in enumerate(cells):
        assert (shown["weekday"], shown["hour"]) == (i // 24 + 1, i % 24)
        cell = by_key[(shown["weekday"], shown["hour"])]
        when = f"{WEEKDAYS[cell['weekday'] - 1]} {hour_span(cell['hour'])}"
        share = cell["down_share"]
        if share is None:
            assert cell["open_cycles"] < body["min_open_cycles"]
            assert shown["none"] and shown["share"] == "null"
            assert shown["title"].startswith(f"{when}: not enough data"), shown["title"]
            continue
        # The share is the down snapshots over the open ones (SPEC §7), worked here.
        assert cell["open_cycles"] >= body["min_open_cycles"]
        assert abs(share - cell["down_snapshots"] / cell["open_snapshots"]) < 1e-9
        assert not shown["none"] and float(shown["share"]) == share
        expected = (f"{when}: {percent(share)} down ({cell['down_snapshots']:,} of "
                    f"{cell['open_snapshots']:,} ride snapshots")
        assert shown["title"].startswith(expected), shown["title"]


def check_table(section: Any, body: dict[str, Any]) -> None:
    """The screen reader's table: a row per hour, a column per weekday, the same numbers."""
    rows = section.locator(".heatmap-table tbody tr")
    assert rows.count() == 24
    by_key = {(c["weekday"], c["hour"]): c["down_share"] for c in body["cells"]}
    for hour in (0, 12, 15, 20):
        texts = rows.nth(hour).locator("td").all_text_contents()  # folded: not rendered
        assert texts == ["—" if by_key[(d, hour)] is None else percent(by_key[(d, hour)])
                         for d in range(1, 8)], hour
    assert body["timezone"] in (section.locator("caption").text_content() or "")


def test_park_heatmap_shows_the_api_cells_in_park_time(
        tab: Tab, long_api_url: str, artifacts: Path) -> None:
    page = tab.page
    parks = api_get(long_api_url, "/api/parks/downtime", period="last_week", limit=200)["data"]
    # The half-hour zone, if ranked: its cells are the cycles' own local hours.
    park = next((p for p in parks if p["timezone"] == "Asia/Kolkata"), parks[0])
    pid = park["park_id"]
    page.goto(f"{long_api_url}/#/parks/{pid}?period=last_week&view=history")
    wait_history(page, "park", pid)
    section = wait_heatmap(page, "park", "last_90_days")
    body = api_get(long_api_url, f"/api/parks/{pid}/heatmap", period="last_90_days")
    assert body["timezone"] == park["timezone"]
    assert f"times in {park['timezone']}" in section.locator(".chart-note").inner_text()
    check_cells(section, body)
    assert any(c["down_share"] is None for c in body["cells"])  # closed at night
    assert any(c["down_share"] for c in body["cells"]), "some downtime in 22 simulated days"
    check_table(section, body)
    # Hovering a cell shows its numbers (the title).
    busiest = max((c for c in body["cells"] if c["down_share"] is not None),
                  key=lambda c: c["down_share"])
    cell = section.locator(f'.hm-cell[data-weekday="{busiest["weekday"]}"]'
                           f'[data-hour="{busiest["hour"]}"]')
    cell.hover()
    assert percent(busiest["down_share"]) in (cell.get_attribute("title") or "")
    save(page, artifacts, "heatmap", element="#details section.heatmap")

    # Another period: asked again, drawn again.
    section.locator("select").select_option("last_week")
    section = wait_heatmap(page, "park", "last_week")
    check_cells(section, api_get(long_api_url, f"/api/parks/{pid}/heatmap", period="last_week"))
    tab.assert_no_errors()


def test_ride_heatmap_shows_the_rides_own_snapshots(tab: Tab, long_api_url: str) -> None:
    page = tab.page
    ride = api_get(long_api_url, "/api/rides/downtime", period="last_90_days", limit=1)["data"][0]
    page.goto(f"{long_api_url}/#/rides/{ride['ride_id']}?period=last_90_days&view=history")
    wait_history(page, "ride", ride["ride_id"])
    # The period chosen for the park's heatmap is not kept across page loads: the default.
    section = wait_heatmap(page, "ride", "last_90_days")
    body = api_get(long_api_url, f"/api/rides/{ride['ride_id']}/heatmap", period="last_90_days")
    assert body["ride_id"] == ride["ride_id"]
    check_cells(section, body)
    check_table(section, body)
    assert page.locator("#ride-heatmap-title").inner_text() == "When it breaks"
    tab.assert_no_errors()


def test_the_heatmap_fits_a_phone(phone_tab: Tab, long_api_url: str, artifacts: Path) -> None:
    page = phone_tab.page
    park = api_get(long_api_url, "/api/parks/downtime", period="last_week", limit=1)["data"][0]
    page.goto(f"{long_api_url}/#/parks/{park['park_id']}?period=last_week&view=history")
    wait_history(page, "park", park["park_id"])
    section = wait_heatmap(page, "park", "last_90_days")
    section.scroll_into_view_if_needed()
    grid = section.locator(".heatmap-grid").bounding_box()
    assert grid is not None and grid["x"] >= 0 and grid["x"] + grid["width"] <= 390
    last = section.locator('.hm-cell[data-weekday="7"][data-hour="23"]').bounding_box()
    assert last is not None and last["width"] >= 6, "a cell still big enough to see"
    save(page, artifacts, "phone-heatmap", element="#details section.heatmap")
    phone_tab.assert_no_errors()
