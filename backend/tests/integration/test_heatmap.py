"""The SPEC §7 heatmap: the local-hour rollup the hourly job keeps, and the two endpoints.

Expected cells are worked out by hand from the cycles each test writes (never read back from
the code): a park in America/New_York whose first ride is down 13:00-14:00 local on two
Tuesdays; a park in Asia/Kolkata (+05:30) whose ride is down at 10:35 local only, which must
land in local hour 10 although its UTC hour (05:00-06:00) spans local 10:30-11:30; a cell
with 11 open cycles is null. SQLite and MariaDB."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

from tests.factories import ingest, make_park, series
from tests.scenarios import at_head
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.hourly import aggregate_hour
from themepark_tracker.aggregate.verify import verify
from themepark_tracker.db import record_tables as rt
from themepark_tracker.db.engine import make_engine
from themepark_tracker.db.migrate import upgrade

I = 5  # noqa: E741 - the collection interval, minutes
NOW = datetime(2025, 6, 20, 15, 0)
#: Two Tuesdays in June (EDT, UTC-4) and the Wednesday after the first.
TUESDAYS = (date(2025, 6, 3), date(2025, 6, 10))
WEDNESDAY = date(2025, 6, 4)
TUESDAY, WEDNESDAY_ISO = 2, 3


def new_york(engine: Engine) -> list[int]:
    """Park 1 in New York with three attractions. On each Tuesday: cycles every 5 minutes
    12:00-14:55 local (16:00-18:55 UTC), all operating but ride 101, which is DOWN in the 12
    cycles 13:00-13:55. On the Wednesday: 11 cycles 12:00-12:50, all operating."""
    rides = make_park(engine, 1, tiers=(1, 2, 3), timezone="America/New_York",
                      reports_down=True, name="Liberty Park")
    cycles = []
    for day in TUESDAYS:
        start = datetime(day.year, day.month, day.day, 16, 0)  # 12:00 EDT
        rows = ["OOO"] * 12 + ["DOO"] * 12 + ["OOO"] * 12
        cycles += series(1, start, rows, rides)
    cycles += series(1, datetime(2025, 6, 4, 16, 0), ["OOO"] * 11, rides)
    ingest(engine, cycles, I)
    return rides


def kolkata(engine: Engine) -> list[int]:
    """Park 2 in Kolkata (+05:30), on 2025-06-09 (a Monday): cycles 10:00-11:25 local
    (04:30-05:55 UTC), all operating but ride 201 DOWN at 10:35 local (05:05 UTC) only."""
    rides = make_park(engine, 2, tiers=(1, 2, 3), timezone="Asia/Kolkata",
                      reports_down=True, name="Mumbai Park")
    rows = ["OOO"] * 18
    rows[7] = "DOO"  # 10:00 + 7 x 5 minutes = 10:35 local
    ingest(engine, series(2, datetime(2025, 6, 9, 4, 30), rows, rides), I)
    return rides


def by_cell(body: dict[str, Any]) -> dict[tuple[int, int], dict[str, Any]]:
    assert len(body["cells"]) == 168
    assert [(c["weekday"], c["hour"]) for c in body["cells"]] == [
        (d, h) for d in range(1, 8) for h in range(24)]
    return {(c["weekday"], c["hour"]): c for c in body["cells"]}


def cell(share: float | None, cycles: int, down: int, seen: int) -> dict[str, Any]:
    return {"down_share": share, "open_cycles": cycles, "down_snapshots": down,
            "open_snapshots": seen}


def only(cells: dict[tuple[int, int], dict[str, Any]]) -> dict[tuple[int, int], dict[str, Any]]:
    """The cells with any open cycle, without their keys repeated."""
    return {k: {n: v for n, v in c.items() if n not in ("weekday", "hour")}
            for k, c in cells.items() if c["open_cycles"]}


def rollup_rows(engine: Engine) -> tuple[list[Any], list[Any]]:
    pl, rl = rt.park_local_hour_stats, rt.ride_local_hour_stats
    with engine.connect() as conn:
        parks = conn.execute(select(pl.c.park_id, pl.c.local_date, pl.c.local_hour,
                                    pl.c.open_cycles, pl.c.open_ride_snapshots,
                                    pl.c.down_ride_snapshots).order_by(*pl.primary_key)).all()
        rides = conn.execute(select(rl.c.ride_id, rl.c.local_date, rl.c.local_hour,
                                    rl.c.park_id, rl.c.open_snapshots, rl.c.down_snapshots)
                             .order_by(*rl.primary_key)).all()
    return [tuple(r) for r in parks], [tuple(r) for r in rides]


def test_new_york_two_tuesdays_by_hand(engine: Engine, make_api: Any) -> None:
    """Each Tuesday hour 12-14 holds 12 cycles x 3 attractions; two Tuesdays: 24 open cycles,
    72 attraction snapshots per cell. Hour 13: ride 101 down in all 24 -> 24/72 = 1/3 for the
    park, 24/24 = 1 for ride 101, 0 for ride 102. Wednesday 12: 11 cycles -> null."""
    at_head(engine)
    new_york(engine)
    backfill(engine, I, start=datetime(2025, 6, 3, 0), end=datetime(2025, 6, 10, 23), now=NOW)
    api = make_api(NOW, collection_interval_minutes=I)
    body = api.get("/api/parks/1/heatmap?period=range&from=2025-06-01&to=2025-06-14")
    assert body.status_code == 200, body.get_data(as_text=True)
    park = body.get_json()
    assert (park["park_id"], park["park_name"], park["timezone"], park["period"]) == (
        1, "Liberty Park", "America/New_York", "range")
    assert park["min_open_cycles"] == 12
    assert (park["period_start"], park["period_end"]) == ("2025-06-01T04:00:00Z",
                                                          "2025-06-15T04:00:00Z")
    assert only(by_cell(park)) == {
        (TUESDAY, 12): cell(0.0, 24, 0, 72),
        (TUESDAY, 13): cell(1 / 3, 24, 24, 72),
        (TUESDAY, 14): cell(0.0, 24, 0, 72),
        (WEDNESDAY_ISO, 12): cell(None, 11, 0, 33),
    }
    assert by_cell(park)[(1, 0)] == {"weekday": 1, "hour": 0, **cell(None, 0, 0, 0)}
    ride = api.get("/api/rides/101/heatmap?period=range&from=2025-06-01&to=2025-06-14")
    assert ride.get_json()["ride_name"] == "Ride 101"
    assert only(by_cell(ride.get_json())) == {
        (TUESDAY, 12): cell(0.0, 24, 0, 24), (TUESDAY, 13): cell(1.0, 24, 24, 24),
        (TUESDAY, 14): cell(0.0, 24, 0, 24), (WEDNESDAY_ISO, 12): cell(None, 11, 0, 11)}
    other = api.get("/api/rides/102/heatmap?period=range&from=2025-06-01&to=2025-06-14")
    assert only(by_cell(other.get_json()))[(TUESDAY, 13)] == cell(0.0, 24, 0, 24)
    # The default period is last_90_days (2025-03-22..2025-06-19 here): the same cells.
    default = api.get("/api/parks/1/heatmap").get_json()
    assert default["period"] == "last_90_days"
    assert only(by_cell(default)) == only(by_cell(park))
    # One Tuesday alone: 12 open cycles, still shown.
    one = api.get("/api/parks/1/heatmap?period=date&date=2025-06-10").get_json()
    assert only(by_cell(one)) == {(TUESDAY, 12): cell(0.0, 12, 0, 36),
                                  (TUESDAY, 13): cell(1 / 3, 12, 12, 36),
                                  (TUESDAY, 14): cell(0.0, 12, 0, 36)}


def test_kolkata_cycle_at_10_35_lands_in_hour_10(engine: Engine, make_api: Any) -> None:
    """Local hour 10 (04:30-05:30 UTC): 12 open cycles, 36 attraction snapshots, 1 down ->
    1/36. Local hour 11 (05:30-05:55 UTC): 6 cycles -> null. Aggregated one UTC hour at a time
    (04:00, then 05:00), so local hour 10 is recomputed whole from each."""
    at_head(engine)
    kolkata(engine)
    for hour in (datetime(2025, 6, 9, 4), datetime(2025, 6, 9, 5)):
        aggregate_hour(engine, hour, I, now=NOW)
    api = make_api(NOW, collection_interval_minutes=I)
    park = api.get("/api/parks/2/heatmap?period=date&date=2025-06-09").get_json()
    monday = 1
    assert only(by_cell(park)) == {(monday, 10): cell(1 / 36, 12, 1, 36),
                                   (monday, 11): cell(None, 6, 0, 18)}
    ride = api.get("/api/rides/201/heatmap?period=date&date=2025-06-09").get_json()
    assert only(by_cell(ride)) == {(monday, 10): cell(1 / 12, 12, 1, 12),
                                   (monday, 11): cell(None, 6, 0, 6)}


def test_rerunning_an_hour_changes_nothing_and_backfill_gives_the_same_rows(
        engine: Engine) -> None:
    """Hour by hour, then one hour again, then a backfill over all of it: the same rows."""
    at_head(engine)
    new_york(engine)
    kolkata(engine)
    hours = [datetime(2025, 6, 9, 4), datetime(2025, 6, 9, 5), datetime(2025, 6, 3, 16),
             datetime(2025, 6, 3, 17), datetime(2025, 6, 3, 18)]
    for hour in hours:
        aggregate_hour(engine, hour, I, now=NOW)
    first = rollup_rows(engine)
    assert (2, date(2025, 6, 9), 10, 12, 36, 1) in first[0]
    aggregate_hour(engine, datetime(2025, 6, 9, 5), I, now=NOW)
    aggregate_hour(engine, datetime(2025, 6, 3, 17), I, now=NOW)
    assert rollup_rows(engine) == first
    backfill(engine, I, start=datetime(2025, 6, 3, 0), end=datetime(2025, 6, 10, 23), now=NOW)
    parks, rides = rollup_rows(engine)
    # The backfill adds the second Tuesday and the Wednesday; the rest is unchanged.
    assert set(first[0]) <= set(parks) and set(first[1]) <= set(rides)
    assert (1, date(2025, 6, 10), 13, 12, 36, 12) in parks
    assert (1, date(2025, 6, 4), 12, 11, 33, 0) in parks


def test_bad_period_and_dates_are_400s_naming_the_parameter(engine: Engine,
                                                           make_api: Any) -> None:
    at_head(engine)
    new_york(engine)
    api = make_api(NOW, collection_interval_minutes=I)
    for url, parameter in (
        ("/api/parks/1/heatmap?period=live", "period"),
        ("/api/parks/1/heatmap?period=next_week", "period"),
        ("/api/rides/101/heatmap?period=date&date=2025-13-01", "date"),
        ("/api/parks/1/heatmap?period=date&date=2025-07-01", "date"),  # not reached yet
        ("/api/parks/1/heatmap?period=date", "date"),
        ("/api/parks/1/heatmap?period=range&from=2025-06-10&to=2025-06-01", "from"),
        ("/api/parks/1/heatmap?period=range&from=2024-01-01&to=2025-06-01", "to"),
        ("/api/parks/1/heatmap?period=range&from=2025-06-01&to=2025-06-20", "to"),
        ("/api/rides/101/heatmap?date=2025-06-01", "date"),
        ("/api/parks/1/heatmap?limit=3", "limit"),
        ("/api/parks/0/heatmap", "park_id"),
    ):
        response = api.get(url)
        assert response.status_code == 400, url
        assert response.get_json()["error"]["parameter"] == parameter, url
    for url, parameter in (("/api/parks/99/heatmap", "park_id"),
                           ("/api/rides/999/heatmap", "ride_id")):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["error"]["parameter"] == parameter, url


def test_before_revision_014_the_hourly_job_skips_the_rollup(tmp_path: Path) -> None:
    """A database at 013 (no rollup tables): the hourly job runs as before, without error."""
    engine = make_engine(f"sqlite:///{tmp_path / 'at013.sqlite3'}")
    upgrade(engine, "013")
    rides = make_park(engine, 1, timezone="America/New_York", reports_down=True)
    ingest(engine, series(1, datetime(2025, 6, 3, 16), ["OOO"] * 12, rides), I)
    count = aggregate_hour(engine, datetime(2025, 6, 3, 16), I, now=NOW)
    assert (count.parks, count.rides) == (1, 3)
    engine.dispose()


def test_the_hourly_cells_wait_for_the_job_on_a_database_without_rollup_rows(
        engine: Engine, make_api: Any) -> None:
    """Raw snapshots not yet aggregated: counts are zero and every cell null (no invented
    data), not an error."""
    at_head(engine)
    new_york(engine)
    body = make_api(NOW, collection_interval_minutes=I).get(
        "/api/parks/1/heatmap?period=last_month").get_json()
    assert all(c["down_share"] is None and c["open_cycles"] == 0 for c in body["cells"])
    assert body["period_start"] == "2025-05-21T04:00:00Z"  # 30 local dates ending 06-19


def test_verify_compares_the_rollup_with_the_raw_snapshots(engine: Engine) -> None:
    """``verify`` recomputes the rollup's local hours from raw and names a changed row."""
    at_head(engine)
    new_york(engine)
    kolkata(engine)
    backfill(engine, I, start=datetime(2025, 6, 3, 0), end=datetime(2025, 6, 10, 23), now=NOW)
    now = datetime(2025, 6, 11, 0)
    clean = verify(engine, I, days=8, now=now)
    assert clean.ok, clean.describe()
    # Every rollup row lies in the hours compared: 3 + 3 + 1 NY park hours and 2 Kolkata
    # ones; 9 NY ride rows a Tuesday, 3 the Wednesday, 6 Kolkata ones.
    assert clean.local_hour_rows_checked == (3 + 3 + 1 + 2) + (9 + 9 + 3 + 6)
    pl = rt.park_local_hour_stats
    with engine.begin() as conn:
        conn.execute(update(pl).where(pl.c.park_id == 2, pl.c.local_hour == 10)
                     .values(down_ride_snapshots=5))
    report = verify(engine, I, days=8, now=now)
    assert [(m.table, m.key, m.column, m.stored, m.expected) for m in report.mismatches] == [
        ("park_local_hour_stats", (2, date(2025, 6, 9), 10), "down_ride_snapshots", 5, 1)]


