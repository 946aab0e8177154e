"""``themepark run``: the long-running scheduler.

- every collection period (``COLLECTION_INTERVAL_MINUTES``), at the slot boundary: one cycle,
  then its events (SPEC §13) in a thread of their own, so they never delay the next cycle;
- after the first cycle of each new UTC hour (and at start): aggregate every finished hour that
  is due, catching up missed ones (``run_hourly``), then every park-day that has ended
  (``run_daily``); once per UTC day also refresh opening schedules and the catalogue, refit the
  recovery curves (``fit_curves``, SPEC §11) and apply retention (``cleanup``). This
  maintenance runs in a worker thread, so a slow aggregation never delays a cycle;
- all the while, the webhook worker (webhooks/worker.py), in threads of its own, woken
  after each cycle: it queues the cycle's events and delivers them.

Each job takes its own lock (db/lock.py), so a second instance, or a cron job, never runs the
same job at the same time. A cycle is stamped with the start of its slot and every park is
ingested in its own transaction: killing the process mid-cycle leaves whole park cycles only,
and a restart within the same slot collects that slot again instead of adding a second one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.aggregate.hourly import run_hourly
from themepark_tracker.aggregate.recovery import fit_curves
from themepark_tracker.collect.catalog import sync_catalog
from themepark_tracker.collect.cleanup import cleanup
from themepark_tracker.collect.cycle import collect_once, has_feed_parks
from themepark_tracker.collect.schedules import refresh_schedules
from themepark_tracker.config import Settings
from themepark_tracker.db.lock import release_dead_locks
from themepark_tracker.errors import UserError
from themepark_tracker.timeutil import Clock, floor_hour, slot_start, utcnow
from themepark_tracker.webhooks.worker import DeliveryWorker

logger = logging.getLogger(__name__)



class Scheduler:
    def __init__(self, engine: Engine, settings: Settings, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.stop = threading.Event()
        self._maintenance: threading.Thread | None = None
        self._last_hour: datetime | None = None
        self._last_day: date | None = None

    def run(self) -> None:
        """Until ``stop`` is set (SIGTERM, SIGINT): collect each slot, maintain each hour."""
        period = self.settings.collection_period
        logger.info("Scheduler started: a cycle every %d s; I = %d min", period,
                    self.settings.collection_interval_minutes)
        release_dead_locks(self.engine)
        if not has_feed_parks(self.engine):
            logger.info("No park from a feed in the catalogue yet: syncing it first")
            self._job("catalogue", lambda: sync_catalog(self.engine, self.settings))
        webhooks = DeliveryWorker(self.engine, self.settings, self.clock)
        self._job("webhooks", webhooks.start)
        last_slot: datetime | None = None
        while not self.stop.is_set():
            slot = slot_start(self.clock(), period)
            if slot != last_slot:
                webhooks.pause()  # deliveries wait for the cycle, never the other way
                self._job("collect", lambda: collect_once(
                    self.engine, self.settings, now=self.clock(), events_in_background=True))
                # The worker resumes; it finds this cycle's events once their thread has
                # recorded them (it polls every WEBHOOK_POLL_SECONDS).
                webhooks.resume()
                last_slot = slot
                if floor_hour(slot) != self._last_hour:
                    self._start_maintenance(floor_hour(slot))
            wait = (slot + timedelta(seconds=period) - self.clock()).total_seconds()
            self.stop.wait(max(0.0, wait))
        if self._maintenance is not None:
            self._maintenance.join()
        webhooks.stop()
        logger.info("Scheduler stopped")

    def _start_maintenance(self, hour: datetime) -> None:
        if self._maintenance is not None and self._maintenance.is_alive():
            return  # the previous round is still at work; the next cycle asks again
        self._last_hour = hour
        self._maintenance = threading.Thread(target=self._maintain, name="maintenance")
        self._maintenance.start()

    def _maintain(self) -> None:
        interval = self.settings.collection_interval_minutes
        lookback = timedelta(days=self.settings.raw_retention_days)
        today = self.clock().date()
        new_day = today != self._last_day
        self._last_day = today
        if new_day or not self._has_catalogue():  # a failed first sync is retried hourly
            self._job("catalogue", lambda: sync_catalog(self.engine, self.settings))
            self._job("schedules", lambda: refresh_schedules(self.engine, self.settings,
                                                             now=self.clock()))
        self._job("aggregate-hourly", lambda: run_hourly(
            self.engine, interval, lookback=lookback, now=self.clock()))
        self._job("aggregate-daily", lambda: run_daily(self.engine, interval, now=self.clock()))
        if new_day:  # SPEC §11: the daily refit of the recovery curves
            self._job("recovery-fit", lambda: fit_curves(
                self.engine, self.settings.recovery_window_days, now=self.clock()))
        if new_day:
            self._job("cleanup", lambda: cleanup(self.engine, self.settings.raw_retention_days,
                                                 now=self.clock()))

    def _has_catalogue(self) -> bool:
        try:
            return has_feed_parks(self.engine)
        except SQLAlchemyError:
            return True  # the database is down: the jobs below will say so

    def _job(self, name: str, job: Callable[[], object]) -> None:
        """Run one job; its failure is logged and the scheduler goes on."""
        try:
            job()
        except UserError as exc:
            logger.warning("%s: %s", name, exc)
            if release_dead_locks(self.engine):
                logger.info("%s: will run again at its next turn", name)
        except SQLAlchemyError as exc:
            logger.error("%s: database error: %s", name, getattr(exc, "orig", None) or exc)
        except Exception:
            logger.exception("%s failed", name)
