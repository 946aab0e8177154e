"""``themepark recovery``: the stored Kaplan–Meier recovery curves (SPEC §11)."""

from __future__ import annotations

import logging

import click

from themepark_tracker.cli.context import Context, pass_ctx
from themepark_tracker.cli.errors import friendly_errors

logger = logging.getLogger(__name__)


@click.group("recovery")
def recovery() -> None:
    """Recovery curves: how long outages last ("stay or go", SPEC §11).

    Example:

    \b
        themepark recovery fit
    """


@recovery.command("fit")
@pass_ctx
@friendly_errors
def fit_cmd(ctx: Context) -> None:
    """Refit every park's curve and the pooled ones over RECOVERY_WINDOW_DAYS.

    Example:

    \b
        RECOVERY_WINDOW_DAYS=90 themepark recovery fit
    """
    from themepark_tracker.aggregate.recovery import fit_curves

    done = fit_curves(ctx.engine, ctx.settings.recovery_window_days, now=ctx.clock())
    click.echo(f"Fitted {done.strata} recovery curve(s) over {done.outages:,} outage(s) "
               f"since {done.window_start:%Y-%m-%d %H:%M} UTC")


COMMANDS = (recovery,)
