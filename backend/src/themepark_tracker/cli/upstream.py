"""``themepark backfill-upstream``: a real past week from ThemeParks.wiki's history API."""

from __future__ import annotations

import os

import click

from themepark_tracker.cli.context import Context, pass_ctx
from themepark_tracker.cli.errors import friendly_errors
from themepark_tracker.cli.params import HISTORY_MAX_DAYS, days_option


@click.command("backfill-upstream")
@days_option(HISTORY_MAX_DAYS, 7, "The N complete local days before each park's today.")
@click.option("--park", "park_ids", type=int, multiple=True,
              help="Only this park id (repeatable); default every park.")
@click.option("--api-key-env", default=None, metavar="NAME",
              help="Read a ThemeParks.wiki API key from this environment variable "
                   "(without one, history reaches back 7 days).")
@click.option("--replace", is_flag=True,
              help="Also fill days that already have live snapshots (history wins there).")
@pass_ctx
@friendly_errors
def backfill_upstream_cmd(ctx: Context, days: int, park_ids: tuple[int, ...],
                          api_key_env: str | None, replace: bool) -> None:
    """Fill the last days of every ThemeParks.wiki park from its upstream history (needs
    internet), aggregated and ranked like live data. Resumable: run it again after an
    interruption or a spent budget, and only what is missing is fetched.

    Example:

    \b
        themepark backfill-upstream --days 7
    """
    from themepark_tracker.collect.upstream_backfill import backfill_upstream
    from themepark_tracker.db.migrate import ensure_ingest_schema

    api_key = None
    if api_key_env:
        api_key = os.environ.get(api_key_env)
        if not api_key:
            raise click.BadParameter(f"the environment variable {api_key_env} is not set",
                                     param_hint="--api-key-env")
    ensure_ingest_schema(ctx.engine)
    report = backfill_upstream(ctx.engine, ctx.settings, days, park_ids=list(park_ids) or None,
                               api_key=api_key, replace=replace, now=ctx.clock())
    click.echo(report.describe())
    if report.window:
        raise click.ClickException(report.window)
    if report.stopped:
        raise click.ClickException(f"stopped early: {report.stopped}")


COMMANDS = [backfill_upstream_cmd]
