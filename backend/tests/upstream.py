"""A fake upstream: a real HTTP server on 127.0.0.1 serving tests/fixtures/upstream/ the way
Queue-Times.com (under /qt) and ThemeParks.wiki v1 (under /wiki) serve their payloads.

Tests steer it per path: ``fail`` (an HTTP error), ``slow`` (sleep before answering),
``throttle`` (429 with Retry-After, a given number of times), ``transform`` (edit the JSON before
it is sent, e.g. to break a ride down). ``now`` is the instant the fixtures' "@NOW-2m" times are
relative to.

``serve_upstream(real_files())`` serves instead the real ThemeParks.wiki captures of
tests/fixtures/upstream/real/ byte for byte, at the paths the collector asks for (Magic
Kingdom only; every other path, Queue-Times' included, is a 404).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from themepark_tracker.config import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "upstream"
REAL = FIXTURES / "real"
#: The real captures of Magic Kingdom's ``live``: mid-day (18:27 in Orlando) and before opening.
REAL_LIVE_MIDDAY = REAL / "ThemeParks_Python" / "mk_live.json"
REAL_LIVE_BEFORE_OPENING = REAL / "ThemeParks_JavaScript" / "mk_live.json"
MK_WIKI = "75ea578a-adc8-4116-a54d-dccb60765ef9"
EUROPA_WIKI = "0e3e0c1b-6c8f-4b3d-9e4f-6f2b1f9a6c11"
RIDE = {  # ThemeParks.wiki ids of Magic Kingdom rides the tests steer
    "space": "b2260923-9315-40fd-9c6b-44dd811dbe64",
    "dwarfs": "9d4d5229-7142-44b6-b4fb-528920969a2c",
    "thunder": "de3309ca-97d5-4211-bffe-739fed47e92f",
    "mansion": "2551a77d-023f-4ab1-9a19-8afec21c7d10",
    "peterpan": "86a41273-5f15-4b54-93b6-829f140e5161",
    "railroad": "0f57cecf-5502-4503-8bc3-ba72a0c68a21",
}
_TOKEN = re.compile(r"^@NOW(?:([+-]\d+)([smhd]))?(!s)?$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def render(value: Any, now: datetime) -> Any:
    """Replace "@NOW-2m"-style strings by ISO instants relative to ``now``."""
    if isinstance(value, dict):
        return {k: render(v, now) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, now) for v in value]
    if isinstance(value, str) and (m := _TOKEN.match(value)):
        amount, unit, no_ms = m.groups()
        at = now + timedelta(**{_UNITS[unit]: int(amount)}) if amount else now
        if no_ms:
            return at.strftime("%Y-%m-%dT%H:%M:%SZ")
        return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
    return value


def fixture_path(url_path: str) -> Path | None:
    for prefix, folder in (("/qt/", "queue_times"), ("/wiki/", "themeparks_wiki")):
        if url_path.startswith(prefix):
            rel = url_path[len(prefix):].strip("/")
            for candidate in (FIXTURES / folder / rel, FIXTURES / folder / f"{rel}.json"):
                if candidate.is_file():
                    return candidate
    return None


def real_files(live: Path = REAL_LIVE_MIDDAY) -> dict[str, Path]:
    """URL path -> real capture, for ``serve_upstream``: ThemeParks.wiki's destinations and
    Magic Kingdom's entity, children, schedule and the given ``live``."""
    python_sdk, park = REAL / "ThemeParks_Python", f"/wiki/entity/{MK_WIKI}"
    return {"/wiki/destinations": python_sdk / "destinations.json",
            park: python_sdk / "mk_entity.json",
            f"{park}/children": python_sdk / "mk_children.json",
            f"{park}/schedule": python_sdk / "mk_schedule.json",
            f"{park}/live": live}


def render_fixture(url_path: str, now: datetime | None = None) -> Any:
    path = fixture_path(url_path)
    assert path is not None, url_path
    return render(json.loads(path.read_text("utf-8")), now or utcnow())


