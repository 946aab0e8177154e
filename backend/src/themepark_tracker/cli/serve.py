"""The read side: the rankings in the terminal, the API and page under granian, the demo."""

from __future__ import annotations

import logging

import click

from themepark_tracker.cli.context import Context, pass_ctx
from themepark_tracker.cli.errors import friendly_errors
from themepark_tracker.cli.params import DEMO_MAX_DAYS, FILTER_CHOICES, days_option, period_option
from themepark_tracker.config import DEFAULT_PORT

logger = logging.getLogger(__name__)

port_option = click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT,
                           show_default=True)


@click.command("rankings")
@period_option
@click.option("--filter", "park_filter", type=click.Choice(FILTER_CHOICES), default="all-parks",
              show_default=True)
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@pass_ctx
@friendly_errors
def rankings_cmd(ctx: Context, period: str, park_filter: str, limit: int) -> None:
    """Print the park rankings of a period.

    Example:

    \b
        themepark rankings --period yesterday --filter disney-universal
    """
    from themepark_tracker.report import print_rankings

    print_rankings(ctx.engine, ctx.settings, period=period, park_filter=park_filter,
                   limit=limit)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@port_option
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes [default: one per core, at most 8]")
@click.option("--threads", type=click.IntRange(1, 64), default=None,
              help="Threads per worker [default: 8]")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="Log every request to stdout.")
@pass_ctx
@friendly_errors
def serve_cmd(ctx: Context, host: str, port: int, workers: int | None, threads: int | None,
              access_log: bool) -> None:
    """Serve the JSON API and the web page with granian, production-style.

    Example:

    \b
        DATABASE_NAME=themepark_tracker_dev themepark serve --port 5001
    """
    from themepark_tracker.web.serve import DEFAULT_THREADS, default_workers, serve

    serve(ctx.settings, host=host, port=port, workers=workers or default_workers(),
          threads=threads or DEFAULT_THREADS, access_log=access_log)


@click.command("demo")
@days_option(DEMO_MAX_DAYS, 7, "Days of simulated data.")
@click.option("--parks", type=click.IntRange(1, 200), default=12, show_default=True)
@click.option("--rides", type=click.IntRange(1, 20_000), default=300, show_default=True)
@click.option("--serve/--no-serve", "serve_after", default=True, show_default=True,
              help="Serve the API and the page afterwards.")
@port_option
@pass_ctx
@friendly_errors
def demo_cmd(ctx: Context, days: int, parks: int, rides: int, serve_after: bool, port: int
             ) -> None:
    """Simulate a week into the embedded SQLite database, aggregate it, show the rankings,
    then serve the API and the page at http://127.0.0.1:PORT/ (--port, 5001 by default).

    Example:

    \b
        themepark demo --days 3 --no-serve
    """
    from themepark_tracker.demo import run_demo

    settings = run_demo(ctx.settings, days=days, parks=parks, rides=rides)
    if serve_after:
        from themepark_tracker.web.serve import serve

        serve(settings, host="127.0.0.1", port=port, workers=2, threads=4)


COMMANDS = (rankings_cmd, serve_cmd, demo_cmd)
