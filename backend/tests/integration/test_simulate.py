"""The simulator through the real ingest path, on SQLite and MariaDB: the same seed gives the same
rows, the counts add up, both kinds of feed appear, non-attractions never reach the snapshots,
and the derived columns obey SPEC §2."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, func, select, text

from themepark_tracker import metrics
from themepark_tracker.db import tables as t
from themepark_tracker.db.engine import make_engine
from themepark_tracker.simulate import SimulationSummary, simulate

END = datetime(2025, 12, 5, 8, 0)  # a Friday; Magic Kingdom stays open until 01:00 on Thursday
ARGS: dict[str, Any] = dict(parks=3, rides=30, days=2, seed=7, end=END, interval_minutes=5)
CYCLES = 2 * 24 * 12 + 1  # from END - 2 days to END, both included


def scalar(engine: Engine, sql: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every simulated row, without surrogate ids and bookkeeping times."""
    skip = {"id", "created_at", "updated_at", "marked_at"}
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in (t.parks, t.rides, t.park_schedules, t.ride_status_snapshots,
                      t.park_activity_snapshots):
            cols = [c for c in table.c if c.name not in skip]
            rows = conn.execute(select(*cols).order_by(*cols)).all()
            # FLOAT columns (coordinates) are single precision on MariaDB.
            out[table.name] = [
                tuple(round(v, 3) if isinstance(v, float) and c.name in ("latitude", "longitude")
                      else v for c, v in zip(cols, row, strict=True))
                for row in rows
            ]
    return out


def test_simulated_days_are_sound(engine: Engine) -> None:
    """One small simulation, checked from every side (each simulation costs a second)."""
    summary = simulate(engine, **ARGS)
    counts_add_up(engine, summary)
    both_feeds_and_every_park_opens_and_closes(engine)
    non_attractions_are_catalogued_but_never_snapshotted(engine)
    derived_columns_obey_the_spec(engine)
    night_test_runs_and_a_schedule_past_midnight(engine)


def counts_add_up(engine: Engine, simulated: SimulationSummary) -> None:
    assert simulated.parks == 3 and simulated.attractions == 30 and simulated.other_entries >= 3
    assert 0 < simulated.cycles_missed < CYCLES * 3 * 0.05
    assert count(engine, t.park_activity_snapshots) == simulated.park_snapshots
    assert simulated.park_snapshots == 3 * CYCLES - simulated.cycles_missed
    assert count(engine, t.ride_status_snapshots) == simulated.ride_snapshots
    # Every stored cycle holds every attraction of its park, and nothing else.
    per_cycle = scalar(engine, """
        SELECT SUM(p.cycles * a.attractions) FROM
          (SELECT park_id, COUNT(*) AS cycles FROM park_activity_snapshots GROUP BY park_id) p
          JOIN (SELECT park_id, COUNT(*) AS attractions FROM rides
                WHERE category = 'ATTRACTION' GROUP BY park_id) a ON a.park_id = p.park_id""")
    assert per_cycle == simulated.ride_snapshots
    assert simulated.dropped_readings > 0  # shows and friends were in the feed
    text_ = simulated.describe()
    assert f"{simulated.park_snapshots:,} park snapshots" in text_
    assert f"{simulated.ride_snapshots:,} ride snapshots" in text_
    assert "ending 2025-12-05 08:00 UTC" in text_
    # The period is [END - 2 days, END), one cycle every 5 minutes.
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(pas.c.recorded_at),
                                          func.max(pas.c.recorded_at))).one()
        instants = conn.execute(select(pas.c.recorded_at).distinct()).scalars().all()
    assert first >= END - timedelta(days=2) and last <= END
    assert all(at.minute % 5 == 0 and at.second == 0 for at in instants)


def both_feeds_and_every_park_opens_and_closes(engine: Engine) -> None:
    with engine.connect() as conn:
        parks = conn.execute(select(t.parks.c.park_id, t.parks.c.reports_down,
                                    t.parks.c.timezone)).all()
        opened = dict(conn.execute(text(
            "SELECT park_id, SUM(CASE WHEN park_appears_open THEN 1 ELSE 0 END) "
            "FROM park_activity_snapshots GROUP BY park_id")).all())
        closed = dict(conn.execute(text(
            "SELECT park_id, SUM(CASE WHEN park_appears_open THEN 0 ELSE 1 END) "
            "FROM park_activity_snapshots GROUP BY park_id")).all())
        down_at = set(conn.execute(text(
            "SELECT DISTINCT park_id FROM ride_status_snapshots WHERE status = 'DOWN'")).scalars())
        counted = dict(conn.execute(text(
            "SELECT park_id, SUM(CASE WHEN counted_down THEN 1 ELSE 0 END) "
            "FROM ride_status_snapshots GROUP BY park_id")).all())
    reporting = {p.park_id for p in parks if p.reports_down}
    assert reporting and reporting != {p.park_id for p in parks}
    assert "Asia/Kolkata" in {p.timezone for p in parks}
    assert down_at == reporting  # CLOSED-only feeds never send DOWN
    for p in parks:
        assert opened[p.park_id] > 0 and closed[p.park_id] > 0, p
        assert counted[p.park_id] > 0, p  # breakdowns count at both kinds of park


