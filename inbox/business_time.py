"""Business-hours arithmetic for the SLA clock.

With a `Calendar` the clock only runs while the team is open; with `None` it runs 24/7.
Business time is real elapsed time inside opening ranges: a range is turned into two
UTC instants for each local date, and durations are measured between instants. So
09:00–13:00 local is 4 hours even on a DST-change day, while a whole-day range is 23 or
25 hours on those days, because that is how long the team was actually open.

Local-time rules (see `_instant_at`):

* 24:00 is written ``time(0)`` as the *end* of a range: ``(time(22), time(0))`` is open
  from 22:00 until midnight, ``(time(0), time(0))`` is the whole day. ``time.max`` is
  rejected as an end, because it would leave a one-microsecond gap before midnight.
* Every boundary becomes the first instant at which the local wall clock shows that time
  or later. A non-existent time (in a spring-forward gap) is therefore the moment the
  clock jumps past it: 02:30 in Madrid on the last Sunday of March opens at 03:00 CEST.
  An ambiguous time (in a fall-back overlap) is its first occurrence: 02:30 on the last
  Sunday of October is 02:30 CEST. A range 02:00–03:00 is thus 0 hours on the
  spring-forward day and 2 hours on the fall-back day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)

# A range as stored after validation: opening time, closing time and how many days after
# the range's own date the closing time falls (1 for a range ending at 24:00).
_Range = tuple[time, time, int]


@dataclass(frozen=True)
class Calendar:
    """When the team answers: weekly opening ranges in local time, minus closed dates."""

    time_zone: str
    hours: dict[int, tuple[tuple[time, time], ...]]
    holidays: frozenset[date] = frozenset()

    def __post_init__(self):
        # Validated and normalised once, so that the hot loops can trust what they read.
        try:
            zone = ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from error
        hours = {weekday: _sorted_ranges(weekday, ranges) for weekday, ranges in self.hours.items()}
        hours = {weekday: ranges for weekday, ranges in hours.items() if ranges}
        if not hours:
            # Nothing would ever be due: refuse here rather than let `add` walk forever.
            raise ValueError("a calendar needs at least one opening range (use None for 24/7)")
        object.__setattr__(self, "hours", hours)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_ranges", {weekday: tuple(map(_with_day_offset, r)) for weekday, r in hours.items()})

    @classmethod
    def with_public_holidays(
        cls,
        time_zone: str,
        hours: Mapping[int, tuple[tuple[time, time], ...]],
        country: str,
        subdivision: str | None = None,
        years: Iterable[int] | None = None,
        extra: Iterable[date] = (),
    ) -> Calendar:
        """A calendar closed on the public holidays of `country` (ISO 3166-1 alpha-2) and
        `subdivision` (e.g. "MD" for Madrid), plus the `extra` dates.

        `years` defaults to last, this and next year, enough for any due date computed
        today; a calendar kept for longer than that should be rebuilt or given its years.
        """
        # Imported here because the package takes ~50 ms to import, and most callers of
        # this module (every SLA computation) never need it.
        import holidays as public_holidays

        if years is None:
            this_year = date.today().year
            years = range(this_year - 1, this_year + 2)
        try:
            found = public_holidays.country_holidays(country, subdiv=subdivision, years=list(years))
        except NotImplementedError as error:  # the package's way to say "unknown country/subdivision"
            raise ValueError(str(error)) from error
        return cls(time_zone, dict(hours), frozenset(found) | frozenset(extra))



def add(calendar: Calendar | None, start: datetime, duration: timedelta) -> datetime:
    """The moment `duration` of business time has passed after `start` (aware datetimes in,
    aware UTC out). None = 24/7: start + duration.

    A start outside opening hours begins counting at the next opening. A due time that lands
    exactly on a closing time is that closing time, not the next opening.
    """
    moment = _utc(start)
    if duration < _ZERO:
        raise ValueError("duration must not be negative")
    if calendar is None or duration == _ZERO:  # nothing to wait for, even when closed
        return moment + duration
    remaining = duration
    day = _local_date(calendar, moment)
    # Terminates: the calendar has at least one range, and only the finite holiday set or a
    # range lying wholly inside a DST gap can close a day that has ranges.
    while True:
        for opens, closes in _windows(calendar, day):
            if closes <= moment:
                continue
            moment = max(moment, opens)
            if remaining <= closes - moment:
                return moment + remaining
            remaining -= closes - moment
            moment = closes
        day += _ONE_DAY


def between(calendar: Calendar | None, start: datetime, end: datetime) -> timedelta:
    """Business time elapsed from start to end (zero if end <= start). None = end - start."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return _ZERO
    if calendar is None:
        return end - start
    elapsed = _ZERO
    day, last_day = _local_date(calendar, start), _local_date(calendar, end)
    while day <= last_day:
        for opens, closes in _windows(calendar, day):
            elapsed += max(_ZERO, min(closes, end) - max(opens, start))
        day += _ONE_DAY
    return elapsed


