"""/api/parks/<id>/heatmap and /api/rides/<id>/heatmap: when rides break (SPEC §7), by
park-local weekday and hour, over any period but ``live`` (default ``last_90_days``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response
from sqlalchemy import Connection

from themepark_tracker.queries.heatmap import park_heatmap, ride_heatmap
from themepark_tracker.queries.periods import API_PERIODS, LAST_90_DAYS, LIVE
from themepark_tracker.web import params
from themepark_tracker.web.respond import Fetch, api_response

bp = Blueprint("heatmap", __name__, url_prefix="/api")

#: A heatmap sums whole local hours: the latest cycle alone (``live``) makes no heatmap.
HEATMAP_PERIODS = tuple(p for p in API_PERIODS if p != LIVE)
DEFAULT_PERIOD = LAST_90_DAYS


def _heatmap(fetch: Fetch, raw_id: str, *, parameter: str, kind: str) -> Response:
    item_id = params.path_id(parameter, raw_id)
    period = params.period(HEATMAP_PERIODS, DEFAULT_PERIOD)

    def build(conn: Connection, now: datetime) -> dict[str, Any]:
        found = fetch(conn, item_id, period, now)
        if found is None:
            raise params.not_found(kind, parameter, item_id)
        return found

    return api_response(build, period=period)


@bp.get("/parks/<park_id>/heatmap")
def park(park_id: str) -> Response:
    return _heatmap(park_heatmap, park_id, parameter="park_id", kind="park")


@bp.get("/rides/<ride_id>/heatmap")
def ride(ride_id: str) -> Response:
    return _heatmap(ride_heatmap, ride_id, parameter="ride_id", kind="attraction")