@dataclass
class Seen:
    at: float  # time.monotonic() when the request arrived
    path: str
    headers: dict[str, str]


@dataclass
class FakeUpstream:
    base_url: str = ""
    files: dict[str, Path] | None = None  # URL path -> file served as is (see real_files)
    now: Callable[[], datetime] = utcnow
    requests: list[Seen] = field(default_factory=list)
    _fail: dict[str, int] = field(default_factory=dict)
    _fail_body: dict[str, bytes] = field(default_factory=dict)
    _slow: dict[str, float] = field(default_factory=dict)
    _throttle: dict[str, tuple[int, str]] = field(default_factory=dict)
    _transform: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def queue_times_url(self) -> str:
        return f"{self.base_url}/qt"

    @property
    def wiki_url(self) -> str:
        return f"{self.base_url}/wiki"

    def settings(self, base: Settings) -> Settings:
        from dataclasses import replace
        return replace(base, queue_times_base_url=self.queue_times_url,
                       themeparks_wiki_base_url=self.wiki_url)

    def env(self) -> dict[str, str]:
        return {"QUEUE_TIMES_BASE_URL": self.queue_times_url,
                "THEMEPARKS_WIKI_BASE_URL": self.wiki_url}

    def fail(self, path: str, status: int = 500, body: bytes | None = None) -> None:
        """Answer ``path`` with ``status`` and ``body`` (JSON; default an HTML error page)."""
        self._fail[path] = status
        if body is not None:
            self._fail_body[path] = body

    def slow(self, path: str, seconds: float) -> None:
        self._slow[path] = seconds

    def throttle(self, path: str, times: int, retry_after: str) -> None:
        self._throttle[path] = (times, retry_after)

    def transform(self, path: str, fn: Callable[[Any], Any]) -> None:
        self._transform[path] = fn

    def reset(self) -> None:
        self._fail.clear()
        self._fail_body.clear()
        self._slow.clear()
        self._throttle.clear()
        self._transform.clear()

    def hits(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests.append(Seen(time.monotonic(), path, headers))
            throttled = self._throttle.get(path)
            if throttled and throttled[0] > 0:
                self._throttle[path] = (throttled[0] - 1, throttled[1])
        if throttled and throttled[0] > 0:
            return 429, {"Retry-After": throttled[1]}, b'{"error": "Too Many Requests"}'
        if path in self._slow:
            time.sleep(self._slow[path])
        if path in self._fail:
            if path in self._fail_body:
                return (self._fail[path], {"Content-Type": "application/json"},
                        self._fail_body[path])
            return self._fail[path], {}, b"<html>upstream error</html>"
        source = self.files.get(path) if self.files is not None else fixture_path(path)
        if source is None:
            return 404, {}, b'{"error": "Not Found"}'
        if self.files is not None and path not in self._transform:
            return 200, {"Content-Type": "application/json"}, source.read_bytes()
        data = render(json.loads(source.read_text("utf-8")), self.now())
        if path in self._transform:
            data = self._transform[path](data)
        return 200, {"Content-Type": "application/json"}, json.dumps(data).encode()


def set_live(data: Any, ride: str, status: str, wait: int | None = None) -> Any:
    """Edit a ThemeParks.wiki live payload: ride (a key of RIDE) now has ``status``."""
    for entry in data["liveData"]:
        if entry["id"] == RIDE[ride]:
            entry["status"] = status
            entry["queue"] = {"STANDBY": {"waitTime": wait}}
    return data


@contextmanager
def serve_upstream(files: dict[str, Path] | None = None) -> Iterator[FakeUpstream]:
    """The fake upstream on a free port: the hand-made fixtures, or ``files`` when given."""
    fake = FakeUpstream(files=files)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            status, headers, body = fake.answer(self.path, dict(self.headers.items()))
            try:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
