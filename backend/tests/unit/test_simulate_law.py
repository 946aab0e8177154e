"""The simulator's breakdown-length law: the sampler against its law, the closed form on
hand-worked points, the laws per park, ``--truth``, and breakdowns that outlast closing."""

from __future__ import annotations

import json
import math
import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from themepark_tracker import metrics
from themepark_tracker.cli import main
from themepark_tracker.simulate import Simulation, build_catalogue, law
from themepark_tracker.simulate.law import Component, OutageLaw, park_law, recorded_cycles

END = datetime(2025, 12, 5, 8, 0)
LN2 = math.log(2)

# Weights 0.5 / 0.3 / 0.2, medians 10 / 20 / 40 minutes, sigma ln 2 for all: at t = median × 2^k
# a component's z = k, so S(t) is a sum of normal-table values:
# 1 − Φ(0) = 0.5, 1 − Φ(1) = 0.158655254, 1 − Φ(2) = 0.022750132, 1 − Φ(−1) = 0.841344746,
# 1 − Φ(−2) = 0.977249868.
HAND = OutageLaw((Component(0.5, 10.0, LN2), Component(0.3, 20.0, LN2), Component(0.2, 40.0, LN2)))
HAND_S = {
    10: 0.5 * 0.5 + 0.3 * 0.841344746 + 0.2 * 0.977249868,  # 0.697853407
    20: 0.5 * 0.158655254 + 0.3 * 0.5 + 0.2 * 0.841344746,  # 0.397596576
    40: 0.5 * 0.022750132 + 0.3 * 0.158655254 + 0.2 * 0.5,  # 0.158971642
}


def test_survival_is_the_closed_form_on_hand_worked_points() -> None:
    for minutes, expected in HAND_S.items():
        assert HAND.survival(minutes) == pytest.approx(expected, abs=1e-8), minutes
    assert HAND.survival(0) == 1.0


def _ks_distance(sample: list[float], target: OutageLaw) -> float:
    """sup over the sample points of |F_n(x) − F(x)| (both sides of each jump)."""
    ordered, n = sorted(sample), len(sample)
    worst = 0.0
    for i, x in enumerate(ordered):
        cdf = 1.0 - target.survival(x)
        worst = max(worst, abs(cdf - i / n), abs(cdf - (i + 1) / n))
    return worst


def test_the_sampler_draws_from_its_law() -> None:
    rng = random.Random(20261202)
    sample = [HAND.sample(rng) for _ in range(20_000)]
    # Dvoretzky–Kiefer–Wolfowitz: P(sup |F_n − F| > ε) <= 2 exp(−2 n ε²); with n = 20,000 and
    # ε = 0.015 that is 2 e^−9 < 3e-4, so a sampler true to its law passes for almost any seed,
    # while one that is off by more than 1.5 points of probability anywhere fails.
    assert _ks_distance(sample, HAND) < 0.015
    # The statistic is sharp enough to see a wrong law: the short stops 20 % longer.
    shifted = OutageLaw((Component(0.5, 12.0, LN2), *HAND.components[1:]))
    assert _ks_distance(sample, shifted) > 0.03
    # and the mixture's weights: the share above the third median is 0.5 × 0.0228 + 0.3 ×
    # 0.1587 + 0.2 × 0.5 = 0.159 (binomial sd 0.0026 at n = 20,000).
    assert abs(sum(x > 40 for x in sample) / len(sample) - HAND_S[40]) < 0.01


def test_recorded_cycles_keep_survival_at_multiples_of_the_interval() -> None:
    # ceil(L / I): a duration above k × I takes k + 1 cycles or more, so D > k × I iff L > k × I.
    assert [recorded_cycles(m, 5) for m in (0.2, 5.0, 5.01, 9.99, 10.0, 61.0)] == [1, 1, 2, 2,
                                                                                  2, 13]


