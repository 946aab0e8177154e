"""Schema migrations (Alembic), without an alembic.ini: the Config is built here.

``upgrade(engine)`` brings a SQLite or MariaDB/MySQL database to the newest revision (or the
one given) and is harmless to repeat; ``current_revision(engine)`` reads where a database
stands; ``offline_sql(from_rev, to_rev)`` renders the SQL of a range of revisions (Alembic's
``--sql`` mode), which ``scripts/generate_migration_sql.py`` turns into the numbered files
under ``src/database/migrations/``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")


def make_config(
    *,
    connection: Any = None,
    dialect_name: str | None = None,
    output_buffer: io.StringIO | None = None,
) -> Config:
    """An Alembic Config for our migrations folder, with what env.py reads in ``attributes``."""
    cfg = Config(output_buffer=output_buffer)
    # ConfigParser interpolates "%": escape it in the path.
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    if dialect_name is not None:
        cfg.attributes["dialect_name"] = dialect_name
    return cfg


def head_revision() -> str:
    """The newest revision id in the migrations folder."""
    head = ScriptDirectory.from_config(make_config()).get_current_head()
    assert head is not None
    return head


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Migrate the database behind ``engine`` up to ``revision``; return the revision now current.

    Runs in one transaction (on SQLite the whole upgrade is atomic; MariaDB commits each DDL
    statement by itself). A database already at or past ``revision`` is left as it is.
    """
    with engine.begin() as connection:
        command.upgrade(make_config(connection=connection), revision)
    current = current_revision(engine)
    if current is None:
        raise RuntimeError(f"upgrade to {revision!r} left {engine.url!r} without a revision")
    return current


#: The revision that added ``ride_outages``: an upgrade across it derives the outages of the
#: snapshots already stored (``themepark db upgrade`` runs ``themepark outages rebuild``).
OUTAGES_REVISION = "013"


def crossed_outages(before: str | None, after: str) -> bool:
    """An upgrade from ``before`` to ``after`` added ``ride_outages`` to a database that
    already held data (None: a new database, nothing to derive)."""
    return before is not None and before < OUTAGES_REVISION <= after


def downgrade(engine: Engine, revision: str) -> str:
    """Migrate the database behind ``engine`` down to ``revision``; return it."""
    with engine.begin() as connection:
        command.downgrade(make_config(connection=connection), revision)
    return current_revision(engine) or "base"


def ensure_schema(engine: Engine) -> str:
    """Create the schema in a database Alembic never touched; leave a migrated one as it is
    (a database at 011 stays there, so the quickstart can apply 012 by hand)."""
    current = current_revision(engine)
    return current if current is not None else upgrade(engine)


def ensure_ingest_schema(engine: Engine) -> None:
    """``ensure_schema``, then refuse a database before 013: ingest writes park snapshot
    columns that 012 adds and keeps the outages of the table 013 adds."""
    ensure_schema(engine)
    require_revision(engine, "013", "storing snapshots")


def require_revision(engine: Engine, needed: str, what: str) -> None:
    """Refuse clearly when the database predates revision ``needed``."""
    from themepark_tracker.errors import UserError

    current = current_revision(engine)
    if current is None or current < needed:
        hint = (" (apply src/database/migrations/012_add_hourly_stats.sql with the mysql "
                "client, or run `themepark db upgrade`)" if needed == "012" else
                " (run `themepark db upgrade`)")
        raise UserError(f"{what} needs schema revision {needed}, but the database is at "
                        f"{current or 'no revision'}{hint}")


def current_revision(engine: Engine) -> str | None:
    """The revision the database stands at, or None for a database Alembic never touched."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def offline_sql(from_rev: str | None, to_rev: str, dialect: str = "mysql") -> str:
    """The SQL Alembic's offline (``--sql``) mode writes for ``from_rev`` → ``to_rev``.

    ``from_rev=None`` starts from an empty database (and includes creating alembic_version).
    """
    buffer = io.StringIO()
    cfg = make_config(dialect_name=dialect, output_buffer=buffer)
    span = f"{from_rev}:{to_rev}" if from_rev else to_rev
    command.upgrade(cfg, span, sql=True)
    return buffer.getvalue()


# Server defaults that mean the same but read back differently. MariaDB reflects
# ``DEFAULT now()`` as ``current_timestamp()`` and ``DEFAULT false`` as ``0``; SQLite reflects
# what was written. Only these spellings are folded together, nothing else.
_DEFAULT_SYNONYMS = {
    "now()": "current_timestamp",
    "current_timestamp()": "current_timestamp",
    "false": "0",
    "true": "1",
}


def _normalized_default(sql: str | None) -> str | None:
    if sql is None:
        return None
    text = sql.strip().lower()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return _DEFAULT_SYNONYMS.get(text, text)


def _compare_server_default(
    _context: Any,
    _inspected_column: Any,
    _metadata_column: Any,
    inspected_default: str | None,
    _metadata_default: Any,
    rendered_metadata_default: str | None,
) -> bool | None:
    """Alembic hook: False (equal) for the synonyms above, else None (Alembic decides)."""
    if inspected_default is None or rendered_metadata_default is None:
        return None
    if _normalized_default(inspected_default) == _normalized_default(rendered_metadata_default):
        return False
    return None


def schema_diffs(engine: Engine) -> list[Any]:
    """Alembic's differences between the database and ``tables.metadata`` ([] when equal).

    Compares tables, columns, types, nullability, server defaults, primary keys, unique
    constraints, indexes and foreign keys (with their names).
    """
    from alembic.autogenerate import compare_metadata

    from themepark_tracker.db.tables import metadata

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "compare_server_default": _compare_server_default},
        )
        return list(compare_metadata(context, metadata))
