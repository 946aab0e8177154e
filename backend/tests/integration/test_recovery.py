"""SPEC §11 end to end: the fit job stores the Kaplan–Meier curves, the API reads them for a
ride that is down now, and says why when it may not. SQLite and MariaDB."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import Engine, select

from tests import scenarios as scen
from tests.factories import ingest, make_park, series
from tests.outage_rows import add_outages
from themepark_tracker import survival
from themepark_tracker.aggregate.recovery import fit_curves
from themepark_tracker.db import tables as t
from themepark_tracker.queries import outages as q

START = datetime(2025, 7, 1, 10, 0)
#: Ride 101 down at the last 7 of 10 cycles: 10:15 … 10:45, T = 35 min at 10:47.
ROWS = ["OOOO"] * 3 + ["DOOO"] * 7
NOW = START + timedelta(minutes=47)
#: Ride 102's earlier outages (minutes, end reason), 221 at risk at 30 with ride 101's.
HISTORY = ([(40, "recovered")] * 100 + [(60, "recovered")] * 60 + [(80, "recovered")] * 20
           + [(150, "gap")] * 40)


def down_ride(engine: Engine, rows: list[str] = ROWS, history: bool = True,
              every: timedelta = timedelta(minutes=5), interval: int = 5) -> None:
    ids = make_park(engine, tiers=(1, 2, 2, 3), reports_down=True)
    ingest(engine, series(1, START, rows, ids, every=every), interval_minutes=interval)
    if history:
        add_outages(engine, 1, 102, START - timedelta(days=150), HISTORY, interval)


def stored(engine: Engine) -> dict[tuple[int, str], list[tuple[int, int, int, float]]]:
    rc = t.recovery_curves
    with engine.connect() as conn:
        rows = conn.execute(select(rc.c.park_id, rc.c.feed_kind, rc.c.minutes, rc.c.at_risk,
                                   rc.c.events, rc.c.survival)
                            .order_by(rc.c.park_id, rc.c.feed_kind, rc.c.minutes)).all()
    out: dict[tuple[int, str], list[tuple[int, int, int, float]]] = {}
    for r in rows:
        out.setdefault((r.park_id, r.feed_kind), []).append(
            (r.minutes, r.at_risk, r.events, r.survival))
    return out


def test_the_stored_curve_is_the_fit_of_the_window_s_outages(engine: Engine) -> None:
    scen.at_head(engine)
    down_ride(engine)
    make_park(engine, 2, tiers=(2,), reports_down=False)
    add_outages(engine, 2, 201, START - timedelta(days=10), [(10, "recovered"), (20, None)], 5)
    # Outside the 180-day window, and after now: not fitted.
    add_outages(engine, 2, 201, START - timedelta(days=181), [(500, "recovered")], 5)
    add_outages(engine, 2, 201, NOW + timedelta(minutes=5), [(700, "recovered")], 5)
    done = fit_curves(engine, 180, now=NOW)
    assert (done.outages, done.strata) == (221 + 2, 4)
    park1 = [m for m, _ in HISTORY] + [35]
    park1_events = [r == "recovered" for _, r in HISTORY] + [False]
    expected = {
        (1, "reports_down"): survival.fit(park1, park1_events),
        (0, "reports_down"): survival.fit(park1, park1_events),
        (2, "closed_only"): survival.fit([10, 20], [True, False]),
        (0, "closed_only"): survival.fit([10, 20], [True, False]),
    }
    got = stored(engine)
    assert set(got) == set(expected)
    for key, curve in expected.items():
        assert [(m, n, d) for m, n, d, _ in got[key]] == [
            (p.minutes, p.at_risk, p.events) for p in curve.points], key
        assert [s for *_, s in got[key]] == pytest.approx(
            [p.survival for p in curve.points], abs=1e-12), key
    with engine.connect() as conn:
        log = conn.execute(select(t.aggregation_log.c.aggregation_type,
                                  t.aggregation_log.c.status)).all()
    assert ("recovery", "success") in [tuple(r) for r in log]
    # A refit over 5 days replaces every stratum: only ride 101's ongoing outage is left,
    # and park 2's curves are gone.
    fit_curves(engine, 5, now=NOW)
    assert stored(engine) == {(1, "reports_down"): [(35, 1, 0, 1.0)],
                              (0, "reports_down"): [(35, 1, 0, 1.0)]}


def test_the_recovery_fit_command(engine: Engine) -> None:
    scen.at_head(engine)
    down_ride(engine)
    done = scen.run_module(engine, "themepark_tracker", "recovery", "fit",
                           env={"RECOVERY_WINDOW_DAYS": "1000"})  # the data is from 2025
    assert done.returncode == 0, done.stderr
    assert "Fitted 2 recovery curve(s) over 221 outage(s)" in done.stdout
    bad = scen.run_module(engine, "themepark_tracker", "recovery", "fit",
                          env={"RECOVERY_WINDOW_DAYS": "zero"})
    assert bad.returncode != 0 and "RECOVERY_WINDOW_DAYS must be a whole number" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_a_down_ride_carries_the_estimate_worked_by_hand(engine: Engine, make_api) -> None:
    scen.at_head(engine)
    down_ride(engine)
    fit_curves(engine, 180, now=NOW)
    # Park 1's outages: 100 × 40 recovered, 60 × 60 recovered, 20 × 80 recovered,
    # 40 × 150 censored (gap), ride 101's 35 ongoing (censored). T = 35 → T* = 30;
    # all 221 lasted ≥ 30: S⁻(30) = 1, park basis (221 ≥ 200).
    # S(40) = 120/220 = 6/11; S(60) = 6/11 × 60/120 = 3/11; S(80) = 3/11 × 40/60 = 2/11.
    # within 30: 1 − S(60) = 8/11; within 60: 1 − S(90) = 1 − 2/11 = 9/11.
    # Remaining from 30: p25 at S ≤ 3/4 → 40 (10); p50 at S ≤ 1/2 → 60 (30);
    # p75 at S ≤ 1/4 → 80 (50).
    body = make_api(NOW).get("/api/rides/101/details").get_json()
    outage = body["outage"]
    assert outage["started_at"] == "2025-07-01T10:15:00Z" and outage["down_minutes"] == 35
    assert outage["reason"] is None
    est = outage["recovery"]
    assert est["within_30"] == pytest.approx(float(Fraction(8, 11)), abs=1e-12)
    assert est["within_60"] == pytest.approx(float(Fraction(9, 11)), abs=1e-12)
    assert est["remaining"] == {"p25": 10, "p50": 30, "p75": 50}
    assert (est["basis"], est["at_risk"], est["bucket_minutes"]) == ("park", 221, 30)
    # The live summary lists ride 101 as down now, with the same outage.
    live = make_api(NOW).get("/api/live/status-summary").get_json()
    assert [(r["ride_id"], r["outage"]) for r in live["down_rides"]] == [(101, outage)]
    # A ride that is up has no outage.
    assert make_api(NOW).get("/api/rides/103/details").get_json()["outage"] is None


@pytest.mark.parametrize(("rows", "minutes_after", "reason"), [
    (ROWS + ["CCCC"], 52, q.PARK_CLOSED_NOW),  # the park's newest cycle is closed
    (ROWS, 47 + 16, q.STALE_FEED),  # its newest cycle is 21 minutes old
    (ROWS, 47, q.NOT_ENOUGH),  # no history: 8 outages at risk
])
def test_no_estimate_and_the_reason(engine: Engine, make_api, rows: list[str],
                                    minutes_after: int, reason: str) -> None:
    scen.at_head(engine)
    down_ride(engine, rows, history=reason != q.NOT_ENOUGH)
    now = START + timedelta(minutes=minutes_after)
    fit_curves(engine, 180, now=now)
    outage = make_api(now).get("/api/rides/101/details").get_json()["outage"]
    assert outage["recovery"] is None and outage["reason"] == reason
    assert outage["down_minutes"] == 35


def test_below_five_minutes_nothing_is_shown(engine: Engine, make_api) -> None:
    # One-minute cycles: ride 101 down for 3 of them (T = 3 min).
    scen.at_head(engine)
    down_ride(engine, ["OOOO"] * 3 + ["DOOO"] * 3, every=timedelta(minutes=1), interval=1)
    now = START + timedelta(minutes=6)
    fit_curves(engine, 180, now=now)
    body = make_api(now, collection_interval_minutes=1).get("/api/rides/101/details")
    outage = body.get_json()["outage"]
    assert outage["down_minutes"] == 3
    assert outage["recovery"] is None and outage["reason"] == q.TOO_EARLY


def test_park_recovery_curves_and_unknown_ids(engine: Engine, make_api) -> None:
    scen.at_head(engine)
    down_ride(engine)
    client = make_api(NOW)
    before = client.get("/api/parks/1/recovery").get_json()
    assert before["park_curve"] is None and before["reason"] == q.NOT_FITTED
    fit_curves(engine, 180, now=NOW)
    body = make_api(NOW).get("/api/parks/1/recovery").get_json()
    assert body["feed_kind"] == "reports_down" and body["reason"] is None
    curve = body["park_curve"]
    assert curve["fitted_at"] == "2025-07-01T10:47:00Z" and curve["outages"] == 221
    assert [(p["minutes"], p["at_risk"], p["events"]) for p in curve["points"]] == [
        (35, 221, 0), (40, 220, 100), (60, 120, 60), (80, 60, 20), (150, 40, 0)]
    assert body["pooled_curve"]["points"] == curve["points"]
    for url in ("/api/parks/99/recovery", "/api/rides/999/details"):
        missing = client.get(url)
        assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/parks/1/recovery?period=today").status_code == 400


def test_reliability_needs_twelve_outages(engine: Engine, make_api) -> None:
    # Ride 101: outages of 1, 2, …, 12 snapshots, each followed by one operating cycle;
    # ride 102 the same but 11. 3 + 90 cycles, all open.
    def pattern(n: int) -> list[str]:
        out = ["O"] * 3
        for k in range(1, n + 1):
            out += ["D"] * k + ["O"]
        return out + ["O"] * (93 - len(out))

    a, b = pattern(12), pattern(11)
    scen.at_head(engine)
    ids = make_park(engine, tiers=(1, 2, 2, 3), reports_down=True)
    ingest(engine, series(1, START, [x + y + "OO" for x, y in zip(a, b, strict=True)], ids))
    now = START + timedelta(minutes=93 * 5)
    client = make_api(now)
    twelve = client.get("/api/rides/101/details").get_json()
    # 12 outages over 93 open snapshots × 5 min = 7.75 open hours: 12 / 7.75 × 100 = 154.8;
    # lengths 5 … 60: median (30 + 35) / 2 = 32.5, longest 60.
    assert twelve["reliability"] == {
        "outage_count": 12, "outages_per_100_open_hours": 154.8,
        "median_recovered_minutes": 32.5, "longest_minutes": 60, "reason": None}
    eleven = client.get("/api/rides/102/details").get_json()["reliability"]
    assert eleven == {"outage_count": None, "outages_per_100_open_hours": None,
                      "median_recovered_minutes": None, "longest_minutes": None,
                      "reason": "not enough outages yet"}
    # Incidents are the outage rows, one for one.
    o = t.ride_outages
    with engine.connect() as conn:
        rows = conn.execute(select(o.c.started_at, o.c.ended_at, o.c.down_minutes,
                                   o.c.end_reason).where(o.c.ride_id == 101)
                            .order_by(o.c.started_at)).all()
    assert len(rows) == 12
    assert [(i["start"], i["end"], i["duration_minutes"], i["end_reason"])
            for i in twelve["incidents"]] == [
        (r.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"), r.ended_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
         r.down_minutes, r.end_reason) for r in rows]


def test_a_database_at_012_degrades_with_a_reason(engine: Engine, make_api) -> None:
    """The quickstart's 012 database has no outage tables: 200s with null and a reason."""
    from themepark_tracker.db import migrate

    scen.at_head(engine)
    ids = make_park(engine, tiers=(1, 2, 2, 3), reports_down=True)
    ingest(engine, series(1, START, ROWS, ids))
    migrate.downgrade(engine, "012")
    try:
        check_012(make_api(NOW))
    finally:
        migrate.upgrade(engine, "head")  # the shared database's other tests need 013


def check_012(client: Any) -> None:
    details = client.get("/api/rides/101/details")
    assert details.status_code == 200
    body = details.get_json()
    assert body["incidents"] is None and body["outage"] is None
    assert body["outages_reason"] == q.NOT_RECORDED
    assert body["reliability"]["reason"] == q.NOT_RECORDED
    live = client.get("/api/live/status-summary")
    assert live.status_code == 200
    assert [(r["ride_id"], r["outage"]) for r in live.get_json()["down_rides"]] == [(101, None)]
    curves = client.get("/api/parks/1/recovery")
    assert curves.status_code == 200 and curves.get_json()["reason"] == q.NOT_RECORDED
    assert client.get("/api/parks/1/details").status_code == 200
