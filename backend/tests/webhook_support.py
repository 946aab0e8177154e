"""For the webhook tests: a real local HTTP receiver that records what it is sent, and one
helper that stores an events row directly (the event derivation is tested on its own; these
tests are about delivering what it stored)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import Connection

from themepark_tracker.db.alert_tables import events


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic()

    @property
    def event_id(self) -> str:
        return self.headers["X-Themepark-Event-Id"]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers ``status`` (after ``delay`` seconds) to every POST and keeps each request;
    a request answered with a failure is kept in ``refused`` instead."""

    status: int = 204
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    refused: list[Received] = field(default_factory=list)
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def ids(self) -> list[str]:
        with self.lock:
            return [r.event_id for r in self.received]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.status
            got = Received(dict(self.headers.items()), body, time.monotonic())
            with receiver.lock:
                (receiver.received if 200 <= status < 300 else receiver.refused).append(got)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve_receiver(port: int = 0, **options: Any) -> Iterator[Receiver]:
    receiver = Receiver(**options)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(receiver))
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def verify(secret: str, received: Received) -> bool:
    """The recipe of SPEC §13, written out independently of the code under test."""
    stamp = received.headers["X-Themepark-Timestamp"]
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + received.body,
                        hashlib.sha256).hexdigest()
    return received.headers["X-Themepark-Signature"] == "sha256=" + expected


def add_event(conn: Connection, event_type: str, park_id: int, ride_id: int | None,
              occurred_at: datetime, *, deliver: bool = True, threshold: float | None = None,
              text: str = "") -> str:
    """Store one events row the way the event writer would; return its id."""
    event_id = hashlib.sha256(
        f"{event_type}|{park_id}|{ride_id}|{threshold}|{occurred_at.isoformat()}".encode()
    ).hexdigest()[:32]
    conn.execute(events.insert().values(
        event_id=event_id, event_type=event_type, park_id=park_id, ride_id=ride_id,
        threshold=threshold, occurred_at=occurred_at, recorded_at=occurred_at,
        deliver=deliver, payload=json.dumps({"text": text or f"{event_type} {ride_id}"})))
    return event_id