def test_each_park_draws_its_own_law_from_the_seed() -> None:
    assert park_law(1, 7) == park_law(1, 7)
    assert park_law(1, 7) != park_law(1, 8) and park_law(1, 7) != park_law(2, 7)
    for park_id in range(1, 30):
        drawn = park_law(1, park_id)
        assert sum(c.weight for c in drawn.components) == pytest.approx(1.0)
        short, middle, tail = drawn.components
        assert 0.5 <= short.weight <= 0.8 and 8 <= short.median <= 13  # 5-20 minute stops
        assert 100 <= tail.median <= 240 and tail.weight >= 0.04  # multi-hour tail
        # A heavy tail: at least 0.04 × (1 − Φ(ln(180 / 100) / 0.7 = 0.84)) = 0.04 × 0.20 =
        # 0.008 of the breakdowns last over three hours (the tail's smallest weight and median).
        assert drawn.survival(180) > 0.008


def test_truth_file_is_the_law(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Degenerate ranges make every park's law the hand-worked one.
    monkeypatch.setattr(law, "BREAKDOWN_MIXTURE", (((0.0, 0.0), (10.0, 10.0), LN2),
                                                   ((0.3, 0.3), (20.0, 20.0), LN2),
                                                   ((0.2, 0.2), (40.0, 40.0), LN2)))
    target = tmp_path / "truth.json"
    result = CliRunner().invoke(main, [
        "simulate", "--parks", "3", "--rides", "12", "--days", "1", "--end", "2025-12-05 08:00",
        "--truth", str(target)], env={"DATABASE_URL": f"sqlite:///{tmp_path / 'sim.db'}"})
    assert result.exit_code == 0, result.output
    written = json.loads(target.read_text())
    parks = written["parks"]
    assert [p["park_id"] for p in parks] == [1, 2, 3]
    # Park 1 is Magic Kingdom (a ThemeParks.wiki feed), park 2 Europa-Park (Queue-Times).
    assert [p["feed_kind"] for p in parks[:2]] == ["reports_down", "closed_only"]
    for park in parks:
        assert [c["weight"] for c in park["components"]] == pytest.approx([0.5, 0.3, 0.2])
        curve = {p["minutes"]: p["survival"] for p in park["survival"]}
        assert list(curve) == list(range(5, 601, 5))
        for minutes, expected in HAND_S.items():
            assert curve[minutes] == pytest.approx(expected, abs=1e-8)


def test_truth_file_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [
        "simulate", "--parks", "1", "--rides", "5", "--days", "1",
        "--truth", str(tmp_path / "missing" / "truth.json")],
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'sim.db'}"})
    assert result.exit_code != 0
    assert "cannot write --truth" in result.output and "Traceback" not in result.output
    with sqlite3.connect(tmp_path / "sim.db") as conn:  # refused before simulating
        assert conn.execute("SELECT COUNT(*) FROM parks").fetchone() == (0,)


def test_a_breakdown_at_closing_is_still_down_the_next_morning() -> None:
    """At a down-reporting park with a schedule: a ride DOWN at the last cycle before closing
    and again at the first cycle of the next opening, CLOSED in between."""
    sim = Simulation(build_catalogue(8, 320, seed=3), 3, END, 14, 5)
    carried = 0
    for park in sim.catalogue.parks:
        if not (park.record.reports_down and park.template.schedule):
            continue
        status: dict[datetime, dict[int, str]] = {}
        windows = []
        for k in range(sim.day_count):
            day = sim.park_day(park, k)
            if day is None:
                continue
            windows += [(s.opening_time_utc, s.closing_time_utc) for s in day.schedules]
            status.update({c.recorded_at: {o.ride_id: o.status for o in c.rides}
                           for c in day.cycles})
        for (_, close), (opening, _) in zip(windows, windows[1:], strict=False):
            last, first = close - timedelta(minutes=5), opening
            if last not in status or first not in status or first - last > timedelta(hours=24):
                continue
            night = [status[at] for at in status if last < at < first]
            carried += sum(1 for ride, s in status[last].items()
                           if s == metrics.DOWN and status[first].get(ride) == metrics.DOWN
                           and all(n[ride] == metrics.CLOSED for n in night))
    assert carried > 0
