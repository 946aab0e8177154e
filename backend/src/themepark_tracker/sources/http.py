"""The one HTTP client both sources use: timeouts, retries with backoff, ``429`` honoured through
``Retry-After``, a polite limit on concurrent requests, and a User-Agent naming the project.

It returns parsed JSON or raises ``SourceError`` whose message names the URL and the problem;
it never touches the database.
"""

from __future__ import annotations

import logging
import threading
import time
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx

from themepark_tracker.config import Settings
from themepark_tracker.errors import UserError

logger = logging.getLogger(__name__)

#: Where upstream operators can read what this client is and who runs it.
PROJECT_URL = "https://github.com/themepark-tracker/themepark-tracker"

#: First pause between attempts; doubled after each failed attempt.
BACKOFF_SECONDS = 0.5
#: A ``Retry-After`` longer than this is not waited for: the request fails instead.
MAX_RETRY_AFTER_SECONDS = 120.0

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class SourceError(UserError):
    """An upstream request failed for good (after retries), or sent something unreadable."""


def user_agent() -> str:
    try:
        ours = version("themepark-tracker")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        ours = "dev"
    return f"themepark-tracker/{ours} (+{PROJECT_URL})"


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class HttpClient:
    """A thread-safe JSON getter; use as a context manager so the connections are closed."""

    def __init__(self, settings: Settings) -> None:
        self.retries = settings.http_retries
        self._slots = threading.BoundedSemaphore(settings.http_concurrency)
        self._client = httpx.Client(
            timeout=httpx.Timeout(float(settings.http_timeout_seconds)),
            headers={"User-Agent": user_agent(), "Accept": "application/json"},
            follow_redirects=True,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get_json(self, url: str) -> Any:
        """GET ``url`` and parse its JSON body, retrying what is worth retrying."""
        attempt = 0
        while True:
            wait, problem = self._attempt(url, attempt)
            if problem is None:
                return wait  # the parsed body
            if attempt >= self.retries or wait is None:
                raise SourceError(f"GET {url} failed: {problem}")
            attempt += 1
            logger.debug("GET %s: %s; retry %d in %.1f s", url, problem, attempt, wait)
            time.sleep(wait)

    def _attempt(self, url: str, attempt: int) -> tuple[Any, str | None]:
        """(parsed body, None) on success; else (seconds to wait before a retry, or None when
        retrying cannot help, and the problem)."""
        backoff = BACKOFF_SECONDS * 2 ** attempt
        try:
            with self._slots:
                response = self._client.get(url)
        except httpx.TimeoutException:
            return backoff, "timed out"
        except httpx.TransportError as exc:
            return backoff, f"{type(exc).__name__}: {exc}"
        if response.status_code in RETRY_STATUSES:
            problem = f"HTTP {response.status_code}"
            if response.status_code == 429:
                asked = retry_after_seconds(response.headers.get("Retry-After"))
                if asked is not None and asked > MAX_RETRY_AFTER_SECONDS:
                    return None, f"{problem}, Retry-After {asked:.0f} s is too long to wait"
                return (backoff if asked is None else asked), problem
            return backoff, problem
        if response.status_code >= 400:
            return None, f"HTTP {response.status_code}"
        try:
            return response.json(), None
        except ValueError:
            return None, "the response is not JSON"
