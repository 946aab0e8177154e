"""``themepark collect --catalog``: parks and rides from both feeds, matched across them,
categorised (SPEC §1) and tiered, upserted through ingest.catalog."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy import Connection, Engine, select

from themepark_tracker import metrics
from themepark_tracker.collect import catalog_checks as checks
from themepark_tracker.collect.catalog_plan import (
    NEW_ID,
    ParkPlan,
    allocate_ids,
    keep_rides_in_one_park,
)
from themepark_tracker.collect.fetching import fetch_all
from themepark_tracker.config import Settings
from themepark_tracker.db import tables as t
from themepark_tracker.db.lock import job_lock
from themepark_tracker.errors import UserError
from themepark_tracker.ingest.catalog import upsert_parks, upsert_rides
from themepark_tracker.ingest.models import ParkRecord, RideRecord
from themepark_tracker.ingest.quality import CatalogIssueRow, record_catalog_issues
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
from themepark_tracker.timeutil import utcnow

logger = logging.getLogger(__name__)

#: How long a sync waits for another one (``run``'s daily refresh, a cron job) to finish
#: before it gives up with ``LockHeld``; a sync takes seconds to a few minutes.
CATALOG_LOCK_WAIT = timedelta(minutes=5)


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
    skipped_parks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    issues: int = 0  # data_quality_issues rows recorded

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
        if self.issues:
            lines.append(f"Recorded {self.issues} data-quality issue(s) (CATALOG_*)")
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
        # Listed but unreadable: still matched by name, taking Queue-Times' time zone.
        parks += [wiki.listed_park(*d) for d in destinations if d in lost]
        rides.update({(THEMEPARKS_WIKI, pid): r for pid, r in children.items()})
    if not parks:
        raise UserError("neither feed returned any park:\n" + "\n".join(report.problems))
    return _Fetched(parks, rides)


@dataclass
class _Stored:
    parks: list[Stored]
    rides: dict[int, list[Stored]]  # park id -> its rides
    tiers: dict[int, int]  # ride id -> tier, where one is stored


def _stored(engine: Engine) -> _Stored:
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
    return _Stored(parks, rides, tiers)


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
    """Fetch both catalogues, match, categorise, tier, and upsert parks and rides.

    Two syncs never overlap (the job lock "catalog"): this one waits up to
    ``CATALOG_LOCK_WAIT`` for another to finish, then raises ``LockHeld`` (the CLI prints it
    and exits 1). New parks and rides get ids above the highest stored ones, read in the
    transaction that inserts them."""
    with job_lock(engine, "catalog", wait=CATALOG_LOCK_WAIT):
        return _sync(engine, settings)


def _sync(engine: Engine, settings: Settings) -> CatalogReport:
    report = CatalogReport()
    overrides = load_tier_overrides()
    fetched = _fetch(settings, report)
    for park in fetched.parks:
        report.parks_by_source[park.source] = report.parks_by_source.get(park.source, 0) + 1
    stored = _stored(engine)
    pairs = match(
        [p for p in fetched.parks if p.source == QUEUE_TIMES],
        [p for p in fetched.parks if p.source == THEMEPARKS_WIKI],
        qt_id=lambda p: p.source_id, wiki_id=lambda p: p.source_id, keys=[],
        stored=stored.parks, links=load_park_links(),
        # Name, then time zone and distance where both feeds give them: "Disneyland Park" is
        # in Anaheim and in Paris.
        places=(checks.place, checks.place, float(settings.park_match_max_km)),
    )
    pairs = _split_conflicts(pairs, stored.parks, report.problems, "park")
    clashes = checks.name_clashes(pairs)
    plans, skipped = [], []
    for n, pair in enumerate(pairs):
        plan = _plan_park(pair, fetched, stored, overrides, report)
        if plan is None:
            skipped += _skipped(pair, report)
            continue
        plan.issues += clashes.get(n, [])
        plans.append(plan)
    keep_rides_in_one_park(plans)
    with engine.begin() as conn:
        park_records, ride_records = allocate_ids(conn, plans)
        upsert_parks(conn, park_records)
        upsert_rides(conn, ride_records)
        report.issues = _record_issues(conn, plans, park_records, skipped)
    report.parks_written, report.rides_written = len(park_records), len(ride_records)
    logger.info("Catalogue synced: %d parks, %d rides, %d data-quality issues",
                len(park_records), len(ride_records), report.issues)
    return report


def _skipped(pair: Pair, report: CatalogReport) -> list[checks.CatalogIssue]:
    """A park no feed gives a usable time zone for: not stored (a stored one is left as it
    is), said in the report and recorded."""
    issues = []
    for park in (p for p in checks.sides(pair) if p is not None):
        line = (f"{checks.describe(park)} has no usable time zone ({park.timezone!r}); left out"
                + "".join(f" ({note})" for note in park.notes))
        report.problems.append(line)
        report.skipped_parks.append(f"{park.name} ({park.source} {park.source_id})")
        issues.append(checks.CatalogIssue(checks.SKIPPED, park.source, line))
    checks.log_issues(issues)
    return issues


def _record_issues(conn: Connection, plans: Sequence[ParkPlan], parks: Sequence[ParkRecord],
                   skipped: Sequence[checks.CatalogIssue]) -> int:
    """The sync's findings as data_quality_issues rows at the sync's instant (replacing the
    previous sync's): per stored park, and under ``NO_PARK`` for the parks left out."""
    now = utcnow()
    rows = [CatalogIssueRow(park.park_id, i.issue_type, i.source, i.detail)
            for plan, park in zip(plans, parks, strict=True) for i in plan.issues]
    rows += [CatalogIssueRow(checks.NO_PARK, i.issue_type, i.source, i.detail) for i in skipped]
    record_catalog_issues(conn, now, rows)
    return len(rows)


def _plan_park(pair: Pair, fetched: _Fetched, stored: _Stored,
               overrides: dict[tuple[str, str], TierOverride], report: CatalogReport
               ) -> ParkPlan | None:
    """The park and its rides as they will be stored; None when no feed gives it a usable
    time zone (``_skipped`` says so)."""
    q, w = checks.sides(pair)
    zone, issues = checks.park_zone(pair)
    if zone is None:
        return None
    issues += checks.entry_issues(pair)
    checks.log_issues(issues)
    if q and w:
        report.park_matches[pair.how] = report.park_matches.get(pair.how, 0) + 1
    else:
        only = q or w
        assert only is not None
        report.unmatched_parks.append(f"{only.name} ({only.source} {only.source_id})")
    before = _existing(pair, stored.parks)
    if before is None:
        report.parks_new += 1
    park = replace(_park_record(q, w, NEW_ID if before is None else before.our_id),
                   timezone=zone)
    stored_rides = stored.rides.get(park.park_id, []) if before is not None else []
    ride_pairs = match(
        fetched.rides.get((QUEUE_TIMES, q.source_id), []) if q else [],
        fetched.rides.get((THEMEPARKS_WIKI, w.source_id), []) if w else [],
        qt_id=lambda r: r.source_id, wiki_id=lambda r: r.source_id,
        keys=[(_ride_key, _ride_key)], stored=stored_rides,
    )
    ride_pairs = _split_conflicts(ride_pairs, stored_rides, report.problems, "ride")
    if q and w:  # rides one feed lists in a park both feeds know
        report.unmatched_rides += [
            f"{park.name}: {one.name} ({one.source})" for rp in ride_pairs
            if (one := _only(rp)) is not None]
    park_names = {park_key(p.raw_name) for p in (q, w) if p}
    rides = [_ride_record(rp, park.park_id, stored_rides, stored.tiers,
                          _override(overrides, park_names, _ride_names(rp)), report)
             for rp in ride_pairs]
    return ParkPlan(park, rides, issues)


def _park_record(q: SourcePark | None, w: SourcePark | None, park_id: int) -> ParkRecord:
    """One park from what either feed says (ThemeParks.wiki first, Queue-Times to fill in)."""
    main = w or q
    assert main is not None
    disney, universal = _flags(q.operator if q else None, w.operator if w else None, main.name)
    return ParkRecord(
        park_id=park_id, name=main.name, timezone=main.timezone,
        operator=(q.operator if q else None) or (w.operator if w else None),
        country=q.country if q else None, is_disney=disney, is_universal=universal,
        queue_times_id=int(q.source_id) if q else None,
        themeparks_wiki_id=w.source_id if w else None,
        latitude=main.latitude if main.latitude is not None else (q.latitude if q else None),
        longitude=main.longitude if main.longitude is not None else (q.longitude if q else None),
    )


def _sides(rp: Pair) -> tuple[SourceRide | None, SourceRide | None]:
    return (rp.queue_times if isinstance(rp.queue_times, SourceRide) else None,
            rp.themeparks_wiki if isinstance(rp.themeparks_wiki, SourceRide) else None)


def _only(rp: Pair) -> SourceRide | None:
    """The ride when one feed only lists it, else None."""
    rq, rw = _sides(rp)
    return None if rq and rw else (rq or rw)


def _ride_names(rp: Pair) -> set[str]:
    return {normalise_name(r.raw_name) for r in _sides(rp) if r}


def _ride_record(rp: Pair, park_id: int, stored_rides: Sequence[Stored],
                 stored_tiers: dict[int, int], override: TierOverride | None,
                 report: CatalogReport) -> RideRecord:
    """One ride; its tier and category from ride_tiers.csv, else the stored tier, else
    unclassified (``metrics.UNCLASSIFIED_TIER``), and the feed's category."""
    rq, rw = _sides(rp)
    ride = rw or rq
    assert ride is not None
    old = _existing(rp, stored_rides)
    if old is None:
        report.rides_new += 1
    ride_id = NEW_ID if old is None else old.our_id
    category = override.category if override and override.category else ride.category
    tier = (override.tier if override and override.tier is not None
            else stored_tiers.get(ride_id, metrics.UNCLASSIFIED_TIER))
    report.rides_by_category[category] = report.rides_by_category.get(category, 0) + 1
    return RideRecord(
        ride_id=ride_id, park_id=park_id, name=ride.name, tier=tier, category=category,
        queue_times_id=int(rq.source_id) if rq else None,
        themeparks_wiki_id=rw.source_id if rw else None,
    )


def _override(overrides: dict[tuple[str, str], TierOverride], parks: set[str], rides: set[str]
              ) -> TierOverride | None:
    for p in parks:
        for r in rides:
            if (p, r) in overrides:
                return overrides[(p, r)]
    return None
