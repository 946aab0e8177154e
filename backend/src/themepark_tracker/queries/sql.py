"""The read side's own selects over raw snapshots: sums the API adds up for the parts of a
period that the aggregate tables do not hold yet (today's unfinished hour, days not yet
aggregated). They reuse the aggregation's definition of each sum (``aggregate.sql``) and
produce no table rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, case, false, func, or_, select
from sqlalchemy.sql import ColumnElement, Select

from themepark_tracker import metrics
from themepark_tracker.aggregate.scopes import Scope
from themepark_tracker.aggregate.sql import park_bucket_sums, ride_sums
from themepark_tracker.db import tables as t

rss = t.ride_status_snapshots
pas = t.park_activity_snapshots


def ride_snapshot_sums(scope: Scope) -> Select[Any]:
    """Per attraction and bucket, the same sums as the aggregation's ride groups, for the
    rides that have snapshots (no zero rows), for the read side, which only adds them up. The
    park snapshots in scope are found through their own indexes (by time or by local date), and each
    cycle's ride snapshots are read as one range of the (park, time, ride) key, instead of
    one lookup per attraction per cycle. Attractions are told apart after grouping: one
    lookup in ``rides`` per ride and bucket, not one per snapshot."""
    r = t.rides
    bucket = scope.bucket(pas)
    grouped = (
        select(rss.c.ride_id, rss.c.park_id, bucket.label("bucket"), *ride_sums())
        .select_from(pas.join(rss, and_(rss.c.park_id == pas.c.park_id,
                                        rss.c.recorded_at == pas.c.recorded_at)))
        .where(scope.where(pas))
        .group_by(rss.c.ride_id, rss.c.park_id, bucket)
        # Park snapshots first, always: with an OR of date groups MariaDB may otherwise
        # drive the join from a full scan of the ride snapshots.
        .prefix_with("STRAIGHT_JOIN", dialect="mysql")
        .prefix_with("STRAIGHT_JOIN", dialect="mariadb")
        .subquery("grouped")
    )
    return select(grouped).join(r, and_(r.c.ride_id == grouped.c.ride_id,
                                        r.c.category == metrics.ATTRACTION))


def park_snapshot_sums(scope: Scope) -> Select[Any]:
    """Per park and bucket, every sum a period adds up (``queries.park_stats.SUM_FIELDS``),
    from the park snapshots alone: each states its cycle's attractions operating while open
    (``rides_open``) and their waits (``wait_sum``, ``wait_count``), which the ride snapshots
    of the cycle give too. For the read side; the jobs group the ride snapshots themselves."""
    open_ = pas.c.park_appears_open
    return park_bucket_sums(scope.bucket(pas), scope.where(pas)).add_columns(
        func.sum(case((open_, pas.c.rides_open), else_=0)).label("operating_snapshots"),
        func.sum(pas.c.wait_sum).label("wait_sum"),
        func.sum(pas.c.wait_count).label("wait_count"),
    )


def park_ranges(groups: Mapping[tuple[tuple[datetime, datetime], ...], Sequence[int]]
                ) -> Scope:
    """Parks' snapshots in UTC ranges [start, end) (parks sharing their ranges share an
    OR-branch), bucketed by local date. Ranges of ``recorded_at`` read the (park, time)
    indexes directly, where a local date with excluded hours makes MariaDB read the day."""

    def where(tb: Table) -> ColumnElement[bool]:
        if not groups:
            return false()
        return or_(*(
            and_(tb.c.park_id.in_(list(ids)),
                 or_(*(and_(tb.c.recorded_at >= a, tb.c.recorded_at < b) for a, b in ranges)))
            for ranges, ids in groups.items()))

    return Scope(bucket=lambda tb: tb.c.local_date, where=where)


def cycles(pairs: Sequence[tuple[int, datetime]]) -> Scope:
    """Exactly the given (park, recorded_at) cycles, bucketed by local date."""
    return Scope(
        bucket=lambda tb: tb.c.local_date,
        where=lambda tb: or_(*(and_(tb.c.park_id == p, tb.c.recorded_at == at)
                               for p, at in pairs)),
    )


