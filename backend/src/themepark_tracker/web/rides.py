"""/api/rides: rankings by downtime, wait times, one ride's details."""

from __future__ import annotations

from flask import Blueprint, Response

from themepark_tracker.queries.ride_reports import (
    RIDE_SORT_KEYS,
    ride_details,
    ride_rankings,
    ride_waittimes,
)
from themepark_tracker.web import params
from themepark_tracker.web.respond import api_response, details_response, services
from themepark_tracker.web.tabular import csv_or_json

bp = Blueprint("rides", __name__, url_prefix="/api/rides")


@bp.get("/downtime")
def downtime() -> Response:
    period, park_filter, limit = params.period(), params.park_filter(), params.limit()
    sort_by = params.choice("sort_by", RIDE_SORT_KEYS, RIDE_SORT_KEYS[0])
    park_id = params.optional_id("park_id")
    options = services().read_options
    return csv_or_json(api_response(lambda conn, now: ride_rankings(
        conn, period, now, park_filter=park_filter, limit=limit, sort_by=sort_by,
        park_id=park_id, **options), period=period), "data", "RideRank")


@bp.get("/waittimes")
def waittimes() -> Response:
    period, park_filter, limit = params.period(), params.park_filter(), params.limit()
    options = services().read_options
    return api_response(lambda conn, now: ride_waittimes(
        conn, period, now, park_filter=park_filter, limit=limit, **options), period=period)


@bp.get("/<ride_id>/details")
def details(ride_id: str) -> Response:
    return details_response(ride_details, ride_id, parameter="ride_id", kind="attraction")
