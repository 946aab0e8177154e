"""ThemeParks.wiki's history API: ``/entity/{park}/history?date=D`` (every status change of
every entity of a park on one park-local day, paged with ``next``) and the park's published
hours for a past month (``/entity/{park}/schedule/{YYYY}/{MM}``).

The shapes follow the captures the official JavaScript SDK ships as test fixtures
(tests/fixtures/upstream/real/ThemeParks_JavaScript/): a park's answer is an ``entities`` list,
each with an ``opening`` (the state in force at the start of the day) and its ``history`` rows
(the entity's complete live data from each row's ``time`` until the next row's).

History has its own hourly request budget, so this client spaces its requests, waits out a
``429`` whose ``Retry-After`` is short, and raises ``HistoryBudgetExhausted`` (the caller stops
cleanly and resumes later) when it is long. A day before the key's window is
``HistoryWindowExceeded``, naming the limit. No database here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import httpx

from themepark_tracker import metrics
from themepark_tracker.config import Settings
from themepark_tracker.sources.http import (
    BACKOFF_SECONDS,
    SourceError,
    retry_after_seconds,
    user_agent,
)
from themepark_tracker.sources.models import SourceWindow, optional_wait, parse_feed_instant
from themepark_tracker.sources.themeparks_wiki import parse_schedule

logger = logging.getLogger(__name__)

#: Error types of the history API's JSON error body (``{"error": {"type", "message", ...}}``).
WINDOW_EXCEEDED = "HISTORY_WINDOW_EXCEEDED"
RATE_LIMITED = "HISTORY_RATE_LIMITED"


class HistoryWindowExceeded(SourceError):
    """The day asked for is before the first day this credential may query."""

    def __init__(self, message: str, earliest: date | None) -> None:
        super().__init__(message)
        self.earliest = earliest


class HistoryBudgetExhausted(SourceError):
    """The hourly history budget is spent and the wait is longer than we sit through."""


@dataclass(frozen=True, slots=True)
class StatusChange:
    """An entity's status and STANDBY wait from ``time`` on (until the next change)."""
    time: datetime
    status: str  # one of metrics.STATUSES
    wait_time: int | None


@dataclass
class EntityHistory:
    source_id: str
    name: str
    entity_type: str
    #: The state in force at the start of the day (None: the API holds nothing from before).
    opening: StatusChange | None
    changes: list[StatusChange] = field(default_factory=list)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _change(row: dict[str, Any], when: datetime | None) -> StatusChange | None:
    if when is None:
        return None
    raw = row.get("status")
    queue = _dict(row.get("queue"))
    standby = _dict(queue.get("STANDBY"))
    return StatusChange(when, metrics.themeparks_wiki_status(raw if isinstance(raw, str) else None),
                        optional_wait(standby.get("waitTime")))


def _entity(entry: dict[str, Any]) -> EntityHistory:
    opening = _dict(entry.get("opening"))
    rows = [r for r in entry.get("history") or [] if isinstance(r, dict)]
    changes = [c for r in rows if (c := _change(r, parse_feed_instant(r.get("time")))) is not None]
    return EntityHistory(str(entry["id"]), str(entry.get("name") or ""),
                         str(entry.get("entityType") or "").upper(),
                         _change(opening, parse_feed_instant(opening.get("time"))),
                         sorted(changes, key=lambda c: c.time))


def parse_history(payload: Any, url: str = "history") -> tuple[list[EntityHistory], str | None]:
    """A park's answer (``entities``) or a single entity's; and the ``next`` page, if any."""
    if not isinstance(payload, dict) or not (
            isinstance(payload.get("entities"), list) or isinstance(payload.get("history"), list)):
        raise SourceError(f"unexpected ThemeParks.wiki history payload from {url}: "
                          "expected an object with an 'entities' or a 'history' list")
    entries = payload.get("entities", [payload])
    out = [_entity(e) for e in entries if isinstance(e, dict) and e.get("id")]
    nxt = payload.get("next")
    return out, (nxt if isinstance(nxt, str) and nxt else None)


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _window_error(error: dict[str, Any]) -> HistoryWindowExceeded:
    earliest_text = str(error.get("earliestAllowedDate") or "")
    try:
        earliest: date | None = date.fromisoformat(earliest_text)
    except ValueError:
        earliest = None
    message = str(error.get("message") or "the day asked for is outside the history window")
    return HistoryWindowExceeded(
        f"ThemeParks.wiki history window exceeded: {message} Ask for fewer --days, or pass a "
        "key with a longer window (--api-key-env).", earliest)


