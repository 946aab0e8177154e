"""``themepark coverage`` (which parks each feed covers, as stored) and ``themepark crosscheck``
(our downtime beside ThemeParks.wiki's published daily figures)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import click

from themepark_tracker.cli.context import Context, pass_ctx
from themepark_tracker.cli.errors import friendly_errors
from themepark_tracker.cli.params import DateType

logger = logging.getLogger(__name__)

_HEADINGS = {"both": "Matched across both feeds", "queue_times": "On Queue-Times only",
             "themeparks_wiki": "On ThemeParks.wiki only"}


def _ids(park: dict[str, Any]) -> str:
    ids = [f"{label} {park[key]}" for label, key in (("Queue-Times", "queue_times_id"),
                                                    ("ThemeParks.wiki", "themeparks_wiki_id"))
           if park[key] is not None]
    return ", ".join(ids)


def _ride_text(rides: dict[str, int]) -> str:
    return (f"{rides['rides']} rides ({rides['attractions']} attractions; "
            f"{rides['both_feeds']} in both feeds, {rides['queue_times_only']} Queue-Times "
            f"only, {rides['themeparks_wiki_only']} ThemeParks.wiki only)")


def coverage_lines(result: dict[str, Any]) -> list[str]:
    """The coverage as text: a summary line, then one section per kind of park."""
    totals = result["totals"]
    lines = [f"{totals['parks']} parks stored: {totals['matched']} matched across both feeds, "
             f"{totals['queue_times_only']} on Queue-Times only, "
             f"{totals['themeparks_wiki_only']} on ThemeParks.wiki only; {totals['rides']} "
             f"rides; {totals['not_stored']} listed park(s) not stored"]
    for feeds, heading in _HEADINGS.items():
        parks = [p for p in result["parks"] if p["feeds"] == feeds]
        lines.append(f"\n{heading} ({len(parks)}):")
        lines += [f"  {p['name']} [{p['park_id']}] {p['timezone']} ({_ids(p)}): "
                  f"{_ride_text(p['rides'])}" for p in parks]
    lines.append(f"\nListed by a feed but not stored ({len(result['not_stored'])}):")
    lines += [f"  {row['detail']}" for row in result["not_stored"]]
    return lines


@click.command("coverage")
@pass_ctx
@friendly_errors
def coverage_cmd(ctx: Context) -> None:
    """List the parks matched across Queue-Times and ThemeParks.wiki, those on one feed only,
    each park's ride counts, and the listed parks the last `collect --catalog` could not
    store: what park_links.csv still has to pair.

    Example:

    \b
        themepark collect --catalog && themepark coverage
    """
    from themepark_tracker.queries.catalog_coverage import catalog_coverage

    with ctx.engine.connect() as conn:
        result = catalog_coverage(conn)
    click.echo("\n".join(coverage_lines(result)))


@click.command("crosscheck")
@click.option("--date", "day", type=DateType(), required=True,
              help="The park-local date YYYY-MM-DD to compare.")
@click.option("--top", type=click.IntRange(1, 100), default=10, show_default=True,
              help="How many of the rides that differ most to list.")
@pass_ctx
@friendly_errors
def crosscheck_cmd(ctx: Context, day: date, top: int) -> None:
    """For each park with a ThemeParks.wiki id, print per ride our downtime minutes on DATE
    beside ThemeParks.wiki's own downMinutes and operatingMinutes (their figures, labelled as
    theirs), the parks' totals and the rides that differ most.

    Example:

    \b
        themepark crosscheck --date 2026-08-01
    """
    from themepark_tracker.collect.crosscheck import crosscheck, crosscheck_lines

    result = crosscheck(ctx.engine, ctx.settings, day, now=ctx.clock())
    click.echo("\n".join(crosscheck_lines(result, top)))


COMMANDS = (coverage_cmd, crosscheck_cmd)
