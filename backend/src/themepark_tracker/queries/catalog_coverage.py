"""Which parks each feed covers, as the last catalogue sync stored them: parks matched across
Queue-Times and ThemeParks.wiki, parks one feed only lists, ride counts per park, and the parks
the sync could not store (from its ``data_quality_issues`` rows), so an operator can see what
the links file still has to pair (``themepark coverage``, ``GET /api/coverage``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, case, func, select

from themepark_tracker.db import tables as t
from themepark_tracker.ingest.quality import CATALOG_NOT_STORED, NOT_STORED_PARK
from themepark_tracker.metrics import ATTRACTION

#: How a park is covered: by both feeds (matched) or by one only.
BOTH, QUEUE_TIMES_ONLY, WIKI_ONLY = "both", "queue_times", "themeparks_wiki"
FEEDS = (BOTH, QUEUE_TIMES_ONLY, WIKI_ONLY)


def _feeds(qt_id: object, wiki_id: object) -> str:
    if qt_id is not None and wiki_id is not None:
        return BOTH
    return QUEUE_TIMES_ONLY if qt_id is not None else WIKI_ONLY


def _ride_counts(conn: Connection) -> dict[int, dict[str, int]]:
    r = t.rides
    has_qt, has_wiki = r.c.queue_times_id.is_not(None), r.c.themeparks_wiki_id.is_not(None)

    def count_if(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    rows = conn.execute(select(
        r.c.park_id, func.count().label("rides"),
        count_if(r.c.category == ATTRACTION).label("attractions"),
        count_if(has_qt & has_wiki).label("both"),
        count_if(has_qt & ~has_wiki).label("qt"),
        count_if(has_wiki & ~has_qt).label("wiki"),
    ).group_by(r.c.park_id))
    return {row.park_id: {"rides": int(row.rides), "attractions": int(row.attractions or 0),
                          "both_feeds": int(row.both or 0), "queue_times_only": int(row.qt or 0),
                          "themeparks_wiki_only": int(row.wiki or 0)} for row in rows}


def _not_stored(conn: Connection) -> list[dict[str, Any]]:
    dq = t.data_quality_issues
    rows = conn.execute(select(dq.c.source, dq.c.detail, dq.c.recorded_at)
                        .where(dq.c.park_id == NOT_STORED_PARK,
                               dq.c.issue_type == CATALOG_NOT_STORED)
                        .order_by(dq.c.source, dq.c.detail))
    return [{"source": row.source, "detail": row.detail, "recorded_at": row.recorded_at}
            for row in rows]


def catalog_coverage(conn: Connection) -> dict[str, Any]:
    """Every stored park with the feeds that list it and its ride counts (matched parks
    first, then Queue-Times only, then ThemeParks.wiki only, each by name), the parks the last
    sync left out, and the totals."""
    p = t.parks
    zero = {"rides": 0, "attractions": 0, "both_feeds": 0, "queue_times_only": 0,
            "themeparks_wiki_only": 0}
    counts = _ride_counts(conn)
    parks = [
        {"park_id": row.park_id, "name": row.name, "timezone": row.timezone,
         "country": row.country, "queue_times_id": row.queue_times_id,
         "themeparks_wiki_id": row.themeparks_wiki_id,
         "feeds": _feeds(row.queue_times_id, row.themeparks_wiki_id),
         "rides": counts.get(row.park_id, zero)}
        for row in conn.execute(select(p.c.park_id, p.c.name, p.c.timezone, p.c.country,
                                       p.c.queue_times_id, p.c.themeparks_wiki_id))
    ]
    parks.sort(key=lambda park: (FEEDS.index(park["feeds"]), park["name"], park["park_id"]))
    not_stored = _not_stored(conn)
    totals = {"parks": len(parks), "not_stored": len(not_stored),
              "rides": sum(park["rides"]["rides"] for park in parks),
              **{key: sum(1 for park in parks if park["feeds"] == f)
                 for key, f in (("matched", BOTH), ("queue_times_only", QUEUE_TIMES_ONLY),
                                ("themeparks_wiki_only", WIKI_ONLY))}}
    return {"totals": totals, "parks": parks, "not_stored": not_stored}
