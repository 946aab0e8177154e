"""What a delivery carries (SPEC §13): the body in the subscription's format, and the headers
``X-Themepark-Event-Id``, ``X-Themepark-Timestamp`` (Unix seconds) and
``X-Themepark-Signature: sha256=<hex>``, the HMAC-SHA256 with the subscription's secret over
``<timestamp>.<raw body>``. The README shows a receiver checking it; a test runs that code."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from themepark_tracker.timeutil import iso_utc

FORMATS = ("json", "slack", "discord", "ntfy")
EVENT_TYPES = ("ride.down", "ride.up", "park.score_above", "ride.wait_below")
#: The type of the event ``themepark webhooks test`` sends.
TEST_EVENT = "webhook.test"


def new_secret() -> str:
    """A subscription's secret: 256 random bits, as hex."""
    return secrets.token_hex(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def event_document(event_id: str, event_type: str, occurred_at: datetime,
                   payload: str | dict[str, Any]) -> dict[str, Any]:
    """The event as a JSON receiver gets it: the payload the event writer stored (it is the
    event: ingest/events.py documents its fields), with its id, type and instant made sure."""
    data = json.loads(payload) if isinstance(payload, str) else payload
    return {**data, "id": event_id, "type": event_type, "occurred_at": iso_utc(occurred_at)}


def event_text(document: dict[str, Any]) -> str:
    """One line for a person: the sentence the event writer made."""
    text = document.get("text")
    if isinstance(text, str) and text:
        return text
    return f"{document['type']} at {document['occurred_at']}"


@dataclass(frozen=True)
class Message:
    body: bytes
    headers: dict[str, str]


def render(fmt: str, document: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The body and content headers of ``document`` in one of ``FORMATS``: the event itself
    (json), Slack's and Discord's incoming-webhook shapes, or ntfy's plain-text publish with
    the title in a header."""
    text = event_text(document)
    if fmt == "slack":
        return _json({"text": text}), {"Content-Type": "application/json"}
    if fmt == "discord":
        return _json({"content": text}), {"Content-Type": "application/json"}
    if fmt == "ntfy":
        return text.encode(), {"Content-Type": "text/plain; charset=utf-8",
                               "Title": document["type"], "Tags": "roller_coaster"}
    return _json(document), {"Content-Type": "application/json"}


def build(fmt: str, secret: str, document: dict[str, Any], timestamp: int) -> Message:
    body, headers = render(fmt, document)
    return Message(body, {
        **headers,
        "X-Themepark-Event-Id": str(document["id"]),
        "X-Themepark-Timestamp": str(timestamp),
        "X-Themepark-Signature": signature(secret, timestamp, body),
    })


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
