"""The catalogue: parks 1..n from the templates, their attractions by tier and kind and the other
entries on top (shows, restaurants, single-rider lines), with each entry's simulation traits and
the observation objects it reuses. Drawn from one ``random.Random`` stream seeded with the seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar
from zoneinfo import ZoneInfo

from themepark_tracker import metrics
from themepark_tracker.errors import UserError
from themepark_tracker.ingest.models import ParkRecord, RideObservation, RideRecord
from themepark_tracker.simulate.parks import (
    _EXTRA_PARK_KINDS,
    _EXTRA_PARK_TOWNS,
    _RIDE_NAMES,
    BREAKDOWNS_PER_HOUR,
    EXTRA_MIX,
    EXTRAS_SHARE,
    KIND_BREAKDOWN_FACTOR,
    KIND_MIX,
    NOT_OPENING_TODAY,
    PARK_TEMPLATES,
    TIER_MIX,
    _Template,
)
from themepark_tracker.timeutil import zone_of

T = TypeVar("T")


@dataclass(eq=False)
class Entry:
    """One catalogue entry of a park (attraction or other) with its simulation traits and the
    observation objects it reuses (they are immutable, so one object serves many cycles)."""

    record: RideRecord
    kind: str  # COASTER/DARK/WATER/FLAT/KIDDIE for attractions, else the category
    breakdowns_per_minute: float = 0.0
    not_opening: float = 0.0
    peak_wait: float | None = None  # posted wait at the day's peak, crowd 1.0; None = no waits
    parent: Entry | None = None  # the attraction a single-rider line belongs to
    refurb_days: frozenset[date] = frozenset()
    closed_obs: RideObservation = field(init=False)
    idle_obs: RideObservation = field(init=False)  # OPERATING without a wait
    fault_obs: RideObservation = field(init=False)
    refurb_obs: RideObservation = field(init=False)
    waits: _WaitObservations = field(init=False)

    def prepare(self, reports_down: bool) -> None:
        ride_id = self.record.ride_id
        self.closed_obs = RideObservation(ride_id, metrics.CLOSED)
        self.idle_obs = RideObservation(ride_id, metrics.OPERATING)
        # A Queue-Times-style feed only knows open/closed: breakdowns and refurbishments are
        # CLOSED there; a down-reporting feed says DOWN and REFURBISHMENT.
        self.fault_obs = RideObservation(ride_id, metrics.DOWN if reports_down else metrics.CLOSED)
        self.refurb_obs = (RideObservation(ride_id, metrics.REFURBISHMENT) if reports_down
                           else self.closed_obs)
        self.waits = _WaitObservations(ride_id)

    @property
    def is_attraction(self) -> bool:
        return self.record.category == metrics.ATTRACTION


class _WaitObservations(dict[int, RideObservation]):
    """OPERATING observations of one ride by posted wait, made on first use."""

    __slots__ = ("ride_id",)

    def __init__(self, ride_id: int) -> None:
        super().__init__()
        self.ride_id = ride_id

    def __missing__(self, wait: int) -> RideObservation:
        obs = self[wait] = RideObservation(self.ride_id, metrics.OPERATING, wait)
        return obs


@dataclass(eq=False)
class Park:
    record: ParkRecord
    zone: ZoneInfo
    template: _Template
    popularity: float  # scales waits
    entries: list[Entry]  # in ride_id order (the order of each cycle)

    @property
    def park_id(self) -> int:
        return self.record.park_id

    @property
    def attractions(self) -> list[Entry]:
        return [e for e in self.entries if e.is_attraction]


@dataclass(frozen=True)
class Catalogue:
    parks: list[Park]

    @property
    def park_records(self) -> list[ParkRecord]:
        return [p.record for p in self.parks]

    @property
    def ride_records(self) -> list[RideRecord]:
        return [e.record for p in self.parks for e in p.entries]

    @property
    def attraction_count(self) -> int:
        return sum(1 for p in self.parks for e in p.entries if e.is_attraction)

    @property
    def other_count(self) -> int:
        return sum(1 for p in self.parks for e in p.entries if not e.is_attraction)


def pick(rng: random.Random, mix: Sequence[tuple[T, float]]) -> T:
    r = rng.random() * sum(w for _, w in mix)
    for value, weight in mix:
        r -= weight
        if r < 0:
            return value
    return mix[-1][0]


def _share_out(total: int, sizes: Sequence[float], minimum: int) -> list[int]:
    """Split ``total`` in proportion to ``sizes`` (largest remainder), each at least ``minimum``."""
    spare = total - minimum * len(sizes)
    raw = [spare * s / sum(sizes) for s in sizes]
    counts = [math.floor(x) for x in raw]
    by_remainder = sorted(range(len(sizes)), key=lambda i: (counts[i] - raw[i], i))
    for i in by_remainder[: spare - sum(counts)]:
        counts[i] += 1
    return [minimum + c for c in counts]


def _templates(count: int) -> list[_Template]:
    chosen = list(PARK_TEMPLATES[:count])
    names = {t.name for t in chosen}
    n = 0
    while len(chosen) < count:
        base = PARK_TEMPLATES[n % len(PARK_TEMPLATES)]
        town = _EXTRA_PARK_TOWNS[n % len(_EXTRA_PARK_TOWNS)]
        kind = _EXTRA_PARK_KINDS[(n // len(_EXTRA_PARK_TOWNS)) % len(_EXTRA_PARK_KINDS)]
        name = f"{town} {kind}"
        if name in names:
            name = f"{name} {n // (len(_EXTRA_PARK_TOWNS) * len(_EXTRA_PARK_KINDS)) + 1}"
        names.add(name)
        # Same zone and country as the template it borrows from, a little way off, no brand.
        chosen.append(base._replace(
            name=name, operator="Independent", family="", signature=(),
            latitude=round(base.latitude + 0.37 * (n % 7 - 3), 4),
            longitude=round(base.longitude + 0.41 * (n % 5 - 2), 4),
        ))
        n += 1
    return chosen


def _ride_name(rng: random.Random, kind: str, taken: set[str]) -> str:
    first, second = _RIDE_NAMES[kind]
    for _ in range(20):
        name = f"{rng.choice(first)} {rng.choice(second)}"
        if name not in taken:
            break
    n = 2
    while name in taken:  # a big park ran out of combinations: number the rest
        name = f"{name.rsplit(' #', 1)[0]} #{n}"
        n += 1
    taken.add(name)
    return name


def build_catalogue(parks: int, rides: int, seed: int) -> Catalogue:
    """Parks 1..``parks`` and ``rides`` attractions shared out over them, plus 5-9% other
    entries per park (at least one show each). Ride ids run 1, 2, ... park after park, with the
    other entries mixed in among the attractions as feeds list them."""
    if parks < 1:
        raise UserError("--parks must be at least 1")
    if rides < 2 * parks:
        raise UserError(
            f"--rides {rides} is too few for {parks} parks: give each park at least 2 attractions"
        )
    rng = random.Random(f"{seed}:catalogue")
    templates = _templates(parks)
    counts = _share_out(rides, [t.attractions for t in templates], minimum=2)
    out: list[Park] = []
    next_ride_id = 1
    for park_id, (template, count) in enumerate(zip(templates, counts, strict=True), start=1):
        park = _park(rng, park_id, template, count, next_ride_id)
        next_ride_id += len(park.entries)
        out.append(park)
    return Catalogue(out)


def _park(rng: random.Random, park_id: int, template: _Template, count: int,
          first_ride_id: int) -> Park:
    """One park with ``count`` attractions and its extras, ride ids from ``first_ride_id``."""
    record = ParkRecord(
        park_id=park_id, name=template.name, timezone=template.timezone,
        operator=template.operator, country=template.country,
        is_disney=template.family == "D", is_universal=template.family == "U",
        reports_down=template.wiki, latitude=template.latitude,
        longitude=template.longitude,
    )
    popularity = {"D": 1.3, "U": 1.2}.get(template.family, rng.uniform(0.55, 1.0))
    park_reliability = rng.lognormvariate(0, 0.3)
    taken: set[str] = set()
    signatures = iter(template.signature)
    attractions = [_attraction(rng, park_id, signatures, taken, popularity, park_reliability)
                   for _ in range(count)]
    extras = _extras(rng, park_id, attractions, taken)
    entries = attractions + extras
    rng.shuffle(entries)
    # Keep the attractions' relative order (and so names → tiers) readable: only the
    # extras move. Stable: sort attractions back into their original order.
    order = iter(attractions)
    entries = [next(order) if e.is_attraction else e for e in entries]
    for ride_id, entry in enumerate(entries, start=first_ride_id):
        entry.record = RideRecord(ride_id, park_id, entry.record.name,
                                  entry.record.tier, entry.record.category)
        entry.prepare(template.wiki)
    return Park(record, zone_of(template.timezone), template, popularity, entries)


def _attraction(rng: random.Random, park_id: int, signatures: Iterator[str], taken: set[str],
                popularity: float, park_reliability: float) -> Entry:
    """One attraction: tier, kind, name, breakdown rate and peak wait (id given later)."""
    tier: int | None = pick(rng, TIER_MIX)
    kind = pick(rng, KIND_MIX[tier if tier is not None else 2])
    # The park's real headline rides name its first flagship attractions.
    name = (next(signatures, None) if tier == 1 else None) or _ride_name(rng, kind, taken)
    taken.add(name)
    rate = (BREAKDOWNS_PER_HOUR[tier] * KIND_BREAKDOWN_FACTOR[kind]
            * rng.lognormvariate(0, 0.35) * park_reliability / 60)
    peak = {1: 55.0, 2: 25.0, 3: 10.0}.get(tier, 20.0) if tier is not None else 20.0
    peak *= rng.lognormvariate(0, 0.35) * popularity
    peak *= {"KIDDIE": 0.6, "FLAT": 0.7}.get(kind, 1.0)
    no_waits = rng.random() < (0.12 if kind in ("FLAT", "KIDDIE") else 0.02)
    return Entry(
        RideRecord(0, park_id, name, tier), kind, breakdowns_per_minute=rate,
        not_opening=NOT_OPENING_TODAY * KIND_BREAKDOWN_FACTOR[kind],
        peak_wait=None if no_waits else peak,
    )


def _extras(rng: random.Random, park_id: int, attractions: list[Entry], taken: set[str]
            ) -> list[Entry]:
    count = max(1, round(len(attractions) * rng.uniform(*EXTRAS_SHARE)))
    parents = [a for a in attractions if a.record.tier == 1 and a.peak_wait is not None]
    extras: list[Entry] = []
    for n in range(count):
        category = "SHOW" if n == 0 else pick(rng, EXTRA_MIX)
        if category == "SINGLE_RIDER":
            free = [p for p in parents if f"{p.record.name} Single Rider" not in taken]
            if not free:
                category = "SHOW"
            else:
                parent = rng.choice(free)
                name = f"{parent.record.name} Single Rider"
                taken.add(name)
                extras.append(Entry(RideRecord(0, park_id, name, None, category), category,
                                     parent=parent))
                continue
        name = _ride_name(rng, category, taken)
        peak = rng.uniform(10, 40) if category == "MEET_AND_GREET" else None
        extras.append(Entry(RideRecord(0, park_id, name, None, category), category,
                             peak_wait=peak))
    return extras
