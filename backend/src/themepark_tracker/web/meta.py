"""/api/openapi.json: the API describing itself."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from themepark_tracker.web.openapi import document

bp = Blueprint("meta", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
