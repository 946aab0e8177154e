"""A named lock in the database, so two runs of the same job never overlap (on any host).

The lock expires, so a run that was killed does not block the next one forever.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from themepark_tracker.db import tables as t
from themepark_tracker.errors import UserError
from themepark_tracker.timeutil import utcnow


class LockHeld(UserError):
    pass


@contextmanager
def job_lock(engine: Engine, name: str, ttl: timedelta = timedelta(hours=2)) -> Iterator[None]:
    owner = f"{socket.gethostname()}:{os.getpid()}"
    now = utcnow()
    locks = t.job_locks
    with engine.begin() as conn:
        conn.execute(delete(locks).where(locks.c.name == name, locks.c.expires_at < now))
    try:
        with engine.begin() as conn:
            conn.execute(insert(locks).values(name=name, owner=owner, acquired_at=now,
                                              expires_at=now + ttl))
    except IntegrityError:
        with engine.connect() as conn:
            holder = conn.execute(select(locks).where(locks.c.name == name)).first()
        detail = f" by {holder.owner} since {holder.acquired_at} UTC" if holder else ""
        raise LockHeld(f"another '{name}' run holds the lock{detail}; try again later") from None
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(delete(locks).where(locks.c.name == name, locks.c.owner == owner))
