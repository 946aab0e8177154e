"""What every command gets: the settings from the environment and a lazily made engine."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import click

from themepark_tracker.config import ConfigError, Settings
from themepark_tracker.timeutil import Clock, utcnow

if TYPE_CHECKING:
    from sqlalchemy import Engine

logger = logging.getLogger(__name__)


class Context:
    """Settings read once; the engine made on first use (so ``--help`` needs no database);
    the one clock every command's jobs are given (``clock`` is the system's)."""

    def __init__(self) -> None:
        self.clock: Clock = utcnow
        try:
            self.settings = Settings.from_env()
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from themepark_tracker.db.engine import describe, make_engine

            self._engine = make_engine(self.settings.database_url)
            if self.settings.database_is_embedded:
                click.echo(f"Using the embedded SQLite database {describe(self._engine)}",
                           err=True)
        return self._engine

    def describe(self) -> str:
        """The database, for a summary line (the password left out)."""
        from themepark_tracker.db.engine import describe

        return describe(self.engine)


pass_ctx = click.make_pass_decorator(Context, ensure=True)
