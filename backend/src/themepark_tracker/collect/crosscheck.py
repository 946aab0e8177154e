"""``themepark crosscheck --date D``: our downtime per attraction beside ThemeParks.wiki's own
published daily figures (``downMinutes``, ``operatingMinutes``), for every park that has a
ThemeParks.wiki id. Read-only: their figures are fetched, printed in columns named after them,
and never stored, summed into ours, or shown in place of ours (a ride we have no figure for
shows a dash, not theirs)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from themepark_tracker.collect.fetching import fetch_all
from themepark_tracker.config import Settings
from themepark_tracker.errors import UserError
from themepark_tracker.queries.daily_downtime import OurPark, wiki_parks_downtime
from themepark_tracker.sources.http import HttpClient
from themepark_tracker.sources.wiki_daily import DailyFigure, fetch_daily

logger = logging.getLogger(__name__)

#: The latest local date on Earth is one day ahead of UTC's (UTC+14): a later --date has no
#: figures anywhere yet.
_AHEAD_OF_UTC = timedelta(days=1)
_THEIRS = "ThemeParks.wiki"


@dataclass
class RideLine:
    name: str
    ours: int | None  # our downtime minutes; None: no figure of ours that day
    theirs_down: int | None  # ThemeParks.wiki's downMinutes
    theirs_operating: int | None  # ThemeParks.wiki's operatingMinutes
    tracked: bool = True  # False: ThemeParks.wiki lists it, our catalogue does not

    @property
    def difference(self) -> int | None:
        """Ours minus theirs, where both exist."""
        if self.ours is None or self.theirs_down is None:
            return None
        return self.ours - self.theirs_down


@dataclass
class ParkLine:
    name: str
    wiki_id: str
    rides: list[RideLine] = field(default_factory=list)
    problem: str | None = None  # why ThemeParks.wiki's figures are missing for this park

    def totals(self) -> tuple[int, int, int]:
        """(rides with both figures, our minutes over them, their minutes over them)."""
        both = [r for r in self.rides if r.difference is not None]
        return (len(both), sum(r.ours or 0 for r in both),
                sum(r.theirs_down or 0 for r in both))


@dataclass
class Crosscheck:
    day: date
    parks: list[ParkLine]


def crosscheck(engine: Engine, settings: Settings, day: date, now: datetime) -> Crosscheck:
    """Compare ``day`` (each park's local date) for every park with a ThemeParks.wiki id
    (``now``: naive UTC, to refuse a date that has begun nowhere).
    Raises UserError (one line) for a date with no figures anywhere yet, a catalogue without
    ThemeParks.wiki parks, or when no park's figures could be read (unreachable upstream, an
    answer of an unknown shape)."""
    if day > now.date() + _AHEAD_OF_UTC:
        raise UserError(f"--date {day} has not begun in any park yet: give a past date")
    with engine.connect() as conn:
        ours = wiki_parks_downtime(conn, day, settings.collection_interval_minutes)
    if not ours:
        raise UserError("no park has a ThemeParks.wiki id: run `themepark collect --catalog` "
                        "first")
    base = settings.themeparks_wiki_base_url
    with HttpClient(settings) as client:
        got, failed = fetch_all([p.themeparks_wiki_id for p in ours],
                                lambda wiki_id: fetch_daily(client, base, wiki_id, day),
                                settings.http_concurrency)
    if not got:
        first = next(iter(failed.values()))
        raise UserError(f"{_THEIRS}'s daily summaries could not be read for any of "
                        f"{len(ours)} park(s): {first}")
    for wiki_id, problem in failed.items():
        logger.warning("Cross-check: %s park %s: %s", _THEIRS, wiki_id, problem)
    return Crosscheck(day, [_compare(p, got.get(p.themeparks_wiki_id),
                                     failed.get(p.themeparks_wiki_id)) for p in ours])


def _compare(park: OurPark, figures: list[DailyFigure] | None, problem: str | None
             ) -> ParkLine:
    line = ParkLine(park.name, park.themeparks_wiki_id, problem=problem)
    theirs = {f.entity_id: f for f in figures or [] if f.entity_type == "ATTRACTION"
              and f.entity_id not in park.not_attractions}
    for ride in park.rides:
        figure = theirs.pop(ride.themeparks_wiki_id, None) if ride.themeparks_wiki_id else None
        line.rides.append(RideLine(ride.name, ride.down_minutes,
                                   figure.down_minutes if figure else None,
                                   figure.operating_minutes if figure else None))
    line.rides += [RideLine(f.name, None, f.down_minutes, f.operating_minutes, tracked=False)
                   for f in sorted(theirs.values(), key=lambda f: f.name)]
    return line


def _show(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _park_lines(park: ParkLine) -> list[str]:
    lines = [f"\n{park.name} ({_THEIRS} {park.wiki_id}):"]
    if park.problem:
        return [*lines, f"  no {_THEIRS} figures: {park.problem}"]
    lines.append(f"  {'Attraction':<44} {'ours down':>10} {'TPW down':>9} "
                 f"{'TPW operating':>13} {'ours-TPW':>9}")
    for r in park.rides:
        name = r.name if r.tracked else f"{r.name} (not in our catalogue)"
        lines.append(f"  {name[:44]:<44} {_show(r.ours):>10} {_show(r.theirs_down):>9} "
                     f"{_show(r.theirs_operating):>13} {_show(r.difference):>9}")
    n, ours, theirs = park.totals()
    lines.append(f"  Total over the {n} attraction(s) both have a figure for: ours {ours:,} min, "
                 f"{_THEIRS} {theirs:,} min (ours-TPW {ours - theirs:+,})")
    return lines


def crosscheck_lines(result: Crosscheck, top: int) -> list[str]:
    """The comparison as text: per park its attractions and totals, then the ``top``
    attractions whose minutes differ most."""
    lines = [f"Cross-check of {result.day} (each park's local date), in minutes. 'ours down': "
             f"downtime we counted (SPEC §3). 'TPW down' / 'TPW operating': {_THEIRS}'s own "
             "published downMinutes and operatingMinutes, shown for comparison only."]
    for park in result.parks:
        lines += _park_lines(park)
    differing = sorted(((abs(r.difference), p.name, r) for p in result.parks for r in p.rides
                        if r.difference), key=lambda e: (-e[0], e[1], e[2].name))[:top]
    lines.append(f"\nAttractions that differ most ({len(differing)}):" if differing
                 else "\nNo attraction's minutes differ.")
    lines += [f"  {n}. {park} / {r.name}: ours {_show(r.ours)}, {_THEIRS} "
              f"{_show(r.theirs_down)} ({r.difference:+,})"
              for n, (_, park, r) in enumerate(differing, start=1)]
    lines.append(f"{_THEIRS} figures: https://themeparks.wiki")
    return lines
