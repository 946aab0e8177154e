"""Where a park is: its coordinates as the feeds give them, and how far apart two parks are.

Queue-Times gives latitude and longitude as strings ("28.417663"), sometimes empty, "0" for
unknown, or with the minus sign missing (a park in Orlando at longitude "81.58"); ThemeParks.wiki
gives numbers. Reading them never raises: what cannot be used is None with a note saying why,
and a distance can be taken "sign-tolerant", so that a missing minus does not keep one park from
being recognised in both feeds (the note says when the tolerance was needed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Mean Earth radius (km), for the haversine distance.
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Point:
    latitude: float
    longitude: float


def parse_coordinate(value: object, limit: float, what: str) -> tuple[float | None, str | None]:
    """A latitude (``limit`` 90) or longitude (180) from a number or a string; None and a note
    when it is missing, empty, not a number, or out of range."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, f"{what} {value!r} is not a number"
    try:
        number = float(value.strip() if isinstance(value, str) else value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None, f"{what} {value!r} is not a number"
    if not math.isfinite(number) or abs(number) > limit:
        return None, f"{what} {value!r} is out of range"
    return number, None


def parse_point(latitude: object, longitude: object) -> tuple[Point | None, list[str]]:
    """Both coordinates, or None with the reasons; (0, 0), a placeholder some feeds use for
    "unknown", counts as missing."""
    lat, lat_note = parse_coordinate(latitude, 90.0, "latitude")
    lon, lon_note = parse_coordinate(longitude, 180.0, "longitude")
    notes = [n for n in (lat_note, lon_note) if n]
    if lat is None or lon is None:
        if (lat is None) != (lon is None):
            notes.append("only one of latitude and longitude is usable")
        return None, notes
    if lat == 0 and lon == 0:
        return None, ["coordinates (0, 0) are a placeholder, not a place"]
    return Point(lat, lon), notes


def distance_km(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp = p2 - p1
    dl = math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def tolerant_distance_km(a: Point, b: Point) -> tuple[float, str | None]:
    """The distance, allowing for a minus sign missing on either side: where the two points'
    latitudes (or longitudes) have opposite signs, the positive one may have lost its minus,
    so the distance is also taken with it negated; the shortest is returned, with a note naming
    the coordinate whose sign was assumed missing (None when the points were used as given)."""
    best, note = distance_km(a, b), None
    lat_flip = a.latitude * b.latitude < 0
    lon_flip = a.longitude * b.longitude < 0
    for flip_lat, flip_lon in ((True, False), (False, True), (True, True)):
        if (flip_lat and not lat_flip) or (flip_lon and not lon_flip):
            continue
        a2 = Point(-abs(a.latitude) if flip_lat else a.latitude,
                   -abs(a.longitude) if flip_lon else a.longitude)
        b2 = Point(-abs(b.latitude) if flip_lat else b.latitude,
                   -abs(b.longitude) if flip_lon else b.longitude)
        d = distance_km(a2, b2)
        if d < best:
            names = [n for n, f in (("latitude", flip_lat), ("longitude", flip_lon)) if f]
            best, note = d, " and ".join(names) + " sign missing on one side"
    return best, note
