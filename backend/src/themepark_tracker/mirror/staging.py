"""Where a mirror builds its copy, and how the copy replaces the target.

The copy is built next to the target and takes its place only once it is complete and
audited; until then the target is not touched, and a failed copy is removed:

- MariaDB/MySQL: the schema ``<target>__mirror_new``; the swap is one ``RENAME TABLE`` (atomic)
  moving the target's tables aside into ``<target>__mirror_old`` and the copy's into the
  target; then both helper schemas are dropped (as ``mirror-production-db.sh`` stages it).
- SQLite: the file ``<target>.mirror-new`` next to the target, closed (so its write-ahead log is
  folded in) and moved over the target with ``os.replace`` (atomic on one file system).
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, text

from themepark_tracker.db.engine import make_engine
from themepark_tracker.errors import UserError
from themepark_tracker.mirror.identity import OLD_SUFFIX, SQLITE_STAGING_SUFFIX, STAGING_SUFFIX

logger = logging.getLogger(__name__)

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class Staging(Protocol):
    engine: Engine  # the staging copy; the mirror fills it

    def swap(self) -> None:
        """Put the staging copy in the target's place."""

    def discard(self) -> None:
        """Remove whatever is left of the staging copy (nothing after a swap)."""


def open_staging(target: Engine) -> Staging:
    """A new, empty staging copy for ``target`` (a leftover from an interrupted run is
    removed first)."""
    if target.dialect.name == "sqlite":
        database = target.url.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            raise UserError("the target must be a SQLite file (or a MariaDB/MySQL database)")
        return SqliteStaging.create(target, Path(database))
    return ServerStaging.create(target)


def _remove_sqlite(path: Path) -> None:
    for name in (path, *(Path(f"{path}{side}") for side in SQLITE_SIDE_FILES)):
        name.unlink(missing_ok=True)


@dataclass
class SqliteStaging:
    target: Engine
    target_path: Path
    path: Path
    engine: Engine

    @classmethod
    def create(cls, target: Engine, target_path: Path) -> SqliteStaging:
        path = target_path.with_name(target_path.name + SQLITE_STAGING_SUFFIX)
        _remove_sqlite(path)
        return cls(target, target_path, path, make_engine(f"sqlite:///{path}"))

    def swap(self) -> None:
        # Closing the last connection checkpoints the log into the file and deletes it; a log
        # left beside the target means another process has it open, and replacing the file
        # under it would have that process write its log over the copy.
        self.engine.dispose()
        self.target.dispose()
        wal = Path(f"{self.target_path}-wal")
        if wal.exists():
            raise UserError(f"{self.target_path} is open in another process (its {wal.name} "
                            "is there); stop it (themepark serve/run) and mirror again")
        if self.target_path.exists():
            os.chmod(self.path, stat.S_IMODE(self.target_path.stat().st_mode))
        os.replace(self.path, self.target_path)
        for side in SQLITE_SIDE_FILES:
            Path(f"{self.target_path}{side}").unlink(missing_ok=True)

    def discard(self) -> None:
        self.engine.dispose()
        _remove_sqlite(self.path)


@dataclass
class ServerStaging:
    target: Engine
    name: str  # the target database
    engine: Engine

    @property
    def staging(self) -> str:
        return self.name + STAGING_SUFFIX

    @property
    def old(self) -> str:
        return self.name + OLD_SUFFIX

    @classmethod
    def create(cls, target: Engine) -> ServerStaging:
        # The names were checked plain and short enough by refuse_prod_target.
        name = target.url.database or ""
        staging = name + STAGING_SUFFIX
        with target.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{staging}`"))
            conn.execute(text(f"CREATE DATABASE `{staging}` CHARACTER SET utf8mb4"))
        url = target.url.set(database=staging).render_as_string(hide_password=False)
        return cls(target, name, make_engine(url))

    def _tables(self, schema: str) -> list[str]:
        with self.target.connect() as conn:
            return list(conn.execute(text(
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = :s "
                "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME"), {"s": schema}).scalars())

    def swap(self) -> None:
        self.engine.dispose()
        moves = [f"`{self.name}`.`{t}` TO `{self.old}`.`{t}`" for t in self._tables(self.name)]
        moves += [f"`{self.staging}`.`{t}` TO `{self.name}`.`{t}`"
                  for t in self._tables(self.staging)]
        with self.target.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{self.old}`"))
            conn.execute(text(f"CREATE DATABASE `{self.old}` CHARACTER SET utf8mb4"))
            conn.execute(text("RENAME TABLE " + ", ".join(moves)))
        self.target.dispose()  # pooled sessions may hold the moved tables' metadata

    def discard(self) -> None:
        self.engine.dispose()
        with self.target.begin() as conn:
            for schema in (self.staging, self.old):
                conn.execute(text(f"DROP DATABASE IF EXISTS `{schema}`"))
