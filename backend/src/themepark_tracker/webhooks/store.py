"""Webhook subscriptions: the one writer of ``webhook_subscriptions`` (made by
``themepark webhooks add`` or ``POST /api/subscriptions``; their delivery status kept by the
worker).

A subscription follows one event type (SPEC §13) for a ride, a park (every ride of it), or
both; ``park.score_above`` takes a park and a threshold, ``ride.wait_below`` a ride and a
number of minutes. It starts at the newest event recorded, so it is never sent a backlog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, delete, func, select, update

from themepark_tracker.db import tables as t
from themepark_tracker.db.alert_tables import events, webhook_subscriptions
from themepark_tracker.errors import UserError
from themepark_tracker.metrics import SHAME_SCALE
from themepark_tracker.webhooks.messages import EVENT_TYPES, FORMATS, new_secret
from themepark_tracker.webhooks.targets import check_target

ACTIVE, FAILING = "active", "failing"
MINUTES_RANGE = (1, 600)
subs = webhook_subscriptions


class SubscriptionError(UserError):
    """A subscription request that cannot be stored; ``parameter`` names the bad field and
    ``status`` is 404 for a park or ride that does not exist, else 400."""

    def __init__(self, message: str, parameter: str, status: int = 400) -> None:
        super().__init__(message)
        self.parameter, self.status = parameter, status


@dataclass(frozen=True)
class NewSubscription:
    url: str
    event_type: str
    park_id: int | None = None
    ride_id: int | None = None
    threshold: float | None = None
    minutes: int | None = None
    format: str = "json"


def _check_shape(new: NewSubscription) -> None:
    """What each event type takes (see the module docstring)."""
    kind = new.event_type
    if kind not in EVENT_TYPES:
        raise SubscriptionError(f"event must be one of {', '.join(EVENT_TYPES)}", "event")
    if new.format not in FORMATS:
        raise SubscriptionError(f"format must be one of {', '.join(FORMATS)}", "format")
    needs = {"ride.down": (), "ride.up": (), "park.score_above": ("park", "threshold"),
             "ride.wait_below": ("ride", "minutes")}[kind]
    given = {"park": new.park_id, "ride": new.ride_id, "threshold": new.threshold,
             "minutes": new.minutes}
    for name in needs:
        if given[name] is None:
            raise SubscriptionError(f"{kind} needs a {name}", name)
    if kind in {"ride.down", "ride.up"} and new.park_id is None and new.ride_id is None:
        raise SubscriptionError(f"{kind} needs a ride, a park or both", "ride")
    allowed = set(needs) | ({"park", "ride"} if kind.startswith("ride.") else set())
    for name, value in given.items():
        if value is not None and name not in allowed:
            raise SubscriptionError(f"{kind} does not take a {name}", name)
    if new.threshold is not None and not 0 <= new.threshold < SHAME_SCALE:
        raise SubscriptionError(
            f"threshold must be a shame score from 0 to below {SHAME_SCALE}", "threshold")
    if new.minutes is not None and not MINUTES_RANGE[0] <= new.minutes <= MINUTES_RANGE[1]:
        raise SubscriptionError(f"minutes must be from {MINUTES_RANGE[0]} to "
                                f"{MINUTES_RANGE[1]}", "minutes")


def _check_subject(conn: Connection, new: NewSubscription) -> None:
    if new.park_id is not None and conn.scalar(
            select(t.parks.c.park_id).where(t.parks.c.park_id == new.park_id)) is None:
        raise SubscriptionError(f"no park with id {new.park_id}", "park_id", 404)
    if new.ride_id is None:
        return
    park = conn.scalar(select(t.rides.c.park_id).where(t.rides.c.ride_id == new.ride_id))
    if park is None:
        raise SubscriptionError(f"no ride with id {new.ride_id}", "ride_id", 404)
    if new.park_id is not None and park != new.park_id:
        raise SubscriptionError(f"ride {new.ride_id} is not in park {new.park_id}", "ride_id")


def add(conn: Connection, new: NewSubscription, now: datetime, *, allow_private: bool
        ) -> dict[str, Any]:
    """Store ``new`` and return it with its secret (the only time the secret is shown)."""
    _check_shape(new)
    check_target(new.url, allow_private)
    _check_subject(conn, new)
    cursor = conn.scalar(select(func.coalesce(func.max(events.c.seq), 0)))
    secret = new_secret()
    result = conn.execute(subs.insert().values(
        url=new.url, event_type=new.event_type, park_id=new.park_id, ride_id=new.ride_id,
        threshold=new.threshold, minutes=new.minutes, format=new.format, secret=secret,
        status=ACTIVE, consecutive_failures=0, event_cursor=cursor, created_at=now,
        updated_at=now))
    key = result.inserted_primary_key
    assert key is not None
    found = get(conn, int(key[0]))
    assert found is not None
    return public(found) | {"secret": secret}


def get(conn: Connection, subscription_id: int) -> dict[str, Any] | None:
    """The whole row (secret included), for the worker and ``webhooks test``."""
    row = conn.execute(select(subs).where(subs.c.subscription_id == subscription_id)).first()
    return dict(row._mapping) if row is not None else None


def public(row: dict[str, Any]) -> dict[str, Any]:
    """A subscription as listed: everything but the secret and the internal cursor."""
    return {"subscription_id": row["subscription_id"], "url": row["url"],
            "event": row["event_type"], "park_id": row["park_id"], "ride_id": row["ride_id"],
            "threshold": row["threshold"], "minutes": row["minutes"], "format": row["format"],
            "status": row["status"], "consecutive_failures": row["consecutive_failures"],
            "created_at": row["created_at"]}


def list_all(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(subs).order_by(subs.c.subscription_id))
    return [public(dict(r._mapping)) for r in rows]


def remove(conn: Connection, subscription_id: int) -> bool:
    """Delete the subscription (its outbox rows go with it: outbox.forget); False if none."""
    from themepark_tracker.webhooks.outbox import forget

    forget(conn, subscription_id)
    return conn.execute(delete(subs).where(subs.c.subscription_id == subscription_id)
                        ).rowcount > 0


def advance_cursors(conn: Connection, seq: int, now: datetime) -> None:
    """Every subscription has been given the events up to ``seq``."""
    conn.execute(update(subs).where(subs.c.event_cursor < seq)
                 .values(event_cursor=seq, updated_at=now))


def record_result(conn: Connection, subscription_id: int, succeeded: bool,
                  failing_after: int, now: datetime) -> None:
    """Count consecutive failures; at ``failing_after`` the subscription is failing, and a
    success makes it active again."""
    if succeeded:
        values: dict[str, Any] = {"consecutive_failures": 0, "status": ACTIVE}
    else:
        failures = subs.c.consecutive_failures + 1
        values = {"consecutive_failures": failures,
                  "status": case((failures >= failing_after, FAILING), else_=subs.c.status)}
    conn.execute(update(subs).where(subs.c.subscription_id == subscription_id)
                 .values(updated_at=now, **values))
