"""``themepark serve``: the app under granian (several worker processes, each with a pool of
Python threads), the way production runs it.

Granian reads and writes HTTP in Rust (hyper on tokio): a connection costs a Python thread
only while its request is in the app. Idle connections and clients that send a byte and
stop therefore cannot starve the threads, which is how gunicorn 23's ``gthread`` worker went
down (docs/performance.md, "Server choice (issue 12)").

Each worker builds the app with ``create_app()``, which reads its settings from the
environment; ``worker_environment`` writes every setting the environment can carry into the
workers' environment and refuses settings it cannot carry, so the workers run with exactly
the settings the command checked."""

from __future__ import annotations

import dataclasses
import os
import resource
import sys
from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from themepark_tracker.config import Settings
from themepark_tracker.db.engine import describe, make_engine
from themepark_tracker.db.migrate import require_revision
from themepark_tracker.errors import UserError
from themepark_tracker.web import create_app

#: Threads per worker: enough to overlap the database waits of uncached answers, few enough
#: that a worker's threads do not queue behind each other for the GIL on cached ones (500
#: clients on 2 cores, 2 workers, gunicorn: p99 0.25-0.33 s with 8, 0.39-0.52 s with 16,
#: 0.44 s with 32).
DEFAULT_THREADS = 8

#: Open connections a worker accepts (granian's ``--backpressure``; it counts connections,
#: idle ones included). Granian's default, the backlog divided by the workers, is 512 on
#: two cores, and 1,100 idle connections then locked everybody else out while they stayed.
CONNECTIONS_PER_WORKER = 4096

#: Milliseconds a client has to send a whole request head once it has started; a client
#: that sends one byte and stops is disconnected after this (it never holds a thread).
HEADER_READ_TIMEOUT_MS = 10_000

BACKLOG = 2048

#: The environment variable naming how many reverse proxies in front of the server append
#: the client's address to ``X-Forwarded-For`` (deployment/nginx: 1). Unset or 0: the header
#: is ignored and the peer's address is the client's (behind a proxy, then, every client
#: shares the proxy's rate-limit bucket).
TRUSTED_PROXIES = "TRUSTED_PROXIES"


def default_workers() -> int:
    """One worker per core, at most 8: a cached answer costs CPU, not waiting, so workers
    beyond the cores only compete for them (2 cores, 500 clients: 5 workers × 4 threads gave
    a p99 of 1.1-2.9 s, 2 × 8 gave 0.25-0.33 s)."""
    return min(os.cpu_count() or 1, 8)


def granian_argv(host: str, port: int, workers: int, threads: int,
                 access_log: bool = True) -> list[str]:
    return [
        sys.executable, "-m", "granian",
        "--interface", "wsgi", "--factory",
        "--host", host, "--port", str(port),
        "--workers", str(workers),
        "--blocking-threads", str(threads),
        "--backlog", str(BACKLOG),
        "--backpressure", str(CONNECTIONS_PER_WORKER),
        "--http", "1", "--no-ws",
        "--http1-header-read-timeout", str(HEADER_READ_TIMEOUT_MS),
        "--respawn-failed-workers",
        "--access-log" if access_log else "--no-access-log",
        "themepark_tracker.web.serve:worker_app",
    ]


def trusted_proxies(env: Mapping[str, str]) -> int:
    raw = env.get(TRUSTED_PROXIES, "").strip() or "0"
    if not raw.isdigit() or int(raw) > 5:
        raise UserError(f"{TRUSTED_PROXIES} must be the number of reverse proxies in front of "
                        f"the server, 0 to 5 (1 behind deployment/nginx), got {raw!r}")
    return int(raw)


def worker_app() -> Flask:
    """The app as each worker builds it (granian's ``--factory`` target): settings from the
    environment, and the client's address from ``X-Forwarded-For`` when proxies are trusted."""
    app = create_app()
    hops = trusted_proxies(os.environ)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)  # type: ignore[method-assign]
    return app


def worker_environment(settings: Settings, env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with every setting written into it, so that ``Settings.from_env`` in each
    worker gives back ``settings``. Raises ``UserError`` naming the settings the
    environment cannot carry (set in code, such as ``cache_ttl_seconds``)."""
    out = {
        **env,
        "DATABASE_URL": settings.database_url,
        "COLLECTION_INTERVAL_MINUTES": str(settings.collection_interval_minutes),
        "CACHE_URL": settings.cache_url or "",
        "RAW_RETENTION_DAYS": str(settings.raw_retention_days),
        "USE_HOURLY_TABLES": "true" if settings.use_hourly_tables else "false",
        "QUEUE_TIMES_BASE_URL": settings.queue_times_base_url,
        "THEMEPARKS_WIKI_BASE_URL": settings.themeparks_wiki_base_url,
        "COLLECTION_PERIOD_SECONDS": str(settings.collection_period_seconds or ""),
        "HTTP_TIMEOUT_SECONDS": str(settings.http_timeout_seconds),
        "HTTP_RETRIES": str(settings.http_retries),
        "HTTP_CONCURRENCY": str(settings.http_concurrency),
        "API_RATE_LIMIT": settings.api_rate_limit or "off",
        "PRODUCTION_DATABASE_NAME": settings.production_database_name,
    }
    carried = Settings.from_env(out)
    lost = [f.name for f in dataclasses.fields(Settings)
            if getattr(carried, f.name) != getattr(settings, f.name)]
    if lost:
        raise UserError(f"these settings cannot reach the server's workers through the "
                          f"environment: {', '.join(lost)}")
    return out


def raise_open_files_limit(workers: int) -> int:
    """Lift this process's soft limit on open files (the workers inherit it) towards the
    connections they may hold, within the hard limit; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = workers * CONNECTIONS_PER_WORKER + 256
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        return wanted
    return soft


def serve(settings: Settings, *, host: str, port: int, workers: int, threads: int,
          access_log: bool = True) -> None:
    """Check the database, then replace this process with granian (never returns)."""
    env = worker_environment(settings, os.environ)
    trusted_proxies(env)
    engine = make_engine(settings.database_url)
    try:
        require_revision(engine, "012", "the API")
        where = describe(engine)
    finally:
        engine.dispose()
    raise_open_files_limit(workers)
    print(f"Serving the API and the page at http://{host}:{port}/ from {where} "
          f"({workers} workers × {threads} threads; Ctrl-C stops)", flush=True)
    argv = granian_argv(host, port, workers, threads, access_log)
    os.execve(argv[0], argv, env)
