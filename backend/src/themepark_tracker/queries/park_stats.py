"""Per-park sums for a period (SPEC §5), by one of two paths that must agree:

- the fast path reads ``park_daily_stats`` / ``park_hourly_stats`` (and their ride twins) and
  takes from the raw snapshots only what is not aggregated yet: the current, unfinished hour,
  hours still marked stale, and the parts of hours that straddle a half-hour zone's midnight;
- the reference path GROUPs BY over the raw snapshots alone (``USE_HOURLY_TABLES=false``).

Both produce the same ``ParkPeriod`` objects; every view (rankings, details, charts) reads
scores from them, so a park's score for a period is computed once, in one way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeAlias, cast

from sqlalchemy import Connection, RowMapping, and_, exists, func, or_, select

from themepark_tracker import metrics
from themepark_tracker.aggregate import scopes, sql
from themepark_tracker.db import tables as t
from themepark_tracker.queries import sql as read_sql
from themepark_tracker.queries.coverage import (
    group_windows,
    in_days,
    latest_cycles,
    missing_days,
    split_today,
    stale_park_days,
)
from themepark_tracker.queries.periods import (
    KIND_DAYS,
    KIND_LIVE,
    KIND_NOT_BEGUN,
    KIND_TODAY,
    ParkWindow,
    park_window,
)
from themepark_tracker.timeutil import local_date_of, zone_of

#: A row read by column name: a ``RowMapping`` from ``.mappings()`` (whose stub key type also
#: admits column objects, so it is not a ``Mapping[str, Any]``) or a plain dict.
RowLike: TypeAlias = Mapping[str, Any] | RowMapping

SUM_FIELDS = (
    "snapshot_count", "open_snapshot_count", "shame_score_sum", "operating_snapshots",
    "down_snapshots", "weighted_down_snapshots", "wait_sum", "wait_count",
)


@dataclass
class Sums:
    """Additive counts and sums of one park over some snapshots (one day, or part of it)."""

    snapshot_count: int = 0
    open_snapshot_count: int = 0
    shame_score_sum: float = 0.0
    operating_snapshots: int = 0
    down_snapshots: int = 0
    weighted_down_snapshots: int = 0
    wait_sum: int = 0
    wait_count: int = 0

    def add_row(self, row: RowLike) -> None:
        # MariaDB returns SUM() of integers as Decimal: keep every field a plain number.
        for name in SUM_FIELDS:
            current = getattr(self, name)
            setattr(self, name, current + type(current)(row[name] or 0))

    @property
    def shame(self) -> float | None:
        return metrics.mean_shame(self.shame_score_sum, self.open_snapshot_count)


@dataclass(frozen=True)
class ParkInfo:
    park_id: int
    name: str
    timezone: str
    operator: str | None
    country: str | None
    is_disney: bool
    is_universal: bool
    latitude: float | None
    longitude: float | None


@dataclass
class ParkPeriod:
    """Everything a view needs about one park over one period."""

    park: ParkInfo
    window: ParkWindow
    days: dict[date, Sums] = field(default_factory=dict)
    # The period's distinct attractions that operated / were counted down: ride ids where they
    # are read ride by ride, or counts where one park snapshot states them (``ride_counts``).
    operating_ids: set[int] = field(default_factory=set)
    down_ids: set[int] = field(default_factory=set)
    ride_counts: tuple[int, int] | None = None
    # Multi-day periods: distinct (operating, down) attractions of each day, for daily charts.
    day_rides: dict[date, tuple[int, int]] = field(default_factory=dict)
    latest_open: bool | None = None  # the newest cycle within the live window, if any
    _total: Sums | None = field(default=None, repr=False, compare=False)

    def total(self) -> Sums:
        """The period's sums (kept once ``period_stats`` has finished filling the days)."""
        return self._total if self._total is not None else self._sum_days()

    def freeze(self) -> None:
        """Filling is done: compute the total once for every view that reads it."""
        self._total = self._sum_days()

    def _sum_days(self) -> Sums:
        out = Sums()
        for day in self.days.values():
            out.add_row(vars(day))
        return out

    @property
    def shame_score(self) -> float | None:
        """The period's score at full precision (SPEC §5); round only for display."""
        if self.window.kind == KIND_DAYS:
            return metrics.mean_of_days(d.shame for d in self.days.values())
        return self.total().shame

    @property
    def was_open(self) -> bool:
        return self.total().open_snapshot_count > 0

    @property
    def rides_operating(self) -> int:
        return self.ride_counts[0] if self.ride_counts else len(self.operating_ids)

    @property
    def rides_down(self) -> int:
        return self.ride_counts[1] if self.ride_counts else len(self.down_ids)


