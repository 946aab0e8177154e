"""``themepark mirror --from URL [--days N]``: copy one database into the configured one.

The Python twin of ``deployment/scripts/mirror-production-db.sh``, between any two SQLAlchemy
URLs (MariaDB production into the embedded SQLite file of a laptop without MariaDB, say):

- the source is only read (SQLite opened read-only, MariaDB sessions ``READ ONLY``, in UTC);
- the target is never the source, however either URL is spelled (``identity``), never
  production by name (containing "prod", or PRODUCTION_DATABASE_NAME);
- the copy is built next to the target (``<target>__mirror_new``, or ``<file>.mirror-new``) by
  Alembic at the source's own revision (so ``themepark db upgrade`` or the quickstart's 012
  SQL file carries on from there), then filled table by table (``staging``);
- ``days=N`` keeps the time-series and aggregate tables to the N days ending at the source's
  newest ``park_activity_snapshots.recorded_at`` (from the whole UTC hour N days before that
  snapshot's hour); every mode stops at that newest snapshot, so what is copied is one cut of
  a source that may still be written; the catalogue and schedules are copied whole and
  ``job_locks`` is left empty (a lock held on production must not block local jobs);
- an audit compares every table, source within those bounds against the copy: row count and
  the first and last value of its time column; only when every table matches does the copy
  replace the target. A failure or a mismatch leaves the target as it was.

``TABLE_BOUNDS`` is the single list of which column bounds which table; the shell script
carries the same list and a test pins the two together.
"""

from themepark_tracker.mirror.identity import (
    DEFAULT_PRODUCTION_NAME,
    open_source,
    refuse_prod_target,
    refuse_same_database,
)
from themepark_tracker.mirror.plan import (
    ALEMBIC_TABLE,
    SCHEMA_ONLY,
    TABLE_BOUNDS,
    WHOLE,
    AuditLine,
    BoundKind,
    Plan,
    Report,
    Window,
    window_for,
)
from themepark_tracker.mirror.run import audit, mirror, plan_mirror

__all__ = [
    "ALEMBIC_TABLE", "DEFAULT_PRODUCTION_NAME", "SCHEMA_ONLY", "TABLE_BOUNDS", "WHOLE",
    "AuditLine", "BoundKind", "Plan", "Report", "Window", "audit", "mirror", "open_source",
    "plan_mirror", "refuse_prod_target", "refuse_same_database", "window_for",
]
