"""Which park-local hours a range of UTC hours touches, and the UTC span that holds them whole
(for the local-hour rollup, SPEC §7 heatmap). Pure time arithmetic, no database.

A local hour is keyed by (local date, local hour). In a whole-hour zone it is one UTC hour; in
a half-hour zone (Asia/Kolkata, +05:30) it straddles two; on a DST fall-back date the hour
that repeats is one key over two UTC hours. Every zone in use today is offset from UTC by a
multiple of 15 minutes, so local hours begin on UTC quarter hours and stepping through
quarters finds every boundary, DST changes included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from themepark_tracker.timeutil import zone_of

QUARTER = timedelta(minutes=15)
#: A local hour touching [start, end) lies wholly inside [start - MARGIN, end + MARGIN): one
#: UTC hour for the half hour a straddling hour reaches out, one more for a repeated DST hour.
MARGIN = timedelta(hours=2)

LocalKey = tuple[date, int]


@dataclass(frozen=True)
class Segment:
    """UTC instants [start, end) throughout which the zone's offset is ``offset_minutes``."""

    start: datetime
    end: datetime
    offset_minutes: int


@dataclass(frozen=True)
class LocalPlan:
    """The local hours (``keys``) a UTC range touches and the UTC span that holds exactly
    them, cut where the offset changes (``segments``, oldest first). Parks whose zones give
    equal plans are recomputed together."""

    keys: tuple[LocalKey, ...]
    segments: tuple[Segment, ...]

    @property
    def start(self) -> datetime:
        return self.segments[0].start

    @property
    def end(self) -> datetime:
        return self.segments[-1].end

    def hours_by_date(self) -> dict[date, list[int]]:
        out: dict[date, list[int]] = {}
        for day, hour in self.keys:
            out.setdefault(day, []).append(hour)
        return out


def _local(instant: datetime, timezone: str) -> tuple[LocalKey, int]:
    """The local key of a naive-UTC instant and the zone's offset then, in minutes."""
    local = instant.replace(tzinfo=UTC).astimezone(zone_of(timezone))
    offset = local.utcoffset() or timedelta(0)
    return (local.date(), local.hour), int(offset.total_seconds() // 60)


@lru_cache(maxsize=4096)
def local_plan(timezone: str, start: datetime, end: datetime) -> LocalPlan:
    """The plan for the UTC instants [start, end) in ``timezone``."""
    first = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
    quarters = []
    q = first - MARGIN
    while q < end + MARGIN:
        quarters.append((q, *_local(q, timezone)))
        q += QUARTER
    keys = {key for q, key, _ in quarters if first <= q < end}
    inside = [(q, offset) for q, key, offset in quarters if key in keys]
    segments: list[Segment] = []
    for q, offset in inside:
        if segments and segments[-1].offset_minutes == offset and segments[-1].end == q:
            last = segments[-1]
            segments[-1] = Segment(last.start, q + QUARTER, offset)
        else:
            segments.append(Segment(q, q + QUARTER, offset))
    return LocalPlan(tuple(sorted(keys)), tuple(segments))


def local_key(instant: datetime, timezone: str) -> LocalKey:
    """(local date, local hour) of a naive-UTC instant in ``timezone``."""
    return _local(instant, timezone)[0]
