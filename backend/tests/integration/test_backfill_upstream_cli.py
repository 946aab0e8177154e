"""``themepark backfill-upstream`` as a real subprocess against the fake upstream replaying the
real history capture (shifted to the last days before today): ``kill -9`` mid-run, then the
same command again, loses and duplicates nothing; the API key is sent; a window error and a
spent budget end in one clear line and exit 1, with what was done kept."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from tests.integration.test_backfill_upstream import HISTORY, history_path, shift
from tests.integration.test_run import BACKEND, Proc, run_env, wait_for
from tests.upstream import FakeUpstream, real_files, serve_upstream
from themepark_tracker.aggregate.verify import verify
from themepark_tracker.db import record_tables as rt
from themepark_tracker.db import tables as t
from themepark_tracker.timeutil import local_day_bounds, utcnow

pytestmark = pytest.mark.slow
ORLANDO = ZoneInfo("America/New_York")
CAPTURED = date(2026, 9, 17)


def last_days(n: int) -> list[date]:
    today = datetime.now(ORLANDO).date()
    return [today - timedelta(days=k) for k in range(1, n + 1)]


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    files = real_files()
    for day in last_days(3):
        files[history_path(day)] = HISTORY / "mk_history_park.json"
    with serve_upstream(files) as fake:
        for day in last_days(3):
            fake.transform(history_path(day),
                           lambda d, day=day: shift(d, (day - CAPTURED).days))
        yield fake


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "themepark_tracker", "backfill-upstream", *args]


def env_for(engine: Engine, upstream: FakeUpstream) -> dict[str, str]:
    env = run_env(engine, upstream)
    env.pop("COLLECTION_PERIOD_SECONDS")  # the history grid is the interval I's anyway
    env.update({"HISTORY_REQUEST_SPACING_MS": "0", "HISTORY_MAX_WAIT_SECONDS": "5",
                "TEST_HISTORY_KEY": "sekrit-key"})
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), env=env, cwd=BACKEND, capture_output=True,
                          text=True, timeout=300)


def recorded(engine: Engine) -> set[date]:
    with engine.connect() as conn:
        return set(conn.execute(select(rt.upstream_backfill_days.c.local_date)).scalars())


def park_cycles_per_day(engine: Engine) -> dict[date, int]:
    pas = t.park_activity_snapshots
    with engine.connect() as conn:
        return {d: n for d, n in conn.execute(
            select(pas.c.local_date, func.count()).group_by(pas.c.local_date))}


def test_kill_9_mid_run_then_rerun_loses_and_duplicates_nothing(
        engine: Engine, upstream: FakeUpstream, tmp_path: Path) -> None:
    env = env_for(engine, upstream)
    subprocess.run([sys.executable, "-m", "themepark_tracker", "collect", "--catalog"],
                   env=env, cwd=BACKEND, check=True, capture_output=True, timeout=120)
    newest, middle, oldest = last_days(3)
    upstream.slow(history_path(middle), 30)  # hangs on the second day, after the first
    first = Proc(command("--days", "3"), env, tmp_path / "run1.log")
    wait_for("the first day stored and the second asked for",
             lambda: recorded(engine) == {newest} and bool(upstream.hits(history_path(middle))),
             first)
    time.sleep(0.3)
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL

    upstream.reset()
    again = run(env, "--days", "3", "--api-key-env", "TEST_HISTORY_KEY")
    assert again.returncode == 0, again.stdout + again.stderr
    assert recorded(engine) == {newest, middle, oldest}
    assert len(upstream.hits(history_path(newest))) == 1  # done before the kill: not refetched
    assert upstream.hits(history_path(oldest))[0].headers.get("X-API-Key") == "sekrit-key"
    # Every day whole, one park cycle per 5-minute slot of its local day, none twice.
    per_day = park_cycles_per_day(engine)
    for day in (newest, middle, oldest):
        start, end = local_day_bounds(day, ORLANDO)
        assert per_day[day] == int((end - start).total_seconds() // 300)
    rss = t.ride_status_snapshots
    with engine.connect() as conn:
        rows = conn.execute(select(rss.c.ride_id, rss.c.recorded_at)).all()
    assert len(rows) == len(set(rows))
    # Aggregates and outages agree with a recomputation from the raw snapshots.
    report = verify(engine, 5, days=5, now=utcnow())
    assert report.mismatches == [] and report.pending_hours == report.pending_days == 0
    assert report.rows_checked > 0
    assert "Magic Kingdom Park: 2 day(s) filled" in again.stdout
    assert "1 already done" in again.stdout
    # A third run: nothing fetched, nothing changed.
    counts = park_cycles_per_day(engine)
    third = run(env, "--days", "3")
    assert third.returncode == 0 and park_cycles_per_day(engine) == counts
    assert "3 already done" in third.stdout


def test_window_and_budget_errors_are_one_line_and_keep_what_is_done(
        engine: Engine, upstream: FakeUpstream) -> None:
    env = env_for(engine, upstream)
    subprocess.run([sys.executable, "-m", "themepark_tracker", "collect", "--catalog"],
                   env=env, cwd=BACKEND, check=True, capture_output=True, timeout=120)
    newest, middle, oldest = last_days(3)
    upstream.fail(history_path(oldest), 403,
                  (HISTORY / "history_window_exceeded.json").read_bytes())
    window = run(env, "--days", "3")
    assert window.returncode == 1
    errors = [line for line in window.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in window.stderr
    assert "history window exceeded" in errors[0] and "back to 2026-09-12 (7 days)" in errors[0]
    assert recorded(engine) == {newest, middle}

    upstream.reset()
    upstream.throttle(history_path(oldest), 1, "1847")
    budget = run(env, "--days", "3")
    assert budget.returncode == 1 and "Traceback" not in budget.stderr
    errors = [line for line in budget.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "budget spent" in errors[0] and "1847 s" in errors[0]
    assert "1 left to do" in budget.stdout
    assert recorded(engine) == {newest, middle}

    missing = run(env, "--days", "3", "--api-key-env", "NO_SUCH_VARIABLE_SET")
    assert missing.returncode == 2 and "NO_SUCH_VARIABLE_SET is not set" in missing.stderr
