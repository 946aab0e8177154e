"""``themepark serve``: the app under gunicorn (several workers, each with threads), the way
production runs it. Settings travel to the workers through the environment."""

from __future__ import annotations

import os
import sys

from themepark_tracker.config import Settings
from themepark_tracker.db.engine import describe, make_engine
from themepark_tracker.db.migrate import require_revision

DEFAULT_PORT = 5001

#: Threads per worker: enough to overlap the database waits of uncached answers, few enough
#: that a worker's threads do not queue behind each other for the GIL on cached ones (500
#: clients on 2 cores, 2 workers: p99 0.25-0.33 s with 8, 0.39-0.52 s with 16, 0.44 s
#: with 32).
DEFAULT_THREADS = 8


def default_workers() -> int:
    """One worker per core, at most 8: a cached answer costs CPU, not waiting, so workers
    beyond the cores only compete for them (2 cores, 500 clients: 5 workers × 4 threads gave
    a p99 of 1.1-2.9 s, 2 × 8 gave 0.25-0.33 s)."""
    return min(os.cpu_count() or 1, 8)


def gunicorn_argv(host: str, port: int, workers: int, threads: int,
                  access_log: bool = True) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--worker-class", "gthread",
        "--backlog", "2048",
        *(["--access-logfile", "-"] if access_log else []),
        "themepark_tracker.web:create_app()",
    ]


def serve(settings: Settings, *, host: str, port: int, workers: int, threads: int,
          access_log: bool = True) -> None:
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
    argv = gunicorn_argv(host, port, workers, threads, access_log)
    os.execve(argv[0], argv, env)
