"""``themepark collect --catalog``: parks and rides from both feeds, matched across them,
categorised (SPEC §1) and tiered, upserted through ingest.catalog."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine, func, select

from themepark_tracker.collect.fetching import fetch_all
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t
from themepark_tracker.errors import UserError
from themepark_tracker.ingest.catalog import upsert_parks, upsert_rides
from themepark_tracker.ingest.models import ParkRecord, RideRecord
from themepark_tracker.sources import queue_times as qt
from themepark_tracker.sources import themeparks_wiki as wiki
from themepark_tracker.sources.http import HttpClient
from themepark_tracker.sources.matching import (
    Pair,
    Stored,
    TierOverride,
    load_park_links,
    load_tier_overrides,
    match,
)
from themepark_tracker.sources.models import (
    QUEUE_TIMES,
    THEMEPARKS_WIKI,
    SourcePark,
    SourceRide,
    normalise_name,
    park_key,
)

logger = logging.getLogger(__name__)

DEFAULT_TIER = 2  # SPEC §1: a new ride is tier 2 until ride_tiers.csv says otherwise


@dataclass
class CatalogReport:
    parks_by_source: dict[str, int] = field(default_factory=dict)
    park_matches: dict[str, int] = field(default_factory=dict)
    parks_written: int = 0
    parks_new: int = 0
    rides_written: int = 0
    rides_new: int = 0
    rides_by_category: dict[str, int] = field(default_factory=dict)
    unmatched_parks: list[str] = field(default_factory=list)
    unmatched_rides: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [
            "Catalogue: " + ", ".join(f"{n} parks from {s}"
                                      for s, n in sorted(self.parks_by_source.items())),
            "Parks matched across the feeds: " + (", ".join(
                f"{n} by {how}" for how, n in sorted(self.park_matches.items())) or "none"),
            f"Stored {self.parks_written} parks ({self.parks_new} new) and "
            f"{self.rides_written} rides ({self.rides_new} new): " + ", ".join(
                f"{n} {c.lower()}" for c, n in sorted(self.rides_by_category.items())),
        ]
        if self.unmatched_parks:
            lines.append(f"Parks in one feed only ({len(self.unmatched_parks)}): "
                         + "; ".join(self.unmatched_parks))
        if self.unmatched_rides:
            lines.append(f"Rides in one feed only, in parks both feeds know "
                         f"({len(self.unmatched_rides)}): " + "; ".join(self.unmatched_rides))
        lines += [f"Problem: {p}" for p in self.problems]
        return "\n".join(lines)


@dataclass
class _Fetched:
    parks: list[SourcePark]
    rides: dict[tuple[str, str], list[SourceRide]]  # (source, park source id) -> rides


def _fetch(settings: Settings, report: CatalogReport) -> _Fetched:
    parks: list[SourcePark] = []
    rides: dict[tuple[str, str], list[SourceRide]] = {}
    workers = settings.http_concurrency
    with HttpClient(settings) as client:
        qt_base, wiki_base = settings.queue_times_base_url, settings.themeparks_wiki_base_url
        try:
            qt_parks = qt.fetch_parks(client, qt_base)
        except UserError as exc:
            report.problems.append(str(exc))
            qt_parks = []
        got, failed = fetch_all([p.source_id for p in qt_parks],
                                lambda pid: qt.fetch_rides(client, qt_base, pid), workers)
        parks += qt_parks
        rides.update({(QUEUE_TIMES, pid): r for pid, r in got.items()})
        report.problems += [f"Queue-Times park {pid}: {msg}" for pid, msg in failed.items()]


        destinations: list[tuple[str, str, str]] = []
        try:
            destinations = wiki.fetch_destinations(client, wiki_base)
        except UserError as exc:
            report.problems.append(str(exc))
        entities, lost = fetch_all(
            destinations, lambda d: wiki.fetch_park(client, wiki_base, d[0], d[2]), workers)
        report.problems += [f"ThemeParks.wiki park {d[1]} ({d[0]}): {msg}"
                            for d, msg in lost.items()]
        children, failed = fetch_all([p.source_id for p in entities.values()],
                                     lambda pid: wiki.fetch_children(client, wiki_base, pid),
                                     workers)
        report.problems += [f"ThemeParks.wiki park {pid} children: {msg}"
                            for pid, msg in failed.items()]
        parks += entities.values()
        rides.update({(THEMEPARKS_WIKI, pid): r for pid, r in children.items()})
    if not parks:
        raise UserError("neither feed returned any park:\n" + "\n".join(report.problems))
    return _Fetched(parks, rides)


def _usable(parks: Sequence[SourcePark], report: CatalogReport) -> list[SourcePark]:
    out = []
    for park in parks:
        try:
            ZoneInfo(park.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            report.problems.append(f"{park.source} park {park.name!r} ({park.source_id}) has "
                                   f"no usable time zone ({park.timezone!r}); left out")
            continue
        out.append(park)
    return out


def _stored(engine: Engine) -> tuple[list[Stored], dict[int, list[Stored]], dict[int, int],
                                     int, int]:
    with engine.connect() as conn:
        parks = [Stored(r.park_id, r.name, _text(r.queue_times_id), r.themeparks_wiki_id)
                 for r in conn.execute(select(t.parks.c.park_id, t.parks.c.name,
                                              t.parks.c.queue_times_id,
                                              t.parks.c.themeparks_wiki_id))]
        rides: dict[int, list[Stored]] = defaultdict(list)
        tiers: dict[int, int] = {}
        for r in conn.execute(select(t.rides.c.ride_id, t.rides.c.park_id, t.rides.c.name,
                                     t.rides.c.tier, t.rides.c.queue_times_id,
                                     t.rides.c.themeparks_wiki_id)):
            rides[r.park_id].append(Stored(r.ride_id, r.name, _text(r.queue_times_id),
                                           r.themeparks_wiki_id))
            if r.tier is not None:
                tiers[r.ride_id] = r.tier
        max_park = conn.scalar(select(func.max(t.parks.c.park_id))) or 0
        max_ride = conn.scalar(select(func.max(t.rides.c.ride_id))) or 0
    return parks, rides, tiers, int(max_park), int(max_ride)


def _park_key_tz(park: SourcePark) -> tuple[str, str]:
    return park_key(park.raw_name), park.timezone


def _park_name_key(park: SourcePark) -> str:
    return park_key(park.raw_name)


def _ride_key(ride: SourceRide) -> str:
    return normalise_name(ride.raw_name)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _flags(*names: str | None) -> tuple[bool, bool]:
    text = " ".join(n for n in names if n).lower()
    return "disney" in text, "universal" in text


def _split_conflicts(pairs: list[Pair], stored: Sequence[Stored], report: list[str],
                     what: str) -> list[Pair]:
    """A pair whose two sides are already stored as two different rows stays two rows: merging
    them would need their history merged too. Reported, so someone can decide."""
    by_qt = {s.queue_times_id: s for s in stored if s.queue_times_id}
    by_wiki = {s.themeparks_wiki_id: s for s in stored if s.themeparks_wiki_id}
    out = []
    for pair in pairs:
        q, w = pair.queue_times, pair.themeparks_wiki
        if isinstance(q, SourcePark | SourceRide) and isinstance(w, SourcePark | SourceRide):
            a, b = by_qt.get(q.source_id), by_wiki.get(w.source_id)
            if a is not None and b is not None and a.our_id != b.our_id:
                report.append(f"{what} {q.name!r} ({a.our_id}) and {w.name!r} ({b.our_id}) "
                              "look like one but are stored apart; left apart")
                out += [Pair(q, None, "queue_times only"), Pair(None, w, "themeparks_wiki only")]
                continue
        out.append(pair)
    return out


def _existing(pair: Pair, stored: Sequence[Stored]) -> Stored | None:
    qt_id = pair.queue_times.source_id if isinstance(pair.queue_times, SourcePark | SourceRide) \
        else None
    wiki_id = pair.themeparks_wiki.source_id \
        if isinstance(pair.themeparks_wiki, SourcePark | SourceRide) else None
    for s in stored:
        if (qt_id is not None and s.queue_times_id == qt_id) or (
                wiki_id is not None and s.themeparks_wiki_id == wiki_id):
            return s
    return None


def sync_catalog(engine: Engine, settings: Settings) -> CatalogReport:
    """Fetch both catalogues, match, categorise, tier, and upsert parks and rides."""
    report = CatalogReport()
    overrides = load_tier_overrides()
    fetched = _fetch(settings, report)
    parks = _usable(fetched.parks, report)
    for park in parks:
        report.parks_by_source[park.source] = report.parks_by_source.get(park.source, 0) + 1
    stored_parks, stored_rides, stored_tiers, next_park, next_ride = _stored(engine)
    pairs = match(
        [p for p in parks if p.source == QUEUE_TIMES],
        [p for p in parks if p.source == THEMEPARKS_WIKI],
        qt_id=lambda p: p.source_id, wiki_id=lambda p: p.source_id,
        # Name and time zone first: "Disneyland Park" is in Anaheim and in Paris.
        keys=[(_park_key_tz, _park_key_tz), (_park_name_key, _park_name_key)],
        stored=stored_parks, links=load_park_links(),
    )
    pairs = _split_conflicts(pairs, stored_parks, report.problems, "park")
    park_records: list[ParkRecord] = []
    ride_records: list[RideRecord] = []
    for pair in pairs:
        q = pair.queue_times if isinstance(pair.queue_times, SourcePark) else None
        w = pair.themeparks_wiki if isinstance(pair.themeparks_wiki, SourcePark) else None
        if q and w:
            report.park_matches[pair.how] = report.park_matches.get(pair.how, 0) + 1
        else:
            only = q or w
            assert only is not None
            report.unmatched_parks.append(f"{only.name} ({only.source} {only.source_id})")
        before = _existing(pair, stored_parks)
        if before is None:
            next_park += 1
            park_id = next_park
            report.parks_new += 1
        else:
            park_id = before.our_id
        main = w or q
        assert main is not None
        disney, universal = _flags(q.operator if q else None, w.operator if w else None,
                                   main.name)
        park_records.append(ParkRecord(
            park_id=park_id, name=main.name, timezone=main.timezone,
            operator=(q.operator if q else None) or (w.operator if w else None),
            country=q.country if q else None, is_disney=disney, is_universal=universal,
            queue_times_id=int(q.source_id) if q else None,
            themeparks_wiki_id=w.source_id if w else None,
            latitude=main.latitude if main.latitude is not None else (q.latitude if q else None),
            longitude=main.longitude if main.longitude is not None
            else (q.longitude if q else None),
        ))
        names = {park_key(p.raw_name) for p in (q, w) if p}
        ride_pairs = match(
            fetched.rides.get((QUEUE_TIMES, q.source_id), []) if q else [],
            fetched.rides.get((THEMEPARKS_WIKI, w.source_id), []) if w else [],
            qt_id=lambda r: r.source_id, wiki_id=lambda r: r.source_id,
            keys=[(_ride_key, _ride_key)],
            stored=stored_rides.get(park_id, []),
        )
        ride_pairs = _split_conflicts(ride_pairs, stored_rides.get(park_id, []),
                                      report.problems, "ride")
        for rp in ride_pairs:
            rq = rp.queue_times if isinstance(rp.queue_times, SourceRide) else None
            rw = rp.themeparks_wiki if isinstance(rp.themeparks_wiki, SourceRide) else None
            if q and w and not (rq and rw):
                one = rq or rw
                assert one is not None
                report.unmatched_rides.append(f"{main.name}: {one.name} ({one.source})")
            old = _existing(rp, stored_rides.get(park_id, []))
            if old is None:
                next_ride += 1
                ride_id = next_ride
                report.rides_new += 1
            else:
                ride_id = old.our_id
            ride = rw or rq
            assert ride is not None
            override = _override(overrides, names,
                                 {normalise_name(r.raw_name) for r in (rq, rw) if r})
            category = (override.category if override and override.category else ride.category)
            tier = (override.tier if override and override.tier is not None
                    else stored_tiers.get(ride_id, DEFAULT_TIER))
            ride_records.append(RideRecord(
                ride_id=ride_id, park_id=park_id, name=ride.name, tier=tier, category=category,
                queue_times_id=int(rq.source_id) if rq else None,
                themeparks_wiki_id=rw.source_id if rw else None,
            ))
            report.rides_by_category[category] = report.rides_by_category.get(category, 0) + 1
    with engine.begin() as conn:
        upsert_parks(conn, park_records)
        upsert_rides(conn, ride_records)
    report.parks_written, report.rides_written = len(park_records), len(ride_records)
    logger.info("Catalogue synced: %d parks, %d rides", len(park_records), len(ride_records))
    return report


def _override(overrides: dict[tuple[str, str], TierOverride], parks: set[str], rides: set[str]
              ) -> TierOverride | None:
    for p in parks:
        for r in rides:
            if (p, r) in overrides:
                return overrides[(p, r)]
    return None
