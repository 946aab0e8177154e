"""Matching one park (or ride) across the two feeds: stored ids first, an explicit link file
second, then normalised names; for parks, a name only pairs two parks whose time zones agree
(when both feeds give one) and whose coordinates are close (when both give them), so two parks
that share a name in different countries are never taken for one. Pure: what is stored comes
in as plain records."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import TypeVar
from zoneinfo import ZoneInfo

from themepark_tracker import metrics
from themepark_tracker.sources.models import normalise_name, park_key
from themepark_tracker.sources.places import Point, tolerant_distance_km

L = TypeVar("L")
R = TypeVar("R")


@dataclass(frozen=True)
class Stored:
    """A park or ride as stored: our id and the source ids it already carries."""

    our_id: int
    name: str
    queue_times_id: str | None
    themeparks_wiki_id: str | None


@dataclass(frozen=True)
class Pair:
    """One park or ride: what each feed calls it (either may be missing) and how they met."""

    queue_times: object | None
    themeparks_wiki: object | None
    how: str  # "stored ids" | "link file" | "name..." | "queue_times only" | "themeparks_wiki only"
    note: str | None = None  # e.g. a coordinate's sign assumed missing to make the match


@dataclass(frozen=True)
class Place:
    """What park matching reads of a park: its normalised name, its time zone when the feed
    gave a valid one, and its coordinates when usable."""

    key: str
    timezone: str | None
    point: Point | None


#: Instants at which two zone names must give the same UTC offset to count as one zone: the
#: 1st and 15th of every month of two years, so that standard and summer time both agree.
_ZONE_PROBES = [datetime(year, month, day, 12, tzinfo=UTC) for year in (2025, 2026)
                for month in range(1, 13) for day in (1, 15)]


def same_zone(a: str, b: str) -> bool:
    """Two valid IANA names for one clock ("US/Eastern" and "America/New_York"): the feeds spell
    zones differently, and a park keeps its clock whichever name it is given."""
    if a == b:
        return True
    za, zb = ZoneInfo(a), ZoneInfo(b)
    return all(at.astimezone(za).utcoffset() == at.astimezone(zb).utcoffset()
               for at in _ZONE_PROBES)


def place_match(a: Place, b: Place, max_km: float) -> Pair | None:
    """Whether two parks of one name can be one park: not when both time zones are known and
    differ, nor when both positions are known and lie over ``max_km`` apart (a missing minus
    sign tolerated, see places.tolerant_distance_km). The Pair (sides left empty) says how."""
    if not a.key or a.key != b.key:
        return None
    if a.timezone and b.timezone and not same_zone(a.timezone, b.timezone):
        return None
    note = None
    if a.point is not None and b.point is not None:
        km, note = tolerant_distance_km(a.point, b.point)
        if km > max_km:
            return None
    checks = [c for c, ok in (("time zone", bool(a.timezone and b.timezone)),
                              ("distance", a.point is not None and b.point is not None)) if ok]
    how = "name" if not checks else "name, " + " and ".join(checks)
    return Pair(None, None, how, note)


def pair_places(left: Sequence[L], right: Sequence[R], place_left: Callable[[L], Place],
                place_right: Callable[[R], Place], max_km: float
                ) -> tuple[list[Pair], list[L], list[R]]:
    """Pair parks of one name whose places agree (``place_match``), only where each has
    exactly one such counterpart: two Disneyland Parks on one side and one on the other pair
    only if the time zone or distance rules out all but one."""
    places_r = [(b, place_right(b)) for b in right]
    options_l: dict[int, list[tuple[R, Pair]]] = defaultdict(list)
    count_r: dict[int, int] = defaultdict(int)
    for a in left:
        pa = place_left(a)
        for b, pb in places_r:
            if (how := place_match(pa, pb, max_km)) is not None:
                options_l[id(a)].append((b, how))
                count_r[id(b)] += 1
    pairs = [Pair(a, b, how.how, how.note) for a in left
             if len(options_l[id(a)]) == 1
             for b, how in options_l[id(a)] if count_r[id(b)] == 1]
    paired_l = {id(p.queue_times) for p in pairs}
    paired_r = {id(p.themeparks_wiki) for p in pairs}
    return (pairs, [a for a in left if id(a) not in paired_l],
            [b for b in right if id(b) not in paired_r])


def pair_by(
    left: Sequence[L], right: Sequence[R], key_left: Callable[[L], object | None],
    key_right: Callable[[R], object | None],
) -> tuple[list[tuple[L, R]], list[L], list[R]]:
    """Pair items whose key is equal and unique on both sides; the rest stay unpaired."""
    by_left: dict[object, list[L]] = defaultdict(list)
    by_right: dict[object, list[R]] = defaultdict(list)
    for item in left:
        if (k := key_left(item)) is not None:
            by_left[k].append(item)
    for other in right:
        if (k := key_right(other)) is not None:
            by_right[k].append(other)
    pairs = [(by_left[k][0], by_right[k][0]) for k in by_left
             if len(by_left[k]) == 1 and len(by_right.get(k, ())) == 1]
    paired_l = {id(a) for a, _ in pairs}
    paired_r = {id(b) for _, b in pairs}
    return (pairs, [a for a in left if id(a) not in paired_l],
            [b for b in right if id(b) not in paired_r])


def match(
    queue_times: Sequence[L], wiki: Sequence[R], *, qt_id: Callable[[L], str],
    wiki_id: Callable[[R], str],
    keys: Sequence[tuple[Callable[[L], object | None], Callable[[R], object | None]]],
    stored: Iterable[Stored] = (), links: Mapping[str, str] | None = None,
    places: tuple[Callable[[L], Place], Callable[[R], Place], float] | None = None,
) -> list[Pair]:
    """Every item of both feeds once, paired where the two feeds describe the same thing:
    by the pairs of ids already stored, then the link file, then each of ``keys`` in turn
    (a key pairs only items it finds exactly once on each side), then, given ``places``
    (how to read each side's Place, and the farthest two positions of one park may lie
    apart), by name where time zone and distance allow (``pair_places``)."""
    stored_wiki_of_qt: dict[str, str] = {s.queue_times_id: s.themeparks_wiki_id for s in stored
                         if s.queue_times_id and s.themeparks_wiki_id}
    out: list[Pair] = []
    rest_qt: Sequence[L] = queue_times
    rest_wiki: Sequence[R] = wiki
    for how, table in (("stored ids", stored_wiki_of_qt), ("link file", links or {})):
        def linked(item: L, table: Mapping[str, str] = table) -> str | None:
            return table.get(qt_id(item))

        pairs, rest_qt, rest_wiki = pair_by(rest_qt, rest_wiki, linked, wiki_id)
        out += [Pair(a, b, how) for a, b in pairs]
    for key_qt, key_wiki in keys:
        pairs, rest_qt, rest_wiki = pair_by(rest_qt, rest_wiki, key_qt, key_wiki)
        out += [Pair(a, b, "name") for a, b in pairs]
    if places is not None:
        by_place, rest_qt, rest_wiki = pair_places(rest_qt, rest_wiki, *places)
        out += by_place
    out += [Pair(a, None, "queue_times only") for a in rest_qt]
    out += [Pair(None, b, "themeparks_wiki only") for b in rest_wiki]
    return out


# --- the files kept in the repository ------------------------------------------------------------


@dataclass(frozen=True)
class TierOverride:
    tier: int | None
    category: str | None


def _data_file(name: str) -> list[dict[str, str]]:
    text = resources.files("themepark_tracker.sources").joinpath("data", name).read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return list(csv.DictReader(lines))


def load_tier_overrides(rows: Iterable[Mapping[str, str]] | None = None
                        ) -> dict[tuple[str, str], TierOverride]:
    """ride_tiers.csv: ``park,ride,tier,category`` keyed by normalised park and ride names, so
    one line covers the ride whichever feed names it. Bad lines raise ValueError naming them."""
    out = {}
    for n, row in enumerate(_data_file("ride_tiers.csv") if rows is None else rows, start=2):
        tier_text = (row.get("tier") or "").strip()
        category = (row.get("category") or "").strip().upper() or None
        if tier_text and tier_text not in {"1", "2", "3"}:
            raise ValueError(f"ride_tiers.csv line {n}: tier must be 1, 2 or 3, got {tier_text!r}")
        if category is not None and category not in metrics.RIDE_CATEGORIES:
            raise ValueError(f"ride_tiers.csv line {n}: unknown category {category!r}")
        key = (park_key(row.get("park") or ""), normalise_name(row.get("ride") or ""))
        out[key] = TierOverride(int(tier_text) if tier_text else None, category)
    return out


def load_park_links(rows: Iterable[Mapping[str, str]] | None = None) -> dict[str, str]:
    """park_links.csv: ``queue_times_id,themeparks_wiki_id`` for parks whose names differ too
    much to be matched by name."""
    return {
        row["queue_times_id"].strip(): row["themeparks_wiki_id"].strip()
        for row in (_data_file("park_links.csv") if rows is None else rows)
        if (row.get("queue_times_id") or "").strip()
        and (row.get("themeparks_wiki_id") or "").strip()
    }
