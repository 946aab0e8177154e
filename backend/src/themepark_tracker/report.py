"""Rankings printed to a terminal (the demo, and ``themepark rankings``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from themepark_tracker.config import Settings
from themepark_tracker.queries.rankings import park_rankings
from themepark_tracker.timeutil import utcnow


def print_rankings(engine: Engine, settings: Settings, *, period: str, park_filter: str,
                   limit: int, console: Console | None = None) -> None:
    console = console or Console()
    with engine.connect() as conn:
        result = park_rankings(
            conn, period, utcnow(), interval_minutes=settings.collection_interval_minutes,
            use_hourly=settings.use_hourly_tables, park_filter=park_filter, limit=limit,
        )
    stats = result["aggregate_stats"]
    table = Table(title=f"Shame rankings: {period.replace('_', ' ')} "
                        f"({result['period_start']} to {result['period_end']})")
    for name, justify in (("#", "right"), ("Park", "left"), ("Time zone", "left"),
                          ("Shame", "right"), ("Downtime h", "right"), ("Uptime %", "right"),
                          ("Rides down", "right"), ("Avg wait", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]

    def show(value: object) -> str:
        return "-" if value is None else str(value)

    for row in result["data"]:
        table.add_row(str(row["rank"]), row["park_name"], row["timezone"],
                      show(row["shame_score"]), show(row["total_downtime_hours"]),
                      show(row["uptime_percentage"]), show(row["rides_down"]),
                      show(row["avg_wait_time_minutes"]))
    console.print(table)
    closed = stats["total_parks"] - stats["parks_open"]
    console.print(f"{stats['parks_open']} of {stats['total_parks']} parks were open "
                  f"({closed} closed all period, not ranked); average shame score "
                  f"{show(stats['avg_shame_score'])}.")
