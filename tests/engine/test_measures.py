"""engine.measures against numbers worked out by hand: periods in a time zone (DST included),
rates and medians of empty periods, progress both ways."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ambassade.engine.measures import (
    HIGHER,
    LOWER,
    Period,
    PeriodError,
    daily_series,
    median,
    net_sentiment,
    progress,
    rate,
    share,
)


def test_it_bounds_a_month_of_paris_days_in_utc() -> None:
    first, after = Period(date(2026, 12, 1), date(2026, 12, 31), "Europe/Paris").bounds()
    assert first == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert after == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)


def test_it_bounds_a_period_across_the_spring_change_of_hour() -> None:
    # Paris moves from UTC+1 to UTC+2 on 29 March 2026: that day has 23 hours.
    period = Period(date(2026, 3, 29), date(2026, 3, 29), "Europe/Paris")
    first, after = period.bounds()
    assert first == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert after == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    assert period.days == 1


def test_it_bounds_the_same_days_elsewhere_differently() -> None:
    first, _after = Period(date(2026, 12, 1), date(2026, 12, 1), "America/New_York").bounds()
    assert first == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


def test_it_says_how_much_of_the_period_is_gone() -> None:
    period = Period(date(2026, 12, 1), date(2026, 12, 10), "UTC")
    assert period.elapsed(datetime(2026, 11, 1, tzinfo=UTC)) == 0.0
    assert period.elapsed(datetime(2026, 12, 6, tzinfo=UTC)) == pytest.approx(0.5)
    assert period.elapsed(datetime(2027, 1, 1, tzinfo=UTC)) == 1.0
    assert period.each_day()[0] == date(2026, 12, 1) and len(period.each_day()) == 10


@pytest.mark.parametrize(
    ("start", "end", "zone", "code"),
    [
        (date(2026, 12, 2), date(2026, 12, 1), "UTC", "period.end_before_start"),
        (date(2000, 1, 1), date(2026, 1, 1), "UTC", "period.too_long"),
        (date(2026, 12, 1), date(2026, 12, 2), "Mars/Olympus", "period.unknown_zone"),
    ],
)
def test_it_refuses_a_period_it_cannot_measure(
    start: date, end: date, zone: str, code: str
) -> None:
    with pytest.raises(PeriodError) as raised:
        Period(start, end, zone)
    assert raised.value.code == code


def test_an_empty_period_has_no_rate_rather_than_zero() -> None:
    assert rate(0, 0) is None
    assert rate(3, 4) == 75.0
    assert share(0, 0) is None
    assert share(1, 3) == pytest.approx(33.333, abs=0.001)


def test_it_computes_net_sentiment_without_the_neutral_mentions() -> None:
    # 6 positive, 2 negative (neutral ones never passed in): (6 − 2) / 8 = +50.
    assert net_sentiment(6, 2) == 50.0
    assert net_sentiment(0, 5) == -100.0
    assert net_sentiment(0, 0) is None


def test_it_takes_the_median_of_odd_even_and_empty_lists() -> None:
    assert median([30, 10, 20]) == 20.0
    assert median([40, 10, 30, 20]) == 25.0
    assert median([]) is None


def test_it_measures_progress_when_more_is_better() -> None:
    assert progress(50, 200, HIGHER) == 25.0
    assert progress(300, 200, HIGHER) == 100.0  # capped
    assert progress(-20, 40, HIGHER) == 0.0  # a negative net sentiment towards +40
    assert progress(None, 200, HIGHER) is None
    assert progress(0, 0, HIGHER) == 100.0


def test_it_measures_progress_when_less_is_better() -> None:
    # First-response time of 120 minutes against a 60-minute target: halfway there.
    assert progress(120, 60, LOWER) == 50.0
    assert progress(45, 60, LOWER) == 100.0
    assert progress(None, 60, LOWER) is None
    with pytest.raises(ValueError):
        progress(1, 1, "sideways")


def test_it_fills_the_empty_days_of_a_series() -> None:
    counts = {date(2026, 12, 2): 5}
    assert daily_series(counts, date(2026, 12, 1), date(2026, 12, 3)) == [
        (date(2026, 12, 1), 0),
        (date(2026, 12, 2), 5),
        (date(2026, 12, 3), 0),
    ]
    assert daily_series(counts, date(2026, 12, 3), date(2026, 12, 1)) == []
