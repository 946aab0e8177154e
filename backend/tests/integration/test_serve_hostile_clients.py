"""``themepark serve`` as a real subprocess against hostile clients, the security probe's
D1 and D2 (docs/performance.md, "Server choice (issue 12)"):

- D1: 1,100 TCP connections that send nothing. Under gunicorn 23's ``gthread`` worker, 1,000
  of them on one worker put it in a busy loop that never served again, not even after they
  left.
- D2: 40 clients that send one byte and then nothing. Under gunicorn 23 each held a thread
  with no read timeout; 16 stopped the API.

The server runs with one worker so that every hostile connection lands on the same one (the
harshest case). The only time bound is a generous liveness one: an answer within
``ANSWER_WITHIN`` seconds on a loaded machine, where a healthy server needs milliseconds."""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from themepark_tracker.db.engine import make_engine
from themepark_tracker.db.migrate import upgrade
from themepark_tracker.web.serve import HEADER_READ_TIMEOUT_MS

pytestmark = pytest.mark.slow

IDLE_CONNECTIONS = 1100
ONE_BYTE_CLIENTS = 40
ANSWER_WITHIN = 10.0  # seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def enough_open_files(needed: int) -> None:
    """Lift this process's soft limit on open files to ``needed``, or skip (fail under CI)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        message = f"needs {needed} open files, the hard limit is {hard}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def answer(port: int) -> dict[str, object]:
    """A normal client's request; raises (timeout, refused) when the API does not answer."""
    url = f"http://127.0.0.1:{port}/api/openapi.json"
    with urllib.request.urlopen(url, timeout=ANSWER_WITHIN) as response:
        assert response.status == 200
        body: dict[str, object] = json.loads(response.read())
    return body


def assert_answers(port: int, when: str) -> None:
    try:
        body = answer(port)
    except OSError as exc:
        pytest.fail(f"no answer within {ANSWER_WITHIN:.0f} s {when}: {exc!r}")
    assert "openapi" in body and "paths" in body, f"not the API's document {when}"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    """``themepark serve --workers 1`` on a free port and a migrated SQLite file; the whole
    process group is killed afterwards."""
    database = tmp_path / "serve.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    engine.dispose()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_NAME", "CACHE_URL"}}
    env.update(DATABASE_URL=f"sqlite:///{database}", API_RATE_LIMIT="off")
    themepark = str(Path(sys.executable).parent / "themepark")
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([themepark, "serve", "--port", str(port), "--workers", "1",
                             "--no-access-log"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(port, proc, tmp_path / "serve.log")
        yield port
    finally:
        stop(proc)
        log.close()


def wait_until_up(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"themepark serve exited ({proc.returncode}):\n{log.read_text()}")
        try:
            answer(port)
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"themepark serve did not answer within 60 s:\n{log.read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group, SIGKILL if it is still there after 15 s."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 15)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue


def connect(port: int, stack: ExitStack, count: int, send: bytes = b"") -> list[socket.socket]:
    """``count`` connections closed when ``stack`` closes, each having sent ``send``."""
    socks = []
    for _ in range(count):
        sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
        if send:
            sock.sendall(send)
        socks.append(sock)
    return socks


def test_d1_d2_api_answers_while_idle_and_one_byte_clients_hold_it_and_after_they_leave(
        server: int) -> None:
    enough_open_files(IDLE_CONNECTIONS + ONE_BYTE_CLIENTS + 256)
    with ExitStack() as stack:
        connect(server, stack, IDLE_CONNECTIONS)
        connect(server, stack, ONE_BYTE_CLIENTS, send=b"G")
        time.sleep(2)  # let the server take them all in before a normal client comes
        assert_answers(server, f"while {IDLE_CONNECTIONS} idle and {ONE_BYTE_CLIENTS} "
                               "one-byte clients are connected")
    time.sleep(2)  # they have left
    assert_answers(server, "after the idle and one-byte clients left")
    assert_answers(server, "on a second request after they left")


def test_d1_api_answers_after_idle_connections_come_and_go_twice(server: int) -> None:
    """gunicorn 23 went down for good at the first wave; a second wave checks that the
    first left nothing behind."""
    enough_open_files(IDLE_CONNECTIONS + 256)
    for wave in (1, 2):
        with ExitStack() as stack:
            connect(server, stack, IDLE_CONNECTIONS)
            time.sleep(1)
        time.sleep(1)
        assert_answers(server, f"after wave {wave} of {IDLE_CONNECTIONS} idle connections")


def test_d2_server_drops_a_client_that_stops_in_the_middle_of_its_request(
        server: int) -> None:
    """The header read timeout: a client that sends part of a request head and stops is
    disconnected (EOF), not kept for as long as it likes."""
    limit = HEADER_READ_TIMEOUT_MS / 1000
    with socket.create_connection(("127.0.0.1", server), timeout=limit + 20) as sock:
        sock.sendall(b"GET /api/openapi.json HTTP/1.1\r\nHost: x\r\n")
        try:
            rest = sock.recv(1024)
        except TimeoutError:
            pytest.fail(f"still connected {limit + 20:.0f} s after stopping mid-request")
        except ConnectionResetError:
            rest = b""
    assert rest == b"" or rest.startswith(b"HTTP/1.1 408"), rest[:200]
