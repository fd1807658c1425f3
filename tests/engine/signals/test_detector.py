"""The streaming spike detector: causality, range, persistence, rhythm, sensitivity."""

from __future__ import annotations

import datetime as dt
import json
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ambassade.engine.signals import (
    DEFAULT_SENSITIVITY,
    SEVERITIES,
    SpikeDetector,
    SpikeSettings,
    alarms_per_week,
    negativity_detector,
    spike_severity,
)

START = dt.datetime(2026, 3, 2)  # a Monday
STEP = dt.timedelta(minutes=5)
values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
counts = st.integers(min_value=0, max_value=500).map(float)


def run(series: list[float], settings_: SpikeSettings | None = None, step: dt.timedelta = STEP):
    detector = SpikeDetector(settings_)
    return [detector.update(START + i * step, v) for i, v in enumerate(series)]


def daily_counts(days: int, seed: int = 7) -> list[float]:
    """Mentions per 5 minutes: a daily rhythm (quiet nights, busy evenings) with Poisson noise."""
    rng = random.Random(seed)
    out = []
    for i in range(days * 288):
        hour = (i % 288) / 12
        mean = 6.0 + 5.0 * math.sin((hour - 10.0) / 24.0 * 2 * math.pi)
        out.append(float(_poisson(rng, mean)))
    return out


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


@settings(max_examples=40, deadline=None)
@given(st.lists(values, min_size=1, max_size=300))
def test_it_scores_in_range(series: list[float]) -> None:
    for score, alert in run(series):
        assert 0.0 <= score <= 1.0
        assert isinstance(alert, bool)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(counts, min_size=1, max_size=200),
    st.lists(counts, min_size=1, max_size=60),
    st.lists(counts, min_size=1, max_size=60),
)
def test_it_never_looks_at_the_future(
    past: list[float], one: list[float], two: list[float]
) -> None:
    first = run(past + one)[: len(past)]
    second = run(past + two)[: len(past)]
    assert first == second


@settings(max_examples=20, deadline=None)
@given(st.lists(values, min_size=2, max_size=300), st.data())
def test_it_continues_identically_after_a_json_round_trip(series: list[float], data) -> None:
    cut = data.draw(st.integers(min_value=1, max_value=len(series) - 1))
    whole = run(series)
    detector = SpikeDetector()
    head = [detector.update(START + i * STEP, v) for i, v in enumerate(series[:cut])]
    saved = json.loads(json.dumps(detector.state()))
    restored = SpikeDetector.from_state(saved)
    tail = [restored.update(START + (cut + i) * STEP, v) for i, v in enumerate(series[cut:])]
    assert head + tail == whole


def test_it_refuses_an_unknown_state_version() -> None:
    with pytest.raises(ValueError, match="version"):
        SpikeDetector.from_state({"version": -1})


def test_the_daily_rhythm_alone_does_not_alert() -> None:
    results = run(daily_counts(14))
    alerts = [i for i, (_, alert) in enumerate(results) if alert and i >= 288]
    assert alerts == []


def test_it_catches_a_spike_on_a_daily_rhythm_early() -> None:
    series = daily_counts(14)
    start = 10 * 288 + 150  # day 10, 12:30, at the busy time of day
    for i in range(start, start + 24):  # two hours at four times the usual volume
        series[i] = series[i] * 4 + 10
    results = run(series)
    alerts = [i for i, (_, alert) in enumerate(results) if alert and i >= 288]
    assert alerts and start <= alerts[0] <= start + 2
    assert alerts == [alerts[0]]  # one alert per episode, not one per point
    assert results[alerts[0]][0] >= 0.5


def test_it_learns_a_weekly_rhythm_from_daily_counts() -> None:
    rng = random.Random(3)
    # Mentions per day: busy weekdays, quiet weekends, for ten weeks.
    series = [float(_poisson(rng, 40.0 if i % 7 < 5 else 8.0)) for i in range(70)]
    results = run(series, step=dt.timedelta(days=1))
    assert not any(alert for _, alert in results[21:])
    series[66] = 160.0  # a weekday four times as busy
    results = run(series, step=dt.timedelta(days=1))
    assert results[66][1]


def test_it_works_from_the_first_hours() -> None:
    series = [3.0, 5.0, 4.0, 2.0, 4.0, 3.0, 5.0, 4.0, 3.0, 4.0, 2.0, 3.0, 60.0]
    results = run(series, step=dt.timedelta(hours=1))
    assert results[-1][1]
    assert not any(alert for _, alert in results[:-1])


def test_a_count_series_is_not_alarmed_by_poisson_noise() -> None:
    # 0, 1, 2 mentions an hour is noise, not a spike, even after a run of zeros.
    series = [0.0] * 40 + [2.0, 0.0, 1.0, 0.0, 3.0]
    assert not any(alert for _, alert in run(series, step=dt.timedelta(hours=1)))


def test_up_ignores_drops() -> None:
    series = daily_counts(7)
    for i in range(5 * 288 + 100, 5 * 288 + 160):
        series[i] = 0.0
    both = run(series)
    up = run(series, SpikeSettings(direction="up"))
    assert any(alert for _, alert in both[5 * 288 + 100 : 5 * 288 + 160])
    assert not any(alert for _, alert in up[5 * 288 + 100 : 5 * 288 + 160])


