"""The ``themepark`` command: each subcommand parses its options, opens the database, calls one
library function and prints a one-line summary. Errors become a message and a non-zero exit."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import Engine

from themepark_tracker.config import ConfigError, Settings
from themepark_tracker.db.engine import describe, make_engine

logger = logging.getLogger("themepark_tracker")

# Literal copies keep ``--help`` fast (no SQLAlchemy import); a unit test pins them to the
# definitions in queries.periods and queries.rankings.
PERIOD_CHOICES = ("live", "today", "yesterday", "last_week", "last_month")
FILTER_CHOICES = ("all-parks", "disney-universal")

F = TypeVar("F", bound=Callable[..., Any])


def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
        # The quickstart watches the jobs' progress on stdout ("the script logs to stdout").
        stream=sys.stdout,
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


class Context:
    """What every command gets: settings from the environment and a lazily made engine."""

    def __init__(self) -> None:
        try:
            self.settings = Settings.from_env()
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
            if self.settings.database_is_embedded:
                click.echo(f"Using the embedded SQLite database {describe(self._engine)}",
                           err=True)
        return self._engine


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def friendly_errors(func: F) -> F:
    """Turn the library's expected errors into a message and exit code 1, not a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import DBAPIError

        from themepark_tracker.errors import UserError

        try:
            return func(*args, **kwargs)
        except UserError as exc:
            raise click.ClickException(str(exc)) from None
        except DBAPIError as exc:
            logger.debug("database error", exc_info=True)
            raise click.ClickException(f"database error: {exc.orig}") from None

    return wrapper  # type: ignore[return-value]


