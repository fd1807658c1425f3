"""Business hours and the waiting time counted in them.

A :class:`BusinessCalendar` is a week of openings in one time zone, less holidays. An opening
belongs to the weekday it starts on and may run past midnight (22:00–06:00); a holiday closes the
openings that start on that date (so a night shift starting the evening before a holiday runs to
its end). Openings that touch or overlap (an overnight shift running into the next morning's) are
one stretch of business time.

Wall-clock times are read the way a person reads a clock on a day the clock changes: an opening
at ``w`` starts at the first instant the clock shows ``w`` or later. On a spring-forward day in
Europe/Paris, 02:30 never shows: an opening at 02:30 starts at 03:00 (the instant of the jump); on a
fall-back day, 02:30 shows twice and the opening starts the first time. So a 00:00–00:00 day lasts
23 hours in spring and 25 in autumn, and business time is always real elapsed time.

:func:`business_time_between` and :func:`add_business_time` are consistent: for any ``start`` and
``duration >= 0``, ``business_time_between(c, start, add_business_time(c, start, duration)) ==
duration``, and ``add_business_time`` returns the earliest such instant.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..messages import Param, Params, check_code, check_params

__all__ = [
    "MAX_CLOSED_DAYS",
    "WEEKDAYS",
    "BusinessCalendar",
    "Holiday",
    "NoBusinessHours",
    "Opening",
    "SchedulingError",
    "add_business_time",
    "business_time_between",
]

#: Weekday numbers as Python counts them (``date.weekday()``): 0 is Monday, 6 is Sunday.
WEEKDAYS: Final = range(7)
#: :func:`add_business_time` gives up (:class:`NoBusinessHours`) after this many days in a row
#: without any business time: 29 years, longer than the 28-year cycle after which every date falls
#: on every weekday again, so only a calendar that is truly never open again gets there.
MAX_CLOSED_DAYS: Final = 366 * 29
_DAY: Final = timedelta(days=1)
_ZERO: Final = timedelta(0)
_CACHE_DAYS: Final = 4096
_LAST_DAY: Final = date.max - _DAY


class SchedulingError(ValueError):
    """Business hours that cannot be used: ``message`` in English for logs, ``code`` and
    ``params`` for the product to word (:mod:`ambassade.engine.messages`). Codes:
    ``scheduling.unknown_time_zone`` (``zone``), ``scheduling.bad_weekday`` (``weekday``),
    ``scheduling.bad_time`` (``time``), ``scheduling.no_business_hours``."""

    def __init__(self, message: str, *, code: str, params: Mapping[str, Param] | None = None):
        super().__init__(message)
        self.message = message
        self.code = check_code(code)
        self.params: Params = check_params(params)


class NoBusinessHours(SchedulingError):
    """The calendar is never open (no opening in its week, or every day a holiday from some date
    on): no amount of business time can be added to an instant."""

    def __init__(self) -> None:
        super().__init__(
            "These business hours are never open: there is no business time to count.",
            code="scheduling.no_business_hours",
        )


@dataclass(frozen=True, slots=True)
class Opening:
    """Open on ``weekday`` (0 Monday … 6 Sunday) from ``start`` to ``end``, wall-clock times in the
    calendar's zone. ``end`` at or before ``start`` ends on the next day (22:00–06:00); ``end ==
    start`` is a whole 24 hours (00:00–00:00: all day)."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not isinstance(self.weekday, int) or self.weekday not in WEEKDAYS:
            raise SchedulingError(
                f"a weekday is a number from 0 (Monday) to 6 (Sunday), not {self.weekday!r}",
                code="scheduling.bad_weekday",
                params={"weekday": str(self.weekday)},
            )
        for value in (self.start, self.end):
            if not isinstance(value, time) or value.tzinfo is not None:
                raise SchedulingError(
                    f"an opening's times are wall-clock times without a zone, not {value!r}",
                    code="scheduling.bad_time",
                    params={"time": str(value)},
                )

    @property
    def overnight(self) -> bool:
        """Whether it ends on the next day."""
        return self.end <= self.start

    @property
    def length(self) -> timedelta:
        """How long it lasts on a day without a clock change."""
        start = datetime.combine(date.min, self.start)
        end = datetime.combine(date.min + _DAY if self.overnight else date.min, self.end)
        return end - start


