"""What the sources parse upstream payloads into, before any id of ours is attached.

Source ids are kept as text (Queue-Times' are numbers, ThemeParks.wiki's are UUIDs); times are
naive UTC with whole seconds, like everything else in the project.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from themepark_tracker import metrics

QUEUE_TIMES = "queue_times"
THEMEPARKS_WIKI = "themeparks_wiki"


@dataclass(frozen=True, slots=True)
class SourcePark:
    source: str
    source_id: str
    name: str
    timezone: str
    operator: str | None = None  # Queue-Times' group, ThemeParks.wiki's destination
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    raw_name: str = ""  # as the feed spells it, for matching; ``name`` is for display
    #: What the parser could not use in this park's entry (a coordinate that is not a number,
    #: say), for the sync to log and record as a data-quality issue.
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.raw_name:
            object.__setattr__(self, "raw_name", self.name)


@dataclass(frozen=True, slots=True)
class SourceWindow:
    """One OPERATING window of a park's schedule: its local date and UTC opening and closing."""
    local_date: date
    opening_time_utc: datetime
    closing_time_utc: datetime


@dataclass(frozen=True, slots=True)
class SourceRide:
    source: str
    source_id: str
    park_source_id: str
    name: str
    category: str  # one of metrics.RIDE_CATEGORIES
    raw_name: str = ""  # as the feed spells it, for matching; ``name`` is for display

    def __post_init__(self) -> None:
        if not self.raw_name:
            object.__setattr__(self, "raw_name", self.name)


@dataclass(frozen=True, slots=True)
class LiveReading:
    source_id: str
    status: str  # one of metrics.STATUSES
    wait_time: int | None


@dataclass(frozen=True, slots=True)
class LiveAnswer:
    """One park's live answer: its readings, and the newest upstream update time among all the
    entities of the answer (rides, shows, the park itself...), which says whether the feed is
    current (SPEC §1: staleness is judged per park feed). None when no entity gave a time."""
    readings: list[LiveReading]
    newest_update: datetime | None


def newest(instants: Iterable[datetime | None]) -> datetime | None:
    """The latest of ``instants``, ignoring the missing ones; None when none is given."""
    return max((i for i in instants if i is not None), default=None)


# --- helpers shared by both parsers ---------------------------------------------------------------

_SINGLE_RIDER = re.compile(r"\bsingle[\s-]*riders?\b", re.IGNORECASE)
_MEET = re.compile(r"\b(meet(\s*(and|&|-n-|'n')\s*greet)?\b|character greeting)", re.IGNORECASE)
_MARKS = str.maketrans("", "", "™®©℠")
_NOISE = re.compile(r"[^a-z0-9 ]+")
#: Words one feed puts in a park's name and the other leaves out.
#: Words park names carry or drop between the feeds ("Disney's Hollywood Studios" and "Disney
#: Hollywood Studios"; "Universal's Volcano Bay" and "Universal Volcano Bay", "Universals Epic
#: Universe"): left out of the key a name is matched by. The time zone and distance checks of
#: the matching keep two different parks of one key apart.
PARK_NAME_NOISE = frozenset({"the", "park", "theme", "disney", "disneys", "resort", "at",
                             "universal", "universals"})


def categorise(name: str, upstream_category: str = metrics.ATTRACTION) -> str:
    """SPEC §1: single-rider lines and meet-and-greets are listed as rides by the feeds; they
    are told apart by name. ``upstream_category`` is the feed's own (ThemeParks.wiki's
    entityType), already mapped; Queue-Times has none, so everything starts as ATTRACTION."""
    if _SINGLE_RIDER.search(name):
        return "SINGLE_RIDER"
    if _MEET.search(name) and upstream_category in (metrics.ATTRACTION, "SHOW"):
        return "MEET_AND_GREET"
    return upstream_category


def normalise_name(name: str, drop: frozenset[str] = frozenset()) -> str:
    """Lower case, no accents, trademarks or punctuation, single spaces; ``drop`` words left out.
    "Peter Pan’s Flight™" and "Peter Pan's Flight" both become "peter pans flight"."""
    text = unicodedata.normalize("NFKD", name.translate(_MARKS))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("&", " and ").replace("’", "").replace("'", "")
    words = _NOISE.sub(" ", text).split()
    return " ".join(w for w in words if w not in drop)


def park_key(name: str) -> str:
    return normalise_name(name, PARK_NAME_NOISE)


def parse_feed_instant(value: object) -> datetime | None:
    """An ISO-8601 instant ("2025-12-05T07:01:02.123Z", "...+01:00", "...Z") as naive UTC with
    whole seconds; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.replace(microsecond=0)


def optional_wait(value: object) -> int | None:
    """A wait in minutes; None when the feed gives none (null, absent, negative, not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if value >= 0 else None
