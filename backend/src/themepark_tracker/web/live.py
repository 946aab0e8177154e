"""/api/live and /api/search: what is happening now, and finding a park or ride by name."""

from __future__ import annotations

from flask import Blueprint, Response

from themepark_tracker.queries.live import status_summary
from themepark_tracker.queries.search import search as search_names
from themepark_tracker.web import params
from themepark_tracker.web.respond import api_response

bp = Blueprint("live", __name__, url_prefix="/api")


@bp.get("/live/status-summary")
def live_status_summary() -> Response:
    park_id = params.optional_id("park_id")
    return api_response(lambda conn, now: status_summary(conn, now, park_id), period="live")


@bp.get("/search")
def search() -> Response:
    text = params.search_text()
    return api_response(lambda conn, now: search_names(conn, text), attribution=False)