@dataclass(frozen=True, slots=True)
class Holiday:
    """A closed date: once (``yearly`` False) or every year on the same month and day (a yearly
    29 February is closed in leap years only)."""

    day: date
    yearly: bool = False

    def closes(self, day: date) -> bool:
        if self.yearly:
            return (day.month, day.day) == (self.day.month, self.day.day)
        return day == self.day


def _zone(name: str) -> tzinfo:
    if not isinstance(name, str) or not name or name != name.strip():
        raise SchedulingError(
            f"unknown time zone {name!r}",
            code="scheduling.unknown_time_zone",
            params={"zone": str(name)[:80]},
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SchedulingError(
            f"unknown time zone {name!r}",
            code="scheduling.unknown_time_zone",
            params={"zone": name[:80]},
        ) from None


def _aware(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be a datetime with a time zone, not {value!r}")
    return value.astimezone(UTC)


@dataclass(eq=False)
class BusinessCalendar:
    """A week of :class:`Opening` in the IANA time zone ``time_zone``, less :class:`Holiday`.
    Instances cache the openings of the days they computed; share one per set of hours."""

    time_zone: str
    openings: tuple[Opening, ...] = ()
    holidays: tuple[Holiday, ...] = ()
    zone: tzinfo = field(init=False, repr=False)
    _by_weekday: tuple[tuple[Opening, ...], ...] = field(init=False, repr=False)
    _once: frozenset[date] = field(init=False, repr=False)
    _yearly: frozenset[tuple[int, int]] = field(init=False, repr=False)
    _days: dict[date, tuple[tuple[datetime, datetime], ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.zone = _zone(self.time_zone)
        self.openings = tuple(self.openings)
        self.holidays = tuple(self.holidays)
        for opening in self.openings:
            if not isinstance(opening, Opening):
                raise TypeError(f"an opening must be an Opening, not {opening!r}")
        for holiday in self.holidays:
            if not isinstance(holiday, Holiday):
                raise TypeError(f"a holiday must be a Holiday, not {holiday!r}")
        self._by_weekday = tuple(
            tuple(sorted((o for o in self.openings if o.weekday == day), key=lambda o: o.start))
            for day in WEEKDAYS
        )
        self._once = frozenset(h.day for h in self.holidays if not h.yearly)
        self._yearly = frozenset((h.day.month, h.day.day) for h in self.holidays if h.yearly)
        self._days = {}

    # --- reading the week ----------------------------------------------------------------------

    @property
    def never_open(self) -> bool:
        """Certainly never open: no opening at all, or every date of the year a yearly holiday."""
        return not self.openings or len(self._yearly) >= 366

    def is_holiday(self, day: date) -> bool:
        return day in self._once or (day.month, day.day) in self._yearly

    def local_date(self, instant: datetime) -> date:
        return _aware(instant, "instant").astimezone(self.zone).date()

    def _instant(self, wall: datetime) -> datetime:
        """The first instant (UTC) at which the zone's clock shows ``wall`` (naive) or later."""
        first = wall.replace(tzinfo=self.zone, fold=0).astimezone(UTC)
        second = wall.replace(tzinfo=self.zone, fold=1).astimezone(UTC)
        low, high = min(first, second), max(first, second)
        if low.astimezone(self.zone).replace(tzinfo=None) == wall:
            return low
        # ``wall`` falls in a gap (the clock jumped over it): find the jump, the first whole second
        # at which the clock shows ``wall`` or later. Zone transitions fall on whole seconds.
        lo = int(low.timestamp())
        hi = int(high.timestamp()) + 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if datetime.fromtimestamp(mid, self.zone).replace(tzinfo=None) >= wall:
                hi = mid
            else:
                lo = mid
        return datetime.fromtimestamp(hi, UTC)

    def day(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The openings that start on the local date ``day``, as (start, end) instants in UTC in
        order, none on a holiday; an opening the clock change leaves empty is left out."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        spans: list[tuple[datetime, datetime]] = []
        if not self.is_holiday(day):
            for opening in self._by_weekday[day.weekday()]:
                start = self._instant(datetime.combine(day, opening.start))
                end_day = day + _DAY if opening.overnight else day
                end = self._instant(datetime.combine(end_day, opening.end))
                if end > start:
                    spans.append((start, end))
        result = tuple(spans)
        if len(self._days) >= _CACHE_DAYS:
            self._days.clear()
        self._days[day] = result
        return result

    def spans(
        self, start: datetime, until: datetime | None = None
    ) -> Iterator[tuple[datetime, datetime]]:
        """The pieces of business time from ``start`` on, as (start, end) instants in UTC, in order
        and disjoint (the first clipped to begin at ``start``; pieces may touch, where an opening
        runs into the next); up to ``until`` when given (the last may run past it), else forever.
        Without ``until``, :class:`NoBusinessHours` once :data:`MAX_CLOSED_DAYS` days in a row had
        no business time (at once when :attr:`never_open`). Pieces are yielded as soon as they are
        known, so a calendar open all week long is read lazily too."""
        start = _aware(start, "start")
        last = self.local_date(until) + _DAY if until is not None else None
        if until is None and self.never_open:
            raise NoBusinessHours
        # The previous day's overnight openings may still run at ``start``.
        day = self.local_date(start) - _DAY
        reached = start  # business time before this instant has been given
        closed = 0
        while last is None or day <= last:
            spans = self.day(day)
            closed = 0 if spans else closed + 1
            for begin, end in spans:
                begin = max(begin, reached)
                if end > begin:
                    yield begin, end
                    reached = end
            if last is None and closed > MAX_CLOSED_DAYS:
                raise NoBusinessHours
            if day >= _LAST_DAY:
                return  # the end of the calendar (year 9999): nothing past it
            day += _DAY

    def stretch(self, instant: datetime, *, within: timedelta = timedelta(days=8)) -> datetime:
        """The end of the business time that runs at ``instant`` (``instant`` itself when closed),
        following openings that run into each other, no further than ``within``."""
        instant = _aware(instant, "instant")
        limit = instant + within
        reached = instant
        for begin, end in self.spans(instant, limit):
            if begin > reached or reached >= limit:
                break
            reached = end
        return min(reached, limit)

    def is_open(self, instant: datetime) -> bool:
        """Whether ``instant`` is business time."""
        instant = _aware(instant, "instant")
        for begin, end in self.spans(instant, instant):
            return begin <= instant < end
        return False

    def next_change(
        self, instant: datetime, *, within: timedelta = timedelta(days=8)
    ) -> datetime | None:
        """When the calendar next opens or closes after ``instant``; None when it does not within
        ``within`` (open or closed all along, or never open). A page counting business time down
        live needs it: the count runs while open, waits while closed."""
        instant = _aware(instant, "instant")
        if self.never_open:
            return None
        limit = instant + within
        if self.is_open(instant):
            end = self.stretch(instant, within=within)
            return end if end < limit else None
        for begin, _end in self.spans(instant, limit):
            return begin if begin <= limit else None
        return None


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """The business time from ``start`` to ``end`` (negative when ``end`` comes first). Never
    raises for a calendar that is never open: nothing is business time, so it is zero."""
    start, end = _aware(start, "start"), _aware(end, "end")
    if end < start:
        return -business_time_between(calendar, end, start)
    total = _ZERO
    for begin, stop in calendar.spans(start, end):
        if begin >= end:
            break
        total += min(stop, end) - begin
    return total


def add_business_time(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The earliest instant after ``start`` by which ``duration`` of business time has passed (in
    UTC). ``duration`` zero is ``start`` itself, open or not. :class:`NoBusinessHours` when the
    calendar is never open (at once for an empty week, not after a search)."""
    start = _aware(start, "start")
    if not isinstance(duration, timedelta) or duration < _ZERO:
        raise ValueError(f"a business duration is a timedelta of zero or more, not {duration!r}")
    if duration == _ZERO:
        return start
    remaining = duration
    for begin, end in calendar.spans(start):
        length = end - begin
        if length >= remaining:
            return begin + remaining
        remaining -= length
    raise NoBusinessHours  # past year 9999