def is_open(calendar: Calendar | None, moment: datetime) -> bool:
    """Whether the clock runs at `moment` (ranges include their opening, not their closing)."""
    moment = _utc(moment)
    if calendar is None:
        return True
    day = _local_date(calendar, moment)
    return any(opens <= moment < closes for opens, closes in _windows(calendar, day))


def _windows(calendar: Calendar, day: date) -> list[tuple[datetime, datetime]]:
    """The opening ranges of local date `day`, as UTC instants, in order."""
    ranges = calendar._ranges.get(day.weekday())
    if not ranges or day in calendar.holidays:
        return []
    zone = calendar._zone
    return [
        (_instant_at(zone, day, opens), _instant_at(zone, day + _ONE_DAY * day_offset, closes))
        for opens, closes, day_offset in ranges
    ]


def _local_date(calendar: Calendar, moment: datetime) -> date:
    return moment.astimezone(calendar._zone).date()


def _utc(moment: datetime) -> datetime:
    # Aware arithmetic is wall-clock arithmetic when both sides share a tzinfo, which is
    # wrong across DST; everything is done in UTC instead.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"an aware datetime is needed, got {moment!r}")
    return moment.astimezone(UTC)


def _sorted_ranges(weekday: int, ranges: Iterable[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    if weekday not in range(7):
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
    ranges = [(opens, closes) for opens, closes in ranges]
    if any(opens.tzinfo is not None or closes.tzinfo is not None for opens, closes in ranges):
        raise ValueError("opening hours are local wall times: give them without tzinfo")
    ranges = tuple(sorted(ranges))
    for opens, closes in ranges:
        if closes == time.max:
            raise ValueError("write a range ending at 24:00 as time(0), not time.max")
        if closes != time(0) and closes <= opens:
            raise ValueError(f"range {opens}–{closes} closes before it opens (24:00 is time(0))")
    for (_, closes), (next_opens, _) in zip(ranges, ranges[1:]):
        if closes == time(0) or next_opens < closes:
            raise ValueError(f"ranges overlap on weekday {weekday}")
    return ranges


def _with_day_offset(opening_range: tuple[time, time]) -> _Range:
    opens, closes = opening_range
    return opens, closes, 1 if closes == time(0) else 0


def _instant_at(zone: ZoneInfo, day: date, clock: time) -> datetime:
    """The first instant (UTC) at which the wall clock in `zone` shows `clock` on `day` or later."""
    wall = datetime.combine(day, clock)
    # PEP 495: fold=0 gives the offset before a transition, fold=1 the one after; they only
    # differ for wall times inside a fall-back overlap or a spring-forward gap.
    before = wall.replace(tzinfo=zone).utcoffset()
    after = wall.replace(tzinfo=zone, fold=1).utcoffset()
    if before >= after:  # unambiguous, or an overlap whose first occurrence is `before`
        return (wall - before).replace(tzinfo=UTC)
    return _transition_between(zone, (wall - after).replace(tzinfo=UTC), (wall - before).replace(tzinfo=UTC), after)


def _transition_between(zone: ZoneInfo, low: datetime, high: datetime, new_offset: timedelta) -> datetime:
    """The instant in (low, high] at which `zone` switches to `new_offset`.

    zoneinfo does not expose its transitions; tz transitions fall on whole seconds, so a
    bisection over at most the gap's length in seconds (12 steps for an hour) finds it.
    """
    low_s, high_s = math.floor(low.timestamp()), math.floor(high.timestamp())
    while high_s - low_s > 1:
        middle = (low_s + high_s) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == new_offset:
            high_s = middle
        else:
            low_s = middle
    return datetime.fromtimestamp(high_s, UTC)
