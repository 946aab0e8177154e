"""Atom feeds (RFC 4287) of rides going down and coming back up, no account needed:

- ``/feeds/rides/<id>.atom``: one ride's ``ride.down`` and ``ride.up`` events;
- ``/feeds/parks/<id>.atom``: those of every ride of one park;
- ``/feeds/outages.atom?filter=all-parks|disney-universal``: those of every park.

Each holds the newest 50 entries. An entry's ``id`` is a URN made from the event's stable id
(``urn:themepark-tracker:event:<event id>``), so a reader never shows one event twice; its
``updated`` is the event's instant, its link the ride's page, and its ``rights`` the sources'
attribution. Answers carry an ``ETag`` (a hash of the body) and answer a matching
``If-None-Match`` with 304. Errors are the API's JSON envelopes (web/errors.py): an unknown
ride or park is a 404, a bad id, a bad ``filter`` or any other parameter a 400.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, request
from sqlalchemy import Connection

from themepark_tracker.queries.feeds import (
    FeedSubject,
    feed_entries,
    park_subject,
    ride_subject,
)
from themepark_tracker.queries.live import from_live_feeds
from themepark_tracker.queries.rankings import FILTERS
from themepark_tracker.sources.attribution import ATTRIBUTION
from themepark_tracker.timeutil import iso_utc
from themepark_tracker.web import params
from themepark_tracker.web.respond import FRESH_MAX_AGE, services

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml"
URN = "urn:themepark-tracker"
#: A feed with no entry yet was last updated at no known time: the Unix epoch says so.
NEVER = datetime(1970, 1, 1)
RIGHTS = "; ".join(f"{a['text']} ({a['url']})" for a in ATTRIBUTION)
NOT_LIVE = ("Simulated data: some or all parks here did not come from the live feeds (a demo "
            "or an import); these are not the real parks' records.")
TITLES = {"ride.down": "{ride} is down", "ride.up": "{ride} is back up"}


@bp.get("/rides/<ride_id>.atom")
def ride_feed(ride_id: str) -> Response:
    return _subject_feed("rides", "ride_id", "attraction", ride_id, ride_subject)


@bp.get("/parks/<park_id>.atom")
def park_feed(park_id: str) -> Response:
    return _subject_feed("parks", "park_id", "park", park_id, park_subject)


def _subject_feed(route: str, parameter: str, kind: str, raw_id: str,
                  find: Callable[[Connection, int], FeedSubject | None]) -> Response:
    """One ride's or park's feed: the id from the path, a 404 naming it when ``find`` has
    no such subject."""
    item_id = params.path_id(parameter, raw_id)
    params.reject_unknown()
    with services().engine.connect() as conn:
        subject = find(conn, item_id)
        if subject is None:
            raise params.not_found(kind, parameter, item_id)
        entries = feed_entries(conn, subject)
        live = from_live_feeds(conn)
    return _atom(f"{route}:{item_id}", subject, entries, _page(f"{route}/{item_id}"), live)


@bp.get("/outages.atom")
def outages_feed() -> Response:
    chosen = params.park_filter()
    params.reject_unknown()
    label = "Disney and Universal parks" if chosen == FILTERS[1] else "every park"
    subject = FeedSubject("outages", None, f"Rides down and back up: {label}")
    with services().engine.connect() as conn:
        entries = feed_entries(conn, subject, disney_universal_only=chosen == FILTERS[1])
        live = from_live_feeds(conn)
    return _atom(f"outages:{chosen}", subject, entries, request.host_url, live)


def _page(route: str) -> str:
    """The page's view of a ride or park (frontend/js/app.js reads the hash)."""
    return f"{request.host_url}#/{route}?period=today"


def _atom(key: str, subject: FeedSubject, entries: Sequence[dict[str, Any]], page: str,
          live: bool) -> Response:
    body = _document(key, subject, entries, page, live)
    response = Response(body, mimetype=ATOM_TYPE)
    response.headers["Cache-Control"] = f"public, max-age={FRESH_MAX_AGE}"
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.make_conditional(request)  # 304 without a body when If-None-Match matches
    return response


def _document(key: str, subject: FeedSubject, entries: Sequence[dict[str, Any]], page: str,
              live: bool) -> bytes:
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _add(feed, "id", f"{URN}:feed:{key}")
    _add(feed, "title", f"{subject.title}: down and back up"
         if subject.kind != "outages" else subject.title)
    newest = max((e["occurred_at"] for e in entries), default=NEVER)
    _add(feed, "updated", iso_utc(newest))
    _link(feed, request.base_url, "self", ATOM_TYPE)
    _link(feed, page, "alternate", "text/html")
    author = ET.SubElement(feed, f"{{{ATOM_NS}}}author")
    _add(author, "name", "themepark-tracker")
    _add(feed, "rights", RIGHTS)
    if not live:  # as the page's banner says: never pass simulated figures off as real
        _add(feed, "subtitle", NOT_LIVE)
    for entry in entries:
        _entry(feed, entry)
    text: str = ET.tostring(feed, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode()


def _entry(feed: ET.Element, entry: dict[str, Any]) -> None:
    payload = entry["payload"]
    node = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
    ride = (payload.get("ride") or {}).get("name", "")
    park = payload.get("park", {}).get("name", "")
    _add(node, "id", f"{URN}:event:{entry['event_id']}")
    _add(node, "title", TITLES[entry["event_type"]].format(ride=f"{ride} ({park})"))
    _add(node, "updated", iso_utc(entry["occurred_at"]))
    _link(node, _page(f"rides/{entry['ride_id']}"), "alternate", "text/html")
    ET.SubElement(node, f"{{{ATOM_NS}}}category", term=entry["event_type"])
    _add(node, "summary", f"{payload.get('text', '')} {RIGHTS}.")
    _add(node, "rights", RIGHTS)


def _add(parent: ET.Element, tag: str, text: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}")
    node.text = text
    return node


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM_NS}}}link", rel=rel, type=kind, href=href)
