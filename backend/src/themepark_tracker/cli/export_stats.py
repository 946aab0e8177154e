"""``export-stats``: the daily tables as CSV (and Parquet with pyarrow) for analysts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from themepark_tracker.cli.context import Context, pass_ctx
from themepark_tracker.cli.errors import friendly_errors
from themepark_tracker.cli.params import DateType


@click.command("export-stats")
@click.option("--from", "first", type=DateType(), required=True,
              help="The first local date (YYYY-MM-DD).")
@click.option("--to", "last", type=DateType(), required=True,
              help="The last local date (YYYY-MM-DD), on or after --from.")
@click.argument("directory", type=click.Path(path_type=Path))
@pass_ctx
@friendly_errors
def export_stats_cmd(ctx: Context, first: date, last: date, directory: Path) -> None:
    """Write the daily park and ride statistics (SPEC §4) of the local dates --from to --to
    into DIRECTORY: park_daily_stats.csv and ride_daily_stats.csv (and .parquet files when
    pyarrow is installed), with ATTRIBUTION.txt crediting Queue-Times.com and
    ThemeParks.wiki. DIRECTORY is made if missing; files of the same names are replaced.

    Example:

    \b
        themepark export-stats --from 2025-11-01 --to 2025-11-30 ./stats-2025-11
    """
    from themepark_tracker.transfer.daily_stats import export_daily_stats

    click.echo(export_daily_stats(ctx.engine, first, last, directory).describe())


COMMANDS = (export_stats_cmd,)