def test_the_repeated_hour_of_a_dst_fall_back_is_one_cell(engine: Engine, make_api: Any) -> None:
    """New York, Sunday 2025-11-02: cycles 00:00-02:55 local, i.e. 04:00-07:55 UTC; 01:00 local
    happens twice (05:00-05:55 UTC in EDT, 06:00-06:55 in EST), so hour 1 holds 24 cycles x 3
    attractions. Ride 101 is down at 01:30 EST (06:30 UTC) only: 1/72. Each UTC hour is
    aggregated alone, and each recomputes both halves of hour 1."""
    at_head(engine)
    rides = make_park(engine, 1, tiers=(1, 2, 3), timezone="America/New_York",
                      reports_down=True)
    rows = ["OOO"] * 48
    rows[30] = "DOO"  # 04:00 UTC + 30 x 5 minutes = 06:30 UTC = 01:30 EST
    ingest(engine, series(1, datetime(2025, 11, 2, 4, 0), rows, rides), I)
    now = datetime(2025, 11, 10, 12)
    for hour in (5, 7, 4, 6):
        aggregate_hour(engine, datetime(2025, 11, 2, hour), I, now=now)
    body = make_api(now, collection_interval_minutes=I).get(
        "/api/parks/1/heatmap?period=date&date=2025-11-02").get_json()
    sunday = 7
    assert only(by_cell(body)) == {(sunday, 0): cell(0.0, 12, 0, 36),
                                   (sunday, 1): cell(1 / 72, 24, 1, 72),
                                   (sunday, 2): cell(0.0, 12, 0, 36)}
