"""How every data endpoint answers: read through the response cache, add the newest-data time
and the sources' attribution, and say how long a browser may keep it."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from flask import Response, current_app, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy import Connection, Engine, make_url

from themepark_tracker.config import Settings
from themepark_tracker.queries.live import from_live_feeds, newest_data_at
from themepark_tracker.queries.park_stats import latest_local_date
from themepark_tracker.queries.periods import (
    DATE,
    LIVE,
    TODAY,
    Period,
    PeriodError,
    check_reached,
)
from themepark_tracker.sources.attribution import ATTRIBUTION
from themepark_tracker.timeutil import iso_utc
from themepark_tracker.web import params
from themepark_tracker.web.cache import Flights, NoCache, ResponseCache, data_generation
from themepark_tracker.web.errors import ApiError

#: Browser caching: what changes every collection cycle is kept a minute, the rest longer.
FRESH_MAX_AGE = 60

#: How often a worker asks the database whether an aggregation run has completed.
GENERATION_CHECK_SECONDS = 1.0

Build = Callable[[Connection, datetime], dict[str, Any]]


@dataclass
class Services:
    """What the endpoints share, made once per app (nothing connects until a request)."""

    settings: Settings
    engine: Engine
    cache: ResponseCache
    clock: Callable[[], datetime]
    frontend_dir: Path | None = None  # None: the repository's frontend/
    flights: Flights = field(default_factory=Flights)
    _generation: tuple[float, int] = (float("-inf"), 0)
    _claim: threading.Lock = field(default_factory=threading.Lock)

    def known_generation(self) -> int | None:
        """The data generation if this worker read it within ``GENERATION_CHECK_SECONDS``
        (so a cached answer can outlive the aggregation that replaced its data by that long,
        and a cache hit needs no database round trip), else None: the caller is then to call
        ``read_generation``, and until it has, the worker's other requests go on with the
        value read before (one request per worker and second waits on the database, not
        every request that arrives meanwhile)."""
        checked, value = self._generation
        now = time.monotonic()
        if now - checked < GENERATION_CHECK_SECONDS:
            return value
        with self._claim:
            if self._generation[0] != checked:  # another request has claimed the re-read
                return self._generation[1]
            if checked > float("-inf"):
                self._generation = (now, value)
            return None

    def read_generation(self, conn: Connection) -> int:
        """The data generation, read from the database and remembered."""
        value = data_generation(conn)
        self._generation = (time.monotonic(), value)
        return value

    @cached_property
    def cache_namespace(self) -> str:
        """Instances over different databases may share one Redis: keep their keys apart. From
        the URL without its password: Redis key names are no place for a hash of a secret."""
        identity = make_url(self.settings.database_url).render_as_string(hide_password=True)
        return hashlib.sha1(identity.encode()).hexdigest()[:10]

    @property
    def read_options(self) -> dict[str, Any]:
        return {"interval_minutes": self.settings.collection_interval_minutes,
                "use_hourly": self.settings.use_hourly_tables}


def services() -> Services:
    svc: Services = current_app.extensions["themepark"]
    return svc


class JsonProvider(DefaultJSONProvider):
    """Numbers stay numbers (SPEC §6): a DECIMAL column becomes a float, not a string."""

    sort_keys = False

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return float(o)
        if isinstance(o, datetime):
            return iso_utc(o)
        if isinstance(o, date):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def max_age(period: str | None) -> int:
    svc = services()
    # A date may be a park's today, which changes with every cycle.
    if period in (None, LIVE, TODAY, DATE):
        return FRESH_MAX_AGE
    return svc.settings.cache_ttl_seconds


def reached(build: Build, period: str | None) -> Build:
    """``build``, first checking that ``period``'s dates are ones the parks have reached
    (a 400 naming the date parameter otherwise)."""
    if not isinstance(period, Period) or period.last is None:
        return build

    def checked(conn: Connection, now: datetime) -> dict[str, Any]:
        try:
            check_reached(period, latest_local_date(conn, now))
        except PeriodError as error:
            raise ApiError(400, "invalid_parameter", error.message, error.parameter) from None
        return build(conn, now)

    return checked


def api_response(build: Build, *, period: str | None = None, attribution: bool = True
                 ) -> Response:
    svc = services()
    build = reached(build, period)
    params.reject_unknown()
    query = params.cache_query()

    def key(generation: int) -> str:
        return f"{svc.cache_namespace}:{generation}:{request.path}?{query}"

    generation = svc.known_generation()
    if generation is None:
        with svc.engine.connect() as conn:
            generation = svc.read_generation(conn)
    cache_key = key(generation)
    body = svc.cache.get(cache_key)
    hit = body is not None
    if body is None:
        # Concurrent misses of one answer in a worker build it once (with no cache, each).
        flight = (nullcontext() if isinstance(svc.cache, NoCache)
                  else svc.flights.one_at_a_time(cache_key))
        with flight:
            body = svc.cache.get(cache_key)  # built meanwhile by the request waited for
            hit = body is not None
            if body is None:
                with svc.engine.connect() as conn:
                    payload = build(conn, svc.clock())
                    payload["newest_data_at"] = newest_data_at(conn)
                    payload["from_live_feeds"] = from_live_feeds(conn)
                if attribution:
                    payload["attribution"] = list(ATTRIBUTION)
                body = current_app.json.dumps(payload).encode()
                svc.cache.set(cache_key, body, svc.settings.cache_ttl_seconds)
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = f"public, max-age={max_age(period)}"
    response.headers["X-Cache"] = "HIT" if hit else "MISS"
    return response


#: A read-side function for one park or ride: (conn, id, period, now, **read_options) -> the
#: answer, or None when there is no such id.
Fetch = Callable[..., dict[str, Any] | None]


def details_response(fetch: Fetch, raw_id: str, *, parameter: str, kind: str) -> Response:
    """One park's or ride's details: the id from the path and the period validated, a 404
    naming the id when ``fetch`` finds nothing."""
    item_id = params.path_id(parameter, raw_id)
    period = params.period()
    options = services().read_options

    def build(conn: Connection, now: datetime) -> dict[str, Any]:
        found = fetch(conn, item_id, period, now, **options)
        if found is None:
            raise params.not_found(kind, parameter, item_id)
        return found

    return api_response(build, period=period)
