"""/api/parks/<id>/history, /api/rides/<id>/history and /api/records: the long record
(issue 14). The histories also answer ``Accept: text/csv`` (web/tabular.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response
from sqlalchemy import Connection

from themepark_tracker.queries.history import park_history, ride_history
from themepark_tracker.queries.periods import LAST_365_DAYS, RANGE, PeriodError
from themepark_tracker.queries.records import RECORD_PERIODS, records
from themepark_tracker.web import params
from themepark_tracker.web.errors import ApiError
from themepark_tracker.web.respond import Fetch, api_response, services
from themepark_tracker.web.tabular import csv_or_json

bp = Blueprint("history", __name__, url_prefix="/api")


def _history(fetch: Fetch, raw_id: str, *, parameter: str, kind: str) -> Response:
    """One park's or ride's history: the id from the path, ``from``/``to`` validated like
    the periods' (SPEC §5), a 404 naming the id when ``fetch`` finds nothing."""
    item_id = params.path_id(parameter, raw_id)
    first, last = params.local_date("from"), params.local_date("to")
    options = services().read_options

    def build(conn: Connection, now: datetime) -> dict[str, Any]:
        try:
            found = fetch(conn, item_id, first, last, now, **options)
        except PeriodError as error:
            raise ApiError(400, "invalid_parameter", error.message, error.parameter) from None
        if found is None:
            raise params.not_found(kind, parameter, item_id)
        return found

    # Whole past dates: kept as long as the other past periods (max_age of ``range``).
    return api_response(build, period=RANGE)


@bp.get("/parks/<park_id>/history")
def park(park_id: str) -> Response:
    return csv_or_json(_history(park_history, park_id, parameter="park_id", kind="park"),
                       "days", "ParkHistoryDay")


@bp.get("/rides/<ride_id>/history")
def ride(ride_id: str) -> Response:
    return csv_or_json(_history(ride_history, ride_id, parameter="ride_id", kind="attraction"),
                       "days", "RideHistoryDay")


@bp.get("/records")
def all_records() -> Response:
    period = params.period(RECORD_PERIODS, LAST_365_DAYS)
    options = services().read_options
    return api_response(lambda conn, now: records(conn, period, now, **options), period=period)
