"""The catalogue's coverage (web/catalog_coverage.py): its path and response schema, kept in a
module of their own."""

from __future__ import annotations

from themepark_tracker.queries.catalog_coverage import FEEDS
from themepark_tracker.web.openapi.paths import _get, _responses
from themepark_tracker.web.openapi.schemas import (
    ATTRIBUTION,
    COUNT,
    ID,
    INSTANT,
    INT,
    PROVENANCE,
    STR,
    STRING,
    Schema,
    array,
    closed,
)

RIDE_COUNTS = closed({"rides": COUNT, "attractions": COUNT, "both_feeds": COUNT,
                      "queue_times_only": COUNT, "themeparks_wiki_only": COUNT})
COVERAGE = closed({
    "totals": closed({"parks": COUNT, "matched": COUNT, "queue_times_only": COUNT,
                      "themeparks_wiki_only": COUNT, "not_stored": COUNT, "rides": COUNT}),
    "parks": array(closed({
        "park_id": ID, "name": STRING, "timezone": STRING, "country": STR,
        "queue_times_id": INT, "themeparks_wiki_id": STR, "feeds": {"enum": list(FEEDS)},
        "rides": RIDE_COUNTS})),
    "not_stored": array(closed({"source": STR, "detail": STR, "recorded_at": INSTANT})),
    **PROVENANCE, **ATTRIBUTION,
})


#: Its own components (none: its schemas are inline).
COMPONENTS: dict[str, Schema] = {}


def paths() -> dict[str, Schema]:
    """web/catalog_coverage.py."""
    return {"/api/coverage": _get(
        "Parks matched across Queue-Times and ThemeParks.wiki, on one feed only, their ride "
        "counts, and the listed parks the last catalogue sync could not store", [],
        _responses(COVERAGE))}
