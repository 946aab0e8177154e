"""Fetch many things at once with the shared client; a failure of one is logged, not fatal."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from themepark_tracker.errors import UserError

logger = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")


def fetch_all(keys: Iterable[K], fetch: Callable[[K], V], workers: int
              ) -> tuple[dict[K, V], dict[K, str]]:
    """(results, problems) by key. Upstream trouble (``SourceError``) and anything else a
    payload can provoke become a problem for that key only."""
    keys = list(keys)
    results: dict[K, V] = {}
    problems: dict[K, str] = {}
    if not keys:
        return results, problems
    with ThreadPoolExecutor(max_workers=max(1, workers),
                            thread_name_prefix="fetch") as pool:
        futures = {key: pool.submit(fetch, key) for key in keys}
        for key, future in futures.items():
            try:
                results[key] = future.result()
            except UserError as exc:
                problems[key] = str(exc)
            except Exception as exc:  # noqa: BLE001 - one bad payload must not stop the rest
                logger.debug("fetching %s failed", key, exc_info=True)
                problems[key] = f"{type(exc).__name__}: {exc}"
    return results, problems
