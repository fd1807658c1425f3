"""A streaming spike detector for one series: see docs/spike-detection.md.

Each point is seen once, in time order, and only the past is used. The whole state is a handful of floats
and a few short lists, so it round-trips through JSON and thousands of series fit in a database table.

Pipeline for each point:

1. Two baselines predict the value: a robust running level, and the same plus a daily profile (up to 288
   slots a day) once the sampling is hourly or finer and two days have been seen. The one whose typical
   error is smaller is used, so a daily rhythm alone does not alert.
2. Four standardised views of the prediction error: the error itself, its change since the previous
   point (a jump), its short-term average (a sustained shift) and the short-term average of its
   magnitude against its long-term distribution (the series became erratic). Errors and spreads are
   robust (mean absolute error with outliers clipped), count-aware (a count cannot be more regular than
   Poisson noise) and inflated while few points have been seen.
3. Calibration: each view is ranked against this series' own history of that view (a decayed histogram),
   with a Gaussian tail as the prior, so a noisy or heavy-tailed series raises its own bar. Points beyond
   100 decibans of Gaussian surprise (about 21 robust standard deviations) never teach the calibration:
   an outage or a bad buzz must not make the next one look normal.
4. The surprise, in decibans (-log10 of the probability), is compared with the level that gives the
   sensitivity's expected false alarms per week; after an alert the series stays quiet for a while.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_SENSITIVITY",
    "SEVERITIES",
    "Observation",
    "SpikeDetector",
    "SpikeSettings",
    "alarms_per_week",
    "negativity_detector",
    "spike_severity",
]

DEFAULT_SENSITIVITY = 5
_WEEK = 7 * 24 * 3600.0
_DAY = 24 * 3600.0
_HOUR = 3600.0
_STATE_VERSION = 3
_VIEWS = 4  # error, jump, shift, erratic
# Calibration histograms over log2(1 + |z|): 80 bins of 0.25, i.e. |z| up to about a million.
_BIN = 0.25
_NBINS = 80
# Decibans of Gaussian surprise beyond which a point (about 21 robust standard deviations) hardly
# teaches the calibration: it counts for _EXTREME_WEIGHT of a point, so that an outage or a bad buzz does
# not make the next one look normal, while a series whose extremes keep coming still learns them.
_NEVER_NORMAL = 100.0
_EXTREME_WEIGHT = 0.02
_LN10 = math.log(10.0)
_ERRATIC_FLOOR = 0.3  # decibans: after a perfectly regular past, some noise is not yet "erratic"
_QUIET_DAMPING = 0.5  # score factor during the quiet period after an alert
# Coarse series (hourly, daily) count as if sampled every 10 minutes: one false alarm a week on a daily
# series would be one alert in seven days.
_MIN_POINTS_PER_WEEK = 1008.0


def alarms_per_week(sensitivity: int) -> float:
    """Expected false alarms per week and per series at a sensitivity from 1 (quiet) to 10 (chatty).

    5 means about one false alarm a week; each step multiplies the rate by about 2.15 (10 a week at 8,
    one every ten weeks at 2).
    """
    if not 1 <= sensitivity <= 10:
        raise ValueError(f"sensitivity must be between 1 and 10, not {sensitivity}")
    return float(10.0 ** ((sensitivity - 5) / 3.0))


@dataclass(frozen=True)
class SpikeSettings:
    """The knobs of the detector. Only ``sensitivity`` (and ``direction``) are meant for users; the
    others are documented defaults (docs/spike-detection.md says which were tuned, and how)."""

    sensitivity: int = DEFAULT_SENSITIVITY
    #: "both" alerts on surges and drops; "up" only on surges (mention volume, negativity).
    direction: str = "both"
    #: After an alert the series stays quiet this long (seconds).
    quiet_period: float = 12 * _HOUR
    #: Memory of the baseline level and spread, in points.
    memory_points: float = 6000.0
    #: Memory of the short-term averages, in points.
    short_points: float = 24.0
    #: Memory of the long-term distribution of the error magnitude, in points.
    erratic_points: float = 2000.0
    #: Memory of the calibration histograms, in points.
    calibration_points: float = 4000.0
    #: Weight of the Gaussian prior in the calibration, in points.
    prior_points: float = 200.0
    #: Memory of the daily profile, in days, and of the weekly profile, in weeks.
    profile_days: float = 3.0
    profile_weeks: float = 3.0
    #: No alert before this many points (scores are still given, below 0.5).
    warmup_points: int = 8

    def __post_init__(self) -> None:
        alarms_per_week(self.sensitivity)
        if self.direction not in ("both", "up"):
            raise ValueError(f"direction must be 'both' or 'up', not {self.direction!r}")


#: Severity codes, from the least to the most serious (the app words them).
SEVERITIES = ("low", "medium", "high", "critical")
# How much rarer than the default alert level (decibans: 1 is ten times rarer) a point must be for
# medium, high and critical; and how far above the expected value, as (ratio, difference).
_RARER = (1.0, 2.0, 3.0)
_ABOVE = ((1.5, 5.0), (2.0, 10.0), (3.0, 20.0))


@dataclass(frozen=True)
class Observation:
    """What the detector made of one point (:meth:`SpikeDetector.observe`).

    ``expected`` is the value its baseline predicted (the running level, or with the daily or weekly
    profile when that predicts better); ``surprise`` is how unusual the point is, in decibans: -log10
    of its calibrated probability against this series' own history, after the correction for the four
    views; ``default_level`` is the surprise at which the default sensitivity alerts for this series'
    sampling; ``score`` and ``alert`` are what :meth:`SpikeDetector.update` returns.
    """

    score: float
    alert: bool
    value: float
    expected: float
    surprise: float
    default_level: float

    @property
    def plain_score(self) -> float:
        """The score without the damping of the quiet period after an alert: how unusual this point
        is on its own (0.5 is the default alert level)."""
        return max(0.0, min(1.0, self.surprise / (2.0 * self.default_level)))

    @property
    def rarity(self) -> float:
        """How many times rarer than what the default sensitivity alerts on (1: at that level)."""
        return float(10.0 ** min(self.surprise - self.default_level, 300.0))

    def severity(self) -> str:
        """See :func:`spike_severity`."""
        return spike_severity(self.value, self.expected, self.rarity)


def spike_severity(value: float, expected: float, rarity: float) -> str:
    """How serious an unusual value is, as a code of :data:`SEVERITIES`: the lower of how rare it is
    and how far from the expected value it lies, so that a statistically extreme blip of a few
    mentions is not critical, and neither is a large but ordinary swing.

    ======== =========================================== =================================
    severity rarity (× rarer than the default alert level) and value against expected
    ======== =========================================== =================================
    low      any alert                                   —
    medium   10 or more                                  ≥ 1.5 × expected and ≥ 5 more
    high     100 or more                                 ≥ 2 × expected and ≥ 10 more
    critical 1,000 or more                               ≥ 3 × expected and ≥ 20 more
    ======== =========================================== =================================

    A drop (``value`` below ``expected``) is at most medium: at least 1.5 times fewer and 5 fewer. It
    is more often a broken source or query than a crisis.
    """
    if not (math.isfinite(value) and math.isfinite(expected) and rarity >= 0.0):
        raise ValueError("value and expected must be finite numbers and rarity not negative")
    decibans = math.log10(rarity) if rarity > 0.0 else -math.inf
    by_rarity = sum(1 for level in _RARER if decibans >= level)
    if value >= expected:
        ratio = value / max(expected, 1.0)
        by_size = sum(1 for r, d in _ABOVE if ratio >= r and value - expected >= d)
        return SEVERITIES[min(by_rarity, by_size)]
    r, d = _ABOVE[0]
    smaller = expected / max(value, 1.0) >= r and expected - value >= d
    return SEVERITIES[min(by_rarity, 1 if smaller else 0)]


def _timestamp(value: dt.datetime | float) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.timestamp()
    return float(value)


def _decibans(z: float) -> float:
    """-log10 P(|N(0,1)| >= |z|), with the asymptotic form where erfc underflows."""
    z = abs(z)
    if z < 25.0:
        return -math.log10(math.erfc(z / math.sqrt(2.0)))
    return (z * z / 2.0 + math.log(z * math.sqrt(math.pi / 2.0))) / _LN10


def _clip(value: float, bound: float) -> float:
    return max(-bound, min(bound, value))


class _Seasonal:
    """A level plus a profile over one period (a day or a week), learnt with clipped residuals."""

    FIELDS = ("slots", "level", "spread", "error", "profile", "profile_n")

    def __init__(self, period: float, max_slots: int, min_slots: int, max_step: float) -> None:
        self.period = period
        self.max_slots = max_slots
        self.min_slots = min_slots
        self.max_step = max_step
        self.slots = 0
        self.level = 0.0
        self.spread = 0.0
        self.error = 0.0
        self.profile: list[float] = []
        self.profile_n: list[float] = []

    def state(self) -> dict[str, Any]:
        return {
            name: (list(v) if isinstance(v := getattr(self, name), list) else v)
            for name in self.FIELDS
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.slots = int(state["slots"])
        self.level, self.spread, self.error = (
            float(state[k]) for k in ("level", "spread", "error")
        )
        self.profile = [float(v) for v in state["profile"]]
        self.profile_n = [float(v) for v in state["profile_n"]]

    def slot(self, t: float, step: float, n: int) -> int:
        """Slot of ``t``, or -1 when the sampling is too coarse for this period."""
        if self.slots == 0:
            if n < 4 or step > 1.01 * self.max_step:
                return -1
            self.slots = int(min(self.max_slots, max(self.min_slots, self.period // step)))
            self.profile = [0.0] * self.slots
            self.profile_n = [0.0] * self.slots
        return int((t % self.period) / self.period * self.slots) % self.slots

    def ready(self, slot: int, seen: float) -> bool:
        return slot >= 0 and self.profile_n[slot] >= 1.0 and seen >= 2 * self.period

    def expected(self, slot: int) -> float:
        return self.level + self.profile[slot]

    def learn(
        self, x: float, slot: int, a: float, plain: tuple[float, float, float], periods: float
    ) -> None:
        if slot < 0:
            self.level, self.spread, self.error = plain
            return
        if self.profile_n[slot] == 0.0:
            self.profile[slot] = x - self.level
        r = x - (self.level + self.profile[slot])
        self.error += a * (abs(r) - self.error)
        if self.spread == 0.0:
            self.spread = plain[1]
        # The first two visits of a slot are taken as they come: they define the rhythm.
        bound = 4.0 * self.spread if self.profile_n[slot] >= 2.0 else math.inf
        self.spread += a * (min(abs(r), bound) - self.spread)
        self.level += a * _clip(r, bound)
        r = x - (self.level + self.profile[slot])
        weight = max(1.0 / (self.profile_n[slot] + 1.0), 1.0 / periods)
        self.profile[slot] += weight * _clip(r, bound)
        self.profile_n[slot] += 1.0


class SpikeDetector:
    """Streaming detector of unusual values in one series.

    ``update(timestamp, value)`` returns ``(score, alert)``: ``score`` in [0, 1], where 0.5 is the alert
    level at the default sensitivity whatever the configured one, and ``alert`` the decision at the
    configured sensitivity (at most one per quiet period). ``state()`` and ``from_state()`` save and
    restore everything as plain JSON-able data. Timestamps are datetimes (naive ones are read as UTC;
    pass local time for the daily profile to follow local days) or POSIX seconds.
    """

    _FIELDS = (
        "n",
        "last_t",
        "step",
        "counts",
        "level",
        "spread",
        "p_error",
        "prev_r",
        "jump_spread",
        "shift",
        "err_short",
        "err_mean",
        "err_var",
        "hist",
        "hist_total",
        "hist_scale",
        "quiet_until",
        "default_quiet_until",
    )

    def __init__(self, settings: SpikeSettings | None = None) -> None:
        self.settings = settings or SpikeSettings()
        self.n = 0
        self.last_t: float | None = None
        self.step = 0.0
        self.counts = True
        self.level = 0.0
        self.spread = 0.0
        self.p_error = 0.0
        self.daily = _Seasonal(_DAY, 288, 24, _HOUR)
        self.weekly = _Seasonal(_WEEK, 336, 7, _DAY)
        self.prev_r = 0.0
        self.jump_spread = 0.0
        self.shift = 0.0
        self.err_short = 0.0
        self.err_mean = 0.0
        self.err_var = 0.0
        self.hist: list[list[float]] = [[0.0] * _NBINS for _ in range(_VIEWS)]
        self.hist_total = [0.0] * _VIEWS
        self.hist_scale = [1.0] * _VIEWS
        self.quiet_until: float | None = None
        self.default_quiet_until: float | None = None

    # -- persistence ---------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Everything the detector knows, as JSON-able data (about 3 kB)."""
        data: dict[str, Any] = {
            "version": _STATE_VERSION,
            "daily": self.daily.state(),
            "weekly": self.weekly.state(),
        }
        for name in self._FIELDS:
            value = getattr(self, name)
            if name == "hist":
                value = [list(row) for row in value]
            elif isinstance(value, list):
                value = list(value)
            data[name] = value
        return data

    @classmethod
    def from_state(
        cls, state: dict[str, Any], settings: SpikeSettings | None = None
    ) -> SpikeDetector:
        if state.get("version") != _STATE_VERSION:
            raise ValueError(f"unknown detector state version {state.get('version')!r}")
        detector = cls(settings)
        detector.n = int(state["n"])
        detector.last_t = None if state["last_t"] is None else float(state["last_t"])
        detector.step = float(state["step"])
        detector.counts = bool(state["counts"])
        detector.daily.restore(state["daily"])
        detector.weekly.restore(state["weekly"])
        for name in ("level", "spread", "p_error"):
            setattr(detector, name, float(state[name]))
        for name in ("prev_r", "jump_spread", "shift"):
            setattr(detector, name, float(state[name]))
        for name in ("err_short", "err_mean", "err_var"):
            setattr(detector, name, float(state[name]))
        detector.hist = [[float(v) for v in row] for row in state["hist"]]
        detector.hist_total = [float(v) for v in state["hist_total"]]
        detector.hist_scale = [float(v) for v in state["hist_scale"]]
        for name in ("quiet_until", "default_quiet_until"):
            value = state[name]
            setattr(detector, name, None if value is None else float(value))
        return detector

    # -- the detector ---------------------------------------------------------------------------
    def update(self, timestamp: dt.datetime | float, value: float) -> tuple[float, bool]:
        """Feed one point; returns ``(score, alert)`` (see the class)."""
        seen = self.observe(timestamp, value)
        return seen.score, seen.alert

    def observe(self, timestamp: dt.datetime | float, value: float) -> Observation:
        """Feed one point, like :meth:`update`, and return everything the detector made of it."""
        cfg = self.settings
        t = _timestamp(timestamp)
        x = float(value)
        if not math.isfinite(x):
            raise ValueError(f"value must be a finite number, not {value!r}")
        # Sampling step: a running geometric mean of the gaps, robust to the odd hole.
        if self.last_t is not None and t > self.last_t:
            gap = t - self.last_t
            self.step = (
                gap
                if self.step == 0.0
                else math.exp(0.9 * math.log(self.step) + 0.1 * math.log(gap))
            )
        self.last_t = t
        self.counts = self.counts and x >= 0.0 and x == math.floor(x)
        self.n += 1
        n = self.n
        if n == 1:
            self.level = self.s_level = x
            return Observation(0.0, False, x, x, 0.0, self._alert_level(DEFAULT_SENSITIVITY, _HOUR))
        step = self.step if self.step > 0.0 else _HOUR

        # 1. Prediction by the better of the two baselines.
        seen = n * step
        d_slot = self.daily.slot(t, step, n)
        w_slot = self.weekly.slot(t, step, n)
        expected, spread, error = self.level, self.spread, self.p_error
        for model, slot in ((self.daily, d_slot), (self.weekly, w_slot)):
            if model.ready(slot, seen) and model.error < 0.8 * error:
                expected, spread, error = model.expected(slot), model.spread, model.error
        r = x - expected
        inflate = math.sqrt(1.0 + 4.0 / n)
        floor = 1e-6 * (abs(expected) + 1.0)
        if self.counts:
            floor = max(floor, math.sqrt(max(expected, 0.0) + 1.0))
        sd = max(spread * 1.2533, floor) * inflate

        # 2. Four views of the error.
        up = cfg.direction == "up"
        z_error = r / sd
        jump_sd = max(self.jump_spread * 1.2533, floor) * inflate
        z_jump = (r - self.prev_r) / jump_sd
        if up:
            z_error, z_jump = max(z_error, 0.0), max(z_jump, 0.0)
        b = 1.0 / cfg.short_points
        norm = math.sqrt(b / (2.0 - b))
        self.shift = (1.0 - b) * self.shift + b * _clip(r / sd, 8.0)
        z_shift = max(self.shift, 0.0) / norm if up else self.shift / norm
        magnitude = min(max(_decibans(z_error), _decibans(z_jump)), 12.0)
        self.err_short = (1.0 - b) * self.err_short + b * magnitude
        z_erratic = 0.0
        if n > 20:
            err_sd = max(math.sqrt(self.err_var), _ERRATIC_FLOOR) * norm
            z_erratic = max((self.err_short - self.err_mean) / err_sd, 0.0)
        c = max(1.0 / n, 1.0 / cfg.erratic_points)
        self.err_mean += c * (magnitude - self.err_mean)
        self.err_var += c * ((magnitude - self.err_mean) ** 2 - self.err_var)
        views = [z_error, z_jump, z_shift, z_erratic]

        # 3. Calibration against this series' history of each view.
        surprise = self._calibrate(views)

        # 4. Decision. The score ignores the configured sensitivity: it is damped while the series is
        # quiet after an alert at the default sensitivity, so that it reads "alert-worthy now".
        default_level = self._alert_level(DEFAULT_SENSITIVITY, step)
        score = max(0.0, min(1.0, surprise / (2.0 * default_level)))
        ready = n > cfg.warmup_points
        if not ready:
            # Too few points to call anything an alert: the score stays below the alert level.
            score = min(score, 0.49)
        if self.default_quiet_until is not None and t < self.default_quiet_until:
            score *= _QUIET_DAMPING
        elif ready and surprise >= default_level:
            self.default_quiet_until = t + cfg.quiet_period
        alert = False
        quiet = self.quiet_until is not None and t < self.quiet_until
        if ready and not quiet and surprise >= self._alert_level(cfg.sensitivity, step):
            alert = True
            self.quiet_until = t + cfg.quiet_period

        self._learn(x, r, d_slot, w_slot)
        return Observation(score, alert, x, expected, surprise, default_level)

    def _calibrate(self, views: list[float]) -> float:
        cfg = self.settings
        forget = 1.0 / cfg.calibration_points
        best = 0.0
        for i, z in enumerate(views):
            gaussian = _decibans(z)
            k = min(int(math.log2(1.0 + abs(z)) / _BIN), _NBINS - 1)
            row = self.hist[i]
            above = sum(row[k:]) * self.hist_scale[i]
            p = (above + cfg.prior_points * 10.0 ** (-min(gaussian, 300.0))) / (
                self.hist_total[i] + cfg.prior_points
            )
            best = max(best, -math.log10(max(p, 1e-300)))
            weight = 1.0 if gaussian < _NEVER_NORMAL else _EXTREME_WEIGHT
            keep = 1.0 - forget * weight
            # Decay every bin by `keep`, lazily: bins are stored divided by hist_scale.
            self.hist_scale[i] *= keep
            row[k] += weight / self.hist_scale[i]
            self.hist_total[i] = self.hist_total[i] * keep + weight
            if self.hist_scale[i] < 1e-100:
                self.hist[i] = [v * self.hist_scale[i] for v in row]
                self.hist_scale[i] = 1.0
        # Four views looked at: pay for the multiple comparison.
        return max(0.0, best - math.log10(_VIEWS))

    def _alert_level(self, sensitivity: int, step: float) -> float:
        """Decibans for a per-point probability of ``alarms_per_week(sensitivity)`` a week."""
        points_per_week = max(_WEEK / step, _MIN_POINTS_PER_WEEK)
        return -math.log10(min(alarms_per_week(sensitivity) / points_per_week, 0.5))

    def _learn(self, x: float, r_used: float, d_slot: int, w_slot: int) -> None:
        """Update the baselines with residuals clipped at four spreads: one outlier barely moves them."""
        cfg = self.settings
        a = max(1.0 / self.n, 1.0 / cfg.memory_points)
        # Plain level.
        r = x - self.level
        self.p_error += a * (abs(r) - self.p_error)
        bound = 4.0 * self.spread if self.n > 3 else abs(r)
        self.level += a * _clip(r, bound)
        self.spread += a * (min(abs(r), bound) - self.spread)
        # Jumps of the residual of the baseline in use.
        jump = r_used - self.prev_r
        jump_bound = 4.0 * self.jump_spread if self.n > 3 else abs(jump)
        self.jump_spread += a * (min(abs(jump), jump_bound) - self.jump_spread)
        self.prev_r = _clip(r_used, 4.0 * self.spread) if self.n > 3 else r_used
        plain = (self.level, self.spread, self.p_error)
        self.daily.learn(x, d_slot, a, plain, cfg.profile_days)
        self.weekly.learn(x, w_slot, a, plain, cfg.profile_weeks)


def negativity_detector(sensitivity: int = DEFAULT_SENSITIVITY) -> SpikeDetector:
    """The detector for negativity spikes: the same detector, fed the number of negative mentions per
    interval, alerting on surges only (fewer complaints is not news). A volume spike also raises this
    count; the product shows both signals side by side rather than dividing one by the other, which
    would be noisy when volume is low."""
    return SpikeDetector(SpikeSettings(sensitivity=sensitivity, direction="up"))