def load_parks(conn: Connection, park_ids: Sequence[int] | None = None,
               disney_universal_only: bool = False) -> list[ParkInfo]:
    p = t.parks
    query = select(p.c.park_id, p.c.name, p.c.timezone, p.c.operator, p.c.country,
                   p.c.is_disney, p.c.is_universal, p.c.latitude, p.c.longitude)
    if park_ids is not None:
        query = query.where(p.c.park_id.in_(list(park_ids)))
    if disney_universal_only:
        query = query.where(or_(p.c.is_disney, p.c.is_universal))
    # Columns of mixed types, in ParkInfo's field order: not checkable per field.
    return [ParkInfo(*cast(Iterator[Any], (bool(v) if k.startswith("is_") else v
                                           for k, v in r._mapping.items())))
            for r in conn.execute(query.order_by(p.c.park_id))]


def period_stats(
    conn: Connection, parks: Sequence[ParkInfo], period: str, now: datetime, *,
    interval_minutes: int, use_hourly: bool,
) -> dict[int, ParkPeriod]:
    """``ParkPeriod`` for each park, by the fast or the reference path."""
    out = {p.park_id: ParkPeriod(p, park_window(period, p.timezone, now)) for p in parks}
    by_kind: dict[str, dict[int, ParkPeriod]] = {}
    for park_id, pp in out.items():
        by_kind.setdefault(pp.window.kind, {})[park_id] = pp
    for kind, group in by_kind.items():
        if kind != KIND_NOT_BEGUN:  # a date the park has not reached: nothing to read
            _fill(conn, group, kind, now, interval_minutes=interval_minutes,
                  use_hourly=use_hourly)
    for pp in out.values():
        pp.freeze()
    return out


def _fill(conn: Connection, out: dict[int, ParkPeriod], kind: str, now: datetime, *,
          interval_minutes: int, use_hourly: bool) -> None:
    """Fill parks whose windows are all of one ``kind`` (``ParkWindow.kind``)."""
    params = {"interval_minutes": interval_minutes}
    latest = latest_cycles(conn, list(out), now)
    for park_id, (_, is_open) in latest.items():
        out[park_id].latest_open = is_open
    if kind == KIND_LIVE:
        pairs = [(p, at) for p, (at, _) in latest.items()]
        if pairs and use_hourly:
            # One cycle per park: its park snapshot states the sums, and the cycle's rides
            # operating and down are its operating and down snapshots (both 0 while closed).
            _collect_park_snapshots(conn, out, read_sql.cycles(pairs), params)
            for pp in out.values():
                for cycle in pp.days.values():
                    pp.ride_counts = (cycle.operating_snapshots, cycle.down_snapshots)
        elif pairs:
            _park_raw_sums(conn, out, read_sql.cycles(pairs), params)
        return
    if not use_hourly:
        groups = group_windows(_windows(out), lambda w: (w.dates, None))
        _park_raw_sums(conn, out, scopes.day_groups(groups), params)
    elif kind == KIND_TODAY:
        _park_today_fast(conn, out, now, params)
    else:
        _park_days_fast(conn, out, params)


# --- building blocks ----------------------------------------------------------------------------


def _windows(out: Mapping[int, ParkPeriod]) -> dict[int, ParkWindow]:
    return {pid: pp.window for pid, pp in out.items()}


