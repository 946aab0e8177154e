"""What the catalogue sync checks before it stores a park: which time zone it gets, whether its
name is shared with a park it was not matched to, whether a ride is listed in two parks.

Nothing here raises on bad feed data: a park no feed gives a usable time zone for is skipped,
a ride listed twice is kept in one park, and each such decision becomes a ``CatalogIssue``
(logged, and recorded in ``data_quality_issues`` by the sync), so nothing is merged or lost
silently.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from themepark_tracker.ingest.quality import CATALOG_NOT_STORED, NOT_STORED_PARK
from themepark_tracker.sources.matching import Pair, Place, same_zone
from themepark_tracker.sources.models import SourcePark, park_key
from themepark_tracker.sources.places import Point

logger = logging.getLogger(__name__)

#: ``data_quality_issues.issue_type`` of the catalogue's findings.
TIMEZONE = "CATALOG_TIMEZONE"  # a feed's time zone missing or not an IANA zone
FEED_ENTRY = "CATALOG_FEED_ENTRY"  # something of a park's entry unusable (coordinates...)
COORDINATES = "CATALOG_COORDINATES"  # a coordinate's sign assumed missing to match two parks
NAME_CLASH = "CATALOG_NAME_CLASH"  # a park's name is another park's too; kept apart
RIDE_TWO_PARKS = "CATALOG_RIDE_TWO_PARKS"  # one feed lists a ride in two parks; kept in one
SKIPPED = CATALOG_NOT_STORED  # a park not stored at all (no usable time zone)
ISSUE_TYPES = (TIMEZONE, FEED_ENTRY, COORDINATES, NAME_CLASH, RIDE_TWO_PARKS, SKIPPED)
#: The park id of an issue about a park that is not stored (``data_quality_issues.park_id``
#: cannot be NULL).
NO_PARK = NOT_STORED_PARK


@dataclass(frozen=True, slots=True)
class CatalogIssue:
    issue_type: str
    source: str | None
    detail: str


def describe(park: SourcePark) -> str:
    return f"{park.source} park {park.name!r} ({park.source_id})"


def usable_zone(name: str) -> str | None:
    """``name`` when it is an IANA time zone this machine knows, else None."""
    if not name or name != name.strip():
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def place(park: SourcePark) -> Place:
    point = (Point(park.latitude, park.longitude)
             if park.latitude is not None and park.longitude is not None else None)
    return Place(park_key(park.raw_name), usable_zone(park.timezone), point)


def sides(pair: Pair) -> tuple[SourcePark | None, SourcePark | None]:
    return (pair.queue_times if isinstance(pair.queue_times, SourcePark) else None,
            pair.themeparks_wiki if isinstance(pair.themeparks_wiki, SourcePark) else None)


def park_zone(pair: Pair) -> tuple[str | None, list[CatalogIssue]]:
    """The time zone a park is stored with: ThemeParks.wiki's when usable, else Queue-Times';
    None when neither feed gives a usable one. Each feed's missing, invalid or disagreeing
    zone is an issue (two names of one clock, US/Eastern and America/New_York, agree)."""
    q, w = sides(pair)
    zone = (usable_zone(w.timezone) if w else None) or (usable_zone(q.timezone) if q else None)
    issues = []
    for park in (p for p in (q, w) if p is not None):
        given = usable_zone(park.timezone)
        if given is None:
            then = f"{zone} from the other feed used" if zone else "no other feed gives one"
            issues.append(CatalogIssue(TIMEZONE, park.source, f"{describe(park)} has no usable "
                                       f"time zone ({park.timezone!r}); {then}"))
        elif zone is not None and not same_zone(given, zone):
            issues.append(CatalogIssue(TIMEZONE, park.source, f"{describe(park)} says {given}, "
                                       f"the other feed {zone}; {zone} used"))
    return zone, issues


def entry_issues(pair: Pair) -> list[CatalogIssue]:
    """What each side's parser could not use, and a coordinate sign assumed missing."""
    out = [CatalogIssue(FEED_ENTRY, p.source, f"{describe(p)}: {note}")
           for p in sides(pair) if p is not None for note in p.notes]
    if pair.note:
        q, w = sides(pair)
        assert q is not None and w is not None
        out.append(CatalogIssue(COORDINATES, q.source,
                                f"{describe(q)} and {describe(w)} matched with a {pair.note} "
                                f"({q.latitude}, {q.longitude} / {w.latitude}, {w.longitude}); "
                                "ThemeParks.wiki's coordinates stored"))
    return out


def name_clashes(pairs: Sequence[Pair]) -> dict[int, list[CatalogIssue]]:
    """Per pair (by index), the parks of either feed that share its name but are not part of
    it: two parks of one name in different places, kept apart on purpose."""
    by_key: dict[str, list[tuple[int, SourcePark]]] = defaultdict(list)
    for n, pair in enumerate(pairs):
        for park in sides(pair):
            if park is not None and (key := park_key(park.raw_name)):
                by_key[key].append((n, park))
    out: dict[int, list[CatalogIssue]] = defaultdict(list)
    for parks in by_key.values():
        for n, park in parks:
            others = [p for m, p in parks if m != n]
            if others:
                out[n].append(CatalogIssue(NAME_CLASH, park.source, (
                    f"{describe(park)} ({park.timezone or 'no time zone'}) shares its name with "
                    + ", ".join(f"{describe(o)} ({o.timezone or 'no time zone'})"
                                for o in others) + "; kept apart")))
    return out


def log_issues(issues: Sequence[CatalogIssue]) -> None:
    for issue in issues:
        logger.warning("Catalogue: %s", issue.detail)
