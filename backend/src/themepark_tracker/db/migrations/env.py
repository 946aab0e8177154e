"""Alembic environment, driven by ``themepark_tracker.db.migrate`` (no alembic.ini needed).

Online: the caller passes an open connection in ``config.attributes["connection"]``; we run
inside the caller's transaction. (Fallback for the plain ``alembic`` command: an engine from
the ``sqlalchemy.url`` option.)

Offline (``--sql``): SQL text for ``config.attributes["dialect_name"]`` (default ``mysql``)
goes to ``config.output_buffer``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from themepark_tracker.db.tables import metadata

config = context.config

# Only autogenerate reads this: revisions themselves never import the live tables.
target_metadata = metadata


def _dialect_name() -> str:
    name = config.attributes.get("dialect_name") or config.get_main_option("dialect_name")
    return str(name or "mysql")


def run_migrations_offline() -> None:
    dialect_name = _dialect_name()
    context.configure(
        dialect_name=dialect_name,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=dialect_name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "no connection: use themepark_tracker.db.migrate.upgrade(engine), or set "
            "sqlalchemy.url for the plain alembic command"
        )
    from themepark_tracker.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _run_with(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
