"""ThemeParks.wiki API v1: ``/destinations``, ``/entity/{id}``, ``/entity/{id}/children``,
``/entity/{id}/live`` and ``/entity/{id}/schedule``.

ThemeParks.wiki asks for attribution to https://themeparks.wiki wherever its data is shown.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from themepark_tracker import metrics
from themepark_tracker.names import display_name
from themepark_tracker.sources.http import HttpClient, SourceError
from themepark_tracker.sources.models import (
    THEMEPARKS_WIKI,
    LiveAnswer,
    LiveReading,
    SourcePark,
    SourceRide,
    SourceWindow,
    categorise,
    newest,
    optional_wait,
    parse_feed_instant,
)
from themepark_tracker.sources.places import parse_point

#: ThemeParks.wiki entity types that are rides of ours, and the category each starts as.
ENTITY_CATEGORIES = {"ATTRACTION": metrics.ATTRACTION, "SHOW": "SHOW",
                     "RESTAURANT": "RESTAURANT"}
#: Entity types in a park's children or live data that are not rides at all.
NOT_RIDES = frozenset({"PARK", "DESTINATION", "HOTEL"})


def _url(base_url: str, *parts: str) -> str:
    return "/".join([base_url.rstrip("/"), *parts])


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _require(condition: bool, url: str, what: str) -> None:
    if not condition:
        raise SourceError(f"unexpected ThemeParks.wiki payload from {url}: {what}")


def parse_destinations(payload: Any, url: str = "destinations") -> list[tuple[str, str, str]]:
    """(park id, park name, destination name) for every park of every destination."""
    _require(isinstance(payload, dict) and isinstance(payload.get("destinations"), list), url,
             "expected an object with a 'destinations' list")
    out = []
    for dest in payload["destinations"]:
        if not isinstance(dest, dict):
            continue
        for park in dest.get("parks") or []:
            if isinstance(park, dict) and park.get("id") and park.get("name"):
                out.append((str(park["id"]), str(park["name"]).strip(),
                            str(dest.get("name") or "").strip()))
    return out


def parse_park(payload: Any, destination: str | None, url: str = "entity") -> SourcePark:
    _require(isinstance(payload, dict) and bool(payload.get("id")) and bool(payload.get("name")),
             url, "expected an entity with 'id' and 'name'")
    location = _dict(payload.get("location"))
    point, notes = parse_point(location.get("latitude"), location.get("longitude"))
    return SourcePark(
        source=THEMEPARKS_WIKI, source_id=str(payload["id"]),
        name=display_name(str(payload["name"])), raw_name=str(payload["name"]).strip(),
        timezone=str(payload.get("timezone") or "").strip(), operator=destination or None,
        latitude=point.latitude if point else None,
        longitude=point.longitude if point else None, notes=tuple(notes),
    )


def listed_park(park_id: str, name: str, destination: str | None) -> SourcePark:
    """A park as ``/destinations`` lists it (id and name only), for when its own entity could
    not be read: it can still be matched by name, and takes its time zone from Queue-Times."""
    return SourcePark(source=THEMEPARKS_WIKI, source_id=park_id, name=display_name(name),
                      raw_name=name, timezone="", operator=destination or None,
                      notes=("its entity could not be read: no time zone or coordinates",))


def parse_children(payload: Any, park_id: str, url: str = "children") -> list[SourceRide]:
    _require(isinstance(payload, dict) and isinstance(payload.get("children"), list), url,
             "expected an object with a 'children' list")
    out = []
    for child in payload["children"]:
        if not isinstance(child, dict) or not child.get("id") or not child.get("name"):
            continue
        kind = str(child.get("entityType") or "").upper()
        if kind in NOT_RIDES:
            continue
        name = str(child["name"]).strip()
        out.append(SourceRide(THEMEPARKS_WIKI, str(child["id"]), park_id, display_name(name),
                              categorise(name, ENTITY_CATEGORIES.get(kind, "OTHER")),
                              raw_name=name))
    return out


def parse_live(payload: Any, url: str = "live") -> LiveAnswer:
    """Every entry of ``liveData`` except the park itself; the status as given (missing ->
    UNKNOWN), the STANDBY wait when there is one (it may be null or absent). The answer's
    newest ``lastUpdated`` is taken over every entry, the park's own included."""
    _require(isinstance(payload, dict) and isinstance(payload.get("liveData", []), list), url,
             "expected an object with a 'liveData' list")
    entries = [e for e in payload.get("liveData", []) if isinstance(e, dict) and e.get("id")]
    out = []
    for entry in entries:
        if str(entry.get("entityType") or "").upper() in NOT_RIDES:
            continue
        standby = _dict(_dict(entry.get("queue")).get("STANDBY"))
        raw_status = entry.get("status")
        status = metrics.themeparks_wiki_status(raw_status if isinstance(raw_status, str)
                                                else None)
        out.append(LiveReading(str(entry["id"]), status, optional_wait(standby.get("waitTime"))))
    return LiveAnswer(out, newest(parse_feed_instant(e.get("lastUpdated")) for e in entries))


def parse_schedule(payload: Any, url: str = "schedule") -> list[SourceWindow]:
    """The OPERATING windows (other types, extra hours and ticketed events, are not the park's
    opening hours and are left out). Opening and closing times carry the park's offset."""
    _require(isinstance(payload, dict) and isinstance(payload.get("schedule", []), list), url,
             "expected an object with a 'schedule' list")
    out = []
    for entry in payload.get("schedule", []):
        if not isinstance(entry, dict) or entry.get("type") != "OPERATING":
            continue
        opening = parse_feed_instant(entry.get("openingTime"))
        closing = parse_feed_instant(entry.get("closingTime"))
        try:
            local = date.fromisoformat(str(entry.get("date")))
        except ValueError:
            continue
        if opening is None or closing is None or closing <= opening:
            continue
        out.append(SourceWindow(local, opening, closing))
    return out


def fetch_destinations(client: HttpClient, base_url: str) -> list[tuple[str, str, str]]:
    url = _url(base_url, "destinations")
    return parse_destinations(client.get_json(url), url)


def fetch_park(client: HttpClient, base_url: str, park_id: str, destination: str | None
               ) -> SourcePark:
    url = _url(base_url, "entity", park_id)
    return parse_park(client.get_json(url), destination, url)


def fetch_children(client: HttpClient, base_url: str, park_id: str) -> list[SourceRide]:
    url = _url(base_url, "entity", park_id, "children")
    return parse_children(client.get_json(url), park_id, url)


def fetch_live(client: HttpClient, base_url: str, park_id: str) -> LiveAnswer:
    url = _url(base_url, "entity", park_id, "live")
    return parse_live(client.get_json(url), url)


def fetch_schedule(client: HttpClient, base_url: str, wiki_id: str) -> list[SourceWindow]:
    url = _url(base_url, "entity", wiki_id, "schedule")
    return parse_schedule(client.get_json(url), url)
