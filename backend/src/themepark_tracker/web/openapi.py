"""OpenAPI 3.1 description of the API, served at /api/openapi.json. Tests validate real
responses against it, and schemathesis fuzzes a live server with it (.ci/run)."""

from __future__ import annotations

from typing import Any

from themepark_tracker.queries.live import LIVE_STATUSES
from themepark_tracker.queries.periods import PERIODS, TODAY
from themepark_tracker.queries.rankings import FILTERS, SORT_KEYS
from themepark_tracker.queries.ride_reports import RIDE_SORT_KEYS
from themepark_tracker.web.params import DEFAULT_LIMIT, LIMIT_RANGE, MAX_ID, SEARCH_LENGTH

Schema = dict[str, Any]


def _nullable(kind: str, **extra: Any) -> Schema:
    return {"type": [kind, "null"], **extra}


NUM, INT, STR, BOOL = _nullable("number"), _nullable("integer"), _nullable("string"), \
    _nullable("boolean")
TIME = _nullable("string", format="date-time")
SCORE = _nullable("number", minimum=0, maximum=10)
PERCENT = _nullable("number", minimum=0, maximum=100)
STATUS = {"enum": [*LIVE_STATUSES, None]}


def _object(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


ATTRIBUTION = _array(_object({"name": {"type": "string"}, "url": {"type": "string"},
                              "text": {"type": "string"}}))
PERIOD_FIELDS: dict[str, Schema] = {
    "period": {"enum": list(PERIODS)}, "period_start": TIME, "period_end": TIME,
    "newest_data_at": TIME, "from_live_feeds": {"type": "boolean"},
}

PARK_RANK = _object({
    "rank": {"type": "integer", "minimum": 1}, "park_id": {"type": "integer"},
    "park_name": {"type": "string"}, "location": STR, "timezone": {"type": "string"},
    "operator": STR, "shame_score": SCORE, "total_downtime_hours": NUM,
    "weighted_downtime_hours": NUM, "rides_operating": {"type": "integer"},
    "rides_down": {"type": "integer"}, "uptime_percentage": PERCENT,
    "avg_wait_time_minutes": NUM, "park_is_open": BOOL, "snapshot_count": {"type": "integer"},
})
PARK = _object({
    "park_id": {"type": "integer"}, "name": {"type": "string"}, "location": STR,
    "country": STR, "timezone": {"type": "string"}, "operator": STR,
    "is_disney": {"type": "boolean"}, "is_universal": {"type": "boolean"},
})
PARK_DETAILS = _object({
    "park": _ref("Park"), **PERIOD_FIELDS,
    "shame_score": SCORE, "total_downtime_hours": NUM, "weighted_downtime_hours": NUM,
    "uptime_percentage": PERCENT, "avg_wait_time_minutes": NUM,
    "rides_operating": {"type": "integer"}, "rides_down": {"type": "integer"},
    "park_is_open": BOOL, "snapshot_count": {"type": "integer"},
    "score_method": {"enum": ["mean_of_snapshots", "mean_of_days"]},
    "open_snapshot_count": {"type": "integer"}, "shame_score_sum": NUM,
    "days_open": {"type": "integer"},
    "shame_breakdown": _object({
        "total_downtime_hours": NUM, "weighted_downtime_hours": NUM,
        "effective_park_weight": INT,
        "rides": _array(_object({
            "ride_id": {"type": "integer"}, "ride_name": {"type": "string"},
            "tier": {"type": "integer"}, "tier_weight": {"type": "integer"},
            "downtime_hours": NUM, "weighted_contribution": NUM,
        })),
    }),
    "wait_times": _array(_object({
        "ride_id": {"type": "integer"}, "ride_name": {"type": "string"},
        "tier": {"type": "integer"}, "avg_wait_time_minutes": NUM,
        "peak_wait_time_minutes": INT,
    })),
    "chart_granularity": {"enum": ["snapshot", "hour", "day"]},
    "chart_data": _array(_object({"label": {"type": "string"}, "shame_score": SCORE,
                                  "rides_operating": INT, "rides_down": INT}, ["label"])),
    "attribution": ATTRIBUTION,
})
RIDE_RANK = _object({
    "rank": {"type": "integer", "minimum": 1}, "ride_id": {"type": "integer"},
    "ride_name": {"type": "string"}, "park_id": {"type": "integer"},
    "park_name": {"type": "string"}, "tier": {"type": "integer"},
    "tier_weight": {"type": "integer"}, "current_status": STATUS, "downtime_hours": NUM,
    "uptime_percentage": PERCENT, "avg_wait_time_minutes": NUM,
    "peak_wait_time_minutes": INT,
})
RIDE_DETAILS = _object({
    "ride": _object({
        "ride_id": {"type": "integer"}, "name": {"type": "string"},
        "park_id": {"type": "integer"}, "park_name": {"type": "string"},
        "tier": {"type": "integer"}, "tier_weight": {"type": "integer"},
        "category": {"type": "string"}, "timezone": {"type": "string"},
    }),
    **PERIOD_FIELDS, "current_status": STATUS, "current_wait_time_minutes": INT,
    "downtime_hours": NUM, "uptime_percentage": PERCENT, "avg_wait_time_minutes": NUM,
    "peak_wait_time_minutes": INT, "snapshot_count": {"type": "integer"},
    "chart_granularity": {"enum": ["snapshot", "hour", "day"]},
    "chart_data": _array(_object({"label": {"type": "string"}}, ["label"])),
    "incidents": _array(_object({
        "start": {"type": "string", "format": "date-time"}, "end": TIME,
        "duration_minutes": {"type": "integer", "minimum": 0},
        "ongoing": {"type": "boolean"},
    })),
    "attribution": ATTRIBUTION,
})
HEALTH = _object({
    "status": {"enum": ["ok", "degraded", "down"]},
    "checked_at": {"type": "string", "format": "date-time"},
    "database": _object({"ok": {"type": "boolean"}, "error": {"type": "string"}}, ["ok"]),
    "collection": {"type": "object"},
    "hourly_aggregation": {"type": "object"},
    "daily_aggregation": {"type": "object"},
}, ["status", "checked_at", "database"])
ERROR = _object({"error": _object({
    "code": {"type": "string"}, "message": {"type": "string"}, "parameter": STR,
})})


def _list(row: Schema, **extra: Schema) -> Schema:
    return _object({**PERIOD_FIELDS, "filter": {"enum": list(FILTERS)}, **extra,
                    "data": _array(row), "attribution": ATTRIBUTION})


def _query(name: str, schema: Schema, description: str) -> Schema:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _path(name: str) -> Schema:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


PERIOD = _query("period", {"enum": list(PERIODS), "default": TODAY},
                "live | today | yesterday | last_week | last_month, each in the park's "
                "local time (SPEC §5)")
FILTER = _query("filter", {"enum": list(FILTERS), "default": FILTERS[0]}, "which parks")
LIMIT = _query("limit", {"type": "integer", "minimum": LIMIT_RANGE[0],
                         "maximum": LIMIT_RANGE[1], "default": DEFAULT_LIMIT}, "rows returned")


def _get(summary: str, parameters: list[Schema], schema: Schema, *, found: bool = False
         ) -> Schema:
    responses: dict[str, Any] = {
        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
        "400": {"description": "a parameter is invalid",
                "content": {"application/json": {"schema": _ref("Error")}}},
        "429": {"description": "too many requests; see Retry-After",
                "content": {"application/json": {"schema": _ref("Error")}}},
        "503": {"description": "the database is unavailable",
                "content": {"application/json": {"schema": _ref("Error")}}},
    }
    if found:
        responses["404"] = {"description": "no such id",
                            "content": {"application/json": {"schema": _ref("Error")}}}
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def document() -> Schema:
    """The OpenAPI 3.1 document."""
    paths: dict[str, Schema] = {
        "/api/parks/downtime": _get(
            "Parks ranked by shame score", [PERIOD, FILTER, LIMIT, _query(
                "sort_by", {"enum": list(SORT_KEYS), "default": SORT_KEYS[0]}, "order")],
            _list(_ref("ParkRank"), sort_by={"enum": list(SORT_KEYS)}, aggregate_stats=_object({
                "total_parks": {"type": "integer"}, "parks_open": {"type": "integer"},
                "parks_with_downtime": {"type": "integer"}, "avg_shame_score": SCORE,
                "total_downtime_hours": NUM}))),
        "/api/parks/waittimes": _get(
            "Parks ranked by average posted wait", [PERIOD, FILTER, LIMIT],
            _list(_object({
                "rank": {"type": "integer"}, "park_id": {"type": "integer"},
                "park_name": {"type": "string"}, "location": STR,
                "timezone": {"type": "string"}, "avg_wait_time_minutes": NUM,
                "peak_wait_time_minutes": INT, "rides_reporting": {"type": "integer"}}))),
        "/api/parks/{park_id}/details": _get(
            "One park over a period: score, breakdown, chart", [_path("park_id"), PERIOD],
            _ref("ParkDetails"), found=True),
        "/api/rides/downtime": _get(
            "Attractions ranked by downtime", [PERIOD, FILTER, LIMIT, _query(
                "sort_by", {"enum": list(RIDE_SORT_KEYS), "default": RIDE_SORT_KEYS[0]},
                "order"), _query("park_id", {"type": "integer", "minimum": 1,
                                             "maximum": MAX_ID}, "one park only")],
            _list(_ref("RideRank"), sort_by={"enum": list(RIDE_SORT_KEYS)})),
        "/api/rides/waittimes": _get(
            "Attractions ranked by average posted wait", [PERIOD, FILTER, LIMIT],
            _list(_object({
                "rank": {"type": "integer"}, "ride_id": {"type": "integer"},
                "ride_name": {"type": "string"}, "park_id": {"type": "integer"},
                "park_name": {"type": "string"}, "tier": {"type": "integer"},
                "avg_wait_time_minutes": NUM, "peak_wait_time_minutes": INT,
                "current_status": STATUS}))),
        "/api/rides/{ride_id}/details": _get(
            "One attraction over a period: downtime, waits, chart, incidents",
            [_path("ride_id"), PERIOD], _ref("RideDetails"), found=True),
        "/api/live/status-summary": _get(
            "Attractions by status in each park's latest cycle",
            [_query("park_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                    "one park only")],
            _object({"as_of": TIME, "park_id": INT, "parks_reporting": {"type": "integer"},
                     "newest_data_at": TIME, "from_live_feeds": {"type": "boolean"},
                     "attribution": ATTRIBUTION,
                     "counts": _object({s: {"type": "integer", "minimum": 0}
                                        for s in LIVE_STATUSES})})),
        "/api/search": _get(
            "Parks and attractions by name",
            [{**_query("q", {"type": "string", "minLength": SEARCH_LENGTH[0],
                             "maxLength": SEARCH_LENGTH[1]}, "text to find"),
              "required": True}],
            _object({"query": {"type": "string"}, "newest_data_at": TIME,
                     "from_live_feeds": {"type": "boolean"},
                     "parks": _array(_object({"park_id": {"type": "integer"},
                                              "name": {"type": "string"}, "location": STR})),
                     "rides": _array(_object({"ride_id": {"type": "integer"},
                                              "name": {"type": "string"},
                                              "park_id": {"type": "integer"},
                                              "park_name": {"type": "string"}}))})),
        "/api/health": {"get": {
            "summary": "Database, collection freshness and aggregation lag",
            "parameters": [],
            "responses": {
                "200": {"description": "healthy",
                        "content": {"application/json": {"schema": _ref("Health")}}},
                "503": {"description": "degraded or down (the body says which part)",
                        "content": {"application/json": {"schema": _ref("Health")}}},
            },
        }},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "themepark-tracker API", "version": "1",
                 "description": "Theme-park ride downtime: shame scores, rankings, details "
                                "and charts. Definitions: SPEC.md."},
        "paths": paths,
        "components": {"schemas": {
            "Park": PARK, "ParkRank": PARK_RANK,
            "ParkDetails": PARK_DETAILS, "RideRank": RIDE_RANK, "RideDetails": RIDE_DETAILS,
            "Health": HEALTH, "Error": ERROR,
        }},
    }
