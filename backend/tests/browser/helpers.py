"""What the browser tests share: reading the API directly (the expected side), waiting for the
page to finish a view, and where the park's local hours fall (computed here with zoneinfo,
independently of the server)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")


def api_get(api_url: str, path: str, **params: Any) -> Any:
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    url = f"{api_url}{path}" + (f"?{query}" if query else "")
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - 127.0.0.1 only
        return json.load(response)


def wait_rankings(page: Any, period: str, view: str = "parks") -> str:
    """Wait until the rankings region shows ``period`` and ``view``; return its state."""
    region = page.locator(
        f'#results[data-period="{period}"][data-view="{view}"]'
        ':is([data-state="ready"], [data-state="empty"], [data-state="error"])')
    region.wait_for()
    return str(region.get_attribute("data-state"))


def wait_details(page: Any, kind: str, item_id: int, period: str) -> None:
    page.locator(f'#details[open][data-state="ready"] '
                 f'article[data-{kind}-id="{item_id}"][data-period="{period}"]').wait_for()


def chart_points(page: Any, canvas_id: str) -> dict[str, Any]:
    """Labels and first-series values of the Chart.js chart drawn on ``canvas_id``."""
    result: dict[str, Any] = page.evaluate(
        """(id) => { const c = Chart.getChart(document.getElementById(id));
                     return {labels: c.data.labels, values: c.data.datasets[0].data}; }""",
        canvas_id)
    return result


def hover_point(page: Any, canvas_id: str, index: int) -> None:
    """Move the mouse onto point ``index`` of the chart's first series (scrolled into view
    first: sections above the chart may push it below the fold)."""
    page.locator(f"#{canvas_id}").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([id, i]) => { const c = Chart.getChart(document.getElementById(id));
                          const p = c.getDatasetMeta(0).data[i];
                          const r = c.canvas.getBoundingClientRect();
                          return [r.left + p.x, r.top + p.y]; }""",
        [canvas_id, index])
    page.mouse.move(x, y)


def local_today(timezone: str, now: datetime | None = None) -> date:
    """The park's local date at the API's pinned "now" (conftest.sim_clock, naive UTC)."""
    from tests.browser.conftest import sim_clock

    now = now or sim_clock()[1].replace(tzinfo=UTC)
    return now.astimezone(ZoneInfo(timezone)).date()


def local_day_hours(timezone: str, day: date) -> list[tuple[datetime, str]]:
    """Each hour of the park's local ``day`` (23, 24 or 25): (UTC start, local "HH:00")."""
    zone = ZoneInfo(timezone)
    start = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone).astimezone(UTC)
    hours = []
    instant = start
    while instant < end:
        hours.append((instant, f"{instant.astimezone(zone):%H:00}"))
        instant += timedelta(hours=1)
    return hours


def local_span(hour_start_utc: str, timezone: str) -> str:
    """'14:00–15:00' in park time for the hour starting at ``hour_start_utc``."""
    zone = ZoneInfo(timezone)
    start = datetime.fromisoformat(hour_start_utc.replace("Z", "+00:00"))
    end = start + timedelta(hours=1)
    return f"{start.astimezone(zone):%H:%M}–{end.astimezone(zone):%H:%M}"


def save(page: Any, artifacts: Path, name: str, *, full_page: bool = False,
         element: str | None = None) -> Path:
    """A screenshot of the page (or of one element, e.g. the open dialog: Chromium's
    page screenshots leave the strip under a modal dialog undimmed)."""
    path = artifacts / f"{name}.png"
    if element:
        page.locator(element).screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=full_page)
    return path


def wait_history(page: Any, kind: str, item_id: int) -> None:
    """Wait for the dialog's history view (view=history) of a park or ride."""
    page.locator(f'#details[open][data-state="ready"] '
                 f'article[data-view="history"][data-{kind}-id="{item_id}"]').wait_for()


def wait_heatmap(page: Any, kind: str, period: str) -> Any:
    """The heatmap section of the open dialog once it shows ``period``."""
    section = page.locator(f'#details section.heatmap[data-state="ready"][data-period="{period}"]')
    section.wait_for()
    assert section.locator(".hm-cell").count() == 168, kind
    return section


def dataset_values(page: Any, canvas_id: str, index: int) -> list[Any]:
    """The values of dataset ``index`` of the Chart.js chart on ``canvas_id``."""
    values: list[Any] = page.evaluate(
        "([id, i]) => Chart.getChart(document.getElementById(id)).data.datasets[i].data",
        [canvas_id, index])
    return values


def one_decimal(value: float | None) -> str:
    """A number as the page shows it with one decimal ("—" for none), rounded half up, as
    ``Intl.NumberFormat`` does (the API sends these already rounded)."""
    if value is None:
        return "—"
    return f"{Decimal(str(value)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"
