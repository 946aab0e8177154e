"""SPEC §11: the Kaplan–Meier curve and the conditional estimate, against a hand-worked
example and against lifelines (a well-known survival library, test-only)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from themepark_tracker import survival
from themepark_tracker.survival import Curve, Estimate, fit

# Five outages: 10 recovered, 20 censored, 20 recovered, 30 recovered, 40 censored (minutes).
FIVE = ([10, 20, 20, 30, 40], [True, False, True, True, False])


def test_five_outages_by_hand() -> None:
    # u=10: n=5, d=1 -> S = 4/5 = 0.8;  u=20: n=4, d=1 -> 0.8 * 3/4 = 0.6;
    # u=30: n=2, d=1 -> 0.6 * 1/2 = 0.3;  u=40: n=1, d=0 -> 0.3.
    curve = fit(*FIVE)
    assert [(p.minutes, p.at_risk, p.events) for p in curve.points] == [
        (10, 5, 1), (20, 4, 1), (30, 2, 1), (40, 1, 0)]
    assert [p.survival for p in curve.points] == pytest.approx([0.8, 0.6, 0.3, 0.3], abs=1e-12)
    assert curve.survival(25) == pytest.approx(0.6) and curve.survival_before(20) == 0.8
    assert curve.survival_before(10) == 1.0 and curve.survival(9) == 1.0
    assert curve.at_risk(20) == 4 and curve.at_risk(15) == 4 and curve.at_risk(41) == 0
    # T* = 10, H = 30: 1 - S(40) / S-(10) = 1 - 0.3 / 1.0 = 0.7
    assert survival.within(curve, 10, 30) == pytest.approx(0.7, abs=1e-12)
    # T* = 20, H = 30: 1 - S(50) / S-(20) = 1 - 0.3 / 0.8 = 0.625
    assert survival.within(curve, 20, 30) == pytest.approx(0.625, abs=1e-12)
    # remaining from T* = 20: p25 target 0.75 * 0.8 = 0.6 -> S(20) = 0.6 -> 0 minutes;
    # p50 target 0.4 -> S(30) = 0.3 -> 10 minutes; p75 target 0.2 -> never -> None.
    assert [survival.remaining(curve, 20, q) for q in survival.QUANTILES] == [0, 10, None]


def test_buckets() -> None:
    assert survival.bucket_of(4) is None
    assert survival.bucket_of(5) == 5
    assert survival.bucket_of(29) == 20
    assert survival.bucket_of(35) == 30
    assert survival.bucket_of(10_000) == 240


def test_estimate_needs_200_at_risk_then_falls_back_to_pooled() -> None:
    small = fit([10] * 199, [True] * 199)
    pooled = fit([10] * 150 + [40] * 100, [True] * 150 + [False] * 100)
    assert survival.estimate(3, small, pooled) == "too_early"
    got = survival.estimate(12, small, pooled)
    assert isinstance(got, Estimate)
    assert (got.basis, got.bucket, got.at_risk) == ("pooled", 10, 250)
    assert got.within_30 == pytest.approx(150 / 250)
    assert survival.estimate(12, small, None) == "not_enough_outages"
    park = fit([10] * 200, [True] * 200)
    assert survival.estimate(12, park, pooled).basis == "park"  # type: ignore[union-attr]


def test_observed_share_counts_only_outages_observed_long_enough() -> None:
    rows = [(5, True), (10, True), (25, True), (40, True), (30, False), (45, False), (50, True)]
    # T* = 10, H = 30: duration >= 10 and (recovered or > 40): 10r, 25r, 40r, 45c, 50r
    # -> recovered within 40: 10, 25, 40 -> 3 of 5 (30c dropped: can't tell)
    assert survival.observed_share(rows, 10, 30) == (3, 5)


def _lifelines_survival(durations: list[int], events: list[bool]) -> dict[float, float]:
    from lifelines import KaplanMeierFitter  # test-only dependency, slow to import

    kmf = KaplanMeierFitter().fit(durations, event_observed=events)
    frame = kmf.survival_function_
    return {float(t): float(s) for t, s in zip(frame.index, frame.iloc[:, 0], strict=True)}


outage_sets = st.lists(st.tuples(st.integers(1, 60).map(lambda k: 5 * k), st.booleans()),
                       min_size=1, max_size=300)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(outage_sets)
def test_the_curve_equals_lifelines_with_ties_and_censoring(rows: list[tuple[int, bool]]) -> None:
    durations, events = [d for d, _ in rows], [e for _, e in rows]
    ours = fit(durations, events)
    theirs = _lifelines_survival(durations, events)
    for point in ours.points:
        assert math.isclose(point.survival, theirs[float(point.minutes)], abs_tol=1e-9)
    for t in range(0, 320, 5):  # and between the points
        below = [v for k, v in theirs.items() if k <= t]
        assert math.isclose(ours.survival(t), below[-1] if below else 1.0, abs_tol=1e-9)


def test_five_outages_against_lifelines() -> None:
    theirs = _lifelines_survival(*FIVE)
    assert {p.minutes: p.survival for p in fit(*FIVE).points} == pytest.approx(
        {int(k): v for k, v in theirs.items() if k > 0}, abs=1e-9)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(outage_sets, st.sampled_from(survival.BUCKETS), st.sampled_from(survival.HORIZONS))
def test_estimates_are_probabilities_and_the_curve_never_rises(
        rows: list[tuple[int, bool]], bucket: int, horizon: int) -> None:
    curve: Curve = fit([d for d, _ in rows], [e for _, e in rows])
    values = [p.survival for p in curve.points]
    assert all(a >= b for a, b in zip([1.0, *values], values, strict=False))
    p = survival.within(curve, bucket, horizon)
    assert p is None or -1e-12 <= p <= 1 + 1e-12
    quantiles = [survival.remaining(curve, bucket, q) for q in survival.QUANTILES]
    known = [q for q in quantiles if q is not None]
    assert known == sorted(known) and all(q >= 0 for q in known)
