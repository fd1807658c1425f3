"""Business hours: waiting time counted in them, across clock changes, nights, holidays and weeks
without any opening. Hand-computed cases first, then properties checked by Hypothesis."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ambassade.engine.scheduling import (
    MAX_CLOSED_DAYS,
    BusinessCalendar,
    Holiday,
    NoBusinessHours,
    Opening,
    SchedulingError,
    add_business_time,
    business_time_between,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
M = timedelta(minutes=1)


def office(zone: str = "Europe/Paris", holidays: tuple[Holiday, ...] = ()) -> BusinessCalendar:
    """Monday to Friday, 09:00–12:30 and 13:30–18:00."""
    openings = [
        Opening(day, start, end)
        for day in range(5)
        for start, end in ((time(9), time(12, 30)), (time(13, 30), time(18)))
    ]
    return BusinessCalendar(zone, tuple(openings), holidays)


def always(zone: str) -> BusinessCalendar:
    return BusinessCalendar(zone, tuple(Opening(day, time(0), time(0)) for day in range(7)))


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def new_york(*args: int) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)  # type: ignore[misc]


# --- by hand ----------------------------------------------------------------------------------------


def test_it_counts_only_the_opening_hours_of_a_day() -> None:
    calendar = office()
    # Wednesday 8 May 2024 (no holiday given): 08:00 → 19:00 is 3.5 h + 4.5 h.
    assert business_time_between(calendar, paris(2024, 5, 8, 8), paris(2024, 5, 8, 19)) == 8 * H
    # Inside the lunch break nothing passes.
    assert business_time_between(
        calendar, paris(2024, 5, 8, 12, 40), paris(2024, 5, 8, 13, 20)
    ) == (timedelta(0))
    assert business_time_between(calendar, paris(2024, 5, 8, 12), paris(2024, 5, 8, 14)) == H


def test_it_carries_over_the_night_and_the_weekend() -> None:
    calendar = office()
    # Friday 17:00 + 2 h: 1 h on Friday, then Monday 09:00 + 1 h.
    due = add_business_time(calendar, paris(2024, 5, 10, 17), 2 * H)
    assert due == paris(2024, 5, 13, 10)
    assert due.tzinfo is UTC
    # Saturday noon + 30 min: Monday 09:30.
    assert add_business_time(calendar, paris(2024, 5, 11, 12), 30 * M) == paris(2024, 5, 13, 9, 30)
    # A message in the lunch break: due at 14:30 for a one-hour target.
    assert add_business_time(calendar, paris(2024, 5, 8, 12, 45), H) == paris(2024, 5, 8, 14, 30)
    # Exactly at closing time, a target ends there, not at the next opening.
    assert add_business_time(calendar, paris(2024, 5, 8, 17), H) == paris(2024, 5, 8, 18)
    assert business_time_between(calendar, paris(2024, 5, 10, 17), paris(2024, 5, 13, 10)) == 2 * H


def test_it_gives_back_the_start_for_no_time_at_all() -> None:
    assert add_business_time(office(), paris(2024, 5, 11, 12), timedelta(0)) == paris(
        2024, 5, 11, 12
    )


def test_it_counts_backwards_as_negative() -> None:
    calendar = office()
    assert business_time_between(calendar, paris(2024, 5, 8, 19), paris(2024, 5, 8, 8)) == -8 * H


def test_it_runs_overnight_openings_into_the_next_day() -> None:
    # A night desk: Monday to Friday 22:00–06:00, and Saturday 08:00–12:00.
    nights = BusinessCalendar(
        "Europe/Paris",
        (*(Opening(day, time(22), time(6)) for day in range(5)), Opening(5, time(8), time(12))),
    )
    # Friday 23:00 → Saturday 10:00: Friday's night until 06:00 (7 h) + Saturday 08:00–10:00 (2 h).
    assert business_time_between(nights, paris(2024, 5, 10, 23), paris(2024, 5, 11, 10)) == 9 * H
    # Saturday 05:00 is Friday's night; Sunday 05:00 is closed (no Saturday night).
    assert nights.is_open(paris(2024, 5, 11, 5))
    assert not nights.is_open(paris(2024, 5, 12, 5))
    # Sunday 12:00 + 1 h: the next opening is Monday 22:00.
    assert add_business_time(nights, paris(2024, 5, 12, 12), H) == paris(2024, 5, 13, 23)


def test_it_merges_an_overnight_opening_with_the_next_mornings() -> None:
    calendar = BusinessCalendar(
        "Europe/Paris", (Opening(0, time(20), time(8)), Opening(1, time(7), time(10)))
    )
    # Monday 20:00 to Tuesday 10:00 in one stretch, the overlap counted once: 14 h.
    assert business_time_between(calendar, paris(2024, 5, 6, 12), paris(2024, 5, 7, 12)) == 14 * H
    assert calendar.next_change(paris(2024, 5, 6, 21)) == paris(2024, 5, 7, 10)
    assert calendar.next_change(paris(2024, 5, 6, 12)) == paris(2024, 5, 6, 20)


def test_it_keeps_a_holiday_closed() -> None:
    # 1 May is a yearly holiday, Wednesday 8 May 2024 a one-off one.
    calendar = office(holidays=(Holiday(date(2000, 5, 1), yearly=True), Holiday(date(2024, 5, 8))))
    # Tuesday 30 April 17:00 + 2 h: 1 h on Tuesday, Thursday 2 May 09:00 + 1 h.
    assert add_business_time(calendar, paris(2024, 4, 30, 17), 2 * H) == paris(2024, 5, 2, 10)
    # Tuesday 7 May 18:00 → Thursday 9 May 10:00: 8 May is closed, so 1 h.
    assert business_time_between(calendar, paris(2024, 5, 7, 18), paris(2024, 5, 9, 10)) == H
    # The one-off holiday was 2024's only: 8 May 2025 (a Thursday) is open.
    assert business_time_between(calendar, paris(2025, 5, 8, 8), paris(2025, 5, 8, 19)) == 8 * H
    # The yearly one comes back: 1 May 2025 is a Thursday, closed.
    assert business_time_between(
        calendar, paris(2025, 5, 1, 8), paris(2025, 5, 1, 19)
    ) == timedelta(0)


def test_it_closes_a_yearly_29_february_in_leap_years_only() -> None:
    calendar = BusinessCalendar(
        "UTC",
        tuple(Opening(d, time(9), time(17)) for d in range(7)),
        (Holiday(date(2024, 2, 29), True),),
    )
    day = lambda y, m, d: business_time_between(  # noqa: E731
        calendar, datetime(y, m, d, tzinfo=UTC), datetime(y, m, d, 23, tzinfo=UTC)
    )
    assert day(2028, 2, 29) == timedelta(0)
    assert day(2027, 2, 28) == 8 * H
    assert day(2027, 3, 1) == 8 * H


def test_it_lets_a_night_shift_starting_before_a_holiday_run_to_its_end() -> None:
    calendar = BusinessCalendar(
        "Europe/Paris",
        tuple(Opening(d, time(22), time(6)) for d in range(7)),
        (Holiday(date(2024, 12, 25)),),
    )
    # The shift of the 24th runs to 06:00 on the 25th; the 25th's own shift is closed.
    assert calendar.is_open(paris(2024, 12, 25, 5))
    assert not calendar.is_open(paris(2024, 12, 25, 23))
    assert calendar.is_open(paris(2024, 12, 26, 23))


def test_it_counts_a_day_of_23_and_25_hours_across_the_clock_changes_in_paris() -> None:
    calendar = always("Europe/Paris")
    # 31 March 2024: 02:00 → 03:00. 27 October 2024: 03:00 → 02:00.
    assert business_time_between(calendar, paris(2024, 3, 31), paris(2024, 4, 1)) == 23 * H
    assert business_time_between(calendar, paris(2024, 10, 27), paris(2024, 10, 28)) == 25 * H
    # Adding 24 h to Saturday midnight lands on Monday 01:00 local in spring, Sunday 23:00 in autumn.
    assert add_business_time(calendar, paris(2024, 3, 30), 48 * H) == paris(2024, 4, 1, 1)
    assert add_business_time(calendar, paris(2024, 10, 26), 48 * H) == paris(2024, 10, 27, 23)


def test_it_counts_real_time_for_openings_across_a_clock_change() -> None:
    # Sunday openings 01:00–04:00 in Paris: 2 h on the spring day, 4 h on the autumn day.
    calendar = BusinessCalendar("Europe/Paris", (Opening(6, time(1), time(4)),))
    assert business_time_between(calendar, paris(2024, 3, 31), paris(2024, 3, 31, 12)) == 2 * H
    autumn = business_time_between(
        calendar, datetime(2024, 10, 26, 22, tzinfo=UTC), datetime(2024, 10, 27, 12, tzinfo=UTC)
    )
    assert autumn == 4 * H


def test_it_opens_at_the_jump_when_the_opening_time_never_shows() -> None:
    # Sunday 02:30–05:00 in Paris: on 31 March 2024 02:30 does not exist, the clock shows 03:00 at
    # 01:00 UTC: open from then until 05:00 (03:00 UTC), 2 h.
    calendar = BusinessCalendar("Europe/Paris", (Opening(6, time(2, 30), time(5)),))
    assert calendar.next_change(paris(2024, 3, 31, 0)) == datetime(2024, 3, 31, 1, tzinfo=UTC)
    assert business_time_between(calendar, paris(2024, 3, 31), paris(2024, 3, 31, 12)) == 2 * H
    # An opening that lies wholly in the gap (02:15–02:45) is empty that day, open a week later.
    gap = BusinessCalendar("Europe/Paris", (Opening(6, time(2, 15), time(2, 45)),))
    assert business_time_between(gap, paris(2024, 3, 31), paris(2024, 4, 1)) == timedelta(0)
    assert add_business_time(gap, paris(2024, 3, 31), 30 * M) == paris(2024, 4, 7, 2, 45)


def test_it_opens_the_first_time_a_repeated_time_shows() -> None:
    # Sunday 02:30–03:00 in Paris on 27 October 2024: the clock first shows 02:30 at 00:30 UTC and
    # 03:00 at 02:00 UTC (after showing 02:00–03:00 twice): 1.5 h of real time.
    calendar = BusinessCalendar("Europe/Paris", (Opening(6, time(2, 30), time(3)),))
    start = datetime(2024, 10, 26, 12, tzinfo=UTC)
    assert add_business_time(calendar, start, M) == datetime(2024, 10, 27, 0, 31, tzinfo=UTC)
    assert business_time_between(calendar, start, start + 2 * _day()) == 90 * M


def _day() -> timedelta:
    return timedelta(days=1)


def test_it_follows_new_yorks_clock_changes() -> None:
    # New York: 10 March 2024 02:00 → 03:00; 3 November 2024 02:00 → 01:00.
    calendar = always("America/New_York")
    assert business_time_between(calendar, new_york(2024, 3, 10), new_york(2024, 3, 11)) == 23 * H
    assert business_time_between(calendar, new_york(2024, 11, 3), new_york(2024, 11, 4)) == 25 * H
    nine_to_five = BusinessCalendar(
        "America/New_York", tuple(Opening(d, time(9), time(17)) for d in range(7))
    )
    # The office day is 8 h either side; in UTC it moves by an hour.
    assert add_business_time(nine_to_five, new_york(2024, 3, 9, 16), 2 * H) == datetime(
        2024, 3, 10, 14, tzinfo=UTC
    )
    assert add_business_time(nine_to_five, new_york(2024, 11, 2, 16), 2 * H) == datetime(
        2024, 11, 3, 15, tzinfo=UTC
    )
    # Sunday 01:30 shows twice on 3 November: an opening at 01:30 starts the first time (05:30 UTC).
    early = BusinessCalendar("America/New_York", (Opening(6, time(1, 30), time(3)),))
    assert early.next_change(new_york(2024, 11, 3, 0)) == datetime(2024, 11, 3, 5, 30, tzinfo=UTC)
    # … and lasts until 03:00 EST (08:00 UTC): 2.5 h.
    assert business_time_between(early, new_york(2024, 11, 3), new_york(2024, 11, 4)) == 150 * M


def test_it_refuses_to_add_time_to_a_week_without_openings_at_once() -> None:
    empty = BusinessCalendar("Europe/Paris")
    started = clock.perf_counter()
    with pytest.raises(NoBusinessHours) as raised:
        add_business_time(empty, paris(2024, 5, 8), H)
    assert clock.perf_counter() - started < 1  # a refusal, not a search to the limit
    assert raised.value.code == "scheduling.no_business_hours"
    assert empty.never_open
    assert empty.next_change(paris(2024, 5, 8)) is None
    assert not empty.is_open(paris(2024, 5, 8, 10))
    # Nothing is business time: the time between two instants is zero, not an error.
    assert business_time_between(empty, paris(2024, 5, 8), paris(2024, 6, 8)) == timedelta(0)


def test_it_refuses_when_every_date_of_the_year_is_a_holiday() -> None:
    every_day = tuple(
        Holiday(date(2024, 1, 1) + timedelta(days=n), yearly=True) for n in range(366)
    )
    calendar = BusinessCalendar("UTC", (Opening(0, time(9), time(17)),), every_day)
    assert calendar.never_open
    with pytest.raises(NoBusinessHours):
        add_business_time(calendar, datetime(2024, 5, 8, tzinfo=UTC), H)


def test_it_gives_up_after_decades_of_one_off_holidays() -> None:
    # Open on Mondays, every Monday a holiday for 30 years: not found, and said so.
    mondays = tuple(Holiday(date(2024, 1, 1) + timedelta(weeks=n)) for n in range(30 * 53))
    calendar = BusinessCalendar("UTC", (Opening(0, time(9), time(17)),), mondays)
    assert not calendar.never_open
    with pytest.raises(NoBusinessHours):
        add_business_time(calendar, datetime(2024, 1, 1, tzinfo=UTC), H)
    # Fewer years of holidays: found after them.
    some = BusinessCalendar("UTC", (Opening(0, time(9), time(17)),), mondays[:200])
    due = add_business_time(some, datetime(2024, 1, 1, tzinfo=UTC), H)
    assert due == datetime(2024, 1, 1, 10, tzinfo=UTC) + timedelta(weeks=200)
    assert MAX_CLOSED_DAYS > 28 * 366


def test_it_names_what_is_wrong() -> None:
    with pytest.raises(SchedulingError) as raised:
        BusinessCalendar("Europe/Pariss")
    assert raised.value.code == "scheduling.unknown_time_zone"
    assert raised.value.params == {"zone": "Europe/Pariss"}
    for bad in ("", " Europe/Paris", "../../etc/passwd"):
        with pytest.raises(SchedulingError):
            BusinessCalendar(bad)
    with pytest.raises(SchedulingError) as raised:
        Opening(7, time(9), time(17))
    assert raised.value.code == "scheduling.bad_weekday"
    with pytest.raises(SchedulingError) as raised:
        Opening(1, time(9, tzinfo=UTC), time(17))
    assert raised.value.code == "scheduling.bad_time"
    with pytest.raises(ValueError, match="time zone"):
        business_time_between(office(), datetime(2024, 5, 8), paris(2024, 5, 9))
    with pytest.raises(ValueError, match="zero or more"):
        add_business_time(office(), paris(2024, 5, 8), -H)


def test_it_measures_an_opening() -> None:
    assert Opening(0, time(9), time(17)).length == 8 * H
    assert Opening(0, time(22), time(6)).length == 8 * H
    assert Opening(0, time(0), time(0)).length == 24 * H
    assert Opening(0, time(22), time(6)).overnight


# --- properties -------------------------------------------------------------------------------------

ZONES = ("Europe/Paris", "America/New_York", "UTC", "Australia/Lord_Howe")


@st.composite
def calendars(draw: st.DrawFn, *, avoid_clock_changes: bool = False) -> BusinessCalendar:
    """Random weeks of openings (some overnight, some empty days), holidays around 2024's clock
    changes. With ``avoid_clock_changes``, no opening starts or ends between 00:30 and 03:30 (where
    the clock changes in these zones), so a minute-by-minute reading of the wall clock is exact."""
    zone = draw(st.sampled_from(ZONES[:3] if avoid_clock_changes else ZONES))
    minutes = st.integers(0, 24 * 4 - 1).map(lambda q: q * 15)
    if avoid_clock_changes:
        minutes = minutes.filter(lambda m: not 30 <= m <= 210)
    openings = []
    for _ in range(draw(st.integers(1, 6))):
        start, end = draw(minutes), draw(minutes)
        openings.append(
            Opening(
                draw(st.integers(0, 6)), time(start // 60, start % 60), time(end // 60, end % 60)
            )
        )
    holidays = draw(
        st.lists(
            st.builds(
                Holiday,
                st.dates(date(2024, 2, 20), date(2024, 11, 20)),
                st.booleans(),
            ),
            max_size=4,
        )
    )
    return BusinessCalendar(zone, tuple(openings), tuple(holidays))


# Instants around 2024's clock changes in Europe and America, and ordinary weeks.
instants = st.one_of(
    st.datetimes(datetime(2024, 3, 7), datetime(2024, 4, 3)),
    st.datetimes(datetime(2024, 10, 24), datetime(2024, 11, 6)),
    st.datetimes(datetime(2024, 6, 1), datetime(2024, 6, 20)),
).map(lambda value: value.replace(tzinfo=UTC))
durations = st.integers(0, 80 * 3600).map(lambda s: timedelta(seconds=s))


@settings(max_examples=300)
@given(calendars(), instants, durations)
def test_it_adds_exactly_what_it_counts(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    due = add_business_time(calendar, start, duration)
    assert due >= start
    assert business_time_between(calendar, start, due) == duration
    # The earliest such instant: a second before, less has passed.
    if duration > timedelta(0):
        assert business_time_between(calendar, start, due - timedelta(seconds=1)) < duration


@settings(max_examples=300)
@given(calendars(), instants, instants, instants)
def test_it_counts_additively(
    calendar: BusinessCalendar, a: datetime, b: datetime, c: datetime
) -> None:
    ab = business_time_between(calendar, a, b)
    assert (ab >= timedelta(0)) == (b >= a) or ab == timedelta(0)
    assert ab + business_time_between(calendar, b, c) == business_time_between(calendar, a, c)
    assert abs(ab) <= abs(b - a)


@settings(max_examples=300)
@given(calendars(), instants, instants)
def test_it_adds_what_passed_between_two_instants_to_land_no_later(
    calendar: BusinessCalendar, a: datetime, b: datetime
) -> None:
    assume(b >= a)
    passed = business_time_between(calendar, a, b)
    landed = add_business_time(calendar, a, passed)
    assert landed <= b
    # …and on ``b`` itself when ``b`` is business time and something passed.
    if calendar.is_open(b) and passed > timedelta(0):
        assert landed == b


@settings(max_examples=200)
@given(calendars(), instants, durations, durations)
def test_it_adds_in_steps_as_in_one(
    calendar: BusinessCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    once = add_business_time(calendar, start, first + second)
    assert add_business_time(calendar, add_business_time(calendar, start, first), second) == once


def _open_by_wall_clock(calendar: BusinessCalendar, instant: datetime) -> bool:
    """The reference: read the local wall clock and look for an opening of today or yesterday that
    holds it (exact away from clock changes)."""
    local = instant.astimezone(calendar.zone).replace(tzinfo=None)
    for back in (0, 1):
        day = local.date() - timedelta(days=back)
        if calendar.is_holiday(day):
            continue
        for opening in calendar.openings:
            if opening.weekday != day.weekday():
                continue
            begin = datetime.combine(day, opening.start)
            end = datetime.combine(day + timedelta(days=opening.overnight), opening.end)
            if begin <= local < end:
                return True
    return False


@settings(max_examples=60)
@given(calendars(avoid_clock_changes=True), instants)
def test_it_agrees_with_the_wall_clock_minute_by_minute(
    calendar: BusinessCalendar, start: datetime
) -> None:
    start = start.replace(second=0, microsecond=0)
    minutes = 3 * 24 * 60
    expected = sum(_open_by_wall_clock(calendar, start + n * M) for n in range(minutes))
    assert business_time_between(calendar, start, start + minutes * M) == expected * M
    for n in range(0, minutes, 97):
        instant = start + n * M
        assert calendar.is_open(instant) == _open_by_wall_clock(calendar, instant)


@settings(max_examples=200)
@given(calendars(), instants)
def test_it_says_when_the_state_next_changes(calendar: BusinessCalendar, instant: datetime) -> None:
    change = calendar.next_change(instant)
    state = calendar.is_open(instant)
    week = timedelta(days=8)
    if change is None:  # the same state for the next eight days
        elapsed = business_time_between(calendar, instant, instant + week)
        assert elapsed == (week if state else timedelta(0))
        return
    assert instant < change <= instant + week
    assert calendar.is_open(change) != state
    # Nothing changes before: business time runs all along or not at all.
    elapsed = business_time_between(calendar, instant, change)
    assert elapsed == ((change - instant) if state else timedelta(0))


def test_it_says_a_calendar_open_all_week_never_changes() -> None:
    calendar = always("Europe/Paris")
    assert calendar.next_change(paris(2024, 3, 30)) is None
    # Eight days of real time (the clock change makes it 7 days 23 h on the wall clock).
    saturday = paris(2024, 3, 30).astimezone(UTC)
    assert calendar.stretch(saturday) == saturday + timedelta(days=8)