def non_attractions_are_catalogued_but_never_snapshotted(engine: Engine) -> None:
    with engine.connect() as conn:
        categories = set(conn.execute(select(t.rides.c.category).distinct()).scalars())
    assert "SHOW" in categories and metrics.ATTRACTION in categories
    assert scalar(engine, """
        SELECT COUNT(*) FROM ride_status_snapshots s JOIN rides r ON r.ride_id = s.ride_id
        WHERE r.category <> 'ATTRACTION'""") == 0


def derived_columns_obey_the_spec(engine: Engine) -> None:
    violations = {
        "shame out of range": "shame_score < 0 OR shame_score > 10",
        "down weight above active": "down_weight > active_weight",
        "shame while closed": "shame_score IS NOT NULL AND NOT park_appears_open",
        "no shame while open": "shame_score IS NULL AND park_appears_open",
        "rides down but no shame": "park_appears_open AND rides_down > 0 AND shame_score <= 0",
        "down while closed": "rides_down > 0 AND NOT park_appears_open",
    }
    for name, condition in violations.items():
        n = scalar(engine, f"SELECT COUNT(*) FROM park_activity_snapshots WHERE {condition}")
        assert n == 0, name
    # Something happened: breakdowns were counted, and there were waits.
    assert scalar(engine, "SELECT MAX(shame_score) FROM park_activity_snapshots") > 0
    assert scalar(engine, "SELECT MAX(max_wait_time) FROM park_activity_snapshots") >= 20


def night_test_runs_and_a_schedule_past_midnight(engine: Engine) -> None:
    # A lone ride OPERATING outside opening hours does not open the park (SPEC §2 rule 1).
    lone = scalar(engine, """
        SELECT COUNT(*) FROM park_activity_snapshots p
        WHERE NOT p.park_appears_open AND 1 = (
          SELECT COUNT(*) FROM ride_status_snapshots s
          WHERE s.park_id = p.park_id AND s.recorded_at = p.recorded_at
            AND s.status = 'OPERATING')""")
    assert lone > 0
    # Magic Kingdom's Thursday hours run to 01:00 Friday: open, rides running, after midnight.
    with engine.connect() as conn:
        park_id, zone = conn.execute(select(t.parks.c.park_id, t.parks.c.timezone)
                                     .where(t.parks.c.name == "Magic Kingdom")).one()
        windows = conn.execute(select(t.park_schedules.c.local_date,
                                      t.park_schedules.c.closing_time_utc)
                               .where(t.park_schedules.c.park_id == park_id)).all()
        late = [w for w in windows
                if w.closing_time_utc.replace(tzinfo=ZoneInfo("UTC"))
                .astimezone(ZoneInfo(zone)).date() > w.local_date]
        assert late
        after_midnight = late[0].closing_time_utc - timedelta(minutes=30)
        pas = t.park_activity_snapshots
        row = conn.execute(select(pas.c.park_appears_open, pas.c.rides_open, pas.c.local_date)
                           .where(pas.c.park_id == park_id,
                                  pas.c.recorded_at.between(after_midnight - timedelta(
                                      minutes=10), after_midnight))
                           .order_by(pas.c.recorded_at.desc())).first()
    assert row is not None and row.park_appears_open and row.rides_open > 0
    assert row.local_date > late[0].local_date


def test_same_seed_same_rows_and_rerunning_changes_nothing(engine: Engine, tmp_path: Path
                                                            ) -> None:
    args = {**ARGS, "days": 1}
    simulated = simulate(engine, **args)
    rows = dump(engine)
    other = make_engine(f"sqlite:///{tmp_path / 'again.sqlite3'}")
    try:
        t.metadata.create_all(other)
        again = simulate(other, **args)
        assert dump(other) == rows
        assert (again.park_snapshots, again.ride_snapshots, again.cycles_missed) == (
            simulated.park_snapshots, simulated.ride_snapshots, simulated.cycles_missed)
    finally:
        other.dispose()
    rerun = simulate(engine, **args)
    assert rerun.park_snapshots == 0 and rerun.park_days_unchanged > 0
    assert dump(engine) == rows
