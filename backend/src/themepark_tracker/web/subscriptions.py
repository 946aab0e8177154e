"""/api/subscriptions: webhook subscriptions over HTTP, for an operator with ADMIN_TOKEN (the
only part of the API that writes). ``Authorization: Bearer <ADMIN_TOKEN>`` on every request:
none is a 401, a wrong one a 403, compared in constant time; a server without ADMIN_TOKEN
refuses every request (403). Answers are never cached; the API's rate limit counts them.
The same rules as ``themepark webhooks add`` (webhooks/store.py), including the refusal of
private and loopback targets."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Response, jsonify, request

from themepark_tracker.web import params
from themepark_tracker.web.errors import ApiError
from themepark_tracker.web.respond import services
from themepark_tracker.webhooks import store
from themepark_tracker.webhooks.targets import TargetError

bp = Blueprint("subscriptions", __name__, url_prefix="/api/subscriptions")

#: The fields of a POST body and the JSON types each takes (bool is not a number here).
FIELDS: dict[str, tuple[type, ...]] = {
    "url": (str,), "event": (str,), "park_id": (int,), "ride_id": (int,),
    "threshold": (int, float), "minutes": (int,), "format": (str,),
}
REQUIRED = ("url", "event")


@bp.before_request
def authorize() -> None:
    """The bearer token, before anything else is looked at."""
    if request.method == "OPTIONS":
        return  # a CORS preflight carries no credentials
    expected = services().settings.admin_token
    if expected is None:
        raise ApiError(403, "forbidden", "this server has no ADMIN_TOKEN set, so the "
                       "subscription API is off (use `themepark webhooks`)")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized",
                       "send the admin token as 'Authorization: Bearer <ADMIN_TOKEN>'")
    if not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise ApiError(403, "forbidden", "the bearer token is not the admin token")


@bp.after_request
def headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="themepark-tracker"'
    return response


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "the body must be a JSON object "
                       "(Content-Type: application/json)")
    for name, value in body.items():
        if name not in FIELDS:
            raise ApiError(400, "invalid_body", f"unknown field {name!r}: a subscription "
                           f"takes {', '.join(FIELDS)}", name)
        if value is not None and (isinstance(value, bool)
                                  or not isinstance(value, FIELDS[name])):
            raise ApiError(400, "invalid_body", f"{name} has the wrong type", name)
    for name in REQUIRED:
        if body.get(name) is None:
            raise ApiError(400, "invalid_body", f"{name} is required", name)
    for name in ("park_id", "ride_id"):
        if body.get(name) is not None and not 1 <= body[name] <= params.MAX_ID:
            raise ApiError(400, "invalid_body", f"{name} must be from 1 to {params.MAX_ID}",
                           name)
    return body


@bp.post("")
def create() -> tuple[Response, int]:
    params.reject_unknown()
    body = _body()
    threshold = body.get("threshold")
    new = store.NewSubscription(
        url=body["url"], event_type=body["event"], park_id=body.get("park_id"),
        ride_id=body.get("ride_id"), threshold=None if threshold is None else float(threshold),
        minutes=body.get("minutes"), format=body.get("format") or "json")
    svc = services()
    try:
        with svc.engine.begin() as conn:
            made = store.add(conn, new, svc.clock().replace(microsecond=0),
                             allow_private=svc.settings.webhook_allow_private)
    except store.SubscriptionError as exc:
        code = "not_found" if exc.status == 404 else "invalid_body"
        parameter = {"event_type": "event"}.get(exc.parameter, exc.parameter)
        raise ApiError(exc.status, code, str(exc), parameter) from None
    except TargetError as exc:
        raise ApiError(400, "invalid_target", str(exc), "url") from None
    return jsonify({"subscription": made}), 201


@bp.get("")
def list_subscriptions() -> Response:
    params.reject_unknown()
    with services().engine.connect() as conn:
        return jsonify({"subscriptions": store.list_all(conn)})


@bp.delete("/<subscription_id>")
def remove(subscription_id: str) -> Response:
    item_id = params.path_id("subscription_id", subscription_id)
    params.reject_unknown()
    with services().engine.begin() as conn:
        if not store.remove(conn, item_id):
            raise params.not_found("subscription", "subscription_id", item_id)
    return jsonify({"removed": item_id})