def test_negativity_detector_watches_surges_only() -> None:
    detector = negativity_detector()
    assert detector.settings.direction == "up"
    assert detector.settings.sensitivity == DEFAULT_SENSITIVITY


def test_sensitivity_maps_to_false_alarms_per_week() -> None:
    rates = [alarms_per_week(s) for s in range(1, 11)]
    assert rates == sorted(rates) and len(set(rates)) == 10
    assert alarms_per_week(DEFAULT_SENSITIVITY) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        SpikeSettings(sensitivity=0)
    with pytest.raises(ValueError):
        SpikeSettings(direction="down")


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=100), min_size=50, max_size=400))
def test_more_sensitive_never_means_fewer_alerts(series: list[float]) -> None:
    previous = -1
    scores = None
    for sensitivity in range(1, 11):
        results = run(series, SpikeSettings(sensitivity=sensitivity))
        alerts = sum(alert for _, alert in results)
        assert alerts >= previous
        previous = alerts
        # The score does not depend on the sensitivity: only the decision does.
        assert scores is None or scores == [score for score, _ in results]
        scores = [score for score, _ in results]


def test_it_rejects_non_finite_values() -> None:
    with pytest.raises(ValueError):
        SpikeDetector().update(START, float("nan"))


def test_it_survives_the_histogram_renormalisation() -> None:
    # A two-point calibration memory halves the histograms at every step, so their lazy scale
    # underflows and is folded back in within a few hundred points.
    quick = SpikeSettings(calibration_points=2.0)
    series = daily_counts(2)
    whole = run(series, quick)
    assert all(0.0 <= score <= 1.0 for score, _ in whole)
    detector = SpikeDetector(quick)
    head = [detector.update(START + i * STEP, v) for i, v in enumerate(series[:300])]
    restored = SpikeDetector.from_state(json.loads(json.dumps(detector.state())), quick)
    tail = [restored.update(START + (300 + i) * STEP, v) for i, v in enumerate(series[300:])]
    assert head + tail == whole
    assert max(restored.hist_scale) <= 1.0 and min(restored.hist_scale) > 1e-100


def test_it_scores_below_the_alert_level_while_warming_up() -> None:
    results = run([10.0, 5000.0, 3.0, 9000.0, 1.0, 7.0, 8.0, 6.0])
    assert all(score < 0.5 and not alert for score, alert in results)


@settings(max_examples=30, deadline=None)
@given(st.lists(counts, min_size=1, max_size=400))
def test_observe_says_what_update_decides(series: list[float]) -> None:
    updating, observing = SpikeDetector(), SpikeDetector()
    for i, value in enumerate(series):
        seen = observing.observe(START + i * STEP, value)
        assert updating.update(START + i * STEP, value) == (seen.score, seen.alert)
        assert seen.value == value and seen.rarity >= 0.0 and seen.severity() in SEVERITIES


def test_observe_gives_the_expected_value_of_the_baseline_in_use() -> None:
    # Hourly counts with quiet nights and busy evenings: the expected value follows the day, which
    # the plain running level cannot.
    detector = SpikeDetector()
    start = dt.datetime(2026, 3, 2)
    for i in range(14 * 24):
        hour = i % 24
        value = 30.0 if 18 <= hour <= 21 else 3.0
        detector.observe(start + dt.timedelta(hours=i), value)
    evening = detector.observe(start + dt.timedelta(days=14, hours=19), 30.0)
    assert not evening.alert and abs(evening.expected - 30.0) < 3.0
    assert detector.level < 15.0


def test_severity_follows_how_unusual_the_value_is() -> None:
    # At the alert level, close to what was expected: low, whatever the rule.
    assert spike_severity(17, 8.76, rarity=1.6) == "low"
    assert spike_severity(10, 9, rarity=1.0) == "low"
    # Very rare but small: the difference caps it.
    assert spike_severity(15, 2, rarity=1e6) == "high"
    assert spike_severity(6, 0.3, rarity=1e6) == "medium"
    assert spike_severity(4, 0.0, rarity=1e6) == "low"
    # Large but only ten times rarer than the alert level: medium.
    assert spike_severity(150, 10, rarity=12) == "medium"
    assert spike_severity(150, 10, rarity=150) == "high"
    assert spike_severity(150, 10, rarity=1e4) == "critical"
    # Drops are at most medium.
    assert spike_severity(0, 50, rarity=1e9) == "medium"
    assert spike_severity(0, 3, rarity=1e9) == "low"
    with pytest.raises(ValueError):
        spike_severity(math.nan, 1, 1)


def test_severity_rises_with_the_size_of_a_spike() -> None:
    base = daily_counts(10)
    found = []
    for height in (8, 30, 120):
        series = [*base, base[-288] + height]
        detector = SpikeDetector()
        for i, value in enumerate(series):
            seen = detector.observe(START + i * STEP, value)
        found.append(SEVERITIES.index(seen.severity()))
    assert found == sorted(found) and found[-1] >= 2 and found[0] <= 1


def test_the_plain_score_is_the_score_outside_a_quiet_period() -> None:
    detector = SpikeDetector()
    series = [*daily_counts(6), 80.0, 90.0]
    seen = [detector.observe(START + i * STEP, v) for i, v in enumerate(series)]
    first, second = seen[-2], seen[-1]
    assert first.alert and first.score == first.plain_score
    assert not second.alert and second.score == pytest.approx(second.plain_score / 2)