def parse_hour(value: str) -> datetime:
    """``YYYY-MM-DD HH:MM:SS`` or ``YYYY-MM-DDTHH:MM:SSZ`` (UTC) at the start of an hour."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1]
    try:
        hour = datetime.fromisoformat(text.replace("T", " "))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a time like '2025-12-05 07:00:00' or '2025-12-05T07:00:00Z'"
        ) from None
    if hour.tzinfo is not None:
        raise click.BadParameter("give the hour in UTC, without an offset (or with Z)")
    if (hour.minute, hour.second, hour.microsecond) != (0, 0, 0):
        raise click.BadParameter(f"{value!r} is not the start of an hour (minutes and seconds 0)")
    return hour


class HourType(click.ParamType[datetime]):
    name = "hour"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_hour(value)
        except click.BadParameter as exc:
            self.fail(exc.message, param, ctx)


class DateType(click.ParamType[date]):
    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date like 2025-12-04", param, ctx)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.version_option(package_name="themepark-tracker")
def main(verbose: bool) -> None:
    """Theme-park ride downtime tracker: collect, aggregate, serve."""
    setup_logging(verbose)


# --- database -------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Schema migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@pass_ctx
@friendly_errors
def db_upgrade(ctx: Context, revision: str) -> None:
    """Create or migrate every table (SQLite or MariaDB/MySQL)."""
    from themepark_tracker.db.migrate import upgrade

    current = upgrade(ctx.engine, revision)
    click.echo(f"Database {describe(ctx.engine)} is at revision {current}")


@db.command("downgrade")
@click.option("--revision", required=True,
              help="The revision to go back to, e.g. 011 (before the hourly tables).")
@pass_ctx
@friendly_errors
def db_downgrade(ctx: Context, revision: str) -> None:
    """Migrate back to an earlier revision, dropping what the later ones added (tables,
    columns and their data). For building a database as an older release left it."""
    from themepark_tracker.db.migrate import downgrade

    current = downgrade(ctx.engine, revision)
    click.echo(f"Database {describe(ctx.engine)} is at revision {current}")


# --- data in and out ------------------------------------------------------------------------


@main.command("simulate")
@click.option("--parks", type=click.IntRange(1, 500), default=12, show_default=True)
@click.option("--rides", type=click.IntRange(1, 50_000), default=300, show_default=True,
              help="Attractions in all, spread over the parks (shows come on top).")
@click.option("--days", type=click.IntRange(1, 400), default=3, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--end", "end", default=None,
              help='The last cycle, UTC "YYYY-MM-DD HH:MM" (default: the last whole cycle '
                   'before now); the first is --days before it.')
@pass_ctx
@friendly_errors
def simulate_cmd(ctx: Context, parks: int, rides: int, days: int, seed: int, end: str | None
                 ) -> None:
    """Generate realistic parks, rides and snapshots through the ingest path."""
    from themepark_tracker.db.migrate import ensure_ingest_schema
    from themepark_tracker.simulate import parse_end, simulate

    ensure_ingest_schema(ctx.engine)
    summary = simulate(
        ctx.engine, parks=parks, rides=rides, days=days, seed=seed,
        end=parse_end(end, ctx.settings.collection_interval_minutes),
        interval_minutes=ctx.settings.collection_interval_minutes,
    )
    click.echo(summary.describe())


@main.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@pass_ctx
@friendly_errors
def import_cmd(ctx: Context, directory: Path) -> None:
    """Load parks.csv, rides.csv, schedules.csv, snapshots.csv (SPEC §8) from DIRECTORY."""
    from themepark_tracker.db.migrate import ensure_ingest_schema
    from themepark_tracker.transfer import import_dir

    ensure_ingest_schema(ctx.engine)
    click.echo(import_dir(ctx.engine, directory).describe())


@main.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_ctx
@friendly_errors
def export_cmd(ctx: Context, directory: Path) -> None:
    """Write the catalogue and raw snapshots as SPEC §8 CSV files into DIRECTORY."""
    from themepark_tracker.transfer import export_dir

    click.echo(export_dir(ctx.engine, directory).describe())


# --- aggregation ----------------------------------------------------------------------------


@main.command("aggregate-hourly")
@click.option("--hour", type=HourType(), default=None,
              help='UTC hour "YYYY-MM-DD HH:MM:SS" (or ...THH:MM:SSZ). Default: every hour due.')
@click.option("--force", is_flag=True, help="Aggregate an hour that has not finished yet.")
@pass_ctx
@friendly_errors
def aggregate_hourly_cmd(ctx: Context, hour: datetime | None, force: bool) -> None:
    """Aggregate finished UTC hours into park_hourly_stats and ride_hourly_stats.

    Without --hour: the last complete hour, plus earlier hours with snapshots but no
    aggregate or marked by late data. Safe to re-run: rows are upserted."""
    from themepark_tracker.aggregate.hourly import run_hourly

    done = run_hourly(ctx.engine, ctx.settings.collection_interval_minutes, hour=hour,
                      force=force,
                      lookback=timedelta(days=ctx.settings.raw_retention_days))
    parks = sum(c.parks for c in done)
    rides = sum(c.rides for c in done)
    click.echo(f"Aggregated {len(done)} hour(s): {parks:,} park rows, {rides:,} ride rows")


@main.command("backfill-hourly")
@click.option("--days", type=click.IntRange(1, 3650), default=None,
              help="The N days before the hour of the newest snapshot.")
@click.option("--start", type=HourType(), default=None, help="First UTC hour (included).")
@click.option("--end", type=HourType(), default=None, help="Last UTC hour (included).")
@pass_ctx
@friendly_errors
def backfill_hourly_cmd(ctx: Context, days: int | None, start: datetime | None,
                        end: datetime | None) -> None:
    """Aggregate past hours, newest first (one UTC day per statement)."""
    from themepark_tracker.aggregate.backfill import backfill

    if days is None and start is None and end is None:
        raise click.UsageError("give --days N, or --start and/or --end")
    if days is not None and (start is not None or end is not None):
        raise click.UsageError("--days cannot be combined with --start/--end")
    backfill(ctx.engine, ctx.settings.collection_interval_minutes, days=days, start=start,
             end=end)  # its closing summary is its last log line


@main.command("aggregate-daily")
@click.option("--date", "stat_date", type=DateType(), default=None,
              help="Park-local date YYYY-MM-DD. Default: every park-day due.")
@click.option("--force", is_flag=True, help="Aggregate a local day that has not ended yet.")
@pass_ctx
@friendly_errors
def aggregate_daily_cmd(ctx: Context, stat_date: date | None, force: bool) -> None:
    """Aggregate each park's ended local days into park_daily_stats and ride_daily_stats."""
    from themepark_tracker.aggregate.daily import run_daily

    done = run_daily(ctx.engine, ctx.settings.collection_interval_minutes,
                     stat_date=stat_date, force=force)
    parks = sum(c.parks for c in done)
    rides = sum(c.rides for c in done)
    click.echo(f"Aggregated {len(done)} date(s): {parks:,} park-days, {rides:,} ride-days")


@main.command("verify")
@click.option("--days", type=click.IntRange(1, 3650), default=7, show_default=True)
@pass_ctx
@friendly_errors
def verify_cmd(ctx: Context, days: int) -> None:
    """Recompute hourly and daily rows from raw snapshots; exit 1 naming any mismatch."""
    from themepark_tracker.aggregate.verify import verify

    report = verify(ctx.engine, ctx.settings.collection_interval_minutes, days=days)
    click.echo(report.describe())
    if not report.ok:
        sys.exit(1)


# --- live collection (sources -> ingest), the scheduler, retention, health -------------------


@main.command("collect")
@click.option("--catalog", is_flag=True,
              help="Sync parks and rides from Queue-Times.com and ThemeParks.wiki.")
@click.option("--schedules", is_flag=True, help="Refresh opening schedules (daily).")
@click.option("--once", is_flag=True, help="Collect one cycle of every park.")
@pass_ctx
@friendly_errors
def collect_cmd(ctx: Context, catalog: bool, schedules: bool, once: bool) -> None:
    """Fetch the live feeds: the catalogue, schedules and/or one cycle (in that order)."""
    from themepark_tracker.collect.catalog import sync_catalog
    from themepark_tracker.collect.cycle import collect_once, refresh_schedules
    from themepark_tracker.db.migrate import ensure_ingest_schema

    if not (catalog or schedules or once):
        raise click.UsageError("give --catalog, --schedules and/or --once")
    ensure_ingest_schema(ctx.engine)
    if catalog:
        click.echo(sync_catalog(ctx.engine, ctx.settings).describe())
    if schedules:
        click.echo(refresh_schedules(ctx.engine, ctx.settings).describe())
    if once:
        report = collect_once(ctx.engine, ctx.settings)
        click.echo(report.describe())
        if report.parks_collected == 0:
            raise click.ClickException("no park could be collected")


