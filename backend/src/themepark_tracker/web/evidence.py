"""/api/parks/<id>/evidence: the data behind a park's score, for a period (its hourly or daily
rows and their sums) or for one UTC hour (its cycles). See queries/evidence.py."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import Connection

from themepark_tracker.queries.evidence import park_evidence
from themepark_tracker.queries.evidence_cycles import hour_evidence
from themepark_tracker.queries.periods import EARLIEST_DATE
from themepark_tracker.web import params
from themepark_tracker.web.errors import ApiError
from themepark_tracker.web.respond import api_response, services

bp = Blueprint("evidence", __name__, url_prefix="/api/parks")

#: The one spelling of an hour: as the charts' ``hour_start_utc``.
HOUR_FORMAT = "YYYY-MM-DDTHH:00:00Z"
_HOUR = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:00:00Z")
#: How far a page of rows may start (a year of dates, or 25 hours, is far less).
OFFSET_RANGE = (0, 10_000)


@bp.get("/<park_id>/evidence")
def evidence(park_id: str) -> Response:
    item_id = params.path_id("park_id", park_id)
    hour = _hour()
    if hour is not None:
        if "period" in request.args:
            raise ApiError(400, "invalid_parameter",
                           "give period or hour, not both: hour is one UTC hour's cycles",
                           "period")
        return _respond(lambda conn, now: hour_evidence(conn, item_id, hour), item_id)
    period, limit, offset = params.period(), params.limit(), _offset()
    options = services().read_options
    return _respond(lambda conn, now: park_evidence(
        conn, item_id, period, now, offset=offset, limit=limit, **options), item_id,
        period=period)


def _respond(fetch: Any, item_id: int, *, period: str | None = None) -> Response:
    def build(conn: Connection, now: datetime) -> dict[str, Any]:
        found: dict[str, Any] | None = fetch(conn, now)
        if found is None:
            raise params.not_found("park", "park_id", item_id)
        return found

    return api_response(build, period=period)


def _hour() -> datetime | None:
    raw = params.given("hour")
    if raw is None:
        return None
    try:
        if not _HOUR.fullmatch(raw):
            raise ValueError
        value = datetime.fromisoformat(raw.removesuffix("Z"))
    except ValueError:
        raise ApiError(400, "invalid_parameter",
                       f"hour must be a UTC hour {HOUR_FORMAT}; got {raw!r}", "hour") from None
    if value.date() < EARLIEST_DATE:
        raise ApiError(400, "invalid_parameter",
                       f"hour must be from {EARLIEST_DATE}; got {raw}", "hour")
    return params.keep("hour", value)


def _offset() -> int:
    raw = params.given("offset")
    return params.keep("offset", OFFSET_RANGE[0] if raw is None
                       else params.whole_number("offset", raw, *OFFSET_RANGE))
