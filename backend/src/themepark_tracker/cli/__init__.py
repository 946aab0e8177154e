"""The ``themepark`` command. Each subcommand parses its options, opens the database on first
use and runs one job or view of the library: most print a one-line summary, ``status`` prints
JSON, ``mirror`` a plan and an audit, ``run`` logs until stopped. Bad input and the library's
expected errors end in ``Error: <one line>`` and a non-zero exit (cli/errors.py).

The commands live by role in jobs.py (aggregation, collection, health), data.py (migrations,
simulate, import/export, mirror) and serve.py (rankings, serve, demo). Importing this package
does not import SQLAlchemy, so ``--help`` stays fast; commands import what they use."""

from __future__ import annotations

import logging
import sys

import click

from themepark_tracker.cli import (
    catalog,
    data,
    export_stats,
    jobs,
    outages,
    recovery,
    serve,
    upstream,
    webhooks,
)
from themepark_tracker.cli.context import Context, pass_ctx
from themepark_tracker.cli.errors import friendly_errors
from themepark_tracker.cli.params import (
    FILTER_CHOICES,
    DateType,
    HourType,
    days_option,
    parse_hour,
    period_option,
)

logger = logging.getLogger(__name__)

__all__ = ["FILTER_CHOICES", "Context", "DateType", "HourType", "days_option",
           "friendly_errors", "main", "parse_hour", "pass_ctx", "period_option",
           "setup_logging"]


def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
        # The quickstart watches the jobs' progress on stdout ("the script logs to stdout").
        stream=sys.stdout,
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.version_option(package_name="themepark-tracker")
def main(verbose: bool) -> None:
    """Theme-park ride downtime tracker: collect, aggregate, serve.

    Example:

    \b
        themepark demo
    """
    setup_logging(verbose)


for _command in (*data.COMMANDS, *jobs.COMMANDS, *outages.COMMANDS, *serve.COMMANDS,
                 *recovery.COMMANDS, *upstream.COMMANDS, *export_stats.COMMANDS,
                 *catalog.COMMANDS, *webhooks.COMMANDS):
    main.add_command(_command)
