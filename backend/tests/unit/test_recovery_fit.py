"""The recovery fit's strata and censoring (SPEC §11), on hand-worked rows."""

from __future__ import annotations

import pytest

from themepark_tracker.aggregate.recovery import fit_outage, strata
from themepark_tracker.survival import CurvePoint


@pytest.mark.parametrize(("end_reason", "event"), [
    ("recovered", True), ("reclassified", False), ("censored", False), ("gap", False),
    ("park_closed", False), (None, False),  # None: ongoing, censored at its current length
])
def test_only_a_recovered_end_is_an_event(end_reason: str | None, event: bool) -> None:
    assert fit_outage(3, True, 25, end_reason).recovered is event


def test_five_outages_one_ongoing_give_a_curve_per_park_and_one_pooled_per_kind() -> None:
    # Park 1 (reports DOWN): 10 recovered, 20 gap, 20 recovered, 30 still ongoing.
    # Park 2 (closed only): 15 recovered.
    rows = [fit_outage(1, True, 10, "recovered"), fit_outage(1, True, 20, "gap"),
            fit_outage(1, True, 20, "recovered"), fit_outage(1, True, 30, None),
            fit_outage(2, False, 15, "recovered")]
    curves = strata(rows)
    assert set(curves) == {(1, "reports_down"), (0, "reports_down"), (2, "closed_only"),
                           (0, "closed_only")}
    # By hand: at 10, 4 at risk, 1 recovers: S = 3/4; at 20, 3 at risk (the gap one is
    # censored there), 1 recovers: S = 3/4 × 2/3 = 1/2; at 30 the ongoing one, censored.
    park1 = curves[(1, "reports_down")].points
    assert [(p.minutes, p.at_risk, p.events) for p in park1] == [(10, 4, 1), (20, 3, 1),
                                                                 (30, 1, 0)]
    assert [p.survival for p in park1] == pytest.approx([0.75, 0.5, 0.5], abs=1e-12)
    # The pooled curve of a kind is over that kind's parks only.
    assert curves[(0, "reports_down")] == curves[(1, "reports_down")]
    assert curves[(0, "closed_only")].points == (CurvePoint(15, 1, 1, 0.0),)
    assert curves[(2, "closed_only")].points == (CurvePoint(15, 1, 1, 0.0),)


def test_no_outages_no_strata() -> None:
    assert strata([]) == {}


def test_the_pooled_curve_takes_every_park_of_its_kind() -> None:
    # Park 1: 10 recovered; park 3: 10 censored, 20 recovered. Pooled: at 10, 3 at risk and
    # 1 recovers (S = 2/3); at 20, 1 at risk, 1 recovers (S = 0).
    curves = strata([fit_outage(1, True, 10, "recovered"), fit_outage(3, True, 10, "censored"),
                     fit_outage(3, True, 20, "recovered")])
    pooled = curves[(0, "reports_down")].points
    assert [(p.minutes, p.at_risk, p.events) for p in pooled] == [(10, 3, 1), (20, 1, 1)]
    assert [p.survival for p in pooled] == pytest.approx([2 / 3, 0.0], abs=1e-12)
    assert [(p.minutes, p.at_risk) for p in curves[(3, "reports_down")].points] == [
        (10, 2), (20, 1)]


def test_the_window_is_a_setting() -> None:
    from themepark_tracker.config import ConfigError, Settings

    assert Settings.from_env({}).recovery_window_days == 180
    assert Settings.from_env({"RECOVERY_WINDOW_DAYS": "90"}).recovery_window_days == 90
    with pytest.raises(ConfigError, match="RECOVERY_WINDOW_DAYS must be at least 1"):
        Settings.from_env({"RECOVERY_WINDOW_DAYS": "0"})
