"""Outage records (SPEC §10): ingest keeps ``ride_outages``; ``outages rebuild`` derives them
afresh from the stored snapshots (the backfill ``db upgrade`` runs when it crosses revision
013 with snapshots stored)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import click

from themepark_tracker.cli.context import Context, pass_ctx
from themepark_tracker.cli.errors import friendly_errors

if TYPE_CHECKING:
    from sqlalchemy import Engine

logger = logging.getLogger(__name__)


@click.group("outages")
def outages() -> None:
    """Outage records (SPEC §10), kept by ingest as cycles arrive.

    Example:

    \b
        themepark outages rebuild
    """


@outages.command("rebuild")
@click.option("--park", "park_id", type=click.IntRange(min=1), default=None,
              help="Only this park (default: every park).")
@pass_ctx
@friendly_errors
def rebuild_cmd(ctx: Context, park_id: int | None) -> None:
    """Derive the outages afresh from the stored snapshots, park by park, replacing those
    from each park's earliest retained cycle on (older ones, whose snapshots retention
    deleted, stay as they are).

    Example:

    \b
        themepark outages rebuild --park 3
    """
    parks, written = rebuild(ctx.engine, ctx.settings.collection_interval_minutes, park_id)
    click.echo(f"Rebuilt the outages of {parks} park(s) from their snapshots: "
               f"{written:,} outage(s) in {ctx.describe()}")


def rebuild(engine: Engine, interval_minutes: int, park_id: int | None = None
            ) -> tuple[int, int]:
    """Rebuild the outages of ``park_id`` (or every park), one transaction per park; return
    (parks, outages written)."""
    from sqlalchemy import select

    from themepark_tracker.db import tables as t
    from themepark_tracker.errors import UserError
    from themepark_tracker.ingest.outage_store import rebuild_outages
    from themepark_tracker.ingest.state import load_parks
    from themepark_tracker.progress import ProgressBar

    query = select(t.parks.c.park_id).order_by(t.parks.c.park_id)
    if park_id is not None:
        query = query.where(t.parks.c.park_id == park_id)
    with engine.connect() as conn:
        park_ids = list(conn.execute(query).scalars())
    if park_id is not None and not park_ids:
        raise UserError(f"no park with id {park_id}")
    written = 0
    with ProgressBar(len(park_ids), "Rebuilding outages", "parks") as progress:
        for pid in park_ids:
            with engine.begin() as conn:
                written += rebuild_outages(conn, load_parks(conn, [pid])[pid], interval_minutes)
            progress.advance()
    logger.info("Rebuilt the outages of %d park(s): %d outage(s)", len(park_ids), written)
    return len(park_ids), written


def backfill_after_upgrade(ctx: Context, before: str | None, after: str) -> None:
    """``db upgrade`` hook: a database that crossed revision 013 with snapshots stored gets
    its outages derived from them (``outages rebuild``), with a summary line."""
    from sqlalchemy import select

    from themepark_tracker.db import tables as t
    from themepark_tracker.db.migrate import crossed_outages

    if not crossed_outages(before, after):
        return
    with ctx.engine.connect() as conn:
        if conn.execute(select(t.park_activity_snapshots.c.park_id).limit(1)).first() is None:
            return
    click.echo("Revision 013 added ride_outages: deriving them from the stored snapshots "
               "(themepark outages rebuild)")
    parks, written = rebuild(ctx.engine, ctx.settings.collection_interval_minutes)
    click.echo(f"Rebuilt the outages of {parks} park(s): {written:,} outage(s)")


COMMANDS = [outages]
