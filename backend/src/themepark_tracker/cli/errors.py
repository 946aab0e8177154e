"""Expected failures of a command become ``Error: <one line>`` and exit 1, never a traceback.

``friendly_errors`` wraps every command body. It knows the library's ``UserError`` and the
other errors bad input produces on the way (database, URL, file, migration revision, a time
beyond year 9999); anything else is a bug and keeps its traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Turn the library's expected errors into a message and exit code 1, not a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except click.ClickException:
            raise
        except Exception as exc:
            message = describe_error(exc)
            if message is None:
                raise
            logger.debug("command failed", exc_info=True)
            raise click.ClickException(message) from None

    return wrapper  # type: ignore[return-value]


def describe_error(exc: BaseException) -> str | None:
    """The one-line message for an expected error, or None for a bug."""
    from themepark_tracker.errors import UserError

    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, OverflowError):
        # datetime arithmetic past year 9999 or before year 1 (e.g. --hour 9999-12-31 23:00)
        return (f"a time this close to year 1 or year 9999 cannot be worked with ({exc}); "
                f"give a later or earlier one")
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror or exc}"
    return _describe_library_error(exc)


def _describe_library_error(exc: BaseException) -> str | None:
    import sqlalchemy.exc
    from alembic.util import CommandError

    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        return f"database error: {exc.orig}"
    if isinstance(exc, CommandError):
        return f"migration: {exc}"
    return None