def _park_raw_sums(conn: Connection, out: dict[int, ParkPeriod], scope: scopes.Scope,
                 params: Mapping[str, Any]) -> None:
    """Add raw-snapshot sums and ride sets of ``scope`` to ``out``: park snapshot sums per
    bucket, plus one grouped read of the ride snapshots for waits, operating snapshots and
    the distinct rides (the same sums as ``sql.park_rows_select``, without reading the ride
    snapshots twice)."""
    buckets = sql.park_buckets(scope)
    rows: dict[tuple[int, Any], dict[str, Any]] = {}
    for park in conn.execute(select(buckets), params).mappings():
        rows[(park["park_id"], park["bucket"])] = {
            **{k: park[k] for k in ("snapshot_count", "open_snapshot_count", "shame_score_sum",
                                   "down_snapshots", "weighted_down_snapshots")},
            "operating_snapshots": 0, "wait_sum": 0, "wait_count": 0,
            "rides_operating": 0, "rides_down": 0,
        }
    rides = read_sql.ride_snapshot_sums(scope).subquery("ride_sums")
    active = or_(rides.c.operating_snapshots > 0, rides.c.down_snapshots > 0)
    for ride in conn.execute(
        select(rides.c.park_id, rides.c.ride_id, rides.c.bucket, rides.c.operating_snapshots,
               rides.c.down_snapshots, rides.c.wait_sum, rides.c.wait_count).where(active),
        params,
    ).mappings():
        sums = rows.get((ride["park_id"], ride["bucket"]))
        if sums is None:
            continue
        pp = out[ride["park_id"]]
        sums["operating_snapshots"] += int(ride["operating_snapshots"])
        sums["wait_sum"] += int(ride["wait_sum"] or 0)
        sums["wait_count"] += int(ride["wait_count"] or 0)
        if ride["operating_snapshots"]:
            sums["rides_operating"] += 1
            pp.operating_ids.add(ride["ride_id"])
        if ride["down_snapshots"]:
            sums["rides_down"] += 1
            pp.down_ids.add(ride["ride_id"])
    for (park_id, bucket), sums in rows.items():
        _add_day(out[park_id], bucket, sums)


def _collect_park_snapshots(conn: Connection, out: dict[int, ParkPeriod], scope: scopes.Scope,
                            params: Mapping[str, Any]) -> None:
    """Add the sums of ``scope``'s park snapshots to ``out``: the same sums as the ride
    snapshots give (each park snapshot states its cycle's operating rides and waits), without
    reading them. Distinct rides are not among them: the caller sets ``ride_counts``."""
    for row in conn.execute(read_sql.park_snapshot_sums(scope), params).mappings():
        _add_day(out[row["park_id"]], row["bucket"], row)


def today_ride_counts(conn: Connection, windows: Mapping[int, ParkWindow], now: datetime
                      ) -> dict[int, tuple[int, int]]:
    """Each park's distinct attractions that operated / were counted down today (its window
    [local midnight, now)), as its newest snapshot of today states them (SPEC §2: what the
    day established up to that cycle)."""
    pas = t.park_activity_snapshots
    # Each park's newest snapshot before now, from one range of the (park_id, recorded_at)
    # key (MariaDB reads just its last entry per park); one whose newest snapshot is older
    # than its own local midnight has nothing today.
    newest = (
        select(pas.c.park_id, func.max(pas.c.recorded_at).label("at"))
        .where(pas.c.park_id.in_(list(windows)),
               pas.c.recorded_at >= min(w.start for w in windows.values()),
               pas.c.recorded_at < now)
        .group_by(pas.c.park_id).subquery()
    )
    rows = conn.execute(
        select(pas.c.park_id, pas.c.recorded_at, pas.c.rides_operated_today,
               pas.c.rides_down_today)
        .join(newest, and_(newest.c.park_id == pas.c.park_id, newest.c.at == pas.c.recorded_at))
    )
    return {r.park_id: (r.rides_operated_today, r.rides_down_today)
            for r in rows if r.recorded_at >= windows[r.park_id].start}


