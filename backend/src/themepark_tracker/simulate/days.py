"""One simulated day at one park: refurbishments and closed days (pure functions of the seed, the
ride or park and the date), the day's plan (opening hours, rides opening, breakdowns as long as
the park's law in ``law`` says, a breakdown still running at closing carried to the next
morning, weather holds, night test runs) and the cycles it turns into, a few of them missed.
``Simulation`` walks a catalogue through the period one local date per park at a time.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from themepark_tracker.ingest.models import Cycle, RideObservation, ScheduleRecord
from themepark_tracker.simulate.catalogue import Catalogue, Entry, Park, pick
from themepark_tracker.simulate.law import OutageLaw, park_law, recorded_cycles
from themepark_tracker.simulate.parks import (
    MISS_BURSTS,
    MISSED_CYCLE_RATE,
    NIGHT_TEST_RUN,
    REFURB_BLOCK_DAYS,
    REFURB_CHANCE,
    SURPRISE_CLOSURE,
    WEATHER_HOLD,
)
from themepark_tracker.timeutil import local_date_of, local_day_bounds

SOURCE = "simulate"


# --- refurbishments and closed days (pure functions of seed, ride/park and date) --------------


def _refurb_days(seed: int, entry: Entry, first: date, last: date) -> frozenset[date]:
    """Days of [first, last] that ``entry`` spends in refurbishment. Refurbishments are drawn
    per fixed 28-day block of the calendar, so they do not move with the simulated period."""
    days: set[date] = set()
    block = (first.toordinal() - 60) // REFURB_BLOCK_DAYS
    while block * REFURB_BLOCK_DAYS <= last.toordinal():
        rng = random.Random(f"{seed}:refurb:{entry.record.ride_id}:{block}")
        if rng.random() < REFURB_CHANCE:
            start = block * REFURB_BLOCK_DAYS + rng.randrange(REFURB_BLOCK_DAYS)
            length = rng.randint(2, 45)
            for ordinal in range(max(start, first.toordinal()),
                                 min(start + length, last.toordinal() + 1)):
                days.add(date.fromordinal(ordinal))
        block += 1
    return frozenset(days)


def _closed_all_day(seed: int, park: Park, day: date) -> bool:
    if day.weekday() in park.template.closed_on:
        return True
    return random.Random(f"{seed}:closed:{park.park_id}:{day}").random() < SURPRISE_CLOSURE


# --- one park-day -------------------------------------------------------------------------------

_OP, _IDLE, _FAULT = 0, 1, 2  # segment kinds: operating with waits, operating without, broken


@dataclass
class _DayPlan:
    """What happens at a park on one local date. Segments are (first, end, kind) in global cycle
    indices (end exclusive) and may run past local midnight (a late close, a night test run)."""

    day: date
    closed: bool
    window: tuple[datetime, datetime] | None = None  # opening hours, naive UTC
    segments: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)  # by ride_id
    wait_scale: dict[int, list[float]] = field(default_factory=dict)  # by ride_id, per local hour
    peak_hour: float = 14.0
    spread_hours: float = 3.0
    #: By ride_id: cycles of a breakdown still to run when the park closed (the next day's
    #: plan starts with them at opening).
    carry: dict[int, int] = field(default_factory=dict)


@dataclass
class ParkDay:
    park_id: int
    day: date
    cycles: list[Cycle]
    missed: int
    schedules: list[ScheduleRecord]


class Simulation:
    """The period [start, start + count × interval) of cycles for every park of a catalogue."""

    def __init__(self, catalogue: Catalogue, seed: int, end: datetime, days: int,
                 interval_minutes: int) -> None:
        self.catalogue = catalogue
        self.seed = seed
        self.interval = interval_minutes
        # Both ends are cycles: --end is the last cycle (as a mirror of production taken at
        # 08:05 ends with the 08:00 cycle), and the first is ``days`` before it.
        self.count = days * 24 * 60 // interval_minutes + 1
        self.end = end
        self.start = end - timedelta(minutes=(self.count - 1) * interval_minutes)
        self._pending: dict[int, dict[int, list[tuple[int, int, int]]]] = {}
        self._carry: dict[int, dict[int, int]] = {}
        self.laws: dict[int, OutageLaw] = {p.park_id: park_law(seed, p.park_id)
                                           for p in catalogue.parks}
        self._first_day: dict[int, date] = {}
        self._last_day: dict[int, date] = {}
        last_cycle = self.start + timedelta(minutes=(self.count - 1) * interval_minutes)
        for park in catalogue.parks:
            first = local_date_of(self.start, park.zone)
            last = local_date_of(last_cycle, park.zone)
            self._first_day[park.park_id], self._last_day[park.park_id] = first, last
            for entry in park.entries:
                entry.refurb_days = _refurb_days(seed, entry, first, last)

    @property
    def day_count(self) -> int:
        """Simulated days: the most local dates any park's share of the period touches."""
        return max((self._last_day[p] - self._first_day[p]).days + 1 for p in self._first_day)

    def local_date(self, park: Park, k: int) -> date | None:
        day = self._first_day[park.park_id] + timedelta(days=k)
        return day if day <= self._last_day[park.park_id] else None

    # -- time arithmetic

    def _index(self, minutes: float) -> int:
        """The first cycle at or after ``minutes`` past the start of the period."""
        return math.ceil(minutes / self.interval - 1e-9)

    def _minutes(self, instant: datetime) -> float:
        return (instant - self.start).total_seconds() / 60

    def _utc(self, park: Park, day: date, local_hour: float) -> datetime:
        wall = datetime(day.year, day.month, day.day) + timedelta(hours=local_hour)
        return wall.replace(tzinfo=park.zone).astimezone(UTC).replace(tzinfo=None)

    # -- planning

    def plan(self, park: Park, day: date, carry: dict[int, int] | None = None) -> _DayPlan:
        """The day at ``park``; ``carry`` = the previous day's breakdowns still running at its
        close (dropped on a day the park or the ride is closed: repaired meanwhile)."""
        if _closed_all_day(self.seed, park, day):
            return _DayPlan(day, closed=True)
        rng = random.Random(f"{self.seed}:day:{park.park_id}:{day}")
        opening, closing = self._opening_hours(rng, park, day)
        open_utc = self._utc(park, day, opening)
        close_utc = self._utc(park, day, closing)
        plan = _DayPlan(day, closed=False, window=(open_utc, close_utc),
                        peak_hour=opening + 0.45 * (closing - opening),
                        spread_hours=max(2.0, (closing - opening) / 3.5))
        hours = (self._minutes(open_utc), self._minutes(close_utc))
        weekday = day.weekday()
        crowd = (1.25 if weekday >= 5 else 1.1 if weekday == 4 else 1.0) * rng.uniform(0.85, 1.15)
        weather = None
        if rng.random() < WEATHER_HOLD and hours[1] - hours[0] > 180:
            start = rng.uniform(hours[0] + 60, hours[1] - 90)
            weather = (start, start + rng.lognormvariate(math.log(35), 0.5))
        carried = carry or {}
        for entry in park.entries:
            ride_id = entry.record.ride_id
            plan.segments[ride_id] = self._segments(rng, entry, hours, weather,
                                                    (carried.get(ride_id, 0), plan))
            if entry.peak_wait is not None:
                scale = entry.peak_wait * crowd / 5
                plan.wait_scale[entry.record.ride_id] = [scale * rng.uniform(0.8, 1.2)
                                                         for _ in range(24)]
        if rng.random() < NIGHT_TEST_RUN:
            self._night_test_run(rng, park, plan, opening, hours[1])
        return plan

    def _opening_hours(self, rng: random.Random, park: Park, day: date) -> tuple[float, float]:
        """Local opening and closing hour (closing up to 25.0: 1 a.m. the next day)."""
        template = park.template
        opening, closing = template.hours
        weekday = day.weekday()
        if weekday in template.late_close and not _closed_all_day(
                self.seed, park, day + timedelta(days=1)):
            closing = 25.0
        elif weekday in (4, 5) and closing <= 22:
            closing += 1  # Friday and Saturday evenings run an hour longer
        closing += rng.choice((0, 0, 0, 0.5))
        return opening, min(closing, 25.0)

    def _segments(self, rng: random.Random, entry: Entry, hours: tuple[float, float],
                  weather: tuple[float, float] | None, carry: tuple[int, _DayPlan]
                  ) -> list[tuple[int, int, int]]:
        """One entry's segments of the day; ``hours`` are the park's, in minutes of the period;
        ``carry`` = (cycles of a breakdown left from the day before, the plan to leave any
        breakdown still running at closing in)."""
        open_m, close_m = hours
        index = self._index
        if not entry.is_attraction:
            if entry.parent is not None:  # a single-rider line follows its ride (_single_rider)
                return []
            # shows, restaurants, meet-and-greets
            begin = open_m + (0 if entry.kind == "RESTAURANT" else 45)
            finish = close_m + (30 if entry.kind == "RESTAURANT" else -60)
            return [(index(begin), index(finish), _OP if entry.peak_wait is not None else _IDLE)]
        tier = entry.record.tier
        ride_open = open_m + rng.uniform(0, 10 if tier == 1 else 30)
        ride_close = close_m - (rng.uniform(0, 25) if tier == 3 else rng.uniform(-3, 10))
        kind = _OP if entry.peak_wait is not None and rng.random() > 0.01 else _IDLE
        segments = [(index(ride_open), index(ride_close), kind)]
        if carry[1].day in entry.refurb_days:
            return segments  # shown as refurbishment all day (_columns)
        if rng.random() < entry.not_opening:
            segments.append((index(ride_open), index(ride_close), _FAULT))
        else:
            self._breakdowns(rng, entry, (index(open_m), index(close_m)), ride_open, ride_close,
                             carry, segments)
        if weather is not None and entry.kind in ("COASTER", "WATER"):
            stop = weather[0] + rng.uniform(0, 5)
            restart = min(weather[1] + rng.uniform(0, 20), ride_close)
            if stop < restart:
                segments.append((index(stop), index(restart), _FAULT))
        return segments

    def _breakdowns(self, rng: random.Random, entry: Entry, park_cycles: tuple[int, int],
                    ride_open: float, ride_close: float, carry: tuple[int, _DayPlan],
                    segments: list[tuple[int, int, int]]) -> None:
        """Append an attraction's breakdowns of the day: the one carried from the day before
        (from the park's first open cycle), then new ones at exponential gaps from ride_open to
        ride_close, each ``recorded_cycles`` of its park's law long. One running when the park
        closes (cycle ``park_cycles[1]``) leaves the rest in the plan's carry: DOWN the next
        morning at a down-reporting park, a late opening at the others."""
        first, stop = park_cycles
        law, rate, interval = self.laws[entry.record.park_id], entry.breakdowns_per_minute, \
            self.interval
        left, plan = carry
        at = ride_open
        if left:
            if _fault(segments, plan, entry, (first, first + left), stop):
                return
            at = max(at, (first + left) * interval)
        at += rng.expovariate(rate)
        while at < ride_close:
            start = self._index(at)
            end = start + recorded_cycles(law.sample(rng), interval)
            if _fault(segments, plan, entry, (start, end), stop):
                return
            at = end * interval + rng.expovariate(rate)

    def _night_test_run(self, rng: random.Random, park: Park, plan: _DayPlan, opening: float,
                        close_m: float) -> None:
        """Now and then an attraction runs empty outside opening hours (OPERATING, no wait)."""
        candidates = [e for e in park.attractions if plan.day not in e.refurb_days]
        if not candidates:
            return
        entry = rng.choice(candidates)
        length = self.interval * rng.randint(1, 3)
        if rng.random() < 0.6 and opening >= 7:  # early morning, before opening
            at = self._minutes(self._utc(park, plan.day, rng.uniform(4.5, opening - 1.5)))
        else:  # after the last guests have left
            at = close_m + rng.uniform(60, 150)
        plan.segments[entry.record.ride_id].append(
            (self._index(at), self._index(at + length), _IDLE)
        )

    # -- cycles

    def park_day(self, park: Park, k: int) -> ParkDay | None:
        """The cycles of the ``k``-th local date of ``park`` within the period (None past its
        last one). Must be called with k = 0, 1, 2, ... in order for each park: segments that
        run past local midnight carry over to the next call."""
        day = self.local_date(park, k)
        if day is None:
            return None
        schedules: list[ScheduleRecord] = []
        if k == 0:  # the evening before the period may run past midnight into it
            before = self.plan(park, day - timedelta(days=1))
            self._pending[park.park_id] = before.segments
            self._carry[park.park_id] = before.carry
            if (park.template.schedule and before.window is not None
                    and before.window[1] > self.start):
                schedules.append(ScheduleRecord(park.park_id, before.day, *before.window))
        plan = self.plan(park, day, self._carry.pop(park.park_id, None))
        self._carry[park.park_id] = plan.carry
        if park.template.schedule and plan.window is not None:
            schedules.append(ScheduleRecord(park.park_id, day, *plan.window))
        day_start, day_end = local_day_bounds(day, park.zone)
        g0 = max(0, self._index(self._minutes(day_start)))
        g1 = min(self.count, self._index(self._minutes(day_end)))
        pending = self._pending.pop(park.park_id, {})
        self._pending[park.park_id] = {
            ride_id: [s for s in segs if s[1] > g1] for ride_id, segs in plan.segments.items()
        }
        if g1 <= g0:
            return ParkDay(park.park_id, day, [], 0, schedules)

        times = [self.start + timedelta(minutes=(g0 + j) * self.interval) for j in range(g1 - g0)]
        columns = self._columns(park, plan, pending, g0, times)
        missed = self._missed(park, day, len(times))
        rows = zip(*(columns[e.record.ride_id] for e in park.entries), strict=True)
        cycles = [
            Cycle(park.park_id, at, obs, SOURCE)
            for at, obs, skip in zip(times, rows, missed, strict=True) if not skip
        ]
        return ParkDay(park.park_id, day, cycles, sum(missed), schedules)

    def _columns(self, park: Park, plan: _DayPlan, pending: dict[int, list[tuple[int, int, int]]],
                 g0: int, times: list[datetime]) -> dict[int, list[RideObservation]]:
        """Each entry's observation at each cycle of the day: CLOSED unless a segment says
        otherwise; breakdowns drawn over operation; refurbishment and closed days over all."""
        size = len(times)
        columns: dict[int, list[RideObservation]] = {}
        if plan.closed:
            for entry in park.entries:
                columns[entry.record.ride_id] = [entry.closed_obs] * size
            return columns
        hours, diurnal = _crowd_curve(park, plan, times)
        for entry in park.entries:
            ride_id = entry.record.ride_id
            if entry.parent is not None:
                continue
            if plan.day in entry.refurb_days:
                columns[ride_id] = [entry.refurb_obs] * size
                continue
            segments = (*pending.get(ride_id, ()), *plan.segments[ride_id])
            columns[ride_id] = _column(entry, segments, plan.wait_scale.get(ride_id), g0,
                                       hours, diurnal)
        for entry in park.entries:
            if entry.parent is not None:
                parent = columns[entry.parent.record.ride_id]
                columns[entry.record.ride_id] = _single_rider(entry, parent)
        return columns

    def _missed(self, park: Park, day: date, size: int) -> list[bool]:
        rng = random.Random(f"{self.seed}:missed:{park.park_id}:{day}")
        mean_burst = sum(n * w for n, w in MISS_BURSTS)
        start_rate = MISSED_CYCLE_RATE / mean_burst
        missed = [False] * size
        j = 0
        while j < size:
            if rng.random() < start_rate:
                burst = pick(rng, MISS_BURSTS)
                missed[j:j + burst] = [True] * len(missed[j:j + burst])
                j += burst + 1  # a burst is followed by at least one good cycle
            else:
                j += 1
        return missed