class HistoryClient:
    """GETs to the history API, one at a time, each sent at least the configured spacing after
    the previous answer arrived."""

    def __init__(self, settings: Settings, api_key: str | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.retries = settings.http_retries
        self.spacing = settings.history_request_spacing_ms / 1000
        self.max_wait = float(settings.history_max_wait_seconds)
        self.requests = 0
        self.waited_seconds = 0.0
        self._sleep = sleep
        self._last = 0.0
        headers = {"User-Agent": user_agent(), "Accept": "application/json"}
        if api_key:
            headers["X-API-Key"] = api_key
        self._client = httpx.Client(timeout=httpx.Timeout(float(settings.http_timeout_seconds)),
                                    headers=headers, follow_redirects=True)

    def __enter__(self) -> HistoryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self.waited_seconds += seconds
            self._sleep(seconds)

    def get_json(self, url: str) -> Any:
        for attempt in range(self.retries + 1):
            self._pause(self._last + self.spacing - time.monotonic())
            self.requests += 1
            try:
                response = self._client.get(url)
            except httpx.TransportError as exc:
                self._last = time.monotonic()
                problem = f"{type(exc).__name__}: {exc}"
            else:
                self._last = time.monotonic()  # the spacing runs from the end of an answer
                if response.status_code == 429:
                    self._wait_for_budget(url, response)
                    continue
                if response.status_code < 400:
                    return self._json(url, response)
                self._refuse(url, response)
                problem = f"HTTP {response.status_code}"
            if attempt < self.retries:
                logger.debug("GET %s: %s; retrying", url, problem)
                self._pause(BACKOFF_SECONDS * 2 ** attempt)
                continue
            raise SourceError(f"GET {url} failed: {problem}")
        raise HistoryBudgetExhausted(f"ThemeParks.wiki history budget: GET {url} was still "
                                     f"refused (429) after {self.retries + 1} attempts")

    def _wait_for_budget(self, url: str, response: httpx.Response) -> None:
        error = _error_body(response)
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        if asked is None and isinstance(error.get("retryAfter"), int | float):
            asked = float(error["retryAfter"])
        asked = BACKOFF_SECONDS if asked is None else asked
        if asked > self.max_wait:
            message = str(error.get("message") or "the hourly history budget is spent")
            raise HistoryBudgetExhausted(
                f"ThemeParks.wiki history budget spent: {message} Retry in {asked:.0f} s "
                f"(longer than HISTORY_MAX_WAIT_SECONDS={self.max_wait:.0f}); run the same "
                "command again then: what is done is kept.")
        logger.info("ThemeParks.wiki history: 429 on %s; waiting %.0f s as asked", url, asked)
        self._pause(asked)

    @staticmethod
    def _refuse(url: str, response: httpx.Response) -> None:
        """4xx answers that retrying cannot help: a clear error naming what the API said."""
        if response.status_code >= 500:
            return
        error = _error_body(response)
        if error.get("type") == WINDOW_EXCEEDED:
            raise _window_error(error)
        detail = f" {error.get('type')}: {error.get('message')}" if error else ""
        raise SourceError(f"GET {url} failed: HTTP {response.status_code}{detail}")

    @staticmethod
    def _json(url: str, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise SourceError(f"GET {url} failed: the response is not JSON") from None


def fetch_park_day(client: HistoryClient, base_url: str, wiki_id: str, day: date
                   ) -> list[EntityHistory]:
    """Every entity's opening and changes on ``day``, following ``next`` to the last page (an
    entity on several pages has its rows joined)."""
    url: str | None = f"{base_url.rstrip('/')}/entity/{wiki_id}/history?date={day.isoformat()}"
    merged: dict[str, EntityHistory] = {}
    while url is not None:
        entities, url_next = parse_history(client.get_json(url), url)
        for entity in entities:
            if entity.source_id in merged:
                merged[entity.source_id].changes.extend(entity.changes)
            else:
                merged[entity.source_id] = entity
        url = url_next
    for entity in merged.values():
        entity.changes.sort(key=lambda c: c.time)
    return list(merged.values())


def fetch_schedule_month(client: HistoryClient, base_url: str, wiki_id: str, year: int,
                         month: int) -> list[SourceWindow]:
    url = f"{base_url.rstrip('/')}/entity/{wiki_id}/schedule/{year:04d}/{month:02d}"
    return parse_schedule(client.get_json(url), url)