def _add_day(pp: ParkPeriod, day: date, row: RowLike) -> None:
    pp.days.setdefault(day, Sums()).add_row(row)
    if pp.window.kind == KIND_DAYS:
        pp.day_rides[day] = (int(row["rides_operating"]), int(row["rides_down"]))


def _add_rides(out: dict[int, ParkPeriod], rows: Iterable[RowLike]) -> None:
    for row in rows:
        pp = out[row["park_id"]]
        if row["operating_snapshots"]:
            pp.operating_ids.add(row["ride_id"])
        if row["down_snapshots"]:
            pp.down_ids.add(row["ride_id"])


def _park_today_fast(conn: Connection, out: dict[int, ParkPeriod], now: datetime,
                params: Mapping[str, Any]) -> None:
    """Whole UTC hours of each park's local today from the hourly tables; the rest (the
    current hour, stale hours, a half-hour zone's first part-hour) from raw park snapshots,
    which state their cycle's sums; today's distinct rides from each park's newest snapshot.
    No ride snapshot and no ride row is read."""
    windows = _windows(out)
    split = split_today(conn, windows, now)
    ph = t.park_hourly_stats
    if split.in_hours is not None:
        # Today's hours are parts of one day: their sums, summed per park by the database.
        for row in conn.execute(
            select(ph.c.park_id, *(func.sum(ph.c[name]).label(name) for name in SUM_FIELDS))
            .where(split.in_hours(ph)).group_by(ph.c.park_id)
        ).mappings():
            pp = out[row["park_id"]]
            pp.days.setdefault(pp.window.first_date, Sums()).add_row(row)
    _collect_park_snapshots(conn, out, split.raw, params)
    for park_id, counts in today_ride_counts(conn, windows, now).items():
        out[park_id].ride_counts = counts


def _park_days_fast(conn: Connection, out: dict[int, ParkPeriod], params: Mapping[str, Any]
               ) -> None:
    """Whole local days from the daily tables; days not aggregated yet, or marked stale,
    from raw snapshots."""
    pd, rd = t.park_daily_stats, t.ride_daily_stats
    groups = group_windows(_windows(out), lambda w: (w.dates, None))
    stale = stale_park_days(conn, groups)
    have: set[tuple[int, date]] = set()
    # The columns a day's sums need, named: ``select(pd)`` would also name revision 014's
    # expected_open_cycles, which a database at 012 (the quickstart's) does not have.
    columns = ("park_id", "stat_date", *SUM_FIELDS, "rides_operating", "rides_down")
    for row in conn.execute(select(*(pd.c[c] for c in columns))
                            .where(in_days(pd, groups))).mappings():
        key = (row["park_id"], row["stat_date"])
        if key in stale:
            continue
        have.add(key)
        _add_day(out[key[0]], key[1], row)
    # The period's distinct rides, summed per ride by the database over the same park-days
    # (those with a daily row that is not marked stale).
    marks = t.stale_days
    not_stale = ~exists().where(marks.c.park_id == rd.c.park_id,
                                marks.c.local_date == rd.c.stat_date)
    _add_rides(out, conn.execute(
        select(rd.c.park_id, rd.c.ride_id,
               func.sum(rd.c.operating_snapshots).label("operating_snapshots"),
               func.sum(rd.c.down_snapshots).label("down_snapshots"))
        .where(in_days(rd, groups), rd.c.operating_snapshots + rd.c.down_snapshots > 0,
               not_stale)
        .group_by(rd.c.park_id, rd.c.ride_id)
    ).mappings())
    scope = missing_days(_windows(out), have, conn)
    if scope is not None:
        _park_raw_sums(conn, out, scope, params)



def latest_local_date(conn: Connection, now: datetime) -> date:
    """The latest local date any park has reached at ``now`` (UTC's date without parks)."""
    zones = conn.execute(select(t.parks.c.timezone).distinct()).scalars().all()
    return max((local_date_of(now, zone_of(z)) for z in zones), default=now.date())
