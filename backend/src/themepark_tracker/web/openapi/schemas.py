"""The response bodies, as JSON Schema 2020-12 (OpenAPI 3.1's dialect): every object closed
(``additionalProperties: false``), every field the API returns declared with its type, null
where the API can return null, and ``required`` for the fields that are always there."""

from __future__ import annotations

from typing import Any

from themepark_tracker.ingest.outages import END_REASONS
from themepark_tracker.queries.live import LIVE_STATUSES
from themepark_tracker.queries.periods import API_PERIODS
from themepark_tracker.queries.quality import FEED_KINDS
from themepark_tracker.queries.rankings import FILTERS, SORT_KEYS
from themepark_tracker.queries.ride_reports import RIDE_SORT_KEYS
from themepark_tracker.survival import BUCKETS

Schema = dict[str, Any]


def nullable(kind: str, **extra: Any) -> Schema:
    return {"type": [kind, "null"], **extra}


def closed(properties: dict[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    """An object with exactly these properties, all required but ``optional``."""
    return {"type": "object", "properties": properties,
            "required": [k for k in properties if k not in optional],
            "additionalProperties": False}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


INTEGER, NUMBER, STRING, BOOLEAN = ({"type": k} for k in ("integer", "number", "string",
                                                           "boolean"))
COUNT = {"type": "integer", "minimum": 0}
ID = {"type": "integer", "minimum": 1}
RANK = {"type": "integer", "minimum": 1}
NUM, INT, STR, BOOL = (nullable(k) for k in ("number", "integer", "string", "boolean"))
INSTANT = {"type": "string", "format": "date-time"}
TIME = nullable("string", format="date-time")
DAY = {"type": "string", "format": "date"}
HOURS = {"type": "number", "minimum": 0}  # SPEC §6: 2 decimals
SCORE = nullable("number", minimum=0, maximum=10)  # SPEC §6: 1 decimal
PERCENT = nullable("number", minimum=0, maximum=100)
STATUS = {"enum": [*LIVE_STATUSES, None]}
GRANULARITY = {"enum": ["snapshot", "hour", "day", "week"]}
#: Feed quality (SPEC §12): in every ranking row and detail answer; ``stale`` is null
#: outside live and today, ``coverage`` null when no open cycle was expected.
QUALITY: dict[str, Schema] = {"feed_kind": {"enum": list(FEED_KINDS)},
                              "coverage": nullable("number", minimum=0, maximum=100),
                              "stale": nullable("boolean")}
#: The local dates a period covered (SPEC §5), first and last.
DATES: dict[str, Schema] = {"first_date": DAY, "last_date": DAY}

#: What every data response ends with (web/respond.py adds them).
PROVENANCE: dict[str, Schema] = {"newest_data_at": TIME, "from_live_feeds": BOOLEAN}
ATTRIBUTION = {"attribution": array(closed({"name": STRING, "url": STRING,
                                            "text": STRING}))}


def list_body(row: Schema, **extra: Schema) -> Schema:
    """A ranking: the period it covers (null bounds when no park is selected), the filter,
    the rows, provenance and attribution."""
    return closed({
        "period": {"enum": list(API_PERIODS)}, "period_start": TIME, "period_end": TIME,
        "first_date": nullable("string", format="date"),
        "last_date": nullable("string", format="date"), "filter": {"enum": list(FILTERS)},
        **extra, "data": array(row), **PROVENANCE, **ATTRIBUTION,
    })


def detail_period() -> dict[str, Schema]:
    """One park's own period: its bounds are always known."""
    return {"period": {"enum": list(API_PERIODS)}, "period_start": INSTANT,
            "period_end": INSTANT, **DATES}


PARK_RANK = closed({
    "rank": RANK, "park_id": ID, "park_name": STRING, "location": STR, "timezone": STRING,
    "operator": STR, "shame_score": SCORE, "total_downtime_hours": HOURS,
    "weighted_downtime_hours": HOURS, "rides_operating": COUNT, "rides_down": COUNT,
    "uptime_percentage": PERCENT, "avg_wait_time_minutes": NUM,
    "park_is_open": BOOL,  # null for the past periods
    "snapshot_count": COUNT, "period_start": INSTANT, "period_end": INSTANT, **DATES,
    **QUALITY,
})
#: Why a park is counted but not ranked (SPEC §5); null for a ranked one.
NOT_RANKED_REASON = {"enum": ["not_begun", "no_data", "closed", None]}
AGGREGATE_STATS = closed({
    "total_parks": COUNT, "parks_open": COUNT, "parks_with_downtime": COUNT,
    "avg_shame_score": SCORE, "total_downtime_hours": HOURS,
})
PARK_RANKING = list_body(ref("ParkRank"), sort_by={"enum": list(SORT_KEYS)},
                         aggregate_stats=AGGREGATE_STATS, not_ranked=array(closed({
                             "park_id": ID, "park_name": STRING, "timezone": STRING, **DATES,
                             "reason": {"enum": ["not_begun", "no_data", "closed"]},
                             **QUALITY})))
PARK_WAITS = list_body(closed({
    "rank": RANK, "park_id": ID, "park_name": STRING, "location": STR, "timezone": STRING,
    "avg_wait_time_minutes": NUMBER, "peak_wait_time_minutes": INT, "rides_reporting": COUNT,
    **QUALITY,
}))
RIDE_RANK = closed({
    "rank": RANK, "ride_id": ID, "ride_name": STRING, "park_id": ID, "park_name": STRING,
    "tier": INTEGER, "tier_weight": INTEGER, "current_status": STATUS,
    "downtime_hours": HOURS, "uptime_percentage": PERCENT, "avg_wait_time_minutes": NUM,
    "peak_wait_time_minutes": INT,
})
RIDE_RANKING = list_body(ref("RideRank"), sort_by={"enum": list(RIDE_SORT_KEYS)})
RIDE_WAITS = list_body(closed({
    "rank": RANK, "ride_id": ID, "ride_name": STRING, "park_id": ID, "park_name": STRING,
    "tier": INTEGER, "avg_wait_time_minutes": NUMBER, "peak_wait_time_minutes": INT,
    "current_status": STATUS,
}))

PARK = closed({
    "park_id": ID, "name": STRING, "location": STR, "country": STR, "timezone": STRING,
    "operator": STR, "is_disney": BOOLEAN, "is_universal": BOOLEAN,
})

# --- charts (SPEC §7): one shape per granularity --------------------------------------------

_PARK_POINT: dict[str, Schema] = {
    "label": STRING, "shame_score": SCORE, "avg_wait_time_minutes": NUM,
    "rides_operating": nullable("integer", minimum=0),
    "rides_down": nullable("integer", minimum=0),
}
PARK_HOUR_POINT = closed({"hour_start_utc": INSTANT, **_PARK_POINT})
PARK_DAY_POINT = closed({"hour_start_utc": INSTANT, "date": DAY, **_PARK_POINT})
#: One ISO week of a long period (cut to it), from ``date`` to ``last_date``.
PARK_WEEK_POINT = closed({"hour_start_utc": INSTANT, "date": DAY, "last_date": DAY,
                          "days_open": COUNT, **_PARK_POINT})
PARK_SNAPSHOT_POINT = closed({
    "recorded_at": INSTANT, "label": STRING, "shame_score": SCORE,
    "avg_wait_time_minutes": NUM, "rides_operating": COUNT, "rides_down": COUNT,
    "park_is_open": BOOLEAN,
})
_RIDE_POINT: dict[str, Schema] = {
    "label": STRING, "downtime_hours": nullable("number", minimum=0),
    "uptime_percentage": PERCENT, "avg_wait_time_minutes": NUM,
    "operating_snapshots": nullable("integer", minimum=0),
    "down_snapshots": nullable("integer", minimum=0),
}
RIDE_HOUR_POINT = closed({"hour_start_utc": INSTANT, **_RIDE_POINT})
RIDE_DAY_POINT = closed({"date": DAY, **_RIDE_POINT})
RIDE_WEEK_POINT = closed({"date": DAY, "last_date": DAY, **_RIDE_POINT})
RIDE_SNAPSHOT_POINT = closed({
    "recorded_at": INSTANT, "label": STRING, "status": {"enum": list(LIVE_STATUSES)},
    "down": BOOLEAN, "wait_time_minutes": nullable("integer", minimum=0),
})


def chart(*points: str) -> dict[str, Schema]:
    """``chart_granularity`` and ``chart_data``, whose points have one of these shapes."""
    return {"chart_granularity": GRANULARITY,
            "chart_data": array({"oneOf": [ref(p) for p in points]})}


# --- one park, one ride ---------------------------------------------------------------------

SHAME_BREAKDOWN = closed({
    "total_downtime_hours": HOURS, "weighted_downtime_hours": HOURS,
    "effective_park_weight": nullable("integer", minimum=0),
    "rides": array(closed({
        "ride_id": ID, "ride_name": STRING, "tier": INTEGER, "tier_weight": INTEGER,
        "downtime_hours": HOURS, "weighted_contribution": HOURS,
    })),
})
PARK_DETAILS = closed({
    "park": ref("Park"), **detail_period(),
    "shame_score": SCORE, "total_downtime_hours": HOURS, "weighted_downtime_hours": HOURS,
    "uptime_percentage": PERCENT, "avg_wait_time_minutes": NUM,
    "rides_operating": COUNT, "rides_down": COUNT, "park_is_open": BOOL,
    "snapshot_count": COUNT,
    "score_method": {"enum": ["mean_of_snapshots", "mean_of_days"]},
    "open_snapshot_count": COUNT, "shame_score_sum": {"type": "number", "minimum": 0},
    "days_open": COUNT, "not_ranked_reason": NOT_RANKED_REASON, **QUALITY,
    "shame_breakdown": SHAME_BREAKDOWN,
    "wait_times": array(closed({
        "ride_id": ID, "ride_name": STRING, "tier": INTEGER, "avg_wait_time_minutes": NUMBER,
        "peak_wait_time_minutes": INT,
    })),
    **chart("ParkHourPoint", "ParkDayPoint", "ParkWeekPoint", "ParkSnapshotPoint"),
    **PROVENANCE, **ATTRIBUTION,
})
# --- outages and "stay or go" (SPEC §10, §11) -------------------------------------------------

SHARE = {"type": "number", "minimum": 0, "maximum": 1}
MINUTES = nullable("integer", minimum=0)
RECOVERY_ESTIMATE = closed({
    "within_30": SHARE, "within_60": SHARE,  # fractions 0–1 at full precision
    "remaining": closed({"p25": MINUTES, "p50": MINUTES, "p75": MINUTES}),  # from the bucket
    "basis": {"enum": ["park", "pooled"]}, "at_risk": COUNT,
    "bucket_minutes": {"enum": list(BUCKETS)},
})
OUTAGE = closed({
    "started_at": INSTANT, "down_minutes": COUNT,
    "recovery": {"oneOf": [ref("RecoveryEstimate"), {"type": "null"}]},
    "reason": STR,  # why recovery is null; null with an estimate
})
RELIABILITY = closed({
    "outage_count": nullable("integer", minimum=0),
    "outages_per_100_open_hours": nullable("number", minimum=0),
    "median_recovered_minutes": nullable("number", minimum=0),
    "longest_minutes": nullable("integer", minimum=0),
    "reason": STR,  # why a figure is null
})
INCIDENT = closed({
    "start": INSTANT, "end": TIME,  # null while ongoing
    "duration_minutes": COUNT, "ongoing": BOOLEAN,
    "end_reason": {"enum": [*END_REASONS, None]},
})
CURVE = nullable("object", properties={
    "fitted_at": INSTANT, "window_start": INSTANT, "outages": COUNT,
    "points": array(closed({"minutes": COUNT, "survival": SHARE, "at_risk": COUNT,
                            "events": COUNT})),
}, required=["fitted_at", "window_start", "outages", "points"], additionalProperties=False)
PARK_RECOVERY = closed({
    "park_id": ID, "park_name": STRING, "feed_kind": {"enum": ["reports_down", "closed_only"]},
    "park_curve": CURVE, "pooled_curve": CURVE, "reason": STR,
    **PROVENANCE, **ATTRIBUTION,
})

RIDE_DETAILS = closed({
    "ride": closed({
        "ride_id": ID, "name": STRING, "park_id": ID, "park_name": STRING,
        "tier": INTEGER, "tier_weight": INTEGER, "category": STRING, "timezone": STRING,
    }),
    **detail_period(), "current_status": STATUS,
    "current_wait_time_minutes": nullable("integer", minimum=0),
    "downtime_hours": HOURS, "uptime_percentage": PERCENT, "avg_wait_time_minutes": NUM,
    "peak_wait_time_minutes": INT, "snapshot_count": COUNT,
    **chart("RideHourPoint", "RideDayPoint", "RideWeekPoint", "RideSnapshotPoint"),
    "incidents": nullable("array", items=ref("Incident")),  # null before revision 013
    "reliability": ref("Reliability"),
    "outage": {"oneOf": [ref("Outage"), {"type": "null"}]},  # null while the ride is up
    "outages_reason": STR,  # why incidents and outage are null
    **PROVENANCE, **ATTRIBUTION,
})

# --- now, names, health, errors -------------------------------------------------------------

STATUS_SUMMARY = closed({
    "as_of": TIME, "park_id": nullable("integer", minimum=1),
    "counts": closed({s: COUNT for s in LIVE_STATUSES}),
    "parks_reporting": COUNT,
    "down_rides": array(closed({
        "ride_id": ID, "ride_name": STRING, "park_id": ID, "park_name": STRING,
        "timezone": STRING, "outage": {"oneOf": [ref("Outage"), {"type": "null"}]},
    })),
    **PROVENANCE, **ATTRIBUTION,
})
SEARCH = closed({
    "query": STRING,
    "parks": array(closed({"park_id": ID, "name": STRING, "location": STR})),
    "rides": array(closed({"ride_id": ID, "name": STRING, "park_id": ID,
                           "park_name": STRING})),
    **PROVENANCE,  # no attribution: names are not the sources' data
})
HEALTH = closed({
    "status": {"enum": ["ok", "degraded", "down"]},
    "checked_at": INSTANT,
    # With the database unreadable, "error" says why; the sections below may then be missing.
    "database": closed({"ok": BOOLEAN, "error": STRING}, optional=("error",)),
    "collection": closed({
        "newest_snapshot_at": TIME, "age_seconds": INT, "stale_after_seconds": COUNT,
        "fresh": BOOLEAN,
    }),
    "hourly_aggregation": closed({"newest_hour": TIME, "lag_hours": INT, "ok": BOOLEAN}),
    "daily_aggregation": closed({
        "newest_date": nullable("string", format="date"), "lag_days": INTEGER,
        "pending_park_days": COUNT, "ok": BOOLEAN,
    }),
}, optional=("collection", "hourly_aggregation", "daily_aggregation"))
ERROR = closed({"error": closed({
    "code": STRING, "message": STRING,
    "parameter": STR,  # the query or path parameter at fault, if one is
})})

#: components/schemas of the document.
COMPONENTS: dict[str, Schema] = {
    "Park": PARK, "ParkRank": PARK_RANK, "ParkDetails": PARK_DETAILS,
    "ParkHourPoint": PARK_HOUR_POINT, "ParkDayPoint": PARK_DAY_POINT,
    "ParkWeekPoint": PARK_WEEK_POINT,
    "ParkSnapshotPoint": PARK_SNAPSHOT_POINT,
    "RideRank": RIDE_RANK, "RideDetails": RIDE_DETAILS,
    "RideHourPoint": RIDE_HOUR_POINT, "RideDayPoint": RIDE_DAY_POINT,
    "RideWeekPoint": RIDE_WEEK_POINT,
    "RideSnapshotPoint": RIDE_SNAPSHOT_POINT,
    "Health": HEALTH, "Error": ERROR,
    "Outage": OUTAGE, "RecoveryEstimate": RECOVERY_ESTIMATE, "Reliability": RELIABILITY,
    "Incident": INCIDENT, "ParkRecovery": PARK_RECOVERY,
}
