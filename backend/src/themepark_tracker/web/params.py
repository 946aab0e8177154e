"""The one validation layer for query parameters and path ids: every bad value is an
``ApiError`` that names the parameter and the values it accepts."""

from __future__ import annotations

from collections.abc import Sequence

from flask import request

from themepark_tracker.queries.periods import PERIODS, TODAY
from themepark_tracker.queries.rankings import FILTERS
from themepark_tracker.web.errors import ApiError

MAX_ID = 2**31 - 1
LIMIT_RANGE = (1, 200)
DEFAULT_LIMIT = 50
SEARCH_LENGTH = (1, 100)


def choice(name: str, allowed: Sequence[str], default: str) -> str:
    value = request.args.get(name)
    if value is None:
        return default
    if value not in allowed:
        raise ApiError(400, "invalid_parameter",
                       f"{name} must be one of {', '.join(allowed)}; got {value!r}", name)
    return value


def period() -> str:
    return choice("period", PERIODS, TODAY)


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
    raw = request.args.get("limit")
    return DEFAULT_LIMIT if raw is None else whole_number("limit", raw, *LIMIT_RANGE)


def optional_id(name: str) -> int | None:
    raw = request.args.get(name)
    return None if raw is None else whole_number(name, raw, 1, MAX_ID)


def path_id(name: str, raw: str) -> int:
    return whole_number(name, raw, 1, MAX_ID)


def search_text() -> str:
    raw = request.args.get("q")
    low, high = SEARCH_LENGTH
    if raw is None or not low <= len(raw.strip()) <= high:
        raise ApiError(400, "invalid_parameter",
                       f"q must be {low} to {high} characters of text to search for", "q")
    return raw.strip()


def not_found(kind: str, name: str, value: int) -> ApiError:
    return ApiError(404, "not_found", f"no {kind} with {name} {value}", name)
