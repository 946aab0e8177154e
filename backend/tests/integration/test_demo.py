"""`themepark demo --no-serve` through the CLI, as the README's first command runs it: the
embedded database in THEMEPARK_DATA_DIR (whatever DATABASE_URL says), simulated, aggregated,
the recovery curves fitted, the rankings printed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from tests.scenarios import run_module
from themepark_tracker.db import tables as t
from themepark_tracker.db.engine import make_engine


def test_the_demo_fills_the_embedded_database_and_prints_rankings(tmp_path: Path) -> None:
    done = run_module(None, "themepark_tracker", "demo", "--no-serve", "--days", "2",
                      "--parks", "3", "--rides", "30",
                      env={"THEMEPARK_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "(simulated data)" in done.stdout
    assert "recovery curves" in done.stdout
    assert "of 3 parks were open" in done.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'themepark.sqlite3'}")
    try:
        with engine.connect() as conn:
            def count(table: object) -> int:
                return int(conn.scalar(select(func.count()).select_from(table)) or 0)

            assert count(t.parks) == 3
            assert count(t.park_hourly_stats) > 0 and count(t.park_daily_stats) > 0
            assert count(t.ride_outages) > 0  # ingest keeps them as it goes
            assert count(t.recovery_curves) > 0
    finally:
        engine.dispose()
