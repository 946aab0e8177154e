"""The catalogue sync's plan: each park and its rides as they will be written, the rule that
keeps a ride in one park only, and the ids new parks and rides get."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection, func, select

from themepark_tracker.collect import catalog_checks as checks
from themepark_tracker.db import tables as t
from themepark_tracker.ingest.models import ParkRecord, RideRecord
from themepark_tracker.sources.models import QUEUE_TIMES, THEMEPARKS_WIKI

#: The id of a park or ride not stored yet, until ``allocate_ids`` gives it one (stored ids
#: start at 1).
NEW_ID = 0


@dataclass
class ParkPlan:
    """A park and its rides as they will be written; ``NEW_ID`` where an id is still to be
    allocated (and as every ride's ``park_id`` when the park is new)."""
    park: ParkRecord
    rides: list[RideRecord]
    issues: list[checks.CatalogIssue] = field(default_factory=list)


def keep_rides_in_one_park(plans: Sequence[ParkPlan]) -> None:
    """A ride one feed lists in two parks (its id is unique in ``rides``) is kept in the park
    that already stores it, else in the first listing it, and left out of the others with an
    issue: never moved between parks, never a failed upsert."""
    keepers: dict[tuple[str, object], int] = {}
    for stored_first in (True, False):
        for n, plan in enumerate(plans):
            for ride in plan.rides:
                if (ride.ride_id != NEW_ID) == stored_first:
                    for key in _ride_ids(ride):
                        keepers.setdefault(key, n)
    for n, plan in enumerate(plans):
        kept = []
        for ride in plan.rides:
            other = next((keepers[k] for k in _ride_ids(ride) if keepers[k] != n), None)
            if other is None:
                kept.append(ride)
                continue
            issue = checks.CatalogIssue(
                checks.RIDE_TWO_PARKS, None,
                f"ride {ride.name!r} ({', '.join(f'{s} {i}' for s, i in _ride_ids(ride))}) is "
                f"listed in {plan.park.name!r} and {plans[other].park.name!r}; kept in the "
                "latter only")
            checks.log_issues([issue])
            plan.issues.append(issue)
        plan.rides[:] = kept


def _ride_ids(ride: RideRecord) -> list[tuple[str, object]]:
    return [(s, i) for s, i in ((QUEUE_TIMES, ride.queue_times_id),
                                (THEMEPARKS_WIKI, ride.themeparks_wiki_id)) if i is not None]


def allocate_ids(conn: Connection, plans: Sequence[ParkPlan]
                  ) -> tuple[list[ParkRecord], list[RideRecord]]:
    """Give each new park and ride the next id above the highest stored, read here, in the
    transaction that writes them (locking the read where the database can: MariaDB)."""
    next_park = int(conn.scalar(select(func.max(t.parks.c.park_id)).with_for_update()) or 0)
    next_ride = int(conn.scalar(select(func.max(t.rides.c.ride_id)).with_for_update()) or 0)
    parks: list[ParkRecord] = []
    rides: list[RideRecord] = []
    for plan in plans:
        park = plan.park
        if park.park_id == NEW_ID:
            next_park += 1
            park = replace(park, park_id=next_park)
        parks.append(park)
        for ride in plan.rides:
            if ride.ride_id == NEW_ID:
                next_ride += 1
                ride = replace(ride, ride_id=next_ride)
            rides.append(replace(ride, park_id=park.park_id))
    return parks, rides
