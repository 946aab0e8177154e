"""The simulator without a database: breakdown lengths, the catalogue, the cycles, --end."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from themepark_tracker import metrics
from themepark_tracker.errors import UserError
from themepark_tracker.simulate import (
    Catalogue,
    Simulation,
    build_catalogue,
    park_law,
    parse_end,
)

END = datetime(2025, 12, 5, 8, 0)


def test_breakdown_lengths_look_real() -> None:
    """The lengths of a simulated park (its mixture, tests/unit/test_simulate_law.py): many
    5-20 minute stops, a long tail. Quantiles of 20,000 draws, checked against the bounds the
    law's ranges allow (parks.BREAKDOWN_MIXTURE), not against a previous run."""
    rng = random.Random(42)
    law = park_law(1, 1)
    sample = sorted(law.sample(rng) for _ in range(20_000))
    median = statistics.median(sample)
    assert 8 <= median <= 25  # most stops are short: over half from the 8-13 minute component
    assert sample[int(0.9 * len(sample))] > 4 * median  # a long tail
    assert sample[int(0.99 * len(sample))] > 180  # some last hours


@pytest.fixture(scope="module")
def seed_scale() -> Catalogue:
    return build_catalogue(80, 4200, seed=1)


def test_catalogue_at_seed_scale(seed_scale: Catalogue) -> None:
    parks, rides = seed_scale.park_records, seed_scale.ride_records
    assert [p.park_id for p in parks] == list(range(1, 81))
    assert len({p.name for p in parks}) == 80
    assert sorted(r.ride_id for r in rides) == list(range(1, len(rides) + 1))
    attractions = [r for r in rides if r.category == metrics.ATTRACTION]
    assert len(attractions) == seed_scale.attraction_count == 4200
    assert 0.05 <= seed_scale.other_count / 4200 <= 0.10
    assert {r.category for r in rides} >= {"SHOW", "RESTAURANT", "SINGLE_RIDER"}
    tiers = Counter(r.tier for r in attractions)
    assert 0.12 <= tiers[1] / 4200 <= 0.18
    assert 0.50 <= tiers[2] / 4200 <= 0.60
    assert 0.26 <= tiers[3] / 4200 <= 0.34
    assert 0 < tiers[None] / 4200 <= 0.05
    by_name = {p.name: p for p in parks}
    assert by_name["Six Flags Magic Mountain"].timezone == "America/Los_Angeles"
    zones = {p.timezone.split("/")[0] for p in parks}
    assert {"America", "Europe", "Asia"} <= zones and "Asia/Kolkata" in {p.timezone for p in parks}
    assert any(p.is_disney for p in parks) and any(p.is_universal for p in parks)
    assert any(p.reports_down for p in parks) and not all(p.reports_down for p in parks)
    assert all(p.operator and p.country and p.latitude is not None for p in parks)


def test_catalogue_needs_two_attractions_a_park() -> None:
    with pytest.raises(UserError, match="at least 2 attractions"):
        build_catalogue(10, 15, seed=1)
    many = build_catalogue(120, 500, seed=3)  # more parks than templates: made-up names
    assert len({p.name for p in many.park_records}) == 120


def generate(parks: int, rides: int, days: int, seed: int) -> tuple[Simulation, list]:
    sim = Simulation(build_catalogue(parks, rides, seed), seed, END, days, 5)
    out = []
    for k in range(sim.day_count):
        for park in sim.catalogue.parks:
            day = sim.park_day(park, k)
            if day is not None:
                out.append(day)
    return sim, out


def test_cycles_cover_the_period_with_a_few_missed() -> None:
    sim, days = generate(parks=20, rides=60, days=7, seed=5)
    cycles = [c for d in days for c in d.cycles]
    missed = sum(d.missed for d in days)
    # Both ends are cycles: 7 × 288 + 1 per park (the quickstart's mirror ends on 08:00).
    assert len(cycles) + missed == 20 * (7 * 288 + 1)
    assert 0.013 <= missed / (20 * 7 * 288) <= 0.021
    whole_hours = [c for c in cycles if c.recorded_at < END]  # END opens an hour of its own
    per_hour = Counter((c.park_id, c.recorded_at.replace(minute=0)) for c in whole_hours)
    assert len(per_hour) == 20 * 7 * 24  # never a whole hour missed
    assert 11.7 <= len(whole_hours) / len(per_hour) <= 11.9
    assert min(c.recorded_at for c in cycles) == END - timedelta(days=7)
    assert max(c.recorded_at for c in cycles) == END
    entries = {p.park_id: [e.record.ride_id for e in p.entries] for p in sim.catalogue.parks}
    assert all([o.ride_id for o in c.rides] == entries[c.park_id] for c in cycles)


def test_same_seed_same_cycles_other_seed_other_cycles() -> None:
    def flat(seed: int) -> list:
        return [(c.park_id, c.recorded_at, c.rides) for d in generate(3, 30, 2, seed)[1]
                for c in d.cycles]

    assert flat(11) == flat(11)
    assert flat(11) != flat(12)


def test_parse_end() -> None:
    assert parse_end("2025-12-05 08:00") == END
    assert parse_end(" 2025-12-05T08:00Z ") == END
    assert parse_end("2025-12-05T09:00+01:00") == END
    with pytest.raises(UserError, match="not a UTC time"):
        parse_end("tomorrow")
    with pytest.raises(UserError, match="5-minute cycle boundary"):
        parse_end("2025-12-05 08:03")
    now = datetime.now(UTC).replace(tzinfo=None)
    default = parse_end(None)
    assert now - timedelta(minutes=5) < default <= now
    assert default.minute % 5 == 0 and (default.second, default.microsecond) == (0, 0)
