"""``themepark serve``: the app under gunicorn (several workers, each with threads), the way
production runs it. Settings travel to the workers through the environment."""

from __future__ import annotations

import os
import sys

from themepark_tracker.config import Settings
from themepark_tracker.db.engine import describe, make_engine
from themepark_tracker.db.migrate import require_revision

DEFAULT_PORT = 5001


def default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def gunicorn_argv(host: str, port: int, workers: int, threads: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--worker-class", "gthread",
        "--backlog", "2048",
        "--access-logfile", "-",
        "themepark_tracker.web:create_app()",
    ]


def serve(settings: Settings, *, host: str, port: int, workers: int, threads: int) -> None:
    """Check the database, then replace this process with gunicorn (never returns)."""
    engine = make_engine(settings.database_url)
    try:
        require_revision(engine, "012", "the API")
        where = describe(engine)
    finally:
        engine.dispose()
    print(f"Serving the API and the page at http://{host}:{port}/ from {where} "
          f"({workers} workers × {threads} threads; Ctrl-C stops)", flush=True)
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    argv = gunicorn_argv(host, port, workers, threads)
    os.execve(argv[0], argv, env)
