"""``themepark demo``: simulate a week into the embedded SQLite database, aggregate it, show it.

The data is simulated and says so; nothing here pretends to be a real park's record.
"""

from __future__ import annotations

import logging

from rich.console import Console

from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.aggregate.hourly import run_hourly
from themepark_tracker.aggregate.recovery import fit_curves
from themepark_tracker.config import Settings, embedded_url
from themepark_tracker.db.engine import describe, make_engine
from themepark_tracker.db.migrate import upgrade
from themepark_tracker.ingest.events import derive_stored_events
from themepark_tracker.report import print_rankings
from themepark_tracker.simulate import parse_end, simulate

logger = logging.getLogger(__name__)


def run_demo(settings: Settings, *, days: int, parks: int, rides: int) -> Settings:
    """Returns the settings of the demo's database, for serving it afterwards."""
    # The demo always uses the embedded default, whatever DATABASE_URL says.
    url = settings.embedded_database_url or embedded_url({})
    settings = settings.with_database(url)
    engine = make_engine(url)
    console = Console()
    console.print(f"[bold]themepark-tracker demo[/] on {describe(engine)} (simulated data)")
    upgrade(engine)
    interval = settings.collection_interval_minutes
    summary = simulate(engine, parks=parks, rides=rides, days=days, seed=1,
                       end=parse_end(None), interval_minutes=interval)
    console.print(summary.describe())
    console.print(backfill(engine, interval, days=days).describe())
    run_hourly(engine, interval)
    done = run_daily(engine, interval)
    console.print(f"Aggregated {sum(d.parks for d in done)} park-days")
    fitted = fit_curves(engine, settings.recovery_window_days)  # as `themepark run` daily
    console.print(f"Fitted {fitted.strata} recovery curves over {fitted.outages:,} outages")
    # The feeds' entries (SPEC §13), as the collector records them after each cycle.
    console.print(derive_stored_events(engine, settings).describe())
    for period in ("today", "yesterday", "last_week"):
        print_rankings(engine, settings, period=period, park_filter="all-parks", limit=10,
                       console=console)
    engine.dispose()
    return settings