def _fault(segments: list[tuple[int, int, int]], plan: _DayPlan, entry: Entry,
           cycles: tuple[int, int], stop: int) -> bool:
    """Append a breakdown over ``cycles`` (first, end) to ``segments``, cut at ``stop`` (the
    park's closing cycle) with the rest left in the plan's carry; True when it was cut."""
    start, end = cycles
    segments.append((start, min(end, stop), _FAULT))
    if end > stop:
        plan.carry[entry.record.ride_id] = end - stop
        return True
    return False


def _crowd_curve(park: Park, plan: _DayPlan, times: list[datetime]
                 ) -> tuple[list[int], list[float]]:
    """For each cycle: the park's local hour, and the crowd as a share of the day's peak."""
    hours: list[int] = []
    diurnal: list[float] = []
    for at in times:
        local = at.replace(tzinfo=UTC).astimezone(park.zone)
        hour = local.hour + local.minute / 60
        hours.append(local.hour)
        z = (hour - plan.peak_hour) / plan.spread_hours
        diurnal.append(0.25 + 0.75 * math.exp(-z * z))
    return hours, diurnal


def _column(entry: Entry, segments: tuple[tuple[int, int, int], ...], scale: list[float] | None,
            g0: int, hours: list[int], diurnal: list[float]) -> list[RideObservation]:
    """One entry's observations over the day's cycles g0, g0 + 1, ... (one per ``hours``)."""
    size = len(hours)
    g1 = g0 + size
    col = [entry.closed_obs] * size
    waits = entry.waits
    for first, stop, kind in segments:
        a, b = max(first, g0) - g0, min(stop, g1) - g0
        if a >= b:
            continue
        if kind == _FAULT:
            col[a:b] = [entry.fault_obs] * (b - a)
        elif kind == _IDLE or scale is None:
            col[a:b] = [entry.idle_obs] * (b - a)
        else:
            col[a:b] = [waits[int(scale[hours[j]] * diurnal[j] + 0.5) * 5] for j in range(a, b)]
    return col


def _single_rider(entry: Entry, parent: list[RideObservation]) -> list[RideObservation]:
    """A single-rider line follows its ride: same status, about a third of the wait."""
    mapped: dict[RideObservation, RideObservation] = {}
    ride_id = entry.record.ride_id
    out = []
    for obs in parent:
        mine = mapped.get(obs)
        if mine is None:
            wait = None if obs.wait_time is None else 5 * round(obs.wait_time / 15)
            mine = mapped[obs] = RideObservation(ride_id, obs.status, wait)
        out.append(mine)
    return out
