"""Plan a mirror, copy into the staging copy, audit it, and only then replace the target."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, and_, func, inspect, select, true
from sqlalchemy.exc import DBAPIError

from themepark_tracker.db import tables as t
from themepark_tracker.db.bulk import bulk_insert
from themepark_tracker.errors import UserError
from themepark_tracker.mirror.identity import (
    DEFAULT_PRODUCTION_NAME,
    refuse_prod_target,
    refuse_same_database,
)
from themepark_tracker.mirror.plan import (
    ALEMBIC_TABLE,
    SCHEMA_ONLY,
    TABLE_BOUNDS,
    YIELD_PER,
    AuditLine,
    Plan,
    Report,
    window_for,
)
from themepark_tracker.mirror.staging import Staging, open_staging

logger = logging.getLogger(__name__)


def plan_mirror(source: Engine, target: Engine, days: int | None,
                now: datetime | None = None,
                production_name: str = DEFAULT_PRODUCTION_NAME) -> Plan:
    """Read what the source holds and what the target would get; changes nothing. Refuses a
    target that is production by name, or the source itself however its URL is spelled."""
    from themepark_tracker.db.migrate import current_revision, head_revision

    from_name = source.url.render_as_string(hide_password=True)
    to_name = target.url.render_as_string(hide_password=True)
    refuse_prod_target(target.url.render_as_string(hide_password=False), production_name)
    refuse_same_database(source, target)
    names = set(inspect(source).get_table_names())
    revision = current_revision(source)
    if revision is None:
        raise UserError(f"the source {from_name} has no Alembic revision "
                        "(an empty database, or one this project did not create)")
    if revision > head_revision():
        raise UserError(f"the source is at revision {revision}, newer than this code "
                        f"({head_revision()}); update the code first")
    unknown = sorted(names - set(t.metadata.tables) - {ALEMBIC_TABLE})
    if unknown:
        raise UserError(f"the source has tables this schema does not know: {', '.join(unknown)} "
                        "(deployment/scripts/mirror-production-db.sh copies them as they are)")
    if t.park_activity_snapshots.name not in names:
        raise UserError("the source has no park_activity_snapshots table")
    with source.connect() as conn:
        newest = conn.execute(select(func.max(t.park_activity_snapshots.c.recorded_at))).scalar()
    if newest is None:
        raise UserError("the source's park_activity_snapshots is empty: no newest snapshot "
                        "to mirror up to")
    as_of = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
    ordered = [tb.name for tb in t.metadata.sorted_tables if tb.name in names]
    return Plan(
        source=from_name, target=to_name, revision=revision,
        tables=(ALEMBIC_TABLE, *ordered),
        window=window_for(newest, days, as_of),
        target_tables=tuple(sorted(inspect(target).get_table_names())),
    )


def _where(plan: Plan, table: Table) -> ColumnElement[bool]:
    if table.name in SCHEMA_ONLY:
        return ~true()
    if table.name not in TABLE_BOUNDS:
        return true()
    column_name, kind = TABLE_BOUNDS[table.name]
    column = table.c[column_name]
    lower, upper = plan.window.bounds(kind)
    if lower is None:
        return column <= upper
    return and_(column >= lower, column <= upper)


def _rows(source: Engine, table: Table, columns: list[str], where: ColumnElement[bool]
          ) -> Iterator[list[tuple[Any, ...]]]:
    stmt = select(*(table.c[c] for c in columns)).where(where)
    with source.connect() as conn:
        result = conn.execution_options(yield_per=YIELD_PER).execute(stmt)
        for part in result.partitions():
            yield [tuple(row) for row in part]


def one_line(exc: BaseException) -> str:
    """An exception as one line: the driver's own message for a database error."""
    message = str(exc.orig if isinstance(exc, DBAPIError) else exc) or type(exc).__name__
    return message.strip().splitlines()[0][:300]


def copy_rows(source: Engine, staging: Engine, plan: Plan, began: float) -> None:
    """Build the schema at the plan's revision in ``staging`` and fill it table by table."""
    from themepark_tracker.db.migrate import upgrade

    upgrade(staging, plan.revision)
    logger.info("Created the schema at revision %s in %.1f s", plan.revision,
                time.monotonic() - began)
    source_columns = {name: [c["name"] for c in inspect(source).get_columns(name)]
                      for name in plan.tables if name != ALEMBIC_TABLE}
    with staging.begin() as conn:
        for n, name in enumerate(plan.tables, start=1):
            if name == ALEMBIC_TABLE or name in SCHEMA_ONLY:
                continue
            table = t.metadata.tables[name]
            columns = source_columns[name]
            missing = [c for c in columns if c not in table.c]
            if missing:
                raise UserError(f"{name} has columns the target schema lacks: {missing}")
            step = time.monotonic()
            copied = 0
            try:
                for chunk in _rows(source, table, columns, _where(plan, table)):
                    copied += bulk_insert(conn, table, columns, chunk)
            except Exception as exc:
                logger.debug("copying %s failed", name, exc_info=True)
                raise UserError(f"copying {name} failed: {one_line(exc)}") from None
            logger.info("[%d/%d] %s: %s rows in %.1f s (total %.1f s)", n, len(plan.tables),
                        name, f"{copied:,}", time.monotonic() - step, time.monotonic() - began)


def mirror(source: Engine, target: Engine, plan: Plan) -> Report:
    """Copy the source's rows within ``plan`` into a staging copy next to the target, audit
    every table, and replace the target with it only when every table matches. On a failure
    or a mismatch the target is left as it was and the staging copy is removed."""
    began = time.monotonic()
    staging = open_staging(target)
    try:
        copy_rows(source, staging.engine, plan, began)
        report = Report(plan, audit(source, staging.engine, plan))
        if report.ok:
            staging.swap()
            report.replaced = True
    except Exception as exc:
        logger.debug("the mirror failed", exc_info=True)
        reason = str(exc) if isinstance(exc, UserError) else one_line(exc)
        raise UserError(f"{reason}; the target {plan.target} is unchanged") from None
    finally:
        _discard(staging)
    report.elapsed = time.monotonic() - began
    return report


def _discard(staging: Staging) -> None:
    try:
        staging.discard()
    except Exception as exc:  # the outcome stands; what is left over is named
        logger.warning("could not remove the staging copy: %s", one_line(exc))


def audit(source: Engine, target: Engine, plan: Plan) -> list[AuditLine]:
    """Per table: (rows, first, last) of the source within the plan's bounds, and of the
    whole target table; the schema revision compared as alembic_version's row."""
    from themepark_tracker.db.migrate import current_revision

    lines = [AuditLine(ALEMBIC_TABLE, (1, current_revision(source), None),
                       (1, current_revision(target), None))]
    with source.connect() as src, target.connect() as dst:
        for name in plan.tables[1:]:
            table = t.metadata.tables[name]
            bound = TABLE_BOUNDS.get(name)
            column = table.c[bound[0]] if bound else None
            measures: list[ColumnElement[Any]] = [func.count()]
            if column is not None:
                measures += [func.min(column), func.max(column)]
            src_row = tuple(src.execute(select(*measures).select_from(table)
                                        .where(_where(plan, table))).one())
            dst_row = tuple(dst.execute(select(*measures).select_from(table)).one())
            if column is None:
                src_row, dst_row = (*src_row, None, None), (*dst_row, None, None)
            lines.append(AuditLine(name, src_row, dst_row))
    return lines
