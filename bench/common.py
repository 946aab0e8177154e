"""What the benchmarks share: the MariaDB server, the machine description, a free port, and
writing a section of docs/performance.md between its markers."""

from __future__ import annotations

import os
import platform
import socket
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text
from themepark_tracker.db.engine import make_engine
from themepark_tracker.db.migrate import upgrade

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "performance.md"
SERVER = "mysql+pymysql://root@127.0.0.1:3306/?charset=utf8mb4"


def mariadb_engine(database: str, *, drop: bool = False) -> Engine:
    """An engine on ``database`` (a benchmark's own, never a dev or production one), created
    and migrated if needed; ``drop`` starts it empty."""
    if not database.startswith("tpt_bench_"):
        raise SystemExit(f"benchmarks only create or drop their own tpt_bench_* databases, "
                         f"not {database}")
    server = make_engine(SERVER)
    with server.begin() as conn:
        if drop:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{database}`"))
        conn.execute(text(f"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4"))
    server.dispose()
    engine = make_engine(SERVER.replace("/?", f"/{database}?"))
    upgrade(engine)
    return engine


def environment_line() -> str:
    server = make_engine(SERVER)
    with server.connect() as conn:
        version = conn.scalar(text("SELECT VERSION()"))
    server.dispose()
    return (f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
            f"({platform.machine()}, {os.cpu_count()} cores), MariaDB {version}.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_section(name: str, title: str, block: str) -> None:
    begin, end = f"<!-- {name} begin -->", f"<!-- {name} end -->"
    DOC.parent.mkdir(exist_ok=True)
    current = DOC.read_text() if DOC.exists() else "# Performance\n"
    section = f"{begin}\n## {title}\n\n{block}\n{end}"
    if begin in current:
        head, rest = current.split(begin, 1)
        current = head + section + rest.split(end, 1)[1]
    else:
        current = current.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(current)
    print(f"\nwrote {DOC}")
