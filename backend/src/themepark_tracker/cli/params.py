"""Option types and the options several commands share, each declared once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import click

from themepark_tracker.queries.periods import PERIODS

F = TypeVar("F", bound=Callable[..., Any])

# A literal copy keeps ``--help`` free of SQLAlchemy (queries.rankings imports it, and
# tests/unit/test_config_and_cli.py checks that ``--help`` does not); a unit test pins it to
# queries.rankings.FILTERS.
FILTER_CHOICES = ("all-parks", "disney-universal")

# How far back --days reaches. Jobs over stored history (backfill, verify, mirror) accept ten
# years; generating data (simulate) a little over a year; the demo, which serves what it
# generates from an embedded SQLite file, two months.
HISTORY_MAX_DAYS = 3650
SIMULATE_MAX_DAYS = 400
DEMO_MAX_DAYS = 60


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


class DateType(click.DateTime):
    """A calendar date ``YYYY-MM-DD`` (click's DateTime, returned as a ``date``)."""

    name = "date"

    def __init__(self) -> None:
        super().__init__(["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> Any:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        return super().convert(value, param, ctx).date()


def days_option(max_days: int, default: int | None, help_text: str) -> Callable[[F], F]:
    """``--days N``, 1 to ``max_days`` (one of the bounds above)."""
    return click.option("--days", type=click.IntRange(1, max_days), default=default,
                        show_default=default is not None, help=help_text)


def period_option(func: F) -> F:
    """``--period``, one of SPEC §5's periods (queries.periods.PERIODS)."""
    return click.option("--period", type=click.Choice(PERIODS), default="today",
                        show_default=True, help="The period of SPEC §5.")(func)
