"""Which database a URL really is, and which targets a mirror must never write to.

Two URLs can name one database in many spellings (``127.0.0.1`` or ``localhost``, a port or
none, TCP or a unix socket; a SQLite path relative, through ``..`` or a symlink, or a hard
link), so a mirror asks what it is connected to: a MariaDB/MySQL server answers with
``@@hostname:@@port:@@datadir`` (as ``deployment/scripts/mirror-production-db.sh`` does) and
the database it is in; a SQLite file is compared by its real path and by ``os.path.samefile``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from themepark_tracker.config import Settings, sqlite_path
from themepark_tracker.db.engine import make_engine
from themepark_tracker.errors import UserError

#: The production database's name when PRODUCTION_DATABASE_NAME is not set.
DEFAULT_PRODUCTION_NAME: str = Settings.production_database_name
#: A server target is copied into ``<target>__mirror_new``; its old tables are moved aside
#: into ``<target>__mirror_old`` for the swap. A SQLite target is built in ``<file>.mirror-new``.
STAGING_SUFFIX, OLD_SUFFIX, SQLITE_STAGING_SUFFIX = "__mirror_new", "__mirror_old", ".mirror-new"
MAX_NAME = 64  # MariaDB/MySQL identifiers
PLAIN_NAME = re.compile(r"[A-Za-z0-9_]+")
SERVER_BACKENDS = ("mysql", "mariadb")
URL_EXAMPLE = "e.g. mysql+pymysql://user@host/themepark_tracker or sqlite:////path/file.sqlite3"


def parse_url(url: str, what: str) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise UserError(f"{what} is not a database URL ({URL_EXAMPLE})") from None


def refuse_prod_target(url: str, production_name: str = DEFAULT_PRODUCTION_NAME) -> None:
    """Refuse, from its name alone, a target that is or may be production: a database (or
    SQLite file) name containing "prod", or the production database's configured name; and
    a server database whose name cannot be staged next to it."""
    parsed = parse_url(url, "the target")
    path = sqlite_path(url)
    name = path.name if path is not None else (parsed.database or "")
    if "prod" in name.lower():
        raise UserError(f"refusing to write to {name!r}: the target's name contains 'prod' "
                        "(point DATABASE_NAME or DATABASE_URL at a dev database)")
    if parsed.get_backend_name() not in SERVER_BACKENDS:
        return
    if name.casefold() == production_name.casefold():
        raise UserError(f"refusing to write to {name!r}: it is the production database's name "
                        "(PRODUCTION_DATABASE_NAME); point DATABASE_NAME at a dev database")
    if not PLAIN_NAME.fullmatch(name):
        raise UserError(f"the target database name {name!r} is not a plain name "
                        "(letters, digits, _)")
    if len(name) + len(STAGING_SUFFIX) > MAX_NAME:
        raise UserError(f"the target database name {name!r} is too long to stage the copy "
                        f"next to it as {name}{STAGING_SUFFIX} (at most {MAX_NAME} characters)")


def open_source(url: str) -> Engine:
    """An engine that can only read: SQLite opened with mode=ro (a missing file is an error, not
    a new empty database), MariaDB/MySQL sessions in UTC and READ ONLY."""
    parsed = parse_url(url, "--from")
    backend = parsed.get_backend_name()
    shown = parsed.render_as_string(hide_password=True)
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is None or not path.is_file():
            raise UserError(f"--from {shown!r}: no SQLite database file there")
        return create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")
    if backend not in SERVER_BACKENDS:
        raise UserError(f"--from {shown!r}: {backend!r} is not a database this command reads "
                        f"({URL_EXAMPLE})")
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError, TypeError) as exc:
        raise UserError(f"--from {shown!r}: cannot use this URL ({exc})") from None
    event.listen(engine, "connect", _read_only_session)
    return engine


def _read_only_session(dbapi_conn: Any, _record: object) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("SET SESSION TRANSACTION READ ONLY")
    cursor.close()


@dataclass(frozen=True)
class ServerIdentity:
    """Where a server keeps its data, and which of its databases a connection is in."""

    place: tuple[str, int, str]  # @@hostname, @@port, @@datadir
    database: str
    case_insensitive: bool  # @@lower_case_table_names != 0

    def holds(self, other: ServerIdentity, name: str) -> bool:
        """Whether ``other`` is database ``name`` of this server."""
        if self.place != other.place:
            return False
        fold = self.case_insensitive or other.case_insensitive
        return (other.database.casefold() == name.casefold() if fold
                else other.database == name)


def server_identity(engine: Engine) -> ServerIdentity:
    with engine.connect() as conn:
        host, port, datadir, database, lower = conn.execute(text(
            "SELECT @@hostname, @@port, @@datadir, DATABASE(), @@lower_case_table_names"
        )).one()
    return ServerIdentity((str(host), int(port), str(datadir)), str(database or ""),
                          int(lower) != 0)


def sqlite_file(engine: Engine) -> str | None:
    """The real path of an engine's SQLite file (None in memory)."""
    database = (engine.url.database or "").removeprefix("file:").split("?")[0]
    if database in ("", ":memory:"):
        return None
    return os.path.realpath(database)


def same_file(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): then only the real paths can tell
        return False


def _kind(engine: Engine) -> str:
    """"server" for MariaDB and MySQL alike (either dialect name reaches either server)."""
    name = engine.dialect.name
    return "server" if name in SERVER_BACKENDS else name


def refuse_same_database(source: Engine, target: Engine) -> None:
    """Refuse a source that is the target, or the staging copy the mirror replaces it from."""
    shown = target.url.render_as_string(hide_password=True)
    refusal = UserError(f"the source and the target are the same database ({shown}); "
                        "refusing")
    kinds = {_kind(source), _kind(target)}
    if len(kinds) != 1:
        return
    if source.dialect.name == "sqlite":
        src, dst = sqlite_file(source), sqlite_file(target)
        if src is not None and dst is not None and (
                same_file(src, dst) or same_file(src, dst + SQLITE_STAGING_SUFFIX)):
            raise refusal
        return
    if kinds != {"server"}:
        keys = ("host", "port", "database")
        if all(getattr(source.url, k) == getattr(target.url, k) for k in keys):
            raise refusal
        return
    src_id, dst_id = server_identity(source), server_identity(target)
    name = dst_id.database
    if any(dst_id.holds(src_id, n) for n in (name, name + STAGING_SUFFIX, name + OLD_SUFFIX)):
        raise refusal
