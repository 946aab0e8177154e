"""An event's payload: the JSON a feed entry and a webhook are made from, with one plain
sentence (``text``) that says what happened, in the park's local time. Built once, when the
event is recorded, from the stored facts only (the same cause always gives the same payload)."""

from __future__ import annotations

from typing import Any

from themepark_tracker.ingest.event_rules import (
    PARK_SCORE_ABOVE,
    RIDE_DOWN,
    RIDE_UP,
    RIDE_WAIT_BELOW,
    Occurrence,
)
from themepark_tracker.ingest.event_sources import Names
from themepark_tracker.timeutil import iso_utc, local_label, zone_of


def _minutes(total: int) -> str:
    if total < 60:
        return f"{total} minute{'s' if total != 1 else ''}"
    hours, minutes = divmod(total, 60)
    text = f"{hours} hour{'s' if hours != 1 else ''}"
    return text + (f" {minutes} min" if minutes else "")


def _text(o: Occurrence, park: str, ride: str, clock: str, detail: dict[str, Any]) -> str:
    where = f"{ride} ({park})"
    if o.event_type == RIDE_DOWN:
        return (f"{where} is down: down for {_minutes(detail['down_minutes'])} so far, "
                f"since {clock} local time.")
    if o.event_type == RIDE_UP:
        return (f"{where} is back up at {clock} local time, "
                f"after {_minutes(detail['down_minutes'])} down.")
    if o.event_type == PARK_SCORE_ABOVE:
        return (f"{park}: today's shame score is {detail['score']:.1f}, above "
                f"{o.threshold:g}, at {clock} local time.")
    if o.event_type == RIDE_WAIT_BELOW:
        return (f"{where}: the posted wait is {detail['wait_time']} min, at or below "
                f"{o.threshold:g} min, at {clock} local time.")
    raise ValueError(f"unknown event type {o.event_type!r}")


def payload_of(o: Occurrence, names: Names) -> dict[str, Any]:
    """The event as JSON (see ``events`` for the fields)."""
    park_name, timezone = names.parks.get(o.park_id, (f"Park {o.park_id}", "UTC"))
    ride_name = names.rides.get(o.ride_id, f"Ride {o.ride_id}") if o.ride_id else ""
    detail = dict(o.details)
    clock = local_label(o.occurred_at, zone_of(timezone), "%H:%M")
    payload: dict[str, Any] = {
        "id": o.event_id,
        "type": o.event_type,
        "occurred_at": iso_utc(o.occurred_at),
        "detected_at": iso_utc(o.cause_at or o.occurred_at),
        "park": {"id": o.park_id, "name": park_name, "timezone": timezone},
        "ride": {"id": o.ride_id, "name": ride_name} if o.ride_id is not None else None,
        "text": _text(o, park_name, ride_name, clock, detail),
    }
    if o.event_type in (RIDE_DOWN, RIDE_UP):
        payload["down_minutes"] = detail["down_minutes"]
    if o.event_type == PARK_SCORE_ABOVE:
        payload.update(threshold=o.threshold, score=detail["score"])
    if o.event_type == RIDE_WAIT_BELOW:
        payload.update(minutes=o.threshold, wait_time=detail["wait_time"])
    return payload
