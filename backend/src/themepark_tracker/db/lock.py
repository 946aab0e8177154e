"""A named lock in the database, so two runs of the same job never overlap (on any host).

A lock row names its owner ``host:pid`` and expires ``ttl`` after it was last renewed. While
the ``with job_lock(...)`` body runs, a heartbeat thread renews it every ``ttl / 3``, so a job
that runs longer than its TTL keeps its lock; the heartbeat stops and the row is deleted when
the body ends. A holder that stopped renewing (killed, crashed, its host gone) loses the lock
once it expires; a holder that was a process of this host which no longer exists loses it at
once (``release_dead_locks``, and ``job_lock`` itself when it finds such a holder).

Why a heartbeat rather than renewals at a job's progress points: it needs nothing from the
jobs (aggregation, backfill, catalogue, schedules), and it also covers one step that is slow
on its own (a long SQL statement, an upstream answering slowly), which progress points would
not. A process that hangs keeps its lock; a process that dies does not.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from themepark_tracker.db import tables as t
from themepark_tracker.errors import UserError
from themepark_tracker.timeutil import utcnow

logger = logging.getLogger(__name__)

#: How long a lock outlives its last renewal.
DEFAULT_TTL = timedelta(hours=2)
#: While waiting for a lock, how often to try again.
_POLL_SECONDS = 0.5


class LockHeld(UserError):
    """Another live run holds the lock (still, after the wait asked for)."""


@contextmanager
def job_lock(engine: Engine, name: str, ttl: timedelta = DEFAULT_TTL,
             wait: timedelta = timedelta(0)) -> Iterator[None]:
    """Hold the lock ``name`` while the body runs, renewed every ``ttl / 3``.

    When another live run holds it, wait up to ``wait`` (polling) for it to be released, then
    raise ``LockHeld`` naming the holder. ``wait`` of zero refuses at once."""
    owner = f"{socket.gethostname()}:{os.getpid()}"
    _acquire(engine, name, owner, ttl, wait)
    stop = threading.Event()
    heartbeat = threading.Thread(target=_renew_until, args=(engine, name, owner, ttl, stop),
                                 name=f"lock-{name}", daemon=True)
    heartbeat.start()
    try:
        yield
    finally:
        stop.set()
        heartbeat.join()
        with engine.begin() as conn:
            conn.execute(delete(t.job_locks).where(t.job_locks.c.name == name,
                                                   t.job_locks.c.owner == owner))


def _acquire(engine: Engine, name: str, owner: str, ttl: timedelta, wait: timedelta) -> None:
    deadline = time.monotonic() + wait.total_seconds()
    said_waiting = False
    while True:
        holder = _try_take(engine, name, owner, ttl)
        if holder is None:
            return
        left = deadline - time.monotonic()
        if left <= 0:
            waited = f"; waited {_duration(wait)} for it" if wait else ""
            raise LockHeld(f"another '{name}' run holds the lock{holder}{waited}; "
                           "try again when it has finished")
        if not said_waiting:
            logger.info("Waiting up to %s for the '%s' lock, held%s", _duration(wait), name,
                        holder)
            said_waiting = True
        time.sleep(min(_POLL_SECONDS, left))


def _try_take(engine: Engine, name: str, owner: str, ttl: timedelta) -> str | None:
    """Take the lock, after clearing a stale holder; None if taken, else who holds it."""
    locks = t.job_locks
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(delete(locks).where(locks.c.name == name, locks.c.expires_at < now))
        _release_dead(conn, name)
    try:
        with engine.begin() as conn:
            conn.execute(insert(locks).values(name=name, owner=owner, acquired_at=now,
                                              expires_at=now + ttl))
    except IntegrityError:
        with engine.connect() as conn:
            row = conn.execute(select(locks).where(locks.c.name == name)).first()
        return f" by {row.owner} since {row.acquired_at} UTC" if row else ""
    return None


def _renew_until(engine: Engine, name: str, owner: str, ttl: timedelta,
                 stop: threading.Event) -> None:
    """The heartbeat: push ``expires_at`` to now + ttl every ttl / 3 until ``stop``. A failed
    renewal (the database briefly away) is retried at the next beat, two more before expiry."""
    locks = t.job_locks
    while not stop.wait(ttl.total_seconds() / 3):
        try:
            with engine.begin() as conn:
                renewed = conn.execute(update(locks).where(
                    locks.c.name == name, locks.c.owner == owner,
                ).values(expires_at=utcnow() + ttl)).rowcount
        except SQLAlchemyError as exc:
            logger.warning("Could not renew the '%s' lock: %s", name,
                           getattr(exc, "orig", None) or exc)
            continue
        if not renewed:
            logger.error("The '%s' lock was taken from this run (it had expired); another run "
                         "may now overlap with it", name)
            return


def release_dead_locks(engine: Engine) -> list[str]:
    """Release the locks held by processes of this host that no longer exist (``kill -9``, a
    power cut), instead of letting them block until they expire; return their names."""
    with engine.begin() as conn:
        return _release_dead(conn)


def _release_dead(conn: Connection, name: str | None = None) -> list[str]:
    """Release the lock ``name`` (every lock if None) if a dead process of this host holds it."""
    locks = t.job_locks
    host = socket.gethostname()
    released = []
    query = select(locks.c.name, locks.c.owner)
    if name is not None:
        query = query.where(locks.c.name == name)
    for row in conn.execute(query).all():
        owner_host, _, pid = row.owner.rpartition(":")
        if owner_host != host or not pid.isdigit() or _alive(int(pid)):
            continue
        conn.execute(delete(locks).where(locks.c.name == row.name, locks.c.owner == row.owner))
        released.append(row.name)
        logger.warning("Released lock %r of process %s, which no longer runs",
                       row.name, row.owner)
    return released


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _duration(span: timedelta) -> str:
    seconds = span.total_seconds()
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"
