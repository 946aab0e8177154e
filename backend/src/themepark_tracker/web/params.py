"""The one validation layer for query parameters and path ids: every bad value is an
``ApiError`` that names the parameter and the values it accepts.

Each endpoint's parameters are the ones it reads through this module: what a request gave
beyond them is a 400 (``reject_unknown``), a parameter given twice is a 400, and the response
cache is keyed on the validated values only (``cache_query``), so neither junk nor spelling
(``limit=01``, parameter order) makes a new cache entry."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import TypeVar
from urllib.parse import urlencode

from flask import g, request

from themepark_tracker.queries.periods import (
    API_PERIODS,
    DATE,
    EARLIEST_DATE,
    RANGE,
    TODAY,
    Period,
    PeriodError,
    date_range,
    one_date,
)
from themepark_tracker.queries.rankings import FILTERS
from themepark_tracker.web.errors import ApiError

MAX_ID = 2**31 - 1
LIMIT_RANGE = (1, 200)
DEFAULT_LIMIT = 50
SEARCH_LENGTH = (1, 100)
#: The date parameters and the period that takes each.
DATE_PARAMETERS = {"date": DATE, "from": RANGE, "to": RANGE}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

T = TypeVar("T")


def _taken() -> dict[str, object]:
    """The parameters this request's endpoint has validated so far, with their values."""
    if "query_params" not in g:
        g.query_params = {}
    taken: dict[str, object] = g.query_params
    return taken


def _raw(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise ApiError(400, "invalid_parameter",
                       f"{name} is given {len(values)} times; give it once", name)
    return values[0] if values else None


def _keep(name: str, value: T) -> T:
    _taken()[name] = value
    return value


def reject_unknown() -> None:
    """A 400 naming the first query parameter that the endpoint has not read (call it after
    reading them all)."""
    taken = _taken()
    unknown = [name for name in request.args if name not in taken]
    if unknown:
        accepted = f"takes only {', '.join(taken)}" if taken else "takes no parameters"
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise ApiError(400, "unknown_parameter",
                       f"unknown parameter {unknown[0]!r}{more}: {request.path} {accepted}",
                       unknown[0])


def cache_query() -> str:
    """The validated parameters (defaults included) as a canonical query string."""
    return urlencode(sorted((name, "" if value is None else str(value))
                            for name, value in _taken().items()))


def choice(name: str, allowed: Sequence[str], default: str) -> str:
    value = _raw(name)
    if value is None:
        return _keep(name, default)
    if value not in allowed:
        raise ApiError(400, "invalid_parameter",
                       f"{name} must be one of {', '.join(allowed)}; got {value!r}", name)
    return _keep(name, value)


def period(allowed: Sequence[str] = API_PERIODS, default: str = TODAY) -> str:
    """The period, with its dates for ``date`` (``date=``) and ``range`` (``from=``, ``to=``);
    a date parameter of another period, or one missing, is a 400 naming it."""
    name = choice("period", allowed, default)
    days = {p: local_date(p) for p in DATE_PARAMETERS}
    for parameter, day in days.items():
        if day is not None and DATE_PARAMETERS[parameter] != name:
            raise ApiError(400, "invalid_parameter",
                           f"{parameter} is taken only with period={DATE_PARAMETERS[parameter]}",
                           parameter)
        if day is None and DATE_PARAMETERS[parameter] == name:
            raise ApiError(400, "invalid_parameter",
                           f"period={name} needs {parameter}=YYYY-MM-DD", parameter)
    first, last = days["from"], days["to"]
    if name == DATE and days["date"] is not None:
        return one_date(days["date"])
    if name == RANGE and first is not None and last is not None:
        try:
            return date_range(first, last)
        except PeriodError as error:
            raise ApiError(400, "invalid_parameter", error.message, error.parameter) from None
    return Period(name)


def local_date(name: str) -> date | None:
    """A ``YYYY-MM-DD`` date parameter, or None if not given."""
    raw = _raw(name)
    if raw is None:
        return None
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, "invalid_parameter",
                       f"{name} must be a local date YYYY-MM-DD; got {raw!r}", name) from None
    if day < EARLIEST_DATE:
        raise ApiError(400, "invalid_parameter",
                       f"{name} must be a local date from {EARLIEST_DATE}; got {raw}", name)
    return _keep(name, day)


def park_filter() -> str:
    return choice("filter", FILTERS, FILTERS[0])


def whole_number(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
        if not raw.strip().lstrip("+-").isdigit():
            raise ValueError
    except ValueError:
        raise ApiError(400, "invalid_parameter",
                       f"{name} must be a whole number from {low} to {high}; got {raw!r}",
                       name) from None
    if not low <= value <= high:
        raise ApiError(400, "invalid_parameter",
                       f"{name} must be from {low} to {high}; got {value}", name)
    return value


def limit() -> int:
    raw = _raw("limit")
    return _keep("limit", DEFAULT_LIMIT if raw is None
                 else whole_number("limit", raw, *LIMIT_RANGE))


def optional_id(name: str) -> int | None:
    raw = _raw(name)
    return _keep(name, None if raw is None else whole_number(name, raw, 1, MAX_ID))


def path_id(name: str, raw: str) -> int:
    return whole_number(name, raw, 1, MAX_ID)


def search_text() -> str:
    """The text to search for: no control characters (NUL would end SQLite's LIKE pattern
    early and match every name)."""
    raw = _raw("q")
    control = next((c for c in raw or "" if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        raise ApiError(400, "invalid_parameter",
                       f"q must not contain control characters; got {control!r}", "q")
    low, high = SEARCH_LENGTH
    if raw is None or not low <= len(raw.strip()) <= high:
        raise ApiError(400, "invalid_parameter",
                       f"q must be {low} to {high} characters of text to search for", "q")
    return _keep("q", raw.strip())


def not_found(kind: str, name: str, value: int) -> ApiError:
    return ApiError(404, "not_found", f"no {kind} with {name} {value}", name)
