"""The Flask application: a JSON API under /api (SPEC §5–§7) and the static page at /.

``create_app(settings=None)`` builds it; nothing connects to the database until a request.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from themepark_tracker.config import Settings
from themepark_tracker.db.engine import make_engine
from themepark_tracker.timeutil import Clock, utcnow
from themepark_tracker.web import (
    catalog_coverage,
    errors,
    evidence,
    feeds,
    frontend,
    history,
    live,
    meta,
    parks,
    rides,
    subscriptions,
)
from themepark_tracker.web import heatmap as heatmap_api
from themepark_tracker.web.cache import limiter_storage_uri, make_cache
from themepark_tracker.web.respond import JsonProvider, Services
from themepark_tracker.web.security import add_security_headers

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None,
    frontend_dir: Path | None = None,
) -> Flask:
    """The app for ``settings`` (default: from the environment). ``clock`` returns the naive
    UTC "now" every period is evaluated at (tests pin it); ``frontend_dir`` overrides where
    the page is served from."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, static_folder=None)
    app.json = JsonProvider(app)
    app.extensions["themepark"] = Services(
        settings=settings,
        engine=make_engine(settings.database_url),
        cache=make_cache(settings.cache_url),
        clock=clock or utcnow,
        frontend_dir=frontend_dir,
    )
    # Registered before the limiter's own hook, so it runs after it (Flask runs them last
    # registered first) and sees the headers the limiter added.
    app.after_request(_headers)
    _limit(app, settings)
    for module in (parks, evidence, rides, live, meta, catalog_coverage, feeds, subscriptions,
                   frontend, history):
        app.register_blueprint(module.bp)
    app.register_blueprint(heatmap_api.bp)
    errors.register(app)
    return app


def _limit(app: Flask, settings: Settings) -> None:
    """One request budget per client address for all of /api together (application limits
    are one counter across every route; default limits would be one per route). Counted in
    the Redis of CACHE_URL when there is one, so every worker shares it; otherwise each
    worker process counts on its own."""
    limiter = Limiter(
        get_remote_address, app=app,
        application_limits=[settings.api_rate_limit] if settings.api_rate_limit else [],
        storage_uri=limiter_storage_uri(settings.cache_url), headers_enabled=True,
        enabled=settings.api_rate_limit is not None,
        # A limiter whose store is down must not take the API down with it.
        swallow_errors=True,
    )
    limiter.request_filter(lambda: not request.path.startswith("/api/"))


def _headers(response: Response) -> Response:
    """CORS, since the page may be served from another origin (seed step 6: port 8080
    against 5001); Retry-After only where it means something, on a 429; and the security
    headers (web/security.py) on everything."""
    add_security_headers(response, frontend.frontend_dir())
    if response.status_code != 429:
        response.headers.pop("Retry-After", None)
    if request.path.startswith("/api/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        # /api/subscriptions (the one writing part) sets its own.
        response.headers.setdefault("Access-Control-Allow-Methods", "GET, OPTIONS")
        response.headers["Access-Control-Expose-Headers"] = "Retry-After, X-Cache"
    return response
