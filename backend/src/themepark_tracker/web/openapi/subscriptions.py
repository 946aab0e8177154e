"""/api/subscriptions (web/subscriptions.py): webhook subscriptions, behind the bearer token
of ADMIN_TOKEN (the ``adminToken`` security scheme)."""

from __future__ import annotations

from themepark_tracker.metrics import SHAME_SCALE
from themepark_tracker.web.openapi.paths import ERRORS, _json
from themepark_tracker.web.openapi.schemas import Schema, closed, nullable, ref
from themepark_tracker.web.params import MAX_ID
from themepark_tracker.webhooks.messages import EVENT_TYPES, FORMATS
from themepark_tracker.webhooks.store import ACTIVE, FAILING, MINUTES_RANGE
from themepark_tracker.webhooks.targets import MAX_URL_LENGTH

SCHEME = "adminToken"
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_URL = {"type": "string", "minLength": 1, "maxLength": MAX_URL_LENGTH,
        "pattern": r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[!-~]*)?$",
        "description": "http:// or https://; refused when it resolves to a loopback, "
                       "private or link-local address (unless WEBHOOK_ALLOW_PRIVATE)"}
_THRESHOLD = {"minimum": 0, "exclusiveMaximum": SHAME_SCALE}
_MINUTES = {"minimum": MINUTES_RANGE[0], "maximum": MINUTES_RANGE[1]}

_PARK = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_FORMAT = {"enum": list(FORMATS), "default": "json"}


def _new(events: list[str], fields: dict[str, Schema], optional: tuple[str, ...]) -> Schema:
    return closed({"url": _URL, "event": {"enum": events}, **fields, "format": _FORMAT},
                  optional=(*optional, "format"))


#: What each event type takes (webhooks/store.py): a ride and/or a park for ride.down and
#: ride.up; a park and a threshold for park.score_above; a ride and minutes for
#: ride.wait_below.
NEW_SUBSCRIPTION = {"oneOf": [
    _new(["ride.down", "ride.up"], {"park_id": _PARK, "ride_id": _PARK}, ("park_id",)),
    _new(["ride.down", "ride.up"], {"park_id": _PARK}, ()),
    _new(["park.score_above"], {"park_id": _PARK, "threshold": {
        "type": "number", **_THRESHOLD}}, ()),
    _new(["ride.wait_below"], {"ride_id": _PARK, "minutes": {
        "type": "integer", **_MINUTES}}, ()),
]}

_FIELDS: dict[str, Schema] = {
    "subscription_id": _ID, "url": {"type": "string"}, "event": {"enum": list(EVENT_TYPES)},
    "park_id": nullable("integer"), "ride_id": nullable("integer"),
    "threshold": nullable("number"), "minutes": nullable("integer"),
    "format": {"enum": list(FORMATS)}, "status": {"enum": [ACTIVE, FAILING]},
    "consecutive_failures": {"type": "integer", "minimum": 0},
    "created_at": {"type": "string", "format": "date-time"},
}
SUBSCRIPTION = closed(_FIELDS)
CREATED = closed({**_FIELDS, "secret": {
    "type": "string", "description": "signs every delivery (SPEC §13); shown only here"}})

COMPONENTS: dict[str, Schema] = {"Subscription": SUBSCRIPTION, "NewSubscription":
                                 NEW_SUBSCRIPTION}
SECURITY_SCHEMES: dict[str, Schema] = {SCHEME: {
    "type": "http", "scheme": "bearer",
    "description": "ADMIN_TOKEN of the server; without it set, the API answers 403"}}

_AUTH_ERRORS = {
    "401": "no bearer token (Authorization: Bearer <ADMIN_TOKEN>)",
    "403": "a wrong token, or the server has no ADMIN_TOKEN",
}


def _errors(*, found: bool = False) -> Schema:
    texts = {**ERRORS, **_AUTH_ERRORS,
             **({"404": "no such subscription, park or ride"} if found else {})}
    return {status: _json(text, ref("Error")) for status, text in sorted(texts.items())}


def _operation(operation_id: str, summary: str, responses: Schema, **extra: Schema
               ) -> Schema:
    return {"operationId": operation_id, "summary": summary, "security": [{SCHEME: []}],
            "parameters": [], "responses": responses, **extra}


#: The id a POST answers is the one DELETE takes.
_REMOVE_LINK = {"RemoveSubscription": {
    "operationId": "removeSubscription",
    "parameters": {"subscription_id": "$response.body#/subscription/subscription_id"}}}


def paths() -> dict[str, Schema]:
    return {
        "/api/subscriptions": {
            "get": _operation("listSubscriptions",
                              "Every webhook subscription (without secrets)", {
                "200": _json("OK", closed({"subscriptions": {
                    "type": "array", "items": ref("Subscription")}})),
                **_errors()}),
            "post": _operation(
                "addSubscription",
                "Subscribe a URL to an event; the answer holds its secret, once", {
                    "201": {**_json("made", closed({"subscription": CREATED})),
                            "links": _REMOVE_LINK},
                    **_errors(found=True)},
                requestBody={"required": True, "content": {
                    "application/json": {"schema": ref("NewSubscription")}}}),
        },
        "/api/subscriptions/{subscription_id}": {
            "delete": {**_operation(
                "removeSubscription", "Remove a subscription and the deliveries it is owed", {
                "200": _json("removed", closed({"removed": _ID})), **_errors(found=True)}),
                "parameters": [{"name": "subscription_id", "in": "path", "required": True,
                                "schema": _ID}]},
        },
    }
