"""Locks left behind by a process that was killed (``kill -9``, a power cut) on this host.

``db.lock.job_lock`` names its owner ``host:pid``; a lock whose owner is this host and whose
pid no longer exists can be released at once instead of blocking until it expires.
"""

from __future__ import annotations

import logging
import os
import socket

from sqlalchemy import Engine, delete, select

from themepark_tracker.db import tables as t

logger = logging.getLogger(__name__)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def release_dead_locks(engine: Engine) -> list[str]:
    """Release the locks held by dead processes of this host; return their names."""
    host = socket.gethostname()
    locks = t.job_locks
    released = []
    with engine.begin() as conn:
        for row in conn.execute(select(locks.c.name, locks.c.owner)).all():
            owner_host, _, pid = row.owner.rpartition(":")
            if owner_host != host or not pid.isdigit() or _alive(int(pid)):
                continue
            conn.execute(delete(locks).where(locks.c.name == row.name,
                                             locks.c.owner == row.owner))
            released.append(row.name)
            logger.warning("Released lock %r of process %s, which no longer runs",
                           row.name, row.owner)
    return released
