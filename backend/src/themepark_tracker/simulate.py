"""Realistic simulated parks, rides and collection cycles, written through the one ingest path.

``simulate`` builds a catalogue (parks across time zones, attractions by tier, shows, restaurants
and single-rider entries on top), then walks the period one simulated day at a time. For each
park its local day is planned (opening hours, rides opening over the first half-hour, breakdowns,
weather holds, refurbishments, closed days, now and then a lone test run at night), turned into
cycles (a few of which are missed, as in production) and handed to ``ingest_cycles``, one
transaction per simulated day. Nothing reaches the tables another way.

Everything random comes from ``random.Random`` streams seeded with ``seed`` and what they describe
(the catalogue, a park and a local date, a ride's refurbishment block), never from the global
generator: the same arguments always give the same rows.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from themepark_tracker import metrics
from themepark_tracker.errors import UserError
from themepark_tracker.ingest.catalog import upsert_parks, upsert_rides, upsert_schedules
from themepark_tracker.ingest.models import (
    Cycle,
    ParkRecord,
    RideObservation,
    RideRecord,
    ScheduleRecord,
)
from themepark_tracker.ingest.snapshots import (
    IngestSummary,
    ingest_cycles,
    local_date_of,
    local_day_bounds,
)
from themepark_tracker.progress import ProgressBar

logger = logging.getLogger(__name__)

T = TypeVar("T")

SOURCE = "simulate"

#: Production misses about 1 park cycle in 60 (11.8 snapshots per park-hour instead of 12).
#: Misses come alone or in short bursts (lengths 1, 2, 3 with these weights), never a whole hour.
MISSED_CYCLE_RATE = 1 / 60
MISS_BURSTS = ((1, 0.8), (2, 0.15), (3, 0.05))

#: One breakdown lasts a lognormal time: median 25 minutes, long tail (p90 ~80 min), 2 min .. 8 h.
BREAKDOWN_MEDIAN_MINUTES = 25.0
BREAKDOWN_SIGMA = 0.9
BREAKDOWN_BOUNDS_MINUTES = (2.0, 480.0)

#: Breakdowns per operating hour by tier (None = unclassified), times a factor per kind of ride.
BREAKDOWNS_PER_HOUR = {1: 0.10, 2: 0.06, 3: 0.035, None: 0.06}
KIND_BREAKDOWN_FACTOR = {"COASTER": 1.4, "DARK": 1.1, "WATER": 1.0, "FLAT": 0.7, "KIDDIE": 0.5}
NOT_OPENING_TODAY = 0.003  # chance a ride stays broken all day, times the kind factor

#: Tier mix of attractions: about 15% flagship, 52% standard, 30% minor, 3% unclassified.
TIER_MIX = ((1, 0.15), (2, 0.52), (3, 0.30), (None, 0.03))
KIND_MIX = {
    1: (("COASTER", 0.6), ("DARK", 0.3), ("WATER", 0.1)),
    2: (("COASTER", 0.25), ("DARK", 0.25), ("WATER", 0.15), ("FLAT", 0.35)),
    3: (("FLAT", 0.45), ("KIDDIE", 0.45), ("DARK", 0.1)),
}
#: Other entries (shows, restaurants, single-rider lines) on top of a park's attractions.
EXTRAS_SHARE = (0.05, 0.09)
EXTRA_MIX = (("SHOW", 0.35), ("RESTAURANT", 0.25), ("SINGLE_RIDER", 0.25), ("MEET_AND_GREET", 0.15))

REFURB_BLOCK_DAYS = 28
REFURB_CHANCE = 0.04  # per attraction per 28-day block
SURPRISE_CLOSURE = 0.005  # per park-day (storm, private event), on top of closed weekdays
WEATHER_HOLD = 0.05  # per park-day: coasters and water rides stop together for a while
NIGHT_TEST_RUN = 0.3  # per park-day: one ride cycles empty trains outside opening hours


# --- the catalogue ------------------------------------------------------------------------------


class _Template(NamedTuple):
    name: str
    timezone: str
    operator: str
    country: str
    latitude: float
    longitude: float
    attractions: int  # relative size; the --rides total is shared out in these proportions
    hours: tuple[float, float]  # local opening and closing hour (25 = 01:00 the next day)
    family: str = ""  # "D" Disney, "U" Universal
    wiki: bool = False  # ThemeParks.wiki feed: sends DOWN and REFURBISHMENT (reports_down)
    schedule: bool = False  # publishes opening hours (park_schedules rows)
    late_close: tuple[int, ...] = ()  # weekdays (0 = Monday) open until 01:00
    closed_on: tuple[int, ...] = ()  # weekdays closed all day (winter season)
    signature: tuple[str, ...] = ()  # real headline attractions, tier 1 first


_US_EAST, _US_WEST, _US_CENTRAL = "America/New_York", "America/Los_Angeles", "America/Chicago"
_DISNEY, _UNIVERSAL = "Walt Disney Parks and Resorts", "Universal Destinations & Experiences"
_SIX_FLAGS, _MERLIN, _UNITED = "Six Flags Entertainment", "Merlin Entertainments", "United Parks"
_US, _UK = "United States", "United Kingdom"

# Ordered so that the first few parks already mix the feeds, schedules and zones the tests need:
# a down-reporting park with a schedule that crosses local midnight, CLOSED-only parks with and
# without a schedule, a half-hour zone (Asia/Kolkata).
PARK_TEMPLATES: tuple[_Template, ...] = (
    _Template("Magic Kingdom", _US_EAST, _DISNEY, _US, 28.4177, -81.5812, 40, (9, 22), "D",
              True, True, late_close=(3, 4, 5),
              signature=("Space Mountain", "Seven Dwarfs Mine Train", "TRON Lightcycle / Run",
                         "Big Thunder Mountain Railroad", "Haunted Mansion")),
    _Template("Europa-Park", "Europe/Berlin", "Mack Rides / Europa-Park", "Germany", 48.2660,
              7.7220, 60, (11, 19), schedule=True,
              signature=("Silver Star", "Blue Fire Megacoaster", "Voltron Nevera",
                         "Wodan Timburcoaster")),
    _Template("Wonderla Bengaluru", "Asia/Kolkata", "Wonderla Holidays", "India", 12.8342,
              77.4010, 45, (11, 18)),
    _Template("Universal Studios Japan", "Asia/Tokyo", _UNIVERSAL, "Japan", 34.6654, 135.4323,
              30, (8.5, 21), "U", True, True,
              signature=("Mario Kart: Koopa's Challenge", "The Flying Dinosaur",
                         "Hollywood Dream - The Ride")),
    _Template("Six Flags Magic Mountain", _US_WEST, _SIX_FLAGS, _US, 34.4253, -118.5972, 45,
              (10.5, 20),
              signature=("Twisted Colossus", "X2", "Goliath", "Tatsu", "Full Throttle")),
    _Template("EPCOT", _US_EAST, _DISNEY, _US, 28.3747, -81.5494, 25, (9, 21), "D", True, True),
    _Template("Disneyland Park", _US_WEST, _DISNEY, _US, 33.8121, -117.9190, 40, (8, 24), "D",
              True, True),
    _Template("Universal Studios Florida", _US_EAST, _UNIVERSAL, _US, 28.4749, -81.4664, 25,
              (9, 21), "U", True, True),
    _Template("Efteling", "Europe/Amsterdam", "Efteling B.V.", "Netherlands", 51.6498, 5.0435,
              45, (11, 20), signature=("Baron 1898", "Python", "Joris en de Draak", "Symbolica")),
    _Template("Tokyo Disneyland", "Asia/Tokyo", "Oriental Land Company", "Japan", 35.6329,
              139.8804, 35, (9, 21), "D", True, True),
    _Template("Hong Kong Disneyland", "Asia/Hong_Kong", "Hong Kong International Theme Parks",
              "Hong Kong", 22.3130, 114.0413, 20, (10.5, 20.5), "D", True, True),
    _Template("Shanghai Disneyland", "Asia/Shanghai", "Shanghai Shendi Group / Disney", "China",
              31.1434, 121.6580, 25, (8.5, 20.5), "D", True, True),
    _Template("Disneyland Park (Paris)", "Europe/Paris", "Disneyland Paris", "France", 48.8722,
              2.7758, 35, (9.5, 22), "D", True, True),
    _Template("Phantasialand", "Europe/Berlin", "Phantasialand Schmidt-Löffelhardt", "Germany",
              50.7999, 6.8786, 30, (11, 20), signature=("Taron", "Black Mamba", "F.L.Y.")),
    _Template("Universal Islands of Adventure", _US_EAST, _UNIVERSAL, _US, 28.4711, -81.4716, 25,
              (9, 21), "U", True, True),
    _Template("Knott's Berry Farm", _US_WEST, _SIX_FLAGS, _US, 33.8443, -117.9989, 40, (10, 21)),
    _Template("PortAventura Park", "Europe/Madrid", "PortAventura World", "Spain", 41.0872,
              1.1566, 35, (11, 19), closed_on=(1, 2, 3)),
    _Template("Alton Towers", "Europe/London", _MERLIN, _UK, 52.9874, -1.8867, 35, (10, 17)),
    _Template("Tokyo DisneySea", "Asia/Tokyo", "Oriental Land Company", "Japan", 35.6267,
              139.8850, 30, (9, 21), "D", True, True),
    _Template("Everland", "Asia/Seoul", "Samsung C&T", "South Korea", 37.2939, 127.2025, 40,
              (10, 21)),
    _Template("Lotte World", "Asia/Seoul", "Lotte World Co.", "South Korea", 37.5111, 127.0980,
              35, (10, 21)),
    _Template("Ferrari World Abu Dhabi", "Asia/Dubai", "Miral", "United Arab Emirates", 24.4837,
              54.6071, 25, (11, 20)),
    _Template("Imagicaa", "Asia/Kolkata", "Imagicaaworld Entertainment", "India", 18.7897,
              73.2975, 30, (10, 19)),
    _Template("Universal Studios Singapore", "Asia/Singapore", "Resorts World Sentosa",
              "Singapore", 1.2540, 103.8238, 25, (10, 19), "U", True),
    _Template("Universal Studios Hollywood", _US_WEST, _UNIVERSAL, _US, 34.1381, -118.3534, 20,
              (9, 22), "U", True, True),
    _Template("Disney's Animal Kingdom", _US_EAST, _DISNEY, _US, 28.3553, -81.5901, 20, (8, 19),
              "D", True, True),
    _Template("Disney's Hollywood Studios", _US_EAST, _DISNEY, _US, 28.3575, -81.5582, 20,
              (9, 21), "D", True, True),
    _Template("Disney California Adventure", _US_WEST, _DISNEY, _US, 33.8061, -117.9209, 30,
              (8, 22), "D", True, True),
    _Template("Walt Disney Studios Park", "Europe/Paris", "Disneyland Paris", "France", 48.8680,
              2.7800, 20, (9.5, 21), "D", True, True),
    _Template("Universal Studios Beijing", "Asia/Shanghai", "Beijing International Resort",
              "China", 39.8540, 116.6740, 25, (9, 20), "U", True, True),
    _Template("Universal Epic Universe", _US_EAST, _UNIVERSAL, _US, 28.4465, -81.4456, 25,
              (9, 21), "U", True, True),
    _Template("Busch Gardens Tampa Bay", _US_EAST, _UNITED, _US, 28.0370, -82.4194, 35, (10, 18)),
    _Template("SeaWorld Orlando", _US_EAST, _UNITED, _US, 28.4114, -81.4633, 25, (10, 20)),
    _Template("Six Flags Great Adventure", _US_EAST, _SIX_FLAGS, _US, 40.1374, -74.4407, 45,
              (12, 21), closed_on=(0, 1, 2, 3)),
    _Template("Six Flags Over Texas", _US_CENTRAL, _SIX_FLAGS, _US, 32.7555, -97.0703, 40,
              (11, 21), closed_on=(0, 1, 2)),
    _Template("Silver Dollar City", _US_CENTRAL, "Herschend", _US, 36.6685, -93.3380, 40,
              (12, 22), closed_on=(0, 1)),
    _Template("Dollywood", _US_EAST, "Herschend", _US, 35.7950, -83.5306, 40, (12, 22),
              closed_on=(2,)),
    _Template("Canada's Wonderland", "America/Toronto", _SIX_FLAGS, "Canada", 43.8430, -79.5390,
              45, (17, 23), closed_on=(0, 1, 2, 3)),
    _Template("La Ronde", "America/Toronto", _SIX_FLAGS, "Canada", 45.5225, -73.5347, 35,
              (11, 20)),
    _Template("Six Flags México", "America/Mexico_City", _SIX_FLAGS, "Mexico", 19.2953,
              -99.2092, 40, (11, 20)),
    _Template("Beto Carrero World", "America/Sao_Paulo", "Beto Carrero World", "Brazil",
              -26.8005, -48.6160, 40, (9, 18)),
    _Template("Energylandia", "Europe/Warsaw", "Energylandia", "Poland", 50.0017, 19.4098, 60,
              (10, 18)),
    _Template("Heide Park", "Europe/Berlin", _MERLIN, "Germany", 53.0247, 9.8775, 35, (10, 18)),
    _Template("Walibi Holland", "Europe/Amsterdam", "Compagnie des Alpes", "Netherlands",
              52.4398, 5.7663, 30, (10, 18)),
    _Template("Parc Astérix", "Europe/Paris", "Compagnie des Alpes", "France", 49.1344, 2.5712,
              40, (10, 19)),
    _Template("Legoland Billund", "Europe/Copenhagen", _MERLIN, "Denmark", 55.7357, 9.1262, 40,
              (10, 18)),
    _Template("Legoland California", _US_WEST, _MERLIN, _US, 33.1263, -117.3110, 40, (10, 18)),
    _Template("Tivoli Gardens", "Europe/Copenhagen", "Tivoli A/S", "Denmark", 55.6737, 12.5681,
              25, (11, 23)),
    _Template("Liseberg", "Europe/Stockholm", "Liseberg AB", "Sweden", 57.6953, 11.9920, 35,
              (15, 22), closed_on=(0, 1)),
    _Template("Movie Park Germany", "Europe/Berlin", "Parques Reunidos", "Germany", 51.6217,
              6.9733, 35, (11, 18)),
    _Template("Gardaland", "Europe/Rome", _MERLIN, "Italy", 45.4550, 10.7147, 40, (10, 18)),
    _Template("Mirabilandia", "Europe/Rome", "Parques Reunidos", "Italy", 44.3383, 12.2631, 35,
              (10, 18)),
    _Template("Chessington World of Adventures", "Europe/London", _MERLIN, _UK, 51.3475,
              -0.3190, 35, (10, 17)),
    _Template("Thorpe Park", "Europe/London", _MERLIN, _UK, 51.4036, -0.5148, 30, (10, 18)),
    _Template("Blackpool Pleasure Beach", "Europe/London", "Blackpool Pleasure Beach Ltd", _UK,
              53.7918, -3.0553, 40, (10, 17)),
    _Template("Plopsaland De Panne", "Europe/Brussels", "Plopsa", "Belgium", 51.0800, 2.5982, 35,
              (10, 18)),
    _Template("Toverland", "Europe/Amsterdam", "Toverland", "Netherlands", 51.3977, 5.9817, 30,
              (10, 18)),
    _Template("Fuji-Q Highland", "Asia/Tokyo", "Fujikyuko", "Japan", 35.4868, 138.7796, 35,
              (9, 18)),
    _Template("Nagashima Spa Land", "Asia/Tokyo", "Nagashima Kanko Kaihatsu", "Japan", 35.0311,
              136.7336, 40, (9.5, 17)),
    _Template("Ocean Park Hong Kong", "Asia/Hong_Kong", "Ocean Park Corporation", "Hong Kong",
              22.2467, 114.1757, 35, (10, 19)),
    _Template("Chimelong Paradise", "Asia/Shanghai", "Chimelong Group", "China", 23.0050,
              113.3260, 40, (9.5, 18)),
    _Template("Wonderla Kochi", "Asia/Kolkata", "Wonderla Holidays", "India", 10.0251, 76.3653,
              40, (11, 18)),
    _Template("Wonderla Hyderabad", "Asia/Kolkata", "Wonderla Holidays", "India", 17.2305,
              78.5540, 40, (11, 19)),
    _Template("Sunway Lagoon", "Asia/Kuala_Lumpur", "Sunway Group", "Malaysia", 3.0719,
              101.6075, 30, (10, 18)),
    _Template("Dream World Bangkok", "Asia/Bangkok", "Dream World Co.", "Thailand", 13.9868,
              100.6766, 30, (10, 17)),
    _Template("Dreamworld", "Australia/Brisbane", "Ardent Leisure", "Australia", -27.8640,
              153.3150, 35, (10, 17)),
    _Template("Warner Bros. Movie World", "Australia/Brisbane", "Village Roadshow", "Australia",
              -27.9073, 153.3120, 30, (9.5, 17)),
    _Template("Luna Park Sydney", "Australia/Sydney", "Luna Park Sydney", "Australia", -33.8477,
              151.2100, 20, (11, 22), closed_on=(1, 2)),
    _Template("Busch Gardens Williamsburg", _US_EAST, _UNITED, _US, 37.2338, -76.6457, 35,
              (15, 22), closed_on=(0, 1, 2)),
    _Template("Hersheypark", _US_EAST, "Hershey Entertainment & Resorts", _US, 40.2888,
              -76.6547, 45, (14, 21), closed_on=(0, 1, 2)),
    _Template("Kennywood", _US_EAST, _SIX_FLAGS, _US, 40.3873, -79.8648, 35, (17, 21),
              closed_on=(0, 1, 2, 3)),
    _Template("Lotte World Adventure Busan", "Asia/Seoul", "Lotte World Co.", "South Korea",
              35.1955, 129.2130, 25, (10, 20)),
    _Template("Happy Valley Beijing", "Asia/Shanghai", "OCT Group", "China", 39.8670, 116.4940,
              40, (9.5, 18)),
    _Template("IMG Worlds of Adventure", "Asia/Dubai", "IMG Group", "United Arab Emirates",
              25.0818, 55.3180, 25, (11, 22)),
    _Template("Ferrari Land", "Europe/Madrid", "PortAventura World", "Spain", 41.0880, 1.1570,
              10, (11, 19), closed_on=(1, 2, 3)),
    _Template("Parque Warner Madrid", "Europe/Madrid", "Parques Reunidos", "Spain", 40.2316,
              -3.5947, 30, (11, 19), closed_on=(0, 1, 2, 3)),
    _Template("Holiday Park", "Europe/Berlin", "Plopsa", "Germany", 49.3197, 8.2997, 30, (11, 18)),
    _Template("Särkänniemi", "Europe/Helsinki", "Särkänniemi Oy", "Finland", 61.5050, 23.7432,
              25, (12, 19)),
    _Template("Linnanmäki", "Europe/Helsinki", "Children's Day Foundation", "Finland", 60.1878,
              24.9406, 30, (11, 20)),
    _Template("Bobbejaanland", "Europe/Brussels", "Parques Reunidos", "Belgium", 51.2001, 4.9005,
              30, (11, 18)),
)

# Beyond the templates, more parks get made-up names in the templates' zones.
_EXTRA_PARK_TOWNS = (
    "Silver Lake", "Pine Ridge", "Harbor Point", "Golden Valley", "Maple Grove", "Eagle Bay",
    "Sunset Hills", "Crystal Springs", "Oak Harbor", "Red Rock", "Willow Creek", "Bear Mountain",
    "Lakeside", "Stone Bridge", "Fox Hollow", "Cedar Falls", "Blue Lagoon", "Riverbend",
)
_EXTRA_PARK_KINDS = (
    "Adventure Park", "Fun Park", "Family Park", "Funland", "Pleasure Gardens", "Thrill Park",
)

_RIDE_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "COASTER": (
        ("Thunder", "Iron", "Silver", "Raging", "Wild", "Crimson", "Shadow", "Cosmic", "Storm",
         "Black", "Golden", "Screaming", "Twisted", "Flying", "Mystic", "Dragon", "Phoenix",
         "Titan", "Inferno", "Arctic"),
        ("Falcon", "Mountain", "Express", "Serpent", "Cyclone", "Comet", "Fury", "Vortex",
         "Rocket", "Stallion", "Eagle", "Blizzard", "Scorpion", "Hydra", "Colossus", "Kraken",
         "Viper", "Typhoon", "Raptor", "Mine Train"),
    ),
    "DARK": (
        ("Haunted", "Legend of the", "Quest for the", "Secret of the", "Voyage to the",
         "Mystery of the", "Curse of the", "Escape from the", "Journey to the", "Tales of the"),
        ("Mansion", "Lost Temple", "Crystal Caves", "Sunken City", "Dragon's Lair",
         "Enchanted Forest", "Clockwork Castle", "Forbidden Tomb", "Starship", "Fairy Kingdom"),
    ),
    "WATER": (
        ("Grizzly", "Jungle", "Canyon", "Timber", "Thunder", "Wild River", "Niagara", "Amazon",
         "Splash", "Viking"),
        ("Rapids", "Falls", "Flume", "River Run", "Splashdown", "Rafts", "Chute", "Log Ride"),
    ),
    "FLAT": (
        ("Wave", "Star", "Sky", "Pirate", "Sea", "Jungle", "Space", "Magic", "Spinning", "Royal"),
        ("Swinger", "Tower", "Ship", "Carousel", "Wheel", "Teacups", "Flyer", "Scrambler",
         "Top Spin", "Drop"),
    ),
    "KIDDIE": (
        ("Junior", "Little", "Mini", "Tiny", "Kiddie", "Frog", "Bumble Bee", "Happy", "Dino",
         "Balloon"),
        ("Coaster", "Cars", "Train", "Boats", "Planes", "Race", "Jets", "Hopper", "Safari",
         "Ferris Wheel"),
    ),
    "SHOW": (
        ("Pirate", "Jungle", "Wild West", "Magic", "Ocean", "Fairy Tale", "Ice", "Stunt",
         "Circus", "Festival"),
        ("Stunt Show", "Spectacular", "Revue", "Live!", "Parade", "Theater", "Gala"),
    ),
    "RESTAURANT": (
        ("Harbor", "Frontier", "Castle", "Lagoon", "Village", "Galaxy", "Mill", "Garden"),
        ("Grill", "Café", "Diner", "Kitchen", "Tavern", "Food Court", "Bakery"),
    ),
    "MEET_AND_GREET": (
        ("Meet the",),
        ("Princess", "Pirate Captain", "Mascot", "Dragon", "Heroes", "Wizard", "Explorers"),
    ),
}


@dataclass(eq=False)
class _Entry:
    """One catalogue entry of a park (attraction or other) with its simulation traits and the
    observation objects it reuses (they are immutable, so one object serves many cycles)."""

    record: RideRecord
    kind: str  # COASTER/DARK/WATER/FLAT/KIDDIE for attractions, else the category
    breakdowns_per_minute: float = 0.0
    not_opening: float = 0.0
    peak_wait: float | None = None  # posted wait at the day's peak, crowd 1.0; None = no waits
    parent: _Entry | None = None  # the attraction a single-rider line belongs to
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
class _Park:
    record: ParkRecord
    zone: ZoneInfo
    template: _Template
    popularity: float  # scales waits
    entries: list[_Entry]  # in ride_id order (the order of each cycle)

    @property
    def park_id(self) -> int:
        return self.record.park_id

    @property
    def attractions(self) -> list[_Entry]:
        return [e for e in self.entries if e.is_attraction]


@dataclass(frozen=True)
class Catalogue:
    parks: list[_Park]

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


def _pick(rng: random.Random, mix: Sequence[tuple[T, float]]) -> T:
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
    out: list[_Park] = []
    next_ride_id = 1
    for park_id, (template, count) in enumerate(zip(templates, counts, strict=True), start=1):
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
        attractions: list[_Entry] = []
        signatures = iter(template.signature)
        for _ in range(count):
            tier: int | None = _pick(rng, TIER_MIX)
            kind = _pick(rng, KIND_MIX[tier if tier is not None else 2])
            # The park's real headline rides name its first flagship attractions.
            name = (next(signatures, None) if tier == 1 else None) or _ride_name(rng, kind, taken)
            taken.add(name)
            rate = (BREAKDOWNS_PER_HOUR[tier] * KIND_BREAKDOWN_FACTOR[kind]
                    * rng.lognormvariate(0, 0.35) * park_reliability / 60)
            peak = {1: 55.0, 2: 25.0, 3: 10.0}.get(tier, 20.0) if tier is not None else 20.0
            peak *= rng.lognormvariate(0, 0.35) * popularity
            peak *= {"KIDDIE": 0.6, "FLAT": 0.7}.get(kind, 1.0)
            no_waits = rng.random() < (0.12 if kind in ("FLAT", "KIDDIE") else 0.02)
            attractions.append(_Entry(
                RideRecord(0, park_id, name, tier), kind, breakdowns_per_minute=rate,
                not_opening=NOT_OPENING_TODAY * KIND_BREAKDOWN_FACTOR[kind],
                peak_wait=None if no_waits else peak,
            ))
        extras = _extras(rng, park_id, attractions, taken)
        entries = attractions + extras
        rng.shuffle(entries)
        # Keep the attractions' relative order (and so names → tiers) readable: only the
        # extras move. Stable: sort attractions back into their original order.
        order = iter(attractions)
        entries = [next(order) if e.is_attraction else e for e in entries]
        for entry in entries:
            entry.record = RideRecord(next_ride_id, park_id, entry.record.name,
                                      entry.record.tier, entry.record.category)
            entry.prepare(template.wiki)
            next_ride_id += 1
        out.append(_Park(record, ZoneInfo(template.timezone), template, popularity, entries))
    return Catalogue(out)


def _extras(rng: random.Random, park_id: int, attractions: list[_Entry], taken: set[str]
            ) -> list[_Entry]:
    count = max(1, round(len(attractions) * rng.uniform(*EXTRAS_SHARE)))
    parents = [a for a in attractions if a.record.tier == 1 and a.peak_wait is not None]
    extras: list[_Entry] = []
    for n in range(count):
        category = "SHOW" if n == 0 else _pick(rng, EXTRA_MIX)
        if category == "SINGLE_RIDER":
            free = [p for p in parents if f"{p.record.name} Single Rider" not in taken]
            if not free:
                category = "SHOW"
            else:
                parent = rng.choice(free)
                name = f"{parent.record.name} Single Rider"
                taken.add(name)
                extras.append(_Entry(RideRecord(0, park_id, name, None, category), category,
                                     parent=parent))
                continue
        name = _ride_name(rng, category, taken)
        peak = rng.uniform(10, 40) if category == "MEET_AND_GREET" else None
        extras.append(_Entry(RideRecord(0, park_id, name, None, category), category,
                             peak_wait=peak))
    return extras


# --- refurbishments and closed days (pure functions of seed, ride/park and date) --------------


def _refurb_days(seed: int, entry: _Entry, first: date, last: date) -> frozenset[date]:
    """Days of [first, last] that ``entry`` spends in refurbishment. Refurbishments are drawn
    per fixed 28-day block of the calendar, so they do not move with the simulated period."""
    days: set[date] = set()
    block = (first.toordinal() - 60) // REFURB_BLOCK_DAYS
    while block * REFURB_BLOCK_DAYS <= last.toordinal():
        rng = random.Random(f"{seed}:refurb:{entry.record.ride_id}:{block}")
        if rng.random() < REFURB_CHANCE:
            start = block * REFURB_BLOCK_DAYS + rng.randrange(REFURB_BLOCK_DAYS)
            length = rng.randint(2, 45)
            for ordinal in range(max(start, first.toordinal()),
                                 min(start + length, last.toordinal() + 1)):
                days.add(date.fromordinal(ordinal))
        block += 1
    return frozenset(days)


def _closed_all_day(seed: int, park: _Park, day: date) -> bool:
    if day.weekday() in park.template.closed_on:
        return True
    return random.Random(f"{seed}:closed:{park.park_id}:{day}").random() < SURPRISE_CLOSURE


def breakdown_minutes(rng: random.Random) -> float:
    """How long one breakdown lasts: lognormal, median 25 minutes, a long tail, 2 min to 8 h."""
    low, high = BREAKDOWN_BOUNDS_MINUTES
    value = rng.lognormvariate(math.log(BREAKDOWN_MEDIAN_MINUTES), BREAKDOWN_SIGMA)
    return min(max(value, low), high)


# --- one park-day -------------------------------------------------------------------------------

_OP, _IDLE, _FAULT = 0, 1, 2  # segment kinds: operating with waits, operating without, broken


@dataclass
class _DayPlan:
    """What happens at a park on one local date. Segments are (first, end, kind) in global cycle
    indices (end exclusive) and may run past local midnight (a late close, a night test run)."""

    day: date
    closed: bool
    window: tuple[datetime, datetime] | None = None  # opening hours, naive UTC
    segments: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)  # by ride_id
    wait_scale: dict[int, list[float]] = field(default_factory=dict)  # by ride_id, per local hour
    peak_hour: float = 14.0
    spread_hours: float = 3.0


@dataclass
class ParkDay:
    park_id: int
    day: date
    cycles: list[Cycle]
    missed: int
    schedules: list[ScheduleRecord]


class Simulation:
    """The period [start, start + count × interval) of cycles for every park of a catalogue."""

    def __init__(self, catalogue: Catalogue, seed: int, end: datetime, days: int,
                 interval_minutes: int) -> None:
        self.catalogue = catalogue
        self.seed = seed
        self.interval = interval_minutes
        # Both ends are cycles: --end is the last cycle (as a mirror of production taken at
        # 08:05 ends with the 08:00 cycle), and the first is ``days`` before it.
        self.count = days * 24 * 60 // interval_minutes + 1
        self.end = end
        self.start = end - timedelta(minutes=(self.count - 1) * interval_minutes)
        self._pending: dict[int, dict[int, list[tuple[int, int, int]]]] = {}
        self._first_day: dict[int, date] = {}
        self._last_day: dict[int, date] = {}
        last_cycle = self.start + timedelta(minutes=(self.count - 1) * interval_minutes)
        for park in catalogue.parks:
            first = local_date_of(self.start, park.zone)
            last = local_date_of(last_cycle, park.zone)
            self._first_day[park.park_id], self._last_day[park.park_id] = first, last
            for entry in park.entries:
                entry.refurb_days = _refurb_days(seed, entry, first, last)

    @property
    def day_count(self) -> int:
        """Simulated days: the most local dates any park's share of the period touches."""
        return max((self._last_day[p] - self._first_day[p]).days + 1 for p in self._first_day)

    def local_date(self, park: _Park, k: int) -> date | None:
        day = self._first_day[park.park_id] + timedelta(days=k)
        return day if day <= self._last_day[park.park_id] else None

    # -- time arithmetic

    def _index(self, minutes: float) -> int:
        """The first cycle at or after ``minutes`` past the start of the period."""
        return math.ceil(minutes / self.interval - 1e-9)

    def _minutes(self, instant: datetime) -> float:
        return (instant - self.start).total_seconds() / 60

    def _utc(self, park: _Park, day: date, local_hour: float) -> datetime:
        wall = datetime(day.year, day.month, day.day) + timedelta(hours=local_hour)
        return wall.replace(tzinfo=park.zone).astimezone(UTC).replace(tzinfo=None)

    # -- planning

    def plan(self, park: _Park, day: date) -> _DayPlan:
        if _closed_all_day(self.seed, park, day):
            return _DayPlan(day, closed=True)
        rng = random.Random(f"{self.seed}:day:{park.park_id}:{day}")
        template = park.template
        opening, closing = template.hours
        weekday = day.weekday()
        if weekday in template.late_close and not _closed_all_day(
                self.seed, park, day + timedelta(days=1)):
            closing = 25.0
        elif weekday in (4, 5) and closing <= 22:
            closing += 1  # Friday and Saturday evenings run an hour longer
        closing += rng.choice((0, 0, 0, 0.5))
        closing = min(closing, 25.0)
        open_utc = self._utc(park, day, opening)
        close_utc = self._utc(park, day, closing)
        plan = _DayPlan(day, closed=False, window=(open_utc, close_utc),
                        peak_hour=opening + 0.45 * (closing - opening),
                        spread_hours=max(2.0, (closing - opening) / 3.5))
        open_m, close_m = self._minutes(open_utc), self._minutes(close_utc)
        crowd = (1.25 if weekday >= 5 else 1.1 if weekday == 4 else 1.0) * rng.uniform(0.85, 1.15)
        weather = None
        if rng.random() < WEATHER_HOLD and close_m - open_m > 180:
            start = rng.uniform(open_m + 60, close_m - 90)
            weather = (start, start + rng.lognormvariate(math.log(35), 0.5))

        index = self._index
        for entry in park.entries:
            ride_id = entry.record.ride_id
            segments: list[tuple[int, int, int]] = []
            if entry.is_attraction:
                tier = entry.record.tier
                ride_open = open_m + rng.uniform(0, 10 if tier == 1 else 30)
                ride_close = close_m - (rng.uniform(0, 25) if tier == 3 else rng.uniform(-3, 10))
                kind = _OP if entry.peak_wait is not None and rng.random() > 0.01 else _IDLE
                segments.append((index(ride_open), index(ride_close), kind))
                if rng.random() < entry.not_opening:
                    segments.append((index(ride_open), index(ride_close), _FAULT))
                else:
                    rate = entry.breakdowns_per_minute
                    at = ride_open + rng.expovariate(rate)
                    while at < ride_close:
                        length = breakdown_minutes(rng)
                        segments.append((index(at), index(min(at + length, ride_close)), _FAULT))
                        at += length + rng.expovariate(rate)
                if weather is not None and entry.kind in ("COASTER", "WATER"):
                    stop = weather[0] + rng.uniform(0, 5)
                    restart = min(weather[1] + rng.uniform(0, 20), ride_close)
                    if stop < restart:
                        segments.append((index(stop), index(restart), _FAULT))
            elif entry.parent is None:  # shows, restaurants, meet-and-greets
                begin = open_m + (0 if entry.kind == "RESTAURANT" else 45)
                finish = close_m + (30 if entry.kind == "RESTAURANT" else -60)
                kind = _OP if entry.peak_wait is not None else _IDLE
                segments.append((index(begin), index(finish), kind))
            if entry.peak_wait is not None:
                scale = entry.peak_wait * crowd / 5
                plan.wait_scale[ride_id] = [scale * rng.uniform(0.8, 1.2) for _ in range(24)]
            plan.segments[ride_id] = segments

        if rng.random() < NIGHT_TEST_RUN:
            candidates = [e for e in park.attractions if day not in e.refurb_days]
            if candidates:
                entry = rng.choice(candidates)
                length = self.interval * rng.randint(1, 3)
                if rng.random() < 0.6 and opening >= 7:  # early morning, before opening
                    at = self._minutes(self._utc(park, day, rng.uniform(4.5, opening - 1.5)))
                else:  # after the last guests have left
                    at = close_m + rng.uniform(60, 150)
                plan.segments[entry.record.ride_id].append(
                    (index(at), index(at + length), _IDLE)
                )
        return plan

    # -- cycles

    def park_day(self, park: _Park, k: int) -> ParkDay | None:
        """The cycles of the ``k``-th local date of ``park`` within the period (None past its
        last one). Must be called with k = 0, 1, 2, ... in order for each park: segments that
        run past local midnight carry over to the next call."""
        day = self.local_date(park, k)
        if day is None:
            return None
        schedules: list[ScheduleRecord] = []
        if k == 0:  # the evening before the period may run past midnight into it
            before = self.plan(park, day - timedelta(days=1))
            self._pending[park.park_id] = before.segments
            if (park.template.schedule and before.window is not None
                    and before.window[1] > self.start):
                schedules.append(ScheduleRecord(park.park_id, before.day, *before.window))
        plan = self.plan(park, day)
        if park.template.schedule and plan.window is not None:
            schedules.append(ScheduleRecord(park.park_id, day, *plan.window))
        day_start, day_end = local_day_bounds(day, park.zone)
        g0 = max(0, self._index(self._minutes(day_start)))
        g1 = min(self.count, self._index(self._minutes(day_end)))
        pending = self._pending.pop(park.park_id, {})
        self._pending[park.park_id] = {
            ride_id: [s for s in segs if s[1] > g1] for ride_id, segs in plan.segments.items()
        }
        if g1 <= g0:
            return ParkDay(park.park_id, day, [], 0, schedules)

        times = [self.start + timedelta(minutes=(g0 + j) * self.interval) for j in range(g1 - g0)]
        columns = self._columns(park, plan, pending, g0, times)
        missed = self._missed(park, day, len(times))
        rows = zip(*(columns[e.record.ride_id] for e in park.entries), strict=True)
        cycles = [
            Cycle(park.park_id, at, obs, SOURCE)
            for at, obs, skip in zip(times, rows, missed, strict=True) if not skip
        ]
        return ParkDay(park.park_id, day, cycles, sum(missed), schedules)

    def _columns(self, park: _Park, plan: _DayPlan, pending: dict[int, list[tuple[int, int, int]]],
                 g0: int, times: list[datetime]) -> dict[int, list[RideObservation]]:
        """Each entry's observation at each cycle of the day: CLOSED unless a segment says
        otherwise; breakdowns drawn over operation; refurbishment and closed days over all."""
        size = len(times)
        g1 = g0 + size
        columns: dict[int, list[RideObservation]] = {}
        if plan.closed:
            for entry in park.entries:
                columns[entry.record.ride_id] = [entry.closed_obs] * size
            return columns
        hours: list[int] = []
        diurnal: list[float] = []
        for at in times:
            local = at.replace(tzinfo=UTC).astimezone(park.zone)
            hour = local.hour + local.minute / 60
            hours.append(local.hour)
            z = (hour - plan.peak_hour) / plan.spread_hours
            diurnal.append(0.25 + 0.75 * math.exp(-z * z))
        for entry in park.entries:
            ride_id = entry.record.ride_id
            if entry.parent is not None:
                continue
            if plan.day in entry.refurb_days:
                columns[ride_id] = [entry.refurb_obs] * size
                continue
            col = [entry.closed_obs] * size
            scale = plan.wait_scale.get(ride_id)
            waits = entry.waits
            for first, stop, kind in (*pending.get(ride_id, ()), *plan.segments[ride_id]):
                a, b = max(first, g0) - g0, min(stop, g1) - g0
                if a >= b:
                    continue
                if kind == _FAULT:
                    col[a:b] = [entry.fault_obs] * (b - a)
                elif kind == _IDLE or scale is None:
                    col[a:b] = [entry.idle_obs] * (b - a)
                else:
                    col[a:b] = [waits[int(scale[hours[j]] * diurnal[j] + 0.5) * 5]
                                for j in range(a, b)]
            columns[ride_id] = col
        for entry in park.entries:
            if entry.parent is not None:
                parent = columns[entry.parent.record.ride_id]
                columns[entry.record.ride_id] = _single_rider(entry, parent)
        return columns

    def _missed(self, park: _Park, day: date, size: int) -> list[bool]:
        rng = random.Random(f"{self.seed}:missed:{park.park_id}:{day}")
        mean_burst = sum(n * w for n, w in MISS_BURSTS)
        start_rate = MISSED_CYCLE_RATE / mean_burst
        missed = [False] * size
        j = 0
        while j < size:
            if rng.random() < start_rate:
                burst = _pick(rng, MISS_BURSTS)
                missed[j:j + burst] = [True] * len(missed[j:j + burst])
                j += burst + 1  # a burst is followed by at least one good cycle
            else:
                j += 1
        return missed


