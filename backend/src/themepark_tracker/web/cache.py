"""Response cache (SPEC §9 ``CACHE_URL``): in-process by default, Redis when set, so every
worker shares it. Entries live ``cache_ttl_seconds``; their key carries the data generation
(the newest successful aggregation run), so an aggregation that completes makes every older
entry unreachable at once, in every worker, without anyone having to delete them."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TypeGuard

from sqlalchemy import Connection, func, select

from themepark_tracker.aggregate.runlog import SUCCESS
from themepark_tracker.db import tables as t

logger = logging.getLogger(__name__)


class ResponseCache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl: int) -> None: ...


class MemoryCache:
    """A bounded, thread-safe TTL map for one process."""

    def __init__(self, max_entries: int = 1024) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, value = entry
            if expires < time.monotonic():
                del self._entries[key]
                return None
            return value

    def set(self, key: str, value: bytes, ttl: int) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)


class RedisCache:
    """Shared by every worker. If Redis is unreachable the API still answers, uncached."""

    PREFIX = "themepark:response:"

    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=0.5,
                                            socket_connect_timeout=0.5)
        self._error = redis.RedisError
        self._warned = False

    def _failed(self, error: Exception) -> None:
        if not self._warned:
            logger.warning("response cache unavailable, serving uncached: %s", error)
            self._warned = True

    def get(self, key: str) -> bytes | None:
        try:
            value = self._client.get(self.PREFIX + key)
        except self._error as error:
            self._failed(error)
            return None
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl: int) -> None:
        try:
            self._client.setex(self.PREFIX + key, ttl, value)
        except self._error as error:
            self._failed(error)


class NoCache:
    """``CACHE_URL=none``: every request recomputes (for measuring, and for debugging)."""

    def get(self, key: str) -> bytes | None:
        return None

    def set(self, key: str, value: bytes, ttl: int) -> None:
        pass


class Flights:
    """Per-key locks for one process: of the requests that miss one entry at the same time,
    one builds it and the others wait for it and then read it from the cache, instead of each
    building it (a cold or just-invalidated entry met by many clients at once)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def one_at_a_time(self, key: str) -> Iterator[None]:
        with self._lock:
            lock, waiting = self._flights.get(key) or (threading.Lock(), 0)
            self._flights[key] = (lock, waiting + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                waiting = self._flights[key][1] - 1
                if waiting:
                    self._flights[key] = (lock, waiting)
                else:
                    del self._flights[key]


#: The CACHE_URL schemes that name a Redis server (``unix://`` is a Redis unix socket).
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def is_redis_url(cache_url: str | None) -> TypeGuard[str]:
    """Whether ``cache_url`` names a Redis server, which then holds the response cache and
    the rate-limit counters of every worker."""
    return cache_url is not None and cache_url.startswith(REDIS_SCHEMES)


def limiter_storage_uri(cache_url: str | None) -> str:
    """Where the rate-limit counters live: the Redis of ``cache_url`` (the ``limits`` library
    spells a unix socket ``redis+unix://``), else this process's memory."""
    if not is_redis_url(cache_url):
        return "memory://"
    return "redis+" + cache_url if cache_url.startswith("unix://") else cache_url


def make_cache(cache_url: str | None) -> ResponseCache:
    if cache_url == "none":
        return NoCache()
    if is_redis_url(cache_url):
        return RedisCache(cache_url)
    return MemoryCache()


def data_generation(conn: Connection) -> int:
    """Changes whenever an aggregation run completes successfully."""
    log = t.aggregation_log
    value = conn.execute(select(func.max(log.c.id)).where(log.c.status == SUCCESS)).scalar()
    return int(value or 0)
