"""The long record's edges: bad parameters (a 400 envelope naming each), unknown ids (404),
``Accept: text/csv`` on the rankings and the histories, a database before revision 013, and
``themepark export-stats``. SQLite and MariaDB."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select, update

from tests.factories import ingest, make_park
from tests.integration.test_recovery import ROWS, START, series
from tests.scenarios import WORLD_INTERVAL, WORLD_START, at_head, build_world
from themepark_tracker import cli
from themepark_tracker.aggregate.backfill import backfill
from themepark_tracker.aggregate.daily import run_daily
from themepark_tracker.db import tables as t
from themepark_tracker.queries import outages as q

I = WORLD_INTERVAL  # noqa: E741
#: Kolkata is on 11-03 (the latest local date any park has reached), the others on 11-02.
NOW = datetime(2025, 11, 2, 20, 3)
ATTRIBUTION = ("# Powered by Queue-Times.com (https://queue-times.com); "
               "Data from ThemeParks.wiki (https://themeparks.wiki)")


@pytest.fixture
def world(engine: Engine) -> Engine:
    at_head(engine)
    build_world(engine)
    backfill(engine, I, start=WORLD_START, end=datetime(2025, 11, 2, 20))
    run_daily(engine, I, now=NOW)
    return engine


#: (query, the parameter the 400 names, a part of its message), for both histories.
BAD_HISTORY = [
    ({"from": "2025-13-01"}, "from", "YYYY-MM-DD"),
    ({"to": "20251101"}, "to", "YYYY-MM-DD"),
    ({"from": "2025-11-02", "to": "2025-11-01"}, "from", "on or before"),
    ({"from": "2024-10-31", "to": "2025-11-01"}, "to", "at most 366"),
    ({"to": "2025-11-03"}, "to", "up to 2025-11-02"),
    ({"from": "0001-01-01"}, "from", "from 1970-01-01"),
    ({"period": "today"}, "period", "unknown parameter"),
    ({"date": "2025-11-01"}, "date", "unknown parameter"),
]
BAD_RECORDS = [
    ({"period": "live"}, "period", "must be one of today"),
    ({"period": "date"}, "date", "needs date"),
    ({"period": "range", "from": "2025-11-02", "to": "2025-11-01"}, "from", "on or before"),
    ({"period": "range", "from": "2025-11-01", "to": "2025-11-03"}, "to", "up to 2025-11-02"),
    ({"date": "2025-11-01"}, "date", "only with period=date"),
    ({"limit": "5"}, "limit", "unknown parameter"),
]


def test_bad_parameters_are_a_400_naming_the_parameter(world: Engine, make_api: Any) -> None:
    client = make_api(NOW, collection_interval_minutes=I)
    cases = [(path, query, parameter, says) for query, parameter, says in BAD_HISTORY
             for path in ("/api/parks/4/history", "/api/rides/401/history")]
    cases += [("/api/records", query, parameter, says) for query, parameter, says in BAD_RECORDS]
    cases.append(("/api/parks/4/history?from=2025-11-01", {"from": "2025-11-01"}, "from",
                  "given 2 times"))
    for path, query, parameter, says in cases:
        joiner = "&" if "?" in path else "?"
        response = client.get(f"{path}{joiner}{urlencode(query)}")
        assert response.status_code == 400, (path, query, response.get_data(as_text=True))
        error = response.get_json()["error"]
        assert error["parameter"] == parameter, (path, query, error)
        assert says in error["message"], (path, query, error)


def test_unknown_or_malformed_ids(world: Engine, make_api: Any) -> None:
    client = make_api(NOW, collection_interval_minutes=I)
    for path, status, parameter in (
            ("/api/parks/99/history", 404, "park_id"),
            ("/api/rides/99999/history", 404, "ride_id"),
            ("/api/rides/150/history", 404, "ride_id"),  # park 1's show: not an attraction
            ("/api/parks/0/history", 400, "park_id"),
            ("/api/rides/abc/history", 400, "ride_id")):
        response = client.get(path)
        assert response.status_code == status, path
        assert response.get_json()["error"]["parameter"] == parameter, path


def read_csv(text: str) -> tuple[str, list[str], list[list[str]]]:
    first, rest = text.split("\r\n", 1)
    rows = list(csv.reader(io.StringIO(rest)))
    return first, rows[0], rows[1:]


def same(cell: str, value: Any) -> bool:
    """A CSV cell against the JSON value it was written from."""
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == ("true" if value else "false")
    if isinstance(value, int | float):
        return float(cell) == float(value)
    return cell == value


def test_text_csv_answers_the_rankings_and_histories(world: Engine, make_api: Any) -> None:
    with world.begin() as conn:  # a name a spreadsheet would run as a formula
        conn.execute(update(t.parks).where(t.parks.c.park_id == 3)
                     .values(name="=HYPERLINK(\"x\")"))
    client = make_api(NOW, collection_interval_minutes=I)
    spec = client.get("/api/openapi.json").get_json()
    declared = spec["components"]["schemas"]
    for url, rows_key, component in (
            ("/api/parks/downtime?period=last_week", "data", "ParkRank"),
            ("/api/rides/downtime?period=yesterday", "data", "RideRank"),
            ("/api/parks/3/history?from=2025-10-25&to=2025-11-01", "days", "ParkHistoryDay"),
            ("/api/rides/401/history", "days", "RideHistoryDay")):
        as_json = client.get(url)
        as_csv = client.get(url, headers={"Accept": "text/csv"})
        assert as_csv.status_code == 200
        assert as_csv.mimetype == "text/csv" and "Accept" in as_csv.headers["Vary"]
        assert as_csv.headers["X-Cache"] == "HIT"  # the JSON answer, read from the cache
        first, header, rows = read_csv(as_csv.get_data(as_text=True))
        assert first == ATTRIBUTION
        assert header == list(declared[component]["properties"])
        body = as_json.get_json()[rows_key]
        assert len(rows) == len(body) > 0, url
        for row, values in zip(rows, body, strict=True):
            for name, cell in zip(header, row, strict=True):
                value = values[name]
                if name == "park_name" and value.startswith("="):
                    assert cell == "'" + value
                else:
                    assert same(cell, value), (url, name, cell, value)
    # */* and no Accept header are JSON; an error stays a JSON envelope.
    assert client.get("/api/parks/3/history", headers={"Accept": "*/*"}).is_json
    bad = client.get("/api/parks/3/history?from=x", headers={"Accept": "text/csv"})
    assert bad.status_code == 400 and bad.get_json()["error"]["parameter"] == "from"


def test_a_database_at_012_degrades_with_a_reason(engine: Engine, make_api: Any) -> None:
    """The quickstart's 012 database has no outage table: the ride history's outage counts
    are null with a reason, and the records have no longest outages, with the reason."""
    from themepark_tracker.db import migrate

    at_head(engine)
    ids = make_park(engine, tiers=(1, 2, 2, 3), reports_down=True)
    ingest(engine, series(1, START, ROWS, ids))
    migrate.downgrade(engine, "012")
    try:
        client = make_api(datetime(2025, 12, 31, 12))
        history = client.get(f"/api/rides/{ids[0]}/history?from=2025-06-30&to=2025-07-01"
                             ).get_json()
        assert history["outages_reason"] == q.NOT_RECORDED
        assert {d["outages"] for d in history["days"]} == {None}
        assert any(d["downtime_minutes"] is not None for d in history["days"])
        records = client.get("/api/records?period=range&from=2025-06-30&to=2025-07-01"
                             ).get_json()
        assert records["worst_days"], "the day is read without outages"
        assert records["longest_outages"] == [] and records["outages_reason"] == q.NOT_RECORDED
    finally:
        migrate.upgrade(engine, "head")  # the shared database's other tests need head


# --- export-stats ---------------------------------------------------------------------------


def run(engine: Engine, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return CliRunner().invoke(cli.main, ["export-stats", *args])


def db_value_matches(cell: str, value: Any) -> bool:
    if value is None:
        return cell == ""
    if isinstance(value, bool) or cell in ("true", "false"):
        return cell == ("true" if value else "false")
    if isinstance(value, date):
        return cell == value.isoformat()
    if isinstance(value, str):
        return cell == value or cell == "'" + value
    return float(cell) == float(value)


def test_export_stats_writes_the_daily_tables_with_the_attribution(
        world: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with world.begin() as conn:
        conn.execute(update(t.rides).where(t.rides.c.ride_id == 401).values(name="+Drop"))
    out = tmp_path / "stats" / "nested"
    result = run(world, monkeypatch, "--from", "2025-11-01", "--to", "2025-11-02", str(out))
    assert result.exit_code == 0, result.output
    assert "Exported" in result.output
    attribution = (out / "ATTRIBUTION.txt").read_text(encoding="utf-8")
    assert "Queue-Times.com" in attribution and "ThemeParks.wiki" in attribution
    assert not (out / "park_daily_stats.parquet").exists()  # pyarrow is not installed
    for name, table, key, name_columns in (
            ("park_daily_stats", t.park_daily_stats, ("park_id",), {"park_name", "timezone"}),
            ("ride_daily_stats", t.ride_daily_stats, ("ride_id",),
             {"ride_name", "park_name"})):
        with (out / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        with world.connect() as conn:
            stored = {(r.stat_date, *(getattr(r, k) for k in key)): r._mapping for r in
                      conn.execute(select(table).where(
                          table.c.stat_date.between(date(2025, 11, 1), date(2025, 11, 2))))}
        assert len(body) == len(stored) > 0
        for line in body:
            cells = dict(zip(header, line, strict=True))
            row = stored[(date.fromisoformat(cells["stat_date"]),
                          *(int(cells[k]) for k in key))]
            for column, cell in cells.items():
                if column in name_columns:
                    continue
                assert db_value_matches(cell, row[column]), (name, column, cell, row[column])
        if name == "ride_daily_stats":
            assert {c["ride_name"] for c in (dict(zip(header, x, strict=True)) for x in body)
                    if c["ride_id"] == "401"} == {"'+Drop"}


def test_export_stats_bad_input_is_a_clear_error(
        world: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    a_file = tmp_path / "file.csv"
    a_file.write_text("x", encoding="utf-8")
    for args, says in (
            (("--from", "2025-11-02", "--to", "2025-11-01", str(tmp_path)),
             "--from must be on or before --to"),
            (("--from", "2025-13-01", "--to", "2025-11-01", str(tmp_path)), "'--from'"),
            (("--from", "2025-11-01", "--to", "yesterday", str(tmp_path)), "'--to'"),
            (("--from", "2025-11-01", "--to", "2025-11-02", str(a_file)), "is a file"),
            (("--to", "2025-11-02", str(tmp_path)), "--from")):
        result = run(world, monkeypatch, *args)
        assert result.exit_code != 0, args
        assert says in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert a_file.read_text(encoding="utf-8") == "x"
