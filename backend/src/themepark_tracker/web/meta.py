"""/api/openapi.json (the API describing itself) and /api/health (for monitors)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from themepark_tracker.queries.health import OK, health_report
from themepark_tracker.web import params
from themepark_tracker.web.openapi import document
from themepark_tracker.web.respond import services

bp = Blueprint("meta", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def openapi() -> Response:
    params.reject_unknown()
    return jsonify(document())


@bp.get("/health")
def health() -> Response:
    """The database, collection freshness and aggregation lag: 200 when all is well, 503
    otherwise (so a load balancer or monitor needs only the status code). Never cached. A
    database failure is named generically here (the driver's message, which names the
    database user, host and database, goes to the log)."""
    params.reject_unknown()
    svc = services()
    report = health_report(svc.engine, svc.settings, svc.clock(), public=True)
    response = jsonify(report)
    response.status_code = 200 if report["status"] == OK else 503
    response.headers["Cache-Control"] = "no-store"
    return response
