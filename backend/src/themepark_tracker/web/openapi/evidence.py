"""/api/parks/{park_id}/evidence (web/evidence.py): the rows behind a period's score, or the
cycles behind one hour's."""

from __future__ import annotations

from themepark_tracker.web.evidence import HOUR_FORMAT, OFFSET_RANGE
from themepark_tracker.web.openapi.paths import LIMIT, PERIOD, _get, _path, _query, _responses
from themepark_tracker.web.openapi.schemas import (
    ATTRIBUTION,
    BOOLEAN,
    COUNT,
    DAY,
    ID,
    INSTANT,
    INTEGER,
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

SUM = {"type": "number", "minimum": 0}
_HOUR_ROW = closed({"hour_start_utc": INSTANT, "label": STRING, "snapshot_count": COUNT,
                    "open_snapshot_count": COUNT, "shame_score_sum": SUM,
                    "shame_score": SCORE})
_DAY_ROW = closed({"date": DAY, "snapshot_count": COUNT, "open_snapshot_count": COUNT,
                   "shame_score_sum": SUM, "daily_score": nullable("number", minimum=0,
                                                                   maximum=10),
                   "park_was_open": BOOLEAN})
_CYCLE = closed({
    "recorded_at": INSTANT, "local_date": DAY, "park_open": BOOLEAN,
    "open_reason": closed({
        "rule": {"enum": ["schedule", "rides"]},
        "window": nullable("object", properties={"opening_time_utc": INSTANT,
                                                 "closing_time_utc": INSTANT},
                           required=["opening_time_utc", "closing_time_utc"],
                           additionalProperties=False),
        "operating_now": nullable("integer", minimum=0),
        "seen_operating_today": nullable("integer", minimum=0),
    }),
    "active_weight": COUNT, "down_weight": COUNT, "shame_score": nullable(
        "number", minimum=0, maximum=10),
    "rides_down": array(closed({"ride_id": ID, "ride_name": STRING, "tier": INTEGER,
                                "weight": INTEGER, "status": STRING})),
})
PERIOD_EVIDENCE = closed({
    "park_id": ID, "park_name": STRING, "timezone": STRING, "period": STRING,
    "period_start": TIME, "period_end": TIME, "shame_score": SCORE, "score_method": STRING,
    "granularity": {"enum": ["cycle", "hour", "day"]},
    "totals": closed({"open_snapshot_count": COUNT, "days_open": COUNT, "open_cycles": COUNT,
                      "shame_score_sum": SUM, "daily_score_sum": SUM},
                     optional=("open_snapshot_count", "days_open", "open_cycles",
                               "shame_score_sum", "daily_score_sum")),
    "total_rows": COUNT, "offset": COUNT, "limit": COUNT,
    "rows": {"type": "array", "items": {"oneOf": [_HOUR_ROW, _DAY_ROW, _CYCLE]}},
    **PROVENANCE, **ATTRIBUTION,
})
HOUR_EVIDENCE = closed({
    "park_id": ID, "park_name": STRING, "timezone": STRING, "hour_start_utc": INSTANT,
    "reason": STR,
    "totals": closed({"cycles": COUNT, "open_cycles": COUNT, "shame_score_sum": SUM,
                      "shame_score": SCORE}),
    "hourly_row": nullable("object", properties={
        "snapshot_count": COUNT, "open_snapshot_count": COUNT, "shame_score_sum": SUM,
        "shame_score": SCORE}, required=["snapshot_count", "open_snapshot_count",
                                         "shame_score_sum", "shame_score"],
        additionalProperties=False),
    "cycles": array(_CYCLE),
    **PROVENANCE, **ATTRIBUTION,
})

COMPONENTS: dict[str, Schema] = {"PeriodEvidence": PERIOD_EVIDENCE,
                                 "HourEvidence": HOUR_EVIDENCE}


def paths() -> dict[str, Schema]:
    hour = _query("hour", {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:00:00Z$"},
                  f"one UTC hour ({HOUR_FORMAT}, as the charts' hour_start_utc): its cycles; "
                  "not with period")
    offset = _query("offset", {"type": "integer", "minimum": OFFSET_RANGE[0],
                               "maximum": OFFSET_RANGE[1], "default": 0},
                    "the first row of the page")
    return {"/api/parks/{park_id}/evidence": _get(
        "The data behind a park's score: a period's hourly or daily rows with their sums, or "
        "one hour's cycles", [_path("park_id"), *PERIOD, LIMIT, offset, hour],
        _responses({"oneOf": [ref("PeriodEvidence"), ref("HourEvidence")]}, found=True))}
