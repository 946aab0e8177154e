""""Show the data" in the park dialog (issue 15): the rows behind the score, whose numbers as
shown on the page give back the score shown beside them (the arithmetic is done here from the
page's own text), each hour opening to its cycles, and the rows as a CSV download."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from tests.browser.conftest import Tab
from tests.browser.helpers import api_get, save, wait_details


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", "").strip())


def half_up(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def open_evidence(page: Any, api_url: str, park_id: int, period: str) -> Any:
    page.goto(f"{api_url}/#/parks/{park_id}?period={period}")
    wait_details(page, "park", park_id, period)
    page.locator("details.evidence summary").click()
    page.locator("details.evidence .evidence-sum").wait_for()
    return page.locator("details.evidence")


def ranked_park(api_url: str, period: str) -> dict[str, Any]:
    ranked = api_get(api_url, "/api/parks/downtime", period=period, limit=200)["data"]
    scored = [r for r in ranked if r["shame_score"]]
    assert scored, f"the simulated parks have downtime {period}"
    return scored[0]


def test_todays_rows_add_up_to_the_score_shown(tab: Tab, api_url: str, artifacts: Path) -> None:
    page = tab.page
    park = ranked_park(api_url, "today")
    box = open_evidence(page, api_url, park["park_id"], "today")
    shown = page.locator(".score-value").get_attribute("data-score")
    # Column 2 is the open cycles, column 3 Σ s(t), as the page prints them (4 decimals).
    rows = box.locator("tr.evidence-row")
    opens = [number(t) for t in rows.locator("td:nth-child(2)").all_inner_texts()]
    sums = [number(t) for t in rows.locator("td:nth-child(3)").all_inner_texts()]
    assert len(opens) in (23, 24, 25)
    assert half_up(sum(sums) / sum(opens)) == shown == f"{park['shame_score']:.1f}"
    assert box.locator(".evidence-score").inner_text() == shown

    # An hour with cycles opens to them: W, D and s for each, summing to the hour's row.
    first = next(i for i, n in enumerate(opens) if n > 0)
    rows.nth(first).get_by_role("button", name="Cycles").click()
    cycles = box.locator("tr.evidence-cycles-row tbody tr")
    cycles.first.wait_for()
    s_values = [t for t in cycles.locator("td:nth-child(5)").all_inner_texts()]
    listed = sum(number(t) for t in s_values if t != "—")
    assert abs(listed - sums[first]) <= Decimal("0.0001") * len(s_values)
    save(page, artifacts, "evidence-today", element="#details[open]")

    # The CSV holds the same rows.
    with page.expect_download() as download:
        box.locator("a.evidence-csv").click()
    text = Path(download.value.path()).read_text()
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == len(opens)
    assert sum(int(r["open_snapshot_count"]) for r in table) == sum(opens)


def test_last_weeks_daily_scores_average_to_the_score_shown(tab: Tab, api_url: str) -> None:
    page = tab.page
    park = ranked_park(api_url, "last_week")
    box = open_evidence(page, api_url, park["park_id"], "last_week")
    shown = page.locator(".score-value").get_attribute("data-score")
    days = box.locator("tr.evidence-row[data-open='1'] td:nth-child(4)").all_inner_texts()
    scores = [number(t) for t in days]
    assert 1 <= len(scores) <= 7
    assert half_up(sum(scores) / len(scores)) == shown == f"{park['shame_score']:.1f}"
