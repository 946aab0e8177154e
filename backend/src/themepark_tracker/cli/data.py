"""Data in and out: schema migrations, simulated data, SPEC §8 CSV import/export, mirroring."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from themepark_tracker.cli.context import Context, pass_ctx
from themepark_tracker.cli.errors import friendly_errors
from themepark_tracker.cli.params import HISTORY_MAX_DAYS, SIMULATE_MAX_DAYS, days_option

logger = logging.getLogger(__name__)


@click.group("db")
def db() -> None:
    """Schema migrations (Alembic).

    Example:

    \b
        themepark db upgrade
    """


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@pass_ctx
@friendly_errors
def db_upgrade(ctx: Context, revision: str) -> None:
    """Create or migrate every table (SQLite or MariaDB/MySQL).

    Example:

    \b
        DATABASE_NAME=themepark_tracker_dev themepark db upgrade
    """
    from themepark_tracker.cli.outages import backfill_after_upgrade
    from themepark_tracker.db.migrate import current_revision, upgrade

    before = current_revision(ctx.engine)
    current = upgrade(ctx.engine, revision)
    click.echo(f"Database {ctx.describe()} is at revision {current}")
    backfill_after_upgrade(ctx, before, current)


@db.command("downgrade")
@click.option("--revision", required=True,
              help="The revision to go back to, e.g. 011 (before the hourly tables).")
@pass_ctx
@friendly_errors
def db_downgrade(ctx: Context, revision: str) -> None:
    """Migrate back to an earlier revision, dropping what the later ones added (tables,
    columns and their data). For building a database as an older release left it.

    Example:

    \b
        themepark db downgrade --revision 011
    """
    from themepark_tracker.db.migrate import downgrade

    current = downgrade(ctx.engine, revision)
    click.echo(f"Database {ctx.describe()} is at revision {current}")


@click.command("simulate")
@click.option("--parks", type=click.IntRange(1, 500), default=12, show_default=True)
@click.option("--rides", type=click.IntRange(1, 50_000), default=300, show_default=True,
              help="Attractions in all, spread over the parks (shows come on top).")
@days_option(SIMULATE_MAX_DAYS, 3, "Days of snapshots, ending at --end.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--end", "end", default=None,
              help='The last cycle, UTC "YYYY-MM-DD HH:MM" (default: the last whole cycle '
                   'before now); the first is --days before it.')
@click.option("--truth", "truth_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write each park's true breakdown-length law (JSON: "
                                 "mixture and S(t) at 5, 10, ..., 600 minutes) to this file.")
@pass_ctx
@friendly_errors
def simulate_cmd(ctx: Context, parks: int, rides: int, days: int, seed: int, end: str | None,
                 truth_file: Path | None) -> None:
    """Generate realistic parks, rides and snapshots through the ingest path.

    Example:

    \b
        themepark simulate --parks 80 --rides 4200 --days 7 --seed 1
    """
    from themepark_tracker.db.migrate import ensure_ingest_schema
    from themepark_tracker.simulate import build_catalogue, parse_end, simulate, truth

    ensure_ingest_schema(ctx.engine)
    when = parse_end(end, ctx.settings.collection_interval_minutes)
    if truth_file is not None:  # before simulating: a file that cannot be written stops it
        laws = truth(build_catalogue(parks, rides, seed), seed)
        _write_new(truth_file, json.dumps({"seed": seed, "parks": laws}, indent=1) + "\n")
    summary = simulate(
        ctx.engine, parks=parks, rides=rides, days=days, seed=seed,
        end=when, interval_minutes=ctx.settings.collection_interval_minutes,
    )
    click.echo(summary.describe())
    if truth_file is not None:
        click.echo(f"Wrote the true breakdown laws of {parks} parks to {truth_file}")


def _write_new(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` whole (through a temporary file beside it), or fail with
    one line naming the file."""
    from themepark_tracker.errors import UserError

    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(content)
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UserError(f"cannot write --truth {path}: {error.strerror}") from None


@click.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@pass_ctx
@friendly_errors
def import_cmd(ctx: Context, directory: Path) -> None:
    """Load parks.csv, rides.csv, schedules.csv, snapshots.csv (SPEC §8) from DIRECTORY.

    A file with any bad row is rejected whole, naming file, line and column; nothing is
    written then. A text cell that export neutralised for spreadsheets (a leading ') is
    read back as it was.

    Example:

    \b
        themepark import ./export-2025-12-05
    """
    from themepark_tracker.db.migrate import ensure_ingest_schema
    from themepark_tracker.transfer import import_dir

    ensure_ingest_schema(ctx.engine)
    click.echo(import_dir(ctx.engine, directory, ctx.settings).describe())


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_ctx
@friendly_errors
def export_cmd(ctx: Context, directory: Path) -> None:
    """Write the catalogue and raw snapshots as SPEC §8 CSV files into DIRECTORY.

    A text cell starting with = + - or @ gets a leading ' so that a spreadsheet does not run
    it as a formula; import removes it again.

    Example:

    \b
        themepark export ./export-2025-12-05
    """
    from themepark_tracker.transfer import export_dir

    click.echo(export_dir(ctx.engine, directory).describe())


@click.command("mirror")
@click.option("--from", "source_url", required=True, metavar="URL",
              help="SQLAlchemy URL of the database to copy; it is only read.")
@days_option(HISTORY_MAX_DAYS, None,
             "Only the N days ending at the source's newest snapshot (default: all).")
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option("--yes", is_flag=True, help="Replace a target that holds tables without asking.")
@pass_ctx
@friendly_errors
def mirror_cmd(ctx: Context, source_url: str, days: int | None, dry_run: bool, yes: bool
               ) -> None:
    """Copy a database (e.g. production) into the configured one, then audit every table.

    The target gets the source's schema revision; time-series and aggregate tables are kept
    to the --days window, the catalogue whole, job_locks empty. A target named like *prod*
    is refused. Exit 1 if any table's row count or time range differs.

    Example:

    \b
        DATABASE_NAME=themepark_tracker_dev themepark mirror \\
            --from "mysql+pymysql://reader@db.example/themepark_tracker" --days 7
    """
    from themepark_tracker.mirror import mirror, open_source, plan_mirror, refuse_prod_target

    production = ctx.settings.production_database_name
    refuse_prod_target(ctx.settings.database_url, production)
    source = open_source(source_url)
    plan = plan_mirror(source, ctx.engine, days, production_name=production)
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


COMMANDS = (db, simulate_cmd, import_cmd, export_cmd, mirror_cmd)
