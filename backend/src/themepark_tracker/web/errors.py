"""One error envelope for every API failure: ``{"error": {"code", "message", "parameter"}}``.

Bad input is a 400 or 404 naming the parameter and what it accepts; a missing or broken
database is a 503; anything unexpected is a logged 500 that tells the client nothing internal.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, parameter: str | None = None
                 ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.parameter = status, code, message, parameter


def envelope(status: int, code: str, message: str, parameter: str | None = None,
             headers: dict[str, Any] | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "parameter": parameter}})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return envelope(error.status, error.code, error.message, error.parameter)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        if status == 429:
            message = f"too many requests: the limit is {error.description}; retry later"
            return envelope(429, "rate_limited", message)
        if status == 404:
            message = f"no such endpoint: {request.path} (see /api/openapi.json)"
        else:
            message = error.description or error.name
        return envelope(status, HTTP_CODES.get(status, "http_error"), message)

    @app.errorhandler(OperationalError)
    @app.errorhandler(ProgrammingError)
    def database_error(error: DBAPIError) -> Response:
        logger.error("database error on %s: %s", request.path, error.orig)
        return envelope(503, "database_unavailable",
                        "the database is unavailable or not migrated "
                        "(run `themepark db upgrade`); try again later")

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        logger.exception("unhandled error on %s", request.path)
        return envelope(500, "internal_error", "internal error; it has been logged")
