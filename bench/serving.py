"""Serving the API for a benchmark: start ``themepark serve`` on a free port over a bench
database, GET paths, time them (p50, p99), and the figures and data each run reports."""

from __future__ import annotations

import http.client
import importlib.util
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from common import free_port
from themepark_tracker.web.serve import DEFAULT_THREADS, default_workers


#: ``--server``: granian is what ``themepark serve`` runs; gunicorn23 is the setup it replaced
#: (gthread, the same workers and threads; needs ``pip install 'gunicorn==23.0.0'``), kept to
#: measure the two side by side (docs/performance.md, "Server choice (issue 12)").
SERVERS = ("granian", "gunicorn23")


def server_argv(kind: str, port: int) -> list[str]:
    if kind == "granian":
        return [str(Path(sys.executable).parent / "themepark"), "serve", "--port", str(port)]
    if importlib.util.find_spec("gunicorn") is None:
        raise SystemExit("--server gunicorn23 needs gunicorn: "
                         ".venv/bin/pip install 'gunicorn==23.0.0'")
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", str(default_workers()), "--threads", str(DEFAULT_THREADS),
            "--worker-class", "gthread", "--backlog", "2048", "--access-logfile", "-",
            "themepark_tracker.web:create_app()"]


@contextmanager
def server(database: str, cache: str, kind: str = "granian") -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "DATABASE_NAME": database, "CACHE_URL": cache,
           "API_RATE_LIMIT": "off"}
    env.pop("DATABASE_URL", None)
    # The server's output goes to a file: a pipe nobody reads would fill and block it.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(server_argv(kind, port), env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_up(port, log)
            yield port
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


def wait_until_up(port: int, log: IO[bytes]) -> None:
    for _ in range(100):
        try:
            get(port, "/api/openapi.json")
            return
        except OSError:
            time.sleep(0.2)
    log.seek(0)
    raise SystemExit(f"the server did not start: {log.read().decode(errors='replace')}")


def get(port: int, path: str, conn: http.client.HTTPConnection | None = None) -> bytes:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    if own:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status} {body[:200]!r}")
    return body


def percentiles(port: int, path: str, repeat: int) -> tuple[float, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    get(port, path, conn)  # warm: connection, statement cache, (cached server) the entry
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        get(port, path, conn)
        times.append((time.perf_counter() - start) * 1000)
    conn.close()
    times.sort()
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return statistics.median(times), p99


@dataclass
class Figures:
    """One server's figures: (p50, p99) in ms per path, uncached and cached; wrk's summary;
    the 1-minute load average before and after."""

    server: str
    uncached: dict[str, tuple[float, float]] = field(default_factory=dict)
    cached: dict[str, tuple[float, float]] = field(default_factory=dict)
    load: dict[str, str] = field(default_factory=dict)
    loadavg: tuple[float, float] = (0.0, 0.0)


@dataclass
class Data:
    database: str
    parks: int
    newest: datetime
    started: datetime
    live: dict[str, Any]
    paths: list[str]
