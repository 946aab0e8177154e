"""SPEC §11 in code: Kaplan–Meier recovery curves and the "stay or go" estimate. Pure: no
database, no clock. Durations are whole minutes (multiples of the collection interval).

With dᵤ the outages that recovered at duration u and nᵤ those with duration ≥ u:
S(t) = Π over u ≤ t of (1 − dᵤ / nᵤ), the share lasting longer than t, and
S⁻(t) = Π over u < t, the share lasting at least t.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: The elapsed-time buckets T* an ongoing outage is matched to (minutes); none below the first.
BUCKETS = (5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240)
#: The horizons of the estimate: back up within this many minutes.
HORIZONS = (30, 60)
#: A curve is used for a bucket only when at least this many of its outages reached T*.
MIN_AT_RISK = 200
#: The quantiles of the remaining time.
QUANTILES = (0.25, 0.5, 0.75)


@dataclass(frozen=True, slots=True)
class CurvePoint:
    minutes: int  # a duration u at which some outage ended (recovered or censored)
    at_risk: int  # nᵤ: outages with duration ≥ u
    events: int  # dᵤ: outages that recovered at duration u
    survival: float  # S(u)


@dataclass(frozen=True)
class Curve:
    """A fitted Kaplan–Meier curve: one point per distinct duration, in order."""

    points: tuple[CurvePoint, ...]

    def _index_after(self, t: float) -> int:
        """The number of points with minutes <= t."""
        return bisect.bisect_right([p.minutes for p in self.points], t)

    def survival(self, t: float) -> float:
        """S(t): the share of outages lasting longer than t."""
        i = self._index_after(t)
        return self.points[i - 1].survival if i else 1.0

    def survival_before(self, t: float) -> float:
        """S⁻(t): the share of outages lasting at least t."""
        i = bisect.bisect_left([p.minutes for p in self.points], t)
        return self.points[i - 1].survival if i else 1.0

    def at_risk(self, t: float) -> int:
        """The outages with duration ≥ t (censored ones included)."""
        i = bisect.bisect_left([p.minutes for p in self.points], t)
        return self.points[i].at_risk if i < len(self.points) else 0


def fit(durations: Sequence[int], recovered: Sequence[bool]) -> Curve:
    """Kaplan–Meier over outages of the given durations; ``recovered`` is the event flag
    (every other end, and ongoing outages at their current duration, are censored)."""
    if len(durations) != len(recovered):
        raise ValueError("durations and recovered differ in length")
    ends = Counter(durations)
    events = Counter(d for d, r in zip(durations, recovered, strict=True) if r)
    remaining, s, points = len(durations), 1.0, []
    for u in sorted(ends):
        d = events.get(u, 0)
        s *= 1.0 - d / remaining
        points.append(CurvePoint(u, remaining, d, s))
        remaining -= ends[u]
    return Curve(tuple(points))


def bucket_of(elapsed_minutes: float) -> int | None:
    """T*: the largest bucket at or below the elapsed time; None below the first."""
    i = bisect.bisect_right(BUCKETS, elapsed_minutes)
    return BUCKETS[i - 1] if i else None


def within(curve: Curve, bucket: int, horizon: int) -> float | None:
    """P(duration ≤ T* + H | duration ≥ T*) = 1 − S(T* + H) / S⁻(T*); None if no outage of
    the curve lasted T*."""
    reached = curve.survival_before(bucket)
    if reached <= 0.0:
        return None
    return 1.0 - curve.survival(bucket + horizon) / reached


def remaining(curve: Curve, bucket: int, quantile: float) -> int | None:
    """The smallest duration m ≥ T* with S(m) ≤ (1 − q) × S⁻(T*), minus T*; None where the
    curve never falls that far."""
    target = (1.0 - quantile) * curve.survival_before(bucket)
    for point in curve.points:
        if point.minutes >= bucket and point.survival <= target + 1e-12:
            return point.minutes - bucket
    return None


@dataclass(frozen=True)
class Estimate:
    bucket: int
    within_30: float
    within_60: float
    remaining: tuple[int | None, int | None, int | None]  # p25, p50, p75 from T*
    basis: str  # "park" or "pooled"
    at_risk: int


def estimate(elapsed_minutes: float, park: Curve | None, pooled: Curve | None
             ) -> Estimate | str:
    """The estimate for an outage that has lasted ``elapsed_minutes``, or the reason there is
    none ("too_early", "not_enough_outages")."""
    bucket = bucket_of(elapsed_minutes)
    if bucket is None:
        return "too_early"
    for basis, curve in (("park", park), ("pooled", pooled)):
        if curve is None or curve.at_risk(bucket) < MIN_AT_RISK:
            continue
        w30, w60 = (within(curve, bucket, h) for h in HORIZONS)
        if w30 is None or w60 is None:
            continue
        p25, p50, p75 = (remaining(curve, bucket, q) for q in QUANTILES)
        return Estimate(bucket, w30, w60, (p25, p50, p75), basis, curve.at_risk(bucket))
    return "not_enough_outages"


def observed_share(durations: Iterable[tuple[int, bool]], bucket: int, horizon: int
                   ) -> tuple[int, int]:
    """SPEC §11 calibration: among outages with duration ≥ T* observed long enough to tell
    (recovered, or duration > T* + H), (how many recovered with duration ≤ T* + H, how many
    there were)."""
    told = hits = 0
    for duration, recovered in durations:
        if duration < bucket or not (recovered or duration > bucket + horizon):
            continue
        told += 1
        hits += recovered and duration <= bucket + horizon
    return hits, told
