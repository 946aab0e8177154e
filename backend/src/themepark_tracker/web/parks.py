"""/api/parks: rankings by shame score, wait times, one park's details and recovery curves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response
from sqlalchemy import Connection

from themepark_tracker.queries.details import park_details
from themepark_tracker.queries.outages import park_recovery
from themepark_tracker.queries.rankings import SORT_KEYS, park_rankings
from themepark_tracker.queries.ride_reports import park_waittimes
from themepark_tracker.web import params
from themepark_tracker.web.respond import api_response, details_response, services
from themepark_tracker.web.tabular import csv_or_json

bp = Blueprint("parks", __name__, url_prefix="/api/parks")


@bp.get("/downtime")
def downtime() -> Response:
    period, park_filter, limit = params.period(), params.park_filter(), params.limit()
    sort_by = params.choice("sort_by", SORT_KEYS, SORT_KEYS[0])
    options = services().read_options
    return csv_or_json(api_response(lambda conn, now: park_rankings(
        conn, period, now, park_filter=park_filter, limit=limit, sort_by=sort_by, **options,
    ) | {"sort_by": sort_by}, period=period), "data", "ParkRank")


@bp.get("/waittimes")
def waittimes() -> Response:
    period, park_filter, limit = params.period(), params.park_filter(), params.limit()
    options = services().read_options
    return api_response(lambda conn, now: park_waittimes(
        conn, period, now, park_filter=park_filter, limit=limit, **options), period=period)


@bp.get("/<park_id>/details")
def details(park_id: str) -> Response:
    return details_response(park_details, park_id, parameter="park_id", kind="park")


@bp.get("/<park_id>/recovery")
def recovery(park_id: str) -> Response:
    """The park's stored recovery curve and the pooled one of its feed kind (SPEC §11)."""
    item_id = params.path_id("park_id", park_id)

    def build(conn: Connection, now: datetime) -> dict[str, Any]:
        found = park_recovery(conn, item_id)
        if found is None:
            raise params.not_found("park", "park_id", item_id)
        return found

    return api_response(build)