def _single_rider(entry: _Entry, parent: list[RideObservation]) -> list[RideObservation]:
    """A single-rider line follows its ride: same status, about a third of the wait."""
    mapped: dict[RideObservation, RideObservation] = {}
    ride_id = entry.record.ride_id
    out = []
    for obs in parent:
        mine = mapped.get(obs)
        if mine is None:
            wait = None if obs.wait_time is None else 5 * round(obs.wait_time / 15)
            mine = mapped[obs] = RideObservation(ride_id, obs.status, wait)
        out.append(mine)
    return out


# --- the command --------------------------------------------------------------------------------


@dataclass
class SimulationSummary:
    parks: int
    attractions: int
    other_entries: int
    days: int
    end: datetime
    interval_minutes: int
    park_snapshots: int = 0
    cycles_missed: int = 0
    ride_snapshots: int = 0
    dropped_readings: int = 0
    park_days_unchanged: int = 0
    schedules: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        text = (
            f"Simulated {self.parks:,} parks, {self.attractions:,} attractions "
            f"(+{self.other_entries:,} other entries), {self.days} "
            f"{'day' if self.days == 1 else 'days'} ending "
            f"{self.end:%Y-%m-%d %H:%M} UTC: {self.park_snapshots:,} park snapshots "
            f"({self.cycles_missed:,} cycles missed), {self.ride_snapshots:,} ride snapshots "
            f"in {self.seconds:.0f} s"
        )
        if self.park_days_unchanged:
            text += f" ({self.park_days_unchanged:,} park-days were already stored as they are)"
        return text


