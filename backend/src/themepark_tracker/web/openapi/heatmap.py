"""The heatmaps (web/heatmap.py, SPEC §7): their paths and body schemas, inline so that this
module is the one place that describes them."""

from __future__ import annotations

from themepark_tracker.queries.heatmap import MIN_OPEN_CYCLES
from themepark_tracker.queries.periods import EARLIEST_DATE, MAX_RANGE_DAYS
from themepark_tracker.web.heatmap import DEFAULT_PERIOD, HEATMAP_PERIODS
from themepark_tracker.web.openapi.paths import ERRORS, _get, _json, _path, _query
from themepark_tracker.web.openapi.schemas import (
    ATTRIBUTION,
    COUNT,
    ID,
    INSTANT,
    PROVENANCE,
    STRING,
    Schema,
    array,
    closed,
    nullable,
    ref,
)

_DATE = {"type": "string", "format": "date"}
PERIOD = [
    _query("period", {"enum": list(HEATMAP_PERIODS), "default": DEFAULT_PERIOD},
           "today | yesterday | last_week | last_month | last_90_days | last_365_days | date "
           "(with date=) | range (with from= and to=), in the park's local time (SPEC §5); "
           "not live"),
    _query("date", _DATE, f"with period=date: the local date, from {EARLIEST_DATE} up to the "
                          "latest any park has reached"),
    _query("from", _DATE, f"with period=range: the first local date, from {EARLIEST_DATE}"),
    _query("to", _DATE, f"with period=range: the last local date, yesterday at the latest, "
                        f"at most {MAX_RANGE_DAYS} days after from"),
]

CELL = closed({
    "weekday": {"type": "integer", "minimum": 1, "maximum": 7},
    "hour": {"type": "integer", "minimum": 0, "maximum": 23},
    "down_share": nullable("number", minimum=0, maximum=1),
    "open_cycles": COUNT, "down_snapshots": COUNT, "open_snapshots": COUNT,
})


def _body(ride: bool) -> Schema:
    return closed({
        "park_id": ID, "park_name": STRING,
        **({"ride_id": ID, "ride_name": STRING} if ride else {}),
        "timezone": STRING, "period": {"enum": list(HEATMAP_PERIODS)},
        "period_start": INSTANT, "period_end": INSTANT,
        "min_open_cycles": {"const": MIN_OPEN_CYCLES},
        "cells": {**array(CELL), "minItems": 168, "maxItems": 168},
        **PROVENANCE, **ATTRIBUTION,
    })


def _responses(ok: Schema) -> Schema:
    errors = {**ERRORS, "404": "no such id"}
    return {"200": _json("OK", ok),
            **{status: _json(text, ref("Error")) for status, text in sorted(errors.items())}}


def paths() -> dict[str, Schema]:
    """web/heatmap.py."""
    share = ("down_share per park-local ISO weekday and hour: counted-down attraction "
             "snapshots / attraction snapshots taken while the park was open; null with fewer "
             f"than {MIN_OPEN_CYCLES} open cycles (SPEC §7)")
    return {
        "/api/parks/{park_id}/heatmap": _get(
            f"When the park's rides break: {share}", [_path("park_id"), *PERIOD],
            _responses(_body(ride=False))),
        "/api/rides/{ride_id}/heatmap": _get(
            f"When the attraction breaks, from its own snapshots: {share}",
            [_path("ride_id"), *PERIOD], _responses(_body(ride=True))),
    }
