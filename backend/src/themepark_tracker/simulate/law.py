"""How long a breakdown lasts: per park, a mixture of lognormal laws with a heavy tail (many
short stops, a share of longer ones, a tail of multi-hour ones), its parameters drawn from the
seed and the park. The law is in minutes of the park's opening hours: a breakdown still running
at closing goes on the next morning (see ``days``), and a night does not count, as in SPEC §10.

A drawn length L becomes ceil(L / I) counted-down cycles, so the recorded duration (a whole
number of intervals) exceeds k × I exactly when L does: the recorded durations' survival at the
multiples of I is ``survival`` itself. Missed cycles, ``gap`` and ``park_closed`` ends, weather
holds and rides that stay broken all day come on top (they are not part of the law).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from themepark_tracker.simulate.catalogue import Catalogue
from themepark_tracker.simulate.parks import BREAKDOWN_MIXTURE

#: The feed kinds of SPEC §11 (``recovery_curves.feed_kind``), by ``parks.reports_down``.
FEED_KINDS = {True: "reports_down", False: "closed_only"}
#: The minutes at which ``--truth`` tabulates S(t): 5, 10, ..., 600.
TRUTH_MINUTES = tuple(range(5, 601, 5))


@dataclass(frozen=True)
class Component:
    """One lognormal part of a mixture: its weight, median (minutes) and log-scale sigma."""

    weight: float
    median: float
    sigma: float

    def survival(self, minutes: float) -> float:
        """P(L > minutes) for this lognormal: ½ erfc((ln t − ln median) / (σ √2))."""
        if minutes <= 0:
            return 1.0
        z = (math.log(minutes) - math.log(self.median)) / self.sigma
        return 0.5 * math.erfc(z / math.sqrt(2))


@dataclass(frozen=True)
class OutageLaw:
    """A park's breakdown-length law: a weighted mixture of lognormals (weights sum to 1)."""

    components: tuple[Component, ...]

    def sample(self, rng: random.Random) -> float:
        """One breakdown length in minutes: pick a component by weight, then draw from it."""
        u = rng.random()
        chosen = self.components[-1]
        for component in self.components:
            if u < component.weight:
                chosen = component
                break
            u -= component.weight
        return rng.lognormvariate(math.log(chosen.median), chosen.sigma)

    def survival(self, minutes: float) -> float:
        """S(t) = P(L > t) = Σ weight × the component's survival at t."""
        return sum(c.weight * c.survival(minutes) for c in self.components)

    def as_json(self) -> list[dict[str, float | str]]:
        return [{"kind": "lognormal", "weight": c.weight, "median_minutes": c.median,
                 "sigma": c.sigma} for c in self.components]


def park_law(seed: int, park_id: int) -> OutageLaw:
    """The law of ``park_id``'s breakdowns: each component's weight and median drawn uniformly
    from its range in ``BREAKDOWN_MIXTURE`` (the first component takes what weight is left),
    from a stream of its own, so the same seed and park always give the same law."""
    rng = random.Random(f"{seed}:law:{park_id}")
    drawn = [(round(rng.uniform(*weights), 4), round(rng.uniform(*medians), 2), sigma)
             for weights, medians, sigma in BREAKDOWN_MIXTURE]
    rest = 1.0 - sum(weight for weight, _, _ in drawn[1:])
    return OutageLaw(tuple(Component(rest if i == 0 else weight, median, sigma)
                           for i, (weight, median, sigma) in enumerate(drawn)))

def recorded_cycles(minutes: float, interval_minutes: int) -> int:
    """The counted-down cycles a breakdown of ``minutes`` takes: ceil(L / I), at least 1."""
    return max(1, math.ceil(minutes / interval_minutes - 1e-9))


def truth(catalogue: Catalogue, seed: int) -> list[dict[str, object]]:
    """The true breakdown law of each park of a simulation (what ``--truth`` writes): its
    mixture and the survival S(t) it implies at ``TRUTH_MINUTES``, from the law itself."""
    out: list[dict[str, object]] = []
    for park in catalogue.parks:
        law = park_law(seed, park.park_id)
        out.append({
            "park_id": park.park_id,
            "feed_kind": FEED_KINDS[park.record.reports_down],
            "components": law.as_json(),
            "survival": [{"minutes": t, "survival": law.survival(t)} for t in TRUTH_MINUTES],
        })
    return out