def parse_end(text: str | None, interval_minutes: int = 5) -> datetime:
    """The end of the simulated period, naive UTC: ``YYYY-MM-DD HH:MM`` (also ISO-8601 with T,
    seconds, ``Z`` or an offset). None gives now, floored to a cycle boundary."""
    if text is None:
        return floor_to_interval(datetime.now(UTC).replace(tzinfo=None), interval_minutes)
    cleaned = text.strip()
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError:
        raise UserError(
            f"--end {text!r} is not a UTC time like '2025-12-05 08:00'"
        ) from None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    if value != floor_to_interval(value, interval_minutes):
        raise UserError(
            f"--end {text!r} is not on a {interval_minutes}-minute cycle boundary "
            f"(e.g. {floor_to_interval(value, interval_minutes):%Y-%m-%d %H:%M})"
        )
    return value


def floor_to_interval(instant: datetime, interval_minutes: int) -> datetime:
    """The cycle boundary at or before ``instant`` (boundaries every ``interval_minutes`` from
    UTC midnight)."""
    midnight = instant.replace(hour=0, minute=0, second=0, microsecond=0)
    step = interval_minutes * 60
    seconds = int((instant - midnight).total_seconds()) // step * step
    return midnight + timedelta(seconds=seconds)


def simulate(
    engine: Engine,
    *,
    parks: int,
    rides: int,
    days: int,
    seed: int,
    end: datetime,
    interval_minutes: int = 5,
) -> SimulationSummary:
    """Fill the database with ``days`` days of cycles every ``interval_minutes``, from
    ``end - days`` to ``end``, both included, through ``ingest_cycles``.

    Each simulated day is one transaction; running the same arguments again changes nothing.
    """
    started = time.monotonic()
    if days < 1:
        raise UserError("--days must be at least 1")
    if not 1 <= interval_minutes <= 60:
        raise UserError(f"the collection interval must be 1 to 60 minutes, not {interval_minutes}")
    aligned = floor_to_interval(end, interval_minutes)
    if aligned != end:
        logger.warning("End %s is not on a %d-minute cycle boundary: using %s",
                       end, interval_minutes, aligned)
    catalogue = build_catalogue(parks, rides, seed)
    sim = Simulation(catalogue, seed, aligned, days, interval_minutes)
    summary = SimulationSummary(
        parks=parks, attractions=catalogue.attraction_count,
        other_entries=catalogue.other_count, days=days, end=aligned,
        interval_minutes=interval_minutes,
    )
    with engine.begin() as conn:
        upsert_parks(conn, catalogue.park_records)
        upsert_rides(conn, catalogue.ride_records)
    logger.info("Simulating %s parks, %s attractions (+%s other entries), %s to %s UTC, seed %s",
                parks, summary.attractions, summary.other_entries,
                f"{sim.start:%Y-%m-%d %H:%M}", f"{aligned:%Y-%m-%d %H:%M}", seed)

    total_days = sim.day_count
    with ProgressBar(total_days * len(catalogue.parks), "Simulating", "park-days") as progress:
        for k in range(total_days):
            day_started = time.monotonic()
            day = IngestSummary()
            missed = 0
            with engine.begin() as conn:
                for park in catalogue.parks:
                    park_day = sim.park_day(park, k)
                    if park_day is not None:
                        summary.schedules += upsert_schedules(conn, park_day.schedules)
                        day.add(ingest_cycles(conn, park_day.cycles))
                        missed += park_day.missed
                    progress.advance(description=f"Simulating day {k + 1}/{total_days}")
            summary.park_snapshots += day.cycles
            summary.ride_snapshots += day.ride_snapshots
            summary.dropped_readings += day.dropped_readings
            summary.park_days_unchanged += day.park_days_unchanged
            summary.cycles_missed += missed
            # With a bar on the terminal the day lines would tear it: they go to debug then.
            logger.log(
                logging.DEBUG if progress.showing else logging.INFO,
                "Simulated day %d/%d: %s park snapshots (%d missed), %s ride snapshots in %.1f s",
                k + 1, total_days, f"{day.cycles:,}", missed, f"{day.ride_snapshots:,}",
                time.monotonic() - day_started,
            )
    summary.seconds = time.monotonic() - started
    return summary
