"""The simulated world's fixed inputs: the tunable rates and mixes (with why they have the values
they have), the park templates (real parks, their zones, hours and headline rides) and the tables
that name made-up parks and rides. Data only: nothing here draws a random number.
"""

from __future__ import annotations

from typing import NamedTuple

#: Production misses about 1 park cycle in 60 (11.8 snapshots per park-hour instead of 12).
#: Misses come alone or in short bursts (lengths 1, 2, 3 with these weights), never a whole hour.
MISSED_CYCLE_RATE = 1 / 60
MISS_BURSTS = ((1, 0.8), (2, 0.15), (3, 0.05))

#: How long one breakdown lasts (minutes of opening hours), per park a mixture of lognormals,
#: each row (weight range, median range, sigma): many 5-20 minute stops (the first row takes
#: the weight the others leave, ~55-75 %), a share of half-hour to hour-long fixes, and a tail
#: of multi-hour ones, some still down at closing. Each park draws its weights and medians
#: from the ranges (``law.park_law``), so parks differ; the sigmas are shared.
BREAKDOWN_MIXTURE = (
    ((0.0, 0.0), (8.0, 13.0), 0.45),
    ((0.18, 0.32), (25.0, 50.0), 0.55),
    ((0.04, 0.12), (100.0, 240.0), 0.7),
)

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
