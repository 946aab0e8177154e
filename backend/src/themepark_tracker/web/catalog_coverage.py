"""/api/coverage: which parks each feed covers, as the last catalogue sync stored them."""

from __future__ import annotations

from flask import Blueprint, Response

from themepark_tracker.queries.catalog_coverage import catalog_coverage
from themepark_tracker.web.respond import api_response

bp = Blueprint("catalog_coverage", __name__, url_prefix="/api")


@bp.get("/coverage")
def coverage() -> Response:
    """Parks matched across Queue-Times and ThemeParks.wiki, on one feed only, their ride
    counts, and the listed parks not stored; no parameters (any is a 400)."""
    return api_response(lambda conn, now: catalog_coverage(conn))
