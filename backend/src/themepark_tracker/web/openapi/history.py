"""The long record (issue 14): park and ride histories, records, the rankings' previous
period, and the text/csv answers (web/history.py, web/tabular.py)."""

from __future__ import annotations

import copy

from themepark_tracker.ingest.outages import END_REASONS
from themepark_tracker.queries.periods import EARLIEST_DATE, MAX_RANGE_DAYS
from themepark_tracker.queries.records import RECORD_PERIODS
from themepark_tracker.web.openapi.paths import PERIOD, _get, _path, _query, _responses
from themepark_tracker.web.openapi.schemas import (
    ATTRIBUTION,
    BOOL,
    COUNT,
    DAY,
    ID,
    INSTANT,
    MINUTES,
    PERCENT,
    PROVENANCE,
    SCORE,
    STR,
    STRING,
    TIME,
    Schema,
    array,
    closed,
    nullable,
    ref,
)

#: A change of a score (SPEC §6: 1 decimal), current − previous; null if either is null.
CHANGE = nullable("number", minimum=-10, maximum=10)
HOURS_OR_NULL = nullable("number", minimum=0)
COUNT_OR_NULL = nullable("integer", minimum=0)
DAY_OR_NULL = nullable("string", format="date")


def _nullable_object(schema: Schema) -> Schema:
    return {**schema, "type": ["object", "null"]}


PARK_HISTORY_DAY = closed({
    "date": DAY, "park_was_open": BOOL,  # null: no data that date
    "shame_score": SCORE, "rolling_mean_7d": SCORE, "total_downtime_hours": HOURS_OR_NULL,
    "uptime_percentage": PERCENT, "rides_down": COUNT_OR_NULL,
})
PARK_HISTORY = closed({
    "park_id": ID, "park_name": STRING, "timezone": STRING, "from": DAY, "to": DAY,
    "first_date": DAY, "last_date": DAY, "days": array(ref("ParkHistoryDay")),
    "score": SCORE,
    "previous": closed({"from": DAY_OR_NULL, "to": DAY_OR_NULL, "score": SCORE}),
    "change": CHANGE, **PROVENANCE, **ATTRIBUTION,
})
RIDE_HISTORY_DAY = closed({
    "date": DAY, "operated": BOOL, "uptime_percentage": PERCENT,
    "downtime_minutes": MINUTES,
    "outages": COUNT_OR_NULL,  # null before revision 013 (outages_reason says so)
    "longest_outage_minutes": MINUTES,
})
RIDE_HISTORY = closed({
    "ride_id": ID, "ride_name": STRING, "park_id": ID, "park_name": STRING,
    "timezone": STRING, "from": DAY, "to": DAY, "days": array(ref("RideHistoryDay")),
    "uptime_percentage": PERCENT,
    "rank": _nullable_object(closed({"position": {"type": "integer", "minimum": 1},
                                     "of": {"type": "integer", "minimum": 1},
                                     "downtime_hours": {"type": "number", "minimum": 0}})),
    "outages_reason": STR, **PROVENANCE, **ATTRIBUTION,
})
_PARK: dict[str, Schema] = {"park_id": ID, "park_name": STRING}
_RIDE: dict[str, Schema] = {"ride_id": ID, "ride_name": STRING, **_PARK}
RECORDS = closed({
    "period": {"enum": list(RECORD_PERIODS)}, "period_start": TIME, "period_end": TIME,
    "worst_days": array(closed({**_PARK, "date": DAY, "shame_score": SCORE})),
    "longest_outages": array(closed({
        **_RIDE, "started_at": INSTANT, "ended_at": TIME,
        "end_reason": {"enum": [*END_REASONS, None]}, "down_minutes": COUNT,
        "start_local_date": DAY})),
    "outages_reason": STR,  # why longest_outages is empty before revision 013
    "most_downtime": array(closed({
        **_RIDE, "downtime_hours": {"type": "number", "minimum": 0},
        "open_hours": {"type": "number", "minimum": 0},
        "downtime_per_open_hour": {"type": "number", "minimum": 0, "maximum": 1}})),
    "most_improved": array(closed({
        **_PARK, "shame_score": SCORE, "previous_shame_score": SCORE, "change": CHANGE})),
    **PROVENANCE, **ATTRIBUTION,
})
COMPONENTS = {"ParkHistoryDay": PARK_HISTORY_DAY, "ParkHistory": PARK_HISTORY,
              "RideHistoryDay": RIDE_HISTORY_DAY, "RideHistory": RIDE_HISTORY,
              "Records": RECORDS}

_DAY_QUERY = {"type": "string", "format": "date"}
HISTORY_DATES = [
    _query("from", _DAY_QUERY, f"the first local date, from {EARLIEST_DATE} (default: the "
                               "range is the default length ending at to)"),
    _query("to", _DAY_QUERY, f"the last local date, yesterday at the latest, at most "
                             f"{MAX_RANGE_DAYS} days after from (default: the park's "
                             "yesterday)"),
]
CSV_CONTENT = {"text/csv": {"schema": {"type": "string"}}}
#: Operations that also answer ``Accept: text/csv`` (the table of each).
CSV_PATHS = ("/api/parks/downtime", "/api/rides/downtime", "/api/parks/{park_id}/history",
             "/api/rides/{ride_id}/history")


def paths() -> dict[str, Schema]:
    return {
        "/api/parks/{park_id}/history": _get(
            "One park per local date over a range (default the 365 dates ending yesterday): "
            "score, 7-day rolling mean, downtime, uptime, rides down; the range's score "
            "against the previous range of the same length. text/csv: the days",
            [_path("park_id"), *HISTORY_DATES], _responses(ref("ParkHistory"), found=True)),
        "/api/rides/{ride_id}/history": _get(
            "One attraction per local date over a range (default the 90 dates ending "
            "yesterday): uptime, downtime, outages started (SPEC §10); its rank in its park. "
            "text/csv: the days",
            [_path("ride_id"), *HISTORY_DATES], _responses(ref("RideHistory"), found=True)),
        "/api/records": _get(
            "Each park's worst day, the longest outages, the most downtime per open hour "
            "(rides open at least 100 hours), the most improved parks",
            [{**PERIOD[0], "schema": {"enum": list(RECORD_PERIODS),
                                      "default": "last_365_days"}}, *PERIOD[1:]],
            _responses(ref("Records"))),
    }


def extend(document: Schema) -> Schema:
    """``document`` with this module's paths and components, the rankings' previous-period
    fields, and text/csv on ``CSV_PATHS``."""
    document = copy.deepcopy(document)
    document["paths"] |= paths()
    schemas = document["components"]["schemas"]
    schemas |= COMPONENTS
    rank = schemas["ParkRank"]
    rank["properties"] |= {"previous_shame_score": SCORE, "shame_score_change": CHANGE}
    rank["required"] = [*rank["required"], "previous_shame_score", "shame_score_change"]
    for path in CSV_PATHS:
        document["paths"][path]["get"]["responses"]["200"]["content"] |= CSV_CONTENT
    return document
