"""aggregation_log: one row per aggregation run, written running -> success | failure.

The 'running' row is committed before the work starts, in its own transaction, so a run that
dies midway is visible; its outcome is written after the work's transaction has ended.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, insert, update

from themepark_tracker.db import tables as t
from themepark_tracker.timeutil import utcnow

logger = logging.getLogger(__name__)

HOURLY, DAILY, BACKFILL = "hourly", "daily", "backfill"
RUNNING, SUCCESS, FAILURE = "running", "success", "failure"


@dataclass
class Run:
    id: int
    aggregation_type: str
    target_period: str
    parks_processed: int = 0
    rides_processed: int = 0


@contextmanager
def logged_run(engine: Engine, aggregation_type: str, target_period: str) -> Iterator[Run]:
    """Log a run; the body sets ``parks_processed``/``rides_processed``. An exception marks the
    run failed with its message and propagates."""
    started = utcnow()
    with engine.begin() as conn:
        key = conn.execute(
            insert(t.aggregation_log).values(
                aggregation_type=aggregation_type, target_period=target_period,
                status=RUNNING, started_at=started, created_at=started,
            )
        ).inserted_primary_key
        assert key is not None  # always a Row for a single-row insert() without RETURNING
        run_id = key[0]
    run = Run(int(run_id), aggregation_type, target_period)
    clock = time.perf_counter()
    try:
        yield run
    except BaseException as exc:
        _finish(engine, run, FAILURE, time.perf_counter() - clock, f"{type(exc).__name__}: {exc}")
        raise
    _finish(engine, run, SUCCESS, time.perf_counter() - clock, None)


def _finish(engine: Engine, run: Run, status: str, seconds: float, error: str | None) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(t.aggregation_log).where(t.aggregation_log.c.id == run.id).values(
                status=status, parks_processed=run.parks_processed,
                rides_processed=run.rides_processed,
                processing_time_sec=round(seconds, 3), error_message=error,
            )
        )
