"""The Atom feeds (web/feeds.py): outside /api, answered as ``application/atom+xml``
(RFC 4287), conditional on ``If-None-Match``; their errors are the API's JSON envelope."""

from __future__ import annotations

from themepark_tracker.queries.rankings import FILTERS
from themepark_tracker.web.openapi.paths import ERRORS, _json, _path, _query
from themepark_tracker.web.openapi.schemas import Schema, ref

ATOM = {"application/atom+xml": {"schema": {"type": "string"}}}


def _feed(summary: str, parameters: list[Schema], *, found: bool) -> Schema:
    errors = {**ERRORS, **({"404": "no such id"} if found else {})}
    responses: Schema = {
        "200": {"description": "an Atom feed of the newest 50 entries; ETag set",
                "content": ATOM},
        "304": {"description": "not modified: If-None-Match matched the ETag"},
        **{status: _json(text, ref("Error")) for status, text in sorted(errors.items())},
    }
    etag = {"name": "If-None-Match", "in": "header", "required": False,
            "schema": {"type": "string"}, "description": "an ETag from an earlier answer"}
    return {"get": {"summary": summary, "parameters": [*parameters, etag],
                    "responses": responses}}


def paths() -> dict[str, Schema]:
    """web/feeds.py."""
    return {
        "/feeds/rides/{ride_id}.atom": _feed(
            "Atom feed: this attraction going down (ride.down) and back up (ride.up)",
            [_path("ride_id")], found=True),
        "/feeds/parks/{park_id}.atom": _feed(
            "Atom feed: the park's attractions going down and back up",
            [_path("park_id")], found=True),
        "/feeds/outages.atom": _feed(
            "Atom feed: attractions going down and back up in every park, or only Disney "
            "and Universal", [_query("filter", {"enum": list(FILTERS), "default": FILTERS[0]},
                                     "which parks")], found=False),
    }
