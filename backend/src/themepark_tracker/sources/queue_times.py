"""Queue-Times.com: ``GET /parks.json`` (the catalogue of parks, grouped by operator) and
``GET /parks/{id}/queue_times.json`` (rides and their open/closed state and wait).

Queue-Times asks for the attribution "Powered by Queue-Times.com" linking to
https://queue-times.com wherever its data is shown.
"""

from __future__ import annotations

from typing import Any

from themepark_tracker import metrics
from themepark_tracker.names import display_name
from themepark_tracker.sources.http import HttpClient, SourceError
from themepark_tracker.sources.models import (
    QUEUE_TIMES,
    LiveAnswer,
    LiveReading,
    SourcePark,
    SourceRide,
    categorise,
    newest,
    optional_wait,
    parse_feed_instant,
)
from themepark_tracker.sources.places import parse_point


def parks_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/parks.json"


def queue_times_url(base_url: str, park_id: str) -> str:
    return f"{base_url.rstrip('/')}/parks/{park_id}/queue_times.json"


def _require(condition: bool, url: str, what: str) -> None:
    if not condition:
        raise SourceError(f"unexpected Queue-Times payload from {url}: {what}")


def parse_parks(payload: Any, url: str = "parks.json") -> list[SourcePark]:
    """The operator groups of ``/parks.json``, flattened; a park without a usable id, name or
    time zone is left out (``sync`` reports what it could not use)."""
    _require(isinstance(payload, list), url, "expected a list of operator groups")
    out = []
    for group in payload:
        _require(isinstance(group, dict) and isinstance(group.get("parks"), list), url,
                 "each operator group needs a 'parks' list")
        for park in group["parks"]:
            if not isinstance(park, dict) or park.get("id") is None or not park.get("name"):
                continue
            point, notes = parse_point(park.get("latitude"), park.get("longitude"))
            out.append(SourcePark(
                source=QUEUE_TIMES, source_id=str(park["id"]),
                name=display_name(str(park["name"])), raw_name=str(park["name"]).strip(),
                timezone=str(park.get("timezone") or "").strip(),
                operator=str(group.get("name") or "") or None,
                country=str(park.get("country") or "") or None,
                latitude=point.latitude if point else None,
                longitude=point.longitude if point else None, notes=tuple(notes),
            ))
    return out


def _all_rides(payload: Any, url: str) -> list[dict[str, Any]]:
    """Rides inside ``lands[]`` and at the top level (some parks use only the latter)."""
    _require(isinstance(payload, dict), url, "expected an object with 'lands' and 'rides'")
    lands = payload.get("lands") or []
    top = payload.get("rides") or []
    _require(isinstance(lands, list) and isinstance(top, list), url,
             "'lands' and 'rides' must be lists")
    rides: list[dict[str, Any]] = []
    for land in lands:
        if isinstance(land, dict) and isinstance(land.get("rides"), list):
            rides.extend(r for r in land["rides"] if isinstance(r, dict))
    rides.extend(r for r in top if isinstance(r, dict))
    return [r for r in rides if r.get("id") is not None and r.get("name")]


def parse_rides(payload: Any, park_id: str, url: str = "queue_times.json") -> list[SourceRide]:
    seen: dict[str, SourceRide] = {}
    for ride in _all_rides(payload, url):
        name = str(ride["name"]).strip()
        seen[str(ride["id"])] = SourceRide(QUEUE_TIMES, str(ride["id"]), park_id,
                                           display_name(name), categorise(name), raw_name=name)
    return list(seen.values())


def parse_live(payload: Any, url: str = "queue_times.json") -> LiveAnswer:
    """``is_open`` true -> OPERATING, false -> CLOSED (SPEC §1); a closed ride has no wait.
    The answer's newest ``last_updated`` over every ride says whether the feed is current."""
    rides = _all_rides(payload, url)
    out = []
    for ride in rides:
        is_open = ride.get("is_open")
        status = metrics.queue_times_status(is_open) if isinstance(is_open, bool) \
            else metrics.UNKNOWN
        wait = optional_wait(ride.get("wait_time")) if status == metrics.OPERATING else None
        out.append(LiveReading(str(ride["id"]), status, wait))
    return LiveAnswer(out, newest(parse_feed_instant(r.get("last_updated")) for r in rides))


def fetch_parks(client: HttpClient, base_url: str) -> list[SourcePark]:
    url = parks_url(base_url)
    return parse_parks(client.get_json(url), url)


def fetch_rides(client: HttpClient, base_url: str, park_id: str) -> list[SourceRide]:
    url = queue_times_url(base_url, park_id)
    return parse_rides(client.get_json(url), park_id, url)


def fetch_live(client: HttpClient, base_url: str, park_id: str) -> LiveAnswer:
    url = queue_times_url(base_url, park_id)
    return parse_live(client.get_json(url), url)
