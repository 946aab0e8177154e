"""Generate the numbered SQL migration files from the Alembic revisions (offline mode).

    cd backend && python scripts/generate_migration_sql.py          # (re)write the files
    cd backend && python scripts/generate_migration_sql.py --check  # exit 1 if one is stale

Each file is Alembic's ``--sql`` output for one revision (mysql dialect), post-processed so
it can be piped through ``mysql`` twice without harm:

- ``CREATE TABLE`` becomes ``CREATE TABLE IF NOT EXISTS``;
- every ``CREATE INDEX`` moves into its table's ``CREATE TABLE`` (inline ``INDEX``/``UNIQUE
  INDEX``), so a table and its indexes come into being together (portable to MySQL 8, which
  has no ``CREATE INDEX IF NOT EXISTS``);
- every ``ALTER TABLE t ADD COLUMN c ...`` runs only while ``c`` is missing: a prepared
  statement chosen from ``information_schema.columns`` (MySQL 8 has no ``ADD COLUMN IF NOT
  EXISTS`` either);
- an ``UPDATE`` of a table's values from a recomputation (``FILLS``: it sets every row to what
  the rows it is computed from say, so a second run writes the same values) is kept as is;
- the ``UPDATE alembic_version ... WHERE version_num = '<previous>'`` Alembic writes is
  already guarded, so it is kept as is.

Any other statement makes the generator fail: a revision that alters existing tables needs
its idempotency thought through before it gets a file here.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent
SRC = BACKEND / "src"
if str(SRC) not in sys.path:  # runnable without the package installed
    sys.path.insert(0, str(SRC))

from alembic.script import ScriptDirectory  # noqa: E402

from themepark_tracker.db import migrate  # noqa: E402

OUTPUT_DIR = SRC / "database" / "migrations"

# Revisions that get a numbered SQL file (applied by hand with the mysql client).
REVISIONS = ("012",)

_CREATE_TABLE = re.compile(r"^CREATE TABLE (?P<table>\w+) \(\n(?P<body>.*)\n\)$", re.S)
_CREATE_INDEX = re.compile(
    r"^CREATE (?P<unique>UNIQUE )?INDEX (?P<name>\w+) ON (?P<table>\w+) \((?P<cols>[^()]*)\)$"
)
_ADD_COLUMN = re.compile(r"^ALTER TABLE (?P<table>\w+) ADD COLUMN (?P<column>\w+) (?P<spec>[^;]*)$")
# Recomputations whose second run writes what the first wrote (see the revision's docstring).
FILLS = ("UPDATE park_activity_snapshots p JOIN (",)
_UPDATE_VERSION = re.compile(
    r"^UPDATE alembic_version SET version_num='\w+' "
    r"WHERE alembic_version\.version_num = '\w+'$"
)


def _revision_file_stem(revision: str) -> str:
    """``012`` → ``012_add_hourly_stats`` (the revision's own file name)."""
    versions: Path = migrate.MIGRATIONS_DIR / "versions"
    matches = sorted(versions.glob(f"{revision}_*.py"))
    if len(matches) != 1:
        raise SystemExit(f"expected one versions/{revision}_*.py, found {len(matches)}")
    return matches[0].stem


def make_idempotent(offline: str) -> str:
    """Rewrite Alembic's offline mysql output so that applying it twice does no harm."""
    comments: list[str] = []
    tables: dict[str, list[str]] = {}  # table -> body lines, in creation order
    updates: list[str] = []
    alters: list[str] = []
    fills: list[str] = []
    for raw in offline.split(";\n"):
        lines = [line.rstrip() for line in raw.strip().splitlines()]
        while lines and lines[0].startswith("--"):
            comments.append(lines.pop(0))
        statement = "\n".join(lines).strip()
        if not statement:
            continue
        if m := _CREATE_TABLE.match(statement):
            body = [line.rstrip(",") for line in m["body"].splitlines()]
            tables[m["table"]] = body
        elif m := _CREATE_INDEX.match(statement):
            if m["table"] not in tables:
                raise SystemExit(f"index on a table this revision does not create: {statement}")
            kind = "UNIQUE INDEX" if m["unique"] else "INDEX"
            tables[m["table"]].append(f"    {kind} {m['name']} ({m['cols']})")
        elif m := _ADD_COLUMN.match(statement):
            alters.append(_guarded_add_column(m["table"], m["column"], statement))
        elif statement.startswith(FILLS):
            fills.append(statement + ";")
        elif _UPDATE_VERSION.match(statement):
            updates.append(statement)
        else:
            raise SystemExit(f"no idempotent form known for this statement:\n{statement}")
    if len(updates) != 1:
        raise SystemExit(f"expected one UPDATE alembic_version, found {len(updates)}")
    out = comments[:]
    for table, body in tables.items():
        out.append("")
        out.append(f"CREATE TABLE IF NOT EXISTS {table} (\n" + ",\n".join(body) + "\n);")
    if alters:
        out.append("")
        out.append("-- Each column is added only while it is missing.")
        out.extend(alters)
    for fill in fills:
        out.append("")
        out.append("-- Recomputed from the rows it derives from: a second run writes the same.")
        out.append(fill)
    out.append("")
    out.append("-- Only a database at the previous revision moves; a second run matches no row.")
    out.append(updates[0] + ";")
    return "\n".join(out) + "\n"


def _guarded_add_column(table: str, column: str, statement: str) -> str:
    quoted = statement.replace("'", "''")
    return (
        "SET @ddl = IF(EXISTS(SELECT 1 FROM information_schema.columns WHERE table_schema = "
        f"DATABASE() AND table_name = '{table}' AND column_name = '{column}'), 'DO 0', "
        f"'{quoted}');\n"
        "PREPARE ddl FROM @ddl;\nEXECUTE ddl;\nDEALLOCATE PREPARE ddl;"
    )


def render(revision: str) -> str:
    """The full text of the SQL file for ``revision``."""
    script = ScriptDirectory.from_config(migrate.make_config()).get_revision(revision)
    assert script is not None and isinstance(script.down_revision, str)
    previous = script.down_revision
    stem = _revision_file_stem(revision)
    header = f"""\
-- {stem}.sql
--
-- GENERATED by backend/scripts/generate_migration_sql.py from Alembic revision {revision}
-- (src/themepark_tracker/db/migrations/versions/{stem}.py), offline mode, mysql dialect.
-- Do not edit by hand: change the revision, then regenerate with
--     cd backend && python scripts/generate_migration_sql.py
-- (`--check` exits 1 when this file is stale; the test suite runs that check).
--
-- Apply to a database at revision {previous}:
--     mysql -u root themepark_tracker_dev < src/database/migrations/{stem}.sql
-- Applying it again is harmless: tables are created IF NOT EXISTS with their indexes inline,
-- columns are added only while missing, values are recomputed from the rows they derive
-- from, and alembic_version moves {previous} -> {revision} only while it still reads
-- {previous}.
-- The same schema results from `themepark db upgrade` (Alembic, online).
"""
    return header + "\n" + make_idempotent(migrate.offline_sql(previous, revision, "mysql"))


def output_path(revision: str) -> Path:
    return OUTPUT_DIR / f"{_revision_file_stem(revision)}.sql"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    parser.add_argument(
        "--output-dir", type=Path, default=OUTPUT_DIR, help="folder of the .sql files"
    )
    args = parser.parse_args(argv)
    stale = []
    for revision in REVISIONS:
        path = args.output_dir / output_path(revision).name
        text = render(revision)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {path}")
    if stale:
        for path in stale:
            print(f"stale: {path} (run: cd backend && python scripts/generate_migration_sql.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
