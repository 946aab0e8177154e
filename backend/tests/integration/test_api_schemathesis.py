"""schemathesis fuzzes a live server from /api/openapi.json: no 500 for any input it
generates (valid and invalid), and every response matches the documented schema; the
subscription API with the admin token. The server
is the real app under werkzeug on a free port, over a SQLite database with the SPEC §2
world; the fuzzer runs as the real `schemathesis` command."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.scenarios import WORLD_INTERVAL, at_head, build_world
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.config import Settings
from themepark_tracker.db.engine import make_engine
from themepark_tracker.db.migrate import upgrade
from themepark_tracker.web import create_app
from themepark_tracker.web.openapi import document

NOW = datetime(2025, 11, 2, 15, 47)


TOKEN = "fuzz-admin-token"


#: Where the fuzz run's webhook host names "resolve" (a public address; nothing is sent).
PUBLIC_ADDRESS = "93.184.215.14"


def no_dns(real: Callable[..., Any]) -> Callable[..., Any]:
    """getaddrinfo that never asks DNS (the fuzzer's made-up webhook hosts would otherwise be
    looked up beyond 127.0.0.1): IP literals resolve as ever, and any name resolves to one
    public address, so subscriptions can be made and removed."""
    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return real(host, port, *args, **{**kwargs, "flags": socket.AI_NUMERICHOST})
        except socket.gaierror:
            return real(PUBLIC_ADDRESS, port, *args, **kwargs)
    return resolve


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", no_dns(socket.getaddrinfo))
        yield from _serve(tmp_path_factory)


def _serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'api.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    at_head(engine)
    build_world(engine)
    backfill(engine, WORLD_INTERVAL, start=datetime(2025, 11, 1, 12),
             end=datetime(2025, 11, 2, 14))
    run_daily(engine, WORLD_INTERVAL, now=NOW)
    engine.dispose()
    settings = Settings(database_url=url, collection_interval_minutes=WORLD_INTERVAL,
                        api_rate_limit=None, admin_token=TOKEN,
                        # the smallest host the fuzzer makes is "0", i.e. 0.0.0.0: private
                        # targets are refused in test_subscriptions_api.py instead
                        webhook_allow_private=True)
    server = make_server("127.0.0.1", 0, create_app(settings, clock=lambda: NOW),
                         threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server: str,
                                                                      tmp_path: Path) -> None:
    cli = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert cli, "schemathesis is a dev dependency: make install"
    result = subprocess.run(
        [cli, "run", f"{live_server}/api/openapi.json",
         "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,"
                     "content_type_conformance",
         "--header", f"Authorization: Bearer {TOKEN}",
         "--max-examples", "25", "--seed", "1", "--request-timeout", "30",
         "--suppress-health-check", "all"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "No issues found" in output, output[-3000:]
    operations = sum(len(item) for item in document()["paths"].values())
    assert f"Tested: {operations}" in output, output[-3000:]  # every operation was exercised
