"""``themepark webhooks``: the operator's side of webhook subscriptions (SPEC §13). The same
subscriptions can be managed through ``/api/subscriptions`` with ADMIN_TOKEN; the worker of
``themepark run`` delivers to them."""

from __future__ import annotations

import click

from themepark_tracker.cli.context import Context, pass_ctx
from themepark_tracker.cli.errors import friendly_errors
from themepark_tracker.webhooks.messages import EVENT_TYPES, FORMATS


def _ready(ctx: Context) -> None:
    from themepark_tracker.db.migrate import ensure_schema, require_revision

    ensure_schema(ctx.engine)
    require_revision(ctx.engine, "014", "webhooks")


@click.group("webhooks")
def webhooks() -> None:
    """Webhook subscriptions: signed HTTP POSTs of events to Slack, Discord, ntfy or any
    JSON receiver, delivered by `themepark run`.

    Example:

    \b
        themepark webhooks add https://ntfy.sh/my-topic --event ride.down --ride 123 --format ntfy
    """


@webhooks.command("add")
@click.argument("url")
@click.option("--event", "event_type", type=click.Choice(EVENT_TYPES), required=True,
              help="What to be told about (README: Webhooks).")
@click.option("--ride", "ride_id", type=click.IntRange(min=1), default=None, help="Ride id.")
@click.option("--park", "park_id", type=click.IntRange(min=1), default=None,
              help="Park id (for ride.down/ride.up: every ride of the park).")
@click.option("--threshold", type=float, default=None,
              help="park.score_above: the shame score to cross.")
@click.option("--minutes", type=int, default=None, help="ride.wait_below: the posted wait.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json",
              show_default=True, help="The body's shape.")
@pass_ctx
@friendly_errors
def add_cmd(ctx: Context, url: str, event_type: str, ride_id: int | None,
            park_id: int | None, threshold: float | None, minutes: int | None,
            fmt: str) -> None:
    """Subscribe URL to an event; prints the subscription's secret, once.

    Example:

    \b
        themepark webhooks add https://example.com/hook --event ride.down --ride 123
    """
    from themepark_tracker.webhooks.store import NewSubscription, add

    _ready(ctx)
    new = NewSubscription(url, event_type, park_id, ride_id, threshold, minutes, fmt)
    with ctx.engine.begin() as conn:
        made = add(conn, new, ctx.clock().replace(microsecond=0),
                   allow_private=ctx.settings.webhook_allow_private)
    click.echo(f"Subscription {made['subscription_id']}: {event_type} to {url} ({fmt})")
    click.echo(f"Secret (shown only now; it signs every delivery): {made['secret']}")


@webhooks.command("list")
@pass_ctx
@friendly_errors
def list_cmd(ctx: Context) -> None:
    """List the subscriptions and their delivery status (secrets are never shown again).

    Example:

    \b
        themepark webhooks list
    """
    from themepark_tracker.webhooks.store import list_all

    _ready(ctx)
    with ctx.engine.connect() as conn:
        found = list_all(conn)
    if not found:
        click.echo("No webhook subscriptions.")
    for sub in found:
        subject = " ".join(f"{name}={sub[key]}" for name, key in (
            ("park", "park_id"), ("ride", "ride_id"), ("threshold", "threshold"),
            ("minutes", "minutes")) if sub[key] is not None)
        click.echo(f"{sub['subscription_id']}\t{sub['event']}\t{subject}\t{sub['format']}\t"
                   f"{sub['status']} ({sub['consecutive_failures']} failures in a row)\t"
                   f"{sub['url']}")


@webhooks.command("remove")
@click.argument("subscription_id", type=click.IntRange(min=1))
@pass_ctx
@friendly_errors
def remove_cmd(ctx: Context, subscription_id: int) -> None:
    """Delete a subscription and the deliveries it is still owed.

    Example:

    \b
        themepark webhooks remove 4
    """
    from themepark_tracker.webhooks.store import remove

    _ready(ctx)
    with ctx.engine.begin() as conn:
        if not remove(conn, subscription_id):
            raise click.ClickException(f"no webhook subscription with id {subscription_id}")
    click.echo(f"Removed subscription {subscription_id}")


@webhooks.command("test")
@click.argument("subscription_id", type=click.IntRange(min=1))
@pass_ctx
@friendly_errors
def test_cmd(ctx: Context, subscription_id: int) -> None:
    """Send a signed webhook.test event to a subscription now; exit 1 if it fails.

    Example:

    \b
        themepark webhooks test 4
    """
    from themepark_tracker.webhooks.worker import send_test

    _ready(ctx)
    attempt = send_test(ctx.engine, ctx.settings, subscription_id, ctx.clock)
    if attempt is None:
        raise click.ClickException(f"no webhook subscription with id {subscription_id}")
    if not attempt.succeeded:
        raise click.ClickException(f"the test delivery failed: {attempt.error} "
                                   f"({attempt.duration_ms} ms)")
    click.echo(f"Delivered: HTTP {attempt.status_code} in {attempt.duration_ms} ms")


COMMANDS = [webhooks]
