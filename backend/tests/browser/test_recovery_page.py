""""Stay or go" on the page (SPEC §11): a ride down now is said in words, with the basis and
the sample size in a tooltip, on the ride page and in the live panel; the ride page lists its
outages and draws the park's recovery curve.

The simulated 6 parks × 8 days do not reliably have a ride down at "now" with 200 outages at
risk at its bucket (their outages are few and short, and which rides are down at the end
depends on the hour the tests run). So this test serves its own small database: one park
whose ride 101 has been down for the last 35 minutes, built through the ingest path, plus
600 hand-made past outages of ride 102 (tests/outage_rows.py), fitted as the daily job does.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import REPO, Tab, serve_api
from tests.browser.helpers import api_get, save, wait_details
from tests.factories import ingest, make_park, series
from tests.outage_rows import add_outages
from themepark_tracker.aggregate.recovery import fit_curves
from themepark_tracker.db.engine import make_engine
from themepark_tracker.db.migrate import upgrade
from themepark_tracker.simulate import parse_end

ZONE = "Europe/Berlin"
INTERVAL = 5


def history() -> list[tuple[int, str]]:
    """600 past outages: most 5–20 minutes, many 30–60, a tail of 75 minutes to 4 hours;
    every seventh cut short by missing data (censored)."""
    out = []
    for k in range(600):
        if k % 10 < 5:
            minutes = 5 * (1 + k % 4)
        elif k % 10 < 9:
            minutes = 5 * (6 + k % 7)
        else:
            minutes = 15 * (5 + k % 12)
        out.append((minutes, "gap" if k % 7 == 0 else "recovered"))
    return out


@pytest.fixture(scope="module")
def down_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, datetime]]:
    end = parse_end(None, INTERVAL)
    now = end + timedelta(minutes=1)
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('recovery') / 'down.sqlite3'}")
    upgrade(engine)
    ids = make_park(engine, tiers=(1, 2, 2, 3, 2, 1), timezone=ZONE, reports_down=True,
                    name="Stay Or Go Park")
    # 3 hours of cycles: ride 101 down for 15 minutes early on, and for the last 35.
    rows = ["O" * 6] * 36
    for n in (5, 6, 7, *range(29, 36)):
        rows[n] = "D" + "O" * 5
    ingest(engine, series(1, end - timedelta(minutes=35 * INTERVAL), rows, ids))
    add_outages(engine, 1, 102, end - timedelta(days=160), history(), INTERVAL,
                spacing_minutes=360)
    fit_curves(engine, 180, now=now)
    server = serve_api(str(engine.url), now)
    yield f"http://127.0.0.1:{server.server.server_port}", now
    server.stop()
    engine.dispose()


def half_up_5(fraction: float) -> int:
    """The percentage rounded half up to the nearest 5."""
    return int((Decimal(repr(fraction)) * 20).quantize(Decimal(1), ROUND_HALF_UP)) * 5


def expected_sentence(outage: dict[str, Any]) -> str:
    started = datetime.fromisoformat(outage["started_at"].replace("Z", "+00:00"))
    r = outage["recovery"]
    return (f"Down since {started.astimezone(ZoneInfo(ZONE)):%H:%M}, "
            f"{outage['down_minutes']} min. Of outages that had already lasted "
            f"{r['bucket_minutes']} minutes here, {half_up_5(r['within_30'])} % ended within "
            f"the next 30 minutes and {half_up_5(r['within_60'])} % within an hour.")


def test_a_down_ride_s_estimate_in_words(tab: Tab, down_api: tuple[str, datetime],
                                        artifacts: Path) -> None:
    api_url, _ = down_api
    body = api_get(api_url, "/api/rides/101/details", period="today")
    outage = body["outage"]
    assert outage["down_minutes"] == 35 and outage["recovery"]["basis"] == "park"
    assert outage["recovery"]["at_risk"] >= 200 and outage["recovery"]["bucket_minutes"] == 30
    page = tab.page
    page.goto(f"{api_url}/#/rides/101?period=today")
    wait_details(page, "ride", 101, "today")
    note = page.locator("#details .outage-now .outage-note")
    assert note.inner_text().startswith(expected_sentence(outage))
    tip = note.get_attribute("title")
    assert f"Based on {outage['recovery']['at_risk']} outages at this park" in tip
    left = outage["recovery"]["remaining"]
    assert (f"Counted from the 30-minute mark, a quarter of them were back up within "
            f"{left['p25']} minutes more, half within {left['p50']} and three quarters "
            f"within {left['p75']}.") in note.inner_text()
    # While the ride is down: the conditional estimate, not its unconditional figures.
    assert page.locator("#details .reliability").count() == 0
    # Its outages as a list (the earlier one ended, this one ongoing), the curve as a chart.
    rows = page.locator("#details section:has(#incidents-title) tbody tr")
    assert rows.count() == len(body["incidents"]) == 2
    assert "Back up" in rows.nth(0).inner_text() and "Still down" in rows.nth(1).inner_text()
    page.locator("#recovery-chart").wait_for()
    drawn = page.evaluate("() => Chart.getChart(document.getElementById('recovery-chart'))"
                          ".data.datasets.map((d) => d.label)")
    assert drawn == ["This park", "Parks like this one"]
    shot = save(page, artifacts, "ride-recovery", element="#details")
    shutil.copy(shot, REPO / "docs" / "screenshots" / "ride-recovery.png")
    page.locator("#recovery-chart").scroll_into_view_if_needed()
    save(page, artifacts, "ride-recovery-curve",
         element="#details section:has(#recovery-chart)")
    # The live panel says the same.
    page.goto(f"{api_url}/")
    item = page.locator('#live-body .down-list li[data-ride-id="101"] .outage-note')
    item.wait_for()
    assert item.inner_text().startswith(expected_sentence(outage))
    save(page, artifacts, "live-down-now", element="#live-panel")
    tab.assert_no_errors()


def test_an_operating_ride_shows_its_reliability(tab: Tab, down_api: tuple[str, datetime]
                                                 ) -> None:
    api_url, _ = down_api
    page = tab.page
    page.goto(f"{api_url}/#/rides/103?period=today")
    wait_details(page, "ride", 103, "today")
    assert page.locator("#details .outage-now").count() == 0
    reliability = page.locator("#details .reliability").inner_text()
    assert "not enough outages yet" in reliability
    tab.assert_no_errors()
