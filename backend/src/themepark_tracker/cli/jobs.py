"""The jobs: aggregation, verification, live collection, the scheduler, retention, health."""

from __future__ import annotations

import logging
import sys
from datetime import date, datetime, timedelta

import click

from themepark_tracker.cli.context import Context, pass_ctx
from themepark_tracker.cli.errors import friendly_errors
from themepark_tracker.cli.params import HISTORY_MAX_DAYS, DateType, HourType, days_option

logger = logging.getLogger(__name__)


@click.command("aggregate-hourly")
@click.option("--hour", type=HourType(), default=None,
              help='UTC hour "YYYY-MM-DD HH:MM:SS" (or ...THH:MM:SSZ). Default: every hour due.')
@click.option("--force", is_flag=True, help="Aggregate an hour that has not finished yet.")
@pass_ctx
@friendly_errors
def aggregate_hourly_cmd(ctx: Context, hour: datetime | None, force: bool) -> None:
    """Aggregate finished UTC hours into park_hourly_stats and ride_hourly_stats.

    Without --hour: the last complete hour, plus earlier hours with snapshots but no
    aggregate or marked by late data. Safe to re-run: rows are upserted.

    Example:

    \b
        themepark aggregate-hourly --hour "2025-12-05 07:00:00"
    """
    from themepark_tracker.aggregate.hourly import run_hourly

    done = run_hourly(ctx.engine, ctx.settings.collection_interval_minutes, hour=hour,
                      force=force, now=ctx.clock(),
                      lookback=timedelta(days=ctx.settings.raw_retention_days))
    parks = sum(c.parks for c in done)
    rides = sum(c.rides for c in done)
    click.echo(f"Aggregated {len(done)} hour(s): {parks:,} park rows, {rides:,} ride rows")


@click.command("backfill-hourly")
@days_option(HISTORY_MAX_DAYS, None, "The N days before the hour of the newest snapshot.")
@click.option("--start", type=HourType(), default=None, help="First UTC hour (included).")
@click.option("--end", type=HourType(), default=None, help="Last UTC hour (included).")
@pass_ctx
@friendly_errors
def backfill_hourly_cmd(ctx: Context, days: int | None, start: datetime | None,
                        end: datetime | None) -> None:
    """Aggregate past hours, newest first (one UTC day per statement).

    Example:

    \b
        themepark backfill-hourly --days 7
    """
    from themepark_tracker.aggregate.backfill import backfill

    if days is None and start is None and end is None:
        raise click.UsageError("give --days N, or --start and/or --end")
    if days is not None and (start is not None or end is not None):
        raise click.UsageError("--days cannot be combined with --start/--end")
    backfill(ctx.engine, ctx.settings.collection_interval_minutes, days=days, start=start,
             end=end, now=ctx.clock())  # its closing summary is its last log line


@click.command("aggregate-daily")
@click.option("--date", "stat_date", type=DateType(), default=None,
              help="Park-local date YYYY-MM-DD. Default: every park-day due.")
@click.option("--force", is_flag=True, help="Aggregate a local day that has not ended yet.")
@pass_ctx
@friendly_errors
def aggregate_daily_cmd(ctx: Context, stat_date: date | None, force: bool) -> None:
    """Aggregate each park's ended local days into park_daily_stats and ride_daily_stats.

    Example:

    \b
        themepark aggregate-daily --date 2025-12-04
    """
    from themepark_tracker.aggregate.daily import run_daily

    done = run_daily(ctx.engine, ctx.settings.collection_interval_minutes,
                     stat_date=stat_date, force=force, now=ctx.clock())
    parks = sum(c.parks for c in done)
    rides = sum(c.rides for c in done)
    click.echo(f"Aggregated {len(done)} date(s): {parks:,} park-days, {rides:,} ride-days")


@click.command("verify")
@days_option(HISTORY_MAX_DAYS, 7, "Check the N days before the current hour.")
@pass_ctx
@friendly_errors
def verify_cmd(ctx: Context, days: int) -> None:
    """Recompute hourly and daily rows from raw snapshots; exit 1 naming any mismatch.

    Example:

    \b
        themepark verify --days 7
    """
    from themepark_tracker.aggregate.verify import verify

    report = verify(ctx.engine, ctx.settings.collection_interval_minutes, days=days,
                    now=ctx.clock())
    click.echo(report.describe())
    if not report.ok:
        sys.exit(1)


@click.command("collect")
@click.option("--catalog", is_flag=True,
              help="Sync parks and rides from Queue-Times.com and ThemeParks.wiki.")
@click.option("--schedules", is_flag=True, help="Refresh opening schedules (daily).")
@click.option("--once", is_flag=True, help="Collect one cycle of every park.")
@pass_ctx
@friendly_errors
def collect_cmd(ctx: Context, catalog: bool, schedules: bool, once: bool) -> None:
    """Fetch the live feeds: the catalogue, schedules and/or one cycle (in that order).

    Example:

    \b
        themepark collect --catalog --schedules --once
    """
    from themepark_tracker.collect.catalog import sync_catalog
    from themepark_tracker.collect.cycle import collect_once
    from themepark_tracker.collect.schedules import refresh_schedules
    from themepark_tracker.db.migrate import ensure_ingest_schema

    if not (catalog or schedules or once):
        raise click.UsageError("give --catalog, --schedules and/or --once")
    ensure_ingest_schema(ctx.engine)
    if catalog:
        click.echo(sync_catalog(ctx.engine, ctx.settings).describe())
    if schedules:
        click.echo(refresh_schedules(ctx.engine, ctx.settings, ctx.clock()).describe())
    if once:
        report = collect_once(ctx.engine, ctx.settings, ctx.clock())
        click.echo(report.describe())
        if report.parks_collected == 0:
            raise click.ClickException("no park could be collected")


@click.command("run")
@pass_ctx
@friendly_errors
def run_cmd(ctx: Context) -> None:
    """Collect every interval and aggregate each finished hour and day, until stopped.

    Logs each job to stdout; stops cleanly on SIGTERM or Ctrl-C.

    Example:

    \b
        DATABASE_NAME=themepark_tracker themepark run
    """
    import signal

    from themepark_tracker.collect.scheduler import Scheduler
    from themepark_tracker.db.migrate import ensure_ingest_schema

    ensure_ingest_schema(ctx.engine)
    scheduler = Scheduler(ctx.engine, ctx.settings, ctx.clock)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: scheduler.stop.set())
    scheduler.run()


@click.command("cleanup")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@pass_ctx
@friendly_errors
def cleanup_cmd(ctx: Context, dry_run: bool) -> None:
    """Delete raw snapshots older than RAW_RETENTION_DAYS that are aggregated.

    Example:

    \b
        themepark cleanup --dry-run
    """
    from themepark_tracker.collect.cleanup import cleanup

    click.echo(cleanup(ctx.engine, ctx.settings.raw_retention_days, dry_run=dry_run,
                       now=ctx.clock())
               .describe())


@click.command("status")
@pass_ctx
@friendly_errors
def status_cmd(ctx: Context) -> None:
    """Print the health report as JSON; exit 1 unless its status is "ok".

    Example:

    \b
        themepark status
    """
    import json

    from themepark_tracker.queries.health import OK, health_report

    report = health_report(ctx.engine, ctx.settings, ctx.clock())
    click.echo(json.dumps(report, indent=2))
    if report["status"] != OK:
        sys.exit(1)


COMMANDS = (aggregate_hourly_cmd, backfill_hourly_cmd, aggregate_daily_cmd, verify_cmd,
            collect_cmd, run_cmd, cleanup_cmd, status_cmd)
