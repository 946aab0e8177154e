"""A progress bar on a terminal (stderr), nothing otherwise: logs carry progress into files
and CI. Long jobs (simulate, backfill) use it the same way."""

from __future__ import annotations

from types import TracebackType
from typing import Any


class ProgressBar:
    def __init__(self, total: int, description: str, unit: str = "") -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        console = Console(stderr=True)
        self._bar: Any = None
        if console.is_terminal:
            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn(unit), TimeElapsedColumn(), TimeRemainingColumn(),
                console=console, transient=True,
            )
            self._task = self._bar.add_task(description, total=total)

    @property
    def showing(self) -> bool:
        """True when a bar is on screen (per-step log lines would tear it)."""
        return self._bar is not None

    def advance(self, steps: int = 1, description: str | None = None) -> None:
        if self._bar is not None:
            if description is None:
                self._bar.update(self._task, advance=steps)
            else:
                self._bar.update(self._task, advance=steps, description=description)

    def __enter__(self) -> ProgressBar:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