@main.command("run")
@pass_ctx
@friendly_errors
def run_cmd(ctx: Context) -> None:
    """Collect every interval and aggregate each finished hour and day, until stopped."""
    import signal

    from themepark_tracker.collect.scheduler import Scheduler
    from themepark_tracker.db.migrate import ensure_ingest_schema

    ensure_ingest_schema(ctx.engine)
    scheduler = Scheduler(ctx.engine, ctx.settings)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: scheduler.stop.set())
    scheduler.run()


@main.command("cleanup")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@pass_ctx
@friendly_errors
def cleanup_cmd(ctx: Context, dry_run: bool) -> None:
    """Delete raw snapshots older than RAW_RETENTION_DAYS that are aggregated."""
    from themepark_tracker.collect.cleanup import cleanup

    click.echo(cleanup(ctx.engine, ctx.settings.raw_retention_days, dry_run=dry_run)
               .describe())


@main.command("status")
@pass_ctx
def status_cmd(ctx: Context) -> None:
    """Print the health report as JSON; exit 1 unless its status is "ok"."""
    import json

    from themepark_tracker.queries.health import OK, health_report

    report = health_report(ctx.engine, ctx.settings)
    click.echo(json.dumps(report, indent=2))
    if report["status"] != OK:
        sys.exit(1)


# --- read side ------------------------------------------------------------------------------


@main.command("rankings")
@click.option("--period", type=click.Choice(PERIOD_CHOICES), default="today", show_default=True)
@click.option("--filter", "park_filter", type=click.Choice(FILTER_CHOICES), default="all-parks",
              show_default=True)
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@pass_ctx
@friendly_errors
def rankings_cmd(ctx: Context, period: str, park_filter: str, limit: int) -> None:
    """Print the park rankings of a period."""
    from themepark_tracker.report import print_rankings

    print_rankings(ctx.engine, ctx.settings, period=period, park_filter=park_filter,
                   limit=limit)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5001, show_default=True)
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
    """Serve the JSON API and the web page with granian, production-style."""
    from themepark_tracker.web.serve import DEFAULT_THREADS, default_workers, serve

    serve(ctx.settings, host=host, port=port, workers=workers or default_workers(),
          threads=threads or DEFAULT_THREADS, access_log=access_log)


@main.command("demo")
@click.option("--days", type=click.IntRange(1, 60), default=7, show_default=True)
@click.option("--parks", type=click.IntRange(1, 200), default=12, show_default=True)
@click.option("--rides", type=click.IntRange(1, 20_000), default=300, show_default=True)
@click.option("--serve/--no-serve", "serve_after", default=True, show_default=True,
              help="Serve the API and the page afterwards.")
@click.option("--port", type=click.IntRange(1, 65535), default=5001, show_default=True)
@pass_ctx
@friendly_errors
def demo_cmd(ctx: Context, days: int, parks: int, rides: int, serve_after: bool, port: int
             ) -> None:
    """Simulate a week into the embedded SQLite database, aggregate it, show the rankings,
    then serve the API and the page at http://127.0.0.1:5001/."""
    from themepark_tracker.demo import run_demo

    settings = run_demo(ctx.settings, days=days, parks=parks, rides=rides)
    if serve_after:
        from themepark_tracker.web.serve import serve

        serve(settings, host="127.0.0.1", port=port, workers=2, threads=4)


# --- mirror (issue 7) -----------------------------------------------------------------------


@main.command("mirror")
@click.option("--from", "source_url", required=True, metavar="URL",
              help="SQLAlchemy URL of the database to copy; it is only read.")
@click.option("--days", type=click.IntRange(1, 3650), default=None,
              help="Only the N days ending at the source's newest snapshot (default: all).")
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option("--yes", is_flag=True, help="Replace a target that holds tables without asking.")
@pass_ctx
@friendly_errors
def mirror_cmd(ctx: Context, source_url: str, days: int | None, dry_run: bool, yes: bool
               ) -> None:
    """Copy a database (e.g. production) into the configured one, then audit every table.

    The target gets the source's schema revision; time-series and aggregate tables are kept
    to the --days window, the catalogue whole, job_locks empty. A target named like *prod*
    is refused. Exit 1 if any table's row count or time range differs."""
    from themepark_tracker.mirror import mirror, open_source, plan_mirror, refuse_prod_target

    refuse_prod_target(ctx.settings.database_url)
    source = open_source(source_url)
    plan = plan_mirror(source, ctx.engine, days)
    click.echo(plan.describe())
    if dry_run:
        click.echo("Dry run: nothing was changed.")
        return
    if plan.target_tables and not yes:
        click.confirm("Drop the target's tables and replace them with the copy?", abort=True)
    report = mirror(source, ctx.engine, plan)
    click.echo(report.describe())
    if not report.ok:
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
