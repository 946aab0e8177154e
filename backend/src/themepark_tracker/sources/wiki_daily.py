"""ThemeParks.wiki's published daily summaries: ``GET /entity/{id}/history/daily``.

For a park the answer lists ``entities[]`` (its attractions, shows, restaurants), each with
``days[]``; for one attraction it lists ``days[]`` directly. A day row carries ThemeParks.wiki's
own ``operatingMinutes`` and ``downMinutes`` (and more: ``unknownMinutes``, standby
percentiles, ``inParkHours``), computed by ThemeParks.wiki from its own observations. They are
THEIR figures: ``themepark crosscheck`` prints them beside ours and never stores or shows them
as ours. (The full change history, ``/history``, is another module's.)

ThemeParks.wiki asks for attribution to https://themeparks.wiki wherever its data is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from themepark_tracker.sources.http import HttpClient, SourceError


@dataclass(frozen=True, slots=True)
class DailyFigure:
    """One entity's published figures for one local date (None where the row lacks one)."""

    entity_id: str
    name: str
    entity_type: str
    down_minutes: int | None
    operating_minutes: int | None


def daily_url(base_url: str, entity_id: str, day: date) -> str:
    query = urlencode({"from": day.isoformat(), "to": day.isoformat()})
    return f"{base_url.rstrip('/')}/entity/{entity_id}/history/daily?{query}"


def _minutes(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return int(value)


def _entity_rows(payload: Any, url: str) -> list[dict[str, Any]]:
    """The entities of a park's answer, or the one entity an attraction's answer is."""
    if not isinstance(payload, dict):
        raise SourceError(f"unexpected ThemeParks.wiki daily summary from {url}: "
                          "expected an object")
    if isinstance(payload.get("entities"), list):
        return [e for e in payload["entities"] if isinstance(e, dict)]
    if isinstance(payload.get("days"), list):
        return [payload]
    raise SourceError(f"unexpected ThemeParks.wiki daily summary from {url}: "
                      "neither an 'entities' nor a 'days' list")


def parse_daily(payload: Any, day: date, url: str = "history/daily") -> list[DailyFigure]:
    """Every entity's row for ``day`` (rows of other dates, which a page may hold, ignored);
    an entity without a row for ``day`` is left out. Raises SourceError naming ``url`` when
    the answer is not of this shape."""
    wanted = day.isoformat()
    out = []
    for entity in _entity_rows(payload, url):
        days = entity.get("days")
        if not entity.get("id") or not isinstance(days, list):
            raise SourceError(f"unexpected ThemeParks.wiki daily summary from {url}: an "
                              "entity without 'id' or 'days'")
        for row in days:
            if isinstance(row, dict) and row.get("date") == wanted:
                out.append(DailyFigure(
                    str(entity["id"]), str(entity.get("name") or "").strip(),
                    str(entity.get("entityType") or "").upper(),
                    _minutes(row.get("downMinutes")), _minutes(row.get("operatingMinutes"))))
    return out


def fetch_daily(client: HttpClient, base_url: str, entity_id: str, day: date
                ) -> list[DailyFigure]:
    url = daily_url(base_url, entity_id, day)
    return parse_daily(client.get_json(url), day, url)
