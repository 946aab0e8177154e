"""Browser tests: real Chromium (Debian's /usr/bin/chromium, driven by Playwright) against a
real API server on a free port, over a small simulated SQLite database that ends now.

- ``sim_db``: 6 simulated parks, 8 days ending at the current 5-minute cycle, aggregated
  hourly and daily, as ``themepark demo`` does, with its outages (tests/outage_rows.py) and
  recovery curves. Built once per session (about 25 s).
- ``api_url``: ``create_app(settings)`` served by werkzeug on 127.0.0.1:<free port> in a thread.
- ``long_api_url``: the same over a longer, smaller simulation (3 parks, 22 days), for the long
  record's tests (a week against the week before, rides open 100 hours). About 30 s more.
- ``static_url``: ``frontend/`` served by a plain static file server on another free port,
  as ``cd frontend && python3 -m http.server 8080`` does in the quickstart's step 6; a copy
  whose index.html allows ``api_url`` as an API origin, as an operator would add theirs
  (``frontend_allowing``, ``serve_static``).
- ``page``: a fresh Chromium page that records console errors and uncaught exceptions.

Screenshots go to ``tests-artifacts/browser/`` at the repository root (or ``$BROWSER_ARTIFACTS``).
Without Chromium the tests are skipped, except under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.conftest import require
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.aggregate.hourly import run_hourly
from themepark_tracker.aggregate.recovery import fit_curves
from themepark_tracker.config import Settings
from themepark_tracker.db.engine import make_engine
from themepark_tracker.db.migrate import upgrade
from themepark_tracker.simulate import parse_end, simulate

REPO = Path(__file__).resolve().parents[3]
FRONTEND = REPO / "frontend"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SIM_PARKS = 6
SIM_RIDES = 120
SIM_DAYS = 8
LONG_PARKS = 3
LONG_RIDES = 60
LONG_DAYS = 22
INTERVAL = 5


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = Path(os.environ.get("BROWSER_ARTIFACTS", REPO / "tests-artifacts" / "browser"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@functools.cache
def sim_clock() -> tuple[datetime, datetime]:
    """(end, now): the simulation ends on the last cycle before the browser tests first need
    it, and the API's "now" is pinned a minute later for the whole session: a park's local
    midnight passing mid-run would otherwise move its today/yesterday/last week between two
    requests of one test. Read on first use (not at import: collecting the tests, or a long
    run of other tests first, must not age it)."""
    end = parse_end(None, INTERVAL)
    return end, end + timedelta(minutes=1)


@pytest.fixture(scope="session")
def sim_end() -> datetime:
    return sim_clock()[0]


@pytest.fixture(scope="session")
def sim_now() -> datetime:
    return sim_clock()[1]


@pytest.fixture(scope="session")
def sim_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = build_sim(tmp_path_factory.mktemp("browser") / "sim.sqlite3",
                       SIM_PARKS, SIM_RIDES, SIM_DAYS)
    yield engine
    engine.dispose()


def build_sim(path: Path, parks: int, rides: int, days: int) -> Engine:
    """A simulated SQLite database of ``parks`` parks over ``days`` days ending at the
    session's ``sim_end``, aggregated as ``themepark demo`` does."""
    end, now = sim_clock()
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    # "Today" has data only if the simulation ends (about) now.
    simulate(engine, parks=parks, rides=rides, days=days, seed=1, end=end,
             interval_minutes=INTERVAL)
    backfill(engine, INTERVAL, days=days)
    run_hourly(engine, INTERVAL, now=now)
    run_daily(engine, INTERVAL, now=now)
    fit_curves(engine, 180, now=now)
    return engine


@pytest.fixture(scope="session")
def long_api_url(tmp_path_factory: pytest.TempPathFactory, sim_now: datetime) -> Iterator[str]:
    """The API over a longer, smaller simulation (LONG_PARKS parks over LONG_DAYS days), for
    the long record: a week against the week before, rides open 100 hours, heatmaps."""
    engine = build_sim(tmp_path_factory.mktemp("long") / "long.sqlite3",
                       LONG_PARKS, LONG_RIDES, LONG_DAYS)
    server = serve_api(str(engine.url), sim_now)
    yield f"http://127.0.0.1:{server.server.server_port}"
    server.stop()
    engine.dispose()


class _ServerThread:
    """A server's ``serve_forever`` in a daemon thread; ``stop`` shuts it down."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def serve_api(database_url: str, now: datetime | None = None) -> _ServerThread:
    """``create_app`` for ``database_url`` on 127.0.0.1:<free port>, in a thread, its clock
    pinned at ``now`` (default: the session's ``sim_now``)."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    from themepark_tracker.web import create_app

    pinned = now or sim_clock()[1]

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    app = create_app(Settings.from_env({"DATABASE_URL": database_url}), clock=lambda: pinned)
    return _ServerThread(make_server("127.0.0.1", 0, app, threaded=True,
                                     request_handler=QuietHandler))


@pytest.fixture(scope="session")
def api_url(sim_db: Engine, sim_now: datetime) -> Iterator[str]:
    server = serve_api(str(sim_db.url), sim_now)
    yield f"http://127.0.0.1:{server.server.server_port}"
    server.stop()


class _QuietStatic(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


#: Where index.html lists the API origins the page may use.
CONNECT_SRC = "connect-src 'self'"


def frontend_allowing(folder: Path, origins: Sequence[str]) -> Path:
    """A copy of frontend/ in ``folder`` whose index.html also allows ``origins`` as API
    origins (added to its policy's connect-src, as README.md tells an operator to)."""
    shutil.copytree(FRONTEND, folder, dirs_exist_ok=True)
    index = folder / "index.html"
    html = index.read_text(encoding="utf-8")
    assert CONNECT_SRC in html, "index.html has no connect-src to extend"
    index.write_text(html.replace(CONNECT_SRC, " ".join([CONNECT_SRC, *origins]), 1),
                     encoding="utf-8")
    return folder


def serve_static(folder: Path) -> _ServerThread:
    """``folder`` under a plain static file server on 127.0.0.1:<free port>."""
    handler = functools.partial(_QuietStatic, directory=str(folder))
    return _ServerThread(http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler))


@pytest.fixture(scope="session")
def static_url(api_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = frontend_allowing(tmp_path_factory.mktemp("static") / "frontend", [api_url])
    server = serve_static(folder)
    yield f"http://127.0.0.1:{server.server.server_port}"
    server.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    require(Path(CHROMIUM).exists(),
            f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A Chromium page and what its console said."""

    page: Any
    errors: list[str] = field(default_factory=list)

    def assert_no_errors(self) -> None:
        assert self.errors == [], "the browser console reported errors:\n" + "\n".join(self.errors)


def _open_tab(chromium: Any, width: int, height: int) -> Iterator[Tab]:
    context = chromium.new_context(viewport={"width": width, "height": height},
                                   timezone_id="UTC", locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    tab = Tab(page)
    page.on("console", lambda msg: tab.errors.append(f"console.{msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: tab.errors.append(f"uncaught: {exc}"))
    yield tab
    context.close()


@pytest.fixture
def tab(chromium: Any) -> Iterator[Tab]:
    yield from _open_tab(chromium, 1280, 900)


@pytest.fixture
def phone_tab(chromium: Any) -> Iterator[Tab]:
    yield from _open_tab(chromium, 390, 844)
