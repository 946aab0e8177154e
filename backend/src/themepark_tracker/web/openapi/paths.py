"""The operations, one builder per resource (the blueprints parks, rides, live, meta): their
parameters, and their responses, every error one of them as the error envelope."""

from __future__ import annotations

from themepark_tracker.queries.periods import API_PERIODS, EARLIEST_DATE, MAX_RANGE_DAYS, TODAY
from themepark_tracker.queries.rankings import FILTERS, SORT_KEYS
from themepark_tracker.queries.ride_reports import RIDE_SORT_KEYS
from themepark_tracker.web.openapi.schemas import (
    PARK_RANKING,
    PARK_WAITS,
    RIDE_RANKING,
    RIDE_WAITS,
    SEARCH,
    STATUS_SUMMARY,
    Schema,
    ref,
)
from themepark_tracker.web.params import DEFAULT_LIMIT, LIMIT_RANGE, MAX_ID, SEARCH_LENGTH


def _query(name: str, schema: Schema, description: str) -> Schema:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _path(name: str) -> Schema:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


_PERIOD = _query("period", {"enum": list(API_PERIODS), "default": TODAY},
                 "live | today | yesterday | last_week | last_month | last_90_days | "
                 "last_365_days | date (with date=) | range (with from= and to=), each in "
                 "the park's local time (SPEC §5)")
_DATE = {"type": "string", "format": "date"}
#: ``period`` with the date parameters that ``date`` and ``range`` take.
PERIOD = [
    _PERIOD,
    _query("date", _DATE, f"with period=date: the local date, from {EARLIEST_DATE} up to the "
                          "latest any park has reached"),
    _query("from", _DATE, f"with period=range: the first local date, from {EARLIEST_DATE}"),
    _query("to", _DATE, f"with period=range: the last local date, yesterday at the latest, "
                        f"at most {MAX_RANGE_DAYS} days after from"),
]
FILTER = _query("filter", {"enum": list(FILTERS), "default": FILTERS[0]}, "which parks")
LIMIT = _query("limit", {"type": "integer", "minimum": LIMIT_RANGE[0],
                         "maximum": LIMIT_RANGE[1], "default": DEFAULT_LIMIT}, "rows returned")
PARK_ID = _query("park_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                 "one park only")


def _json(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


#: The errors any operation may answer, each with the error envelope.
ERRORS = {
    "400": "a parameter is invalid or unknown (the envelope names it)",
    "429": "too many requests; see Retry-After",
    "500": "an unexpected error (logged; the body says nothing internal)",
    "503": "the database is unavailable or not migrated",
}


def _responses(ok: Schema, *, found: bool = False) -> Schema:
    """200 with ``ok``; each of ``ERRORS`` (and, with ``found``, a 404 for an unknown id) with
    the error envelope."""
    errors = {**ERRORS, **({"404": "no such id"} if found else {})}
    return {"200": _json("OK", ok),
            **{status: _json(text, ref("Error")) for status, text in sorted(errors.items())}}


def _get(summary: str, parameters: list[Schema], responses: Schema) -> Schema:
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def parks() -> dict[str, Schema]:
    """web/parks.py."""
    return {
        "/api/parks/downtime": _get(
            "Parks ranked by shame score", [*PERIOD, FILTER, LIMIT, _query(
                "sort_by", {"enum": list(SORT_KEYS), "default": SORT_KEYS[0]}, "order")],
            _responses(PARK_RANKING)),
        "/api/parks/waittimes": _get(
            "Parks ranked by average posted wait", [*PERIOD, FILTER, LIMIT],
            _responses(PARK_WAITS)),
        "/api/parks/{park_id}/details": _get(
            "One park over a period: score, breakdown, chart", [_path("park_id"), *PERIOD],
            _responses(ref("ParkDetails"), found=True)),
        "/api/parks/{park_id}/recovery": _get(
            "The park's stored recovery curve and the pooled one of its kind (SPEC §11)",
            [_path("park_id")], _responses(ref("ParkRecovery"), found=True)),
    }


def rides() -> dict[str, Schema]:
    """web/rides.py."""
    return {
        "/api/rides/downtime": _get(
            "Attractions ranked by downtime", [*PERIOD, FILTER, LIMIT, _query(
                "sort_by", {"enum": list(RIDE_SORT_KEYS), "default": RIDE_SORT_KEYS[0]},
                "order"), PARK_ID],
            _responses(RIDE_RANKING)),
        "/api/rides/waittimes": _get(
            "Attractions ranked by average posted wait", [*PERIOD, FILTER, LIMIT],
            _responses(RIDE_WAITS)),
        "/api/rides/{ride_id}/details": _get(
            "One attraction over a period: downtime, waits, chart, incidents, reliability, "
            "the ongoing outage with its recovery estimate",
            [_path("ride_id"), *PERIOD], _responses(ref("RideDetails"), found=True)),
    }


def live() -> dict[str, Schema]:
    """web/live.py."""
    text = _query("q", {"type": "string", "minLength": SEARCH_LENGTH[0],
                        "maxLength": SEARCH_LENGTH[1]}, "text to find")
    return {
        "/api/live/status-summary": _get(
            "Attractions by status in each park's latest cycle", [PARK_ID],
            _responses(STATUS_SUMMARY)),
        "/api/search": _get("Parks and attractions by name", [{**text, "required": True}],
                            _responses(SEARCH)),
    }


def meta() -> dict[str, Schema]:
    """web/meta.py (the document itself is not among its own paths). Health answers 503 with
    its own body, saying which part is degraded or down."""
    responses = _responses(ref("Health")) | {
        "503": _json("degraded or down (the body says which part)", ref("Health"))}
    return {"/api/health": _get("Database, collection freshness and aggregation lag", [],
                                responses)}
