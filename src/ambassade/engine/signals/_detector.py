"""A streaming spike detector for one series: see docs/spike-detection.md.

Each point is seen once, in time order, and only the past is used. The whole state is a handful of floats
and three small lists, so it round-trips through JSON and thousands of series fit in a database table.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_SENSITIVITY",
    "SpikeDetector",
    "SpikeSettings",
    "alarms_per_week",
]

DEFAULT_SENSITIVITY = 5
_WEEK = 7 * 24 * 3600.0
_DAY = 24 * 3600.0
_HOUR = 3600.0
_STATE_VERSION = 1
# Surprise histogram: bins of 0.25 "decibans" (-log10 p) from 0 to 16.
_BIN = 0.25
_NBINS = 64


def alarms_per_week(sensitivity: int) -> float:
    """Expected false alarms per week and per series at a sensitivity from 1 (quiet) to 10 (chatty).

    5 means about one false alarm a week; each step up multiplies the rate by about 2.15 (10 per week at 8).
    """
    if not 1 <= sensitivity <= 10:
        raise ValueError(f"sensitivity must be between 1 and 10, not {sensitivity}")
    return float(10.0 ** ((sensitivity - 5) / 3.0))


@dataclass(frozen=True)
class SpikeSettings:
    """The few knobs of the detector. Only ``sensitivity`` is meant for users; the rest are documented
    defaults (docs/spike-detection.md says which were tuned)."""

    sensitivity: int = DEFAULT_SENSITIVITY
    #: "both" alerts on surges and drops; "up" only on surges (mention volume, negativity).
    direction: str = "both"
    #: After an alert, the same series stays quiet this long (seconds) unless it gets much worse.
    quiet_period: float = 12 * _HOUR
    #: Memory of the baseline level and spread (seconds; at least ``min_memory_points`` points).
    memory: float = 2 * _DAY
    #: Memory of the short-term average that catches sustained shifts (points).
    short_points: float = 6.0
    #: Memory of the calibration of surprises against this series' own history (points).
    calibration_points: float = 4000.0
    #: Weight of the Gaussian prior in the calibration, in points.
    prior_points: float = 200.0
    min_memory_points: float = 30.0
    #: No alert before this many points (the first hours still score).
    warmup_points: int = 8

    def __post_init__(self) -> None:
        alarms_per_week(self.sensitivity)
        if self.direction not in ("both", "up"):
            raise ValueError(f"direction must be 'both' or 'up', not {self.direction!r}")


@dataclass
class _State:
    n: int = 0
    last_t: float | None = None
    step: float = 0.0
    counts: bool = True
    level: float = 0.0
    spread: float = 0.0
    s_level: float = 0.0
    s_spread: float = 0.0
    hod: list[float] = field(default_factory=lambda: [0.0] * 24)
    hod_n: list[float] = field(default_factory=lambda: [0.0] * 24)
    short: float = 0.0
    hist: list[float] = field(default_factory=lambda: [0.0] * _NBINS)
    hist_total: float = 0.0
    quiet_until: float | None = None
    last_alert_surprise: float = 0.0


def _timestamp(value: dt.datetime | float) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.timestamp()
    return float(value)


def _two_sided_log10_p(z: float) -> float:
    """-log10 of P(|N(0,1)| >= z)."""
    z = abs(z)
    if z < 30.0:
        p = math.erfc(z / math.sqrt(2.0))
        if p > 0.0:
            return -math.log10(p)
    # Asymptotic tail: log of erfc for large z.
    return (z * z / 2.0 + math.log(z * math.sqrt(math.pi / 2.0))) / math.log(10.0)


class SpikeDetector:
    """Streaming detector of unusual values in one series.

    ``update(timestamp, value)`` returns ``(score, alert)``: ``score`` in [0, 1], 0.5 being the alert
    level at the default sensitivity, and ``alert`` the decision at the configured sensitivity (at most
    one alert per quiet period). ``state()`` / ``from_state()`` save and restore everything as plain
    JSON-able data.
    """

    def __init__(self, settings: SpikeSettings | None = None) -> None:
        self.settings = settings or SpikeSettings()
        self._s = _State()

    # -- persistence ---------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        s = self._s
        return {
            "version": _STATE_VERSION,
            "n": s.n,
            "last_t": s.last_t,
            "step": s.step,
            "counts": s.counts,
            "level": s.level,
            "spread": s.spread,
            "s_level": s.s_level,
            "s_spread": s.s_spread,
            "hod": list(s.hod),
            "hod_n": list(s.hod_n),
            "short": s.short,
            "hist": list(s.hist),
            "hist_total": s.hist_total,
            "quiet_until": s.quiet_until,
            "last_alert_surprise": s.last_alert_surprise,
        }

    @classmethod
    def from_state(
        cls, state: dict[str, Any], settings: SpikeSettings | None = None
    ) -> SpikeDetector:
        if state.get("version") != _STATE_VERSION:
            raise ValueError(f"unknown detector state version {state.get('version')!r}")
        detector = cls(settings)
        s = detector._s
        s.n = int(state["n"])
        s.last_t = None if state["last_t"] is None else float(state["last_t"])
        s.step = float(state["step"])
        s.counts = bool(state["counts"])
        s.level = float(state["level"])
        s.spread = float(state["spread"])
        s.s_level = float(state["s_level"])
        s.s_spread = float(state["s_spread"])
        s.hod = [float(v) for v in state["hod"]]
        s.hod_n = [float(v) for v in state["hod_n"]]
        s.short = float(state["short"])
        s.hist = [float(v) for v in state["hist"]]
        s.hist_total = float(state["hist_total"])
        s.quiet_until = None if state["quiet_until"] is None else float(state["quiet_until"])
        s.last_alert_surprise = float(state["last_alert_surprise"])
        return detector

    # -- the detector ---------------------------------------------------------------------------
    def update(self, timestamp: dt.datetime | float, value: float) -> tuple[float, bool]:
        cfg = self.settings
        s = self._s
        t = _timestamp(timestamp)
        x = float(value)
        if not math.isfinite(x):
            raise ValueError(f"value must be a finite number, not {value!r}")
        # Sampling step: running estimate, robust to the odd gap.
        if s.last_t is not None and t > s.last_t:
            gap = t - s.last_t
            s.step = (
                gap if s.step == 0.0 else math.exp(0.9 * math.log(s.step) + 0.1 * math.log(gap))
            )
        s.last_t = t
        s.counts = s.counts and x >= 0.0 and x == math.floor(x)
        s.n += 1
        n = s.n
        step = s.step if s.step > 0.0 else _HOUR
        memory_points = max(cfg.memory / step, cfg.min_memory_points)
        a = max(1.0 / n, 1.0 / memory_points)

        if n == 1:
            s.level = s.s_level = x
            return 0.0, False

        # Two predictions: a plain level, and a level plus an hour-of-day profile when the sampling is
        # finer than an hour. Each keeps its own spread; the one that explains the series better wins.
        hour = int((t % _DAY) // _HOUR)
        seasonal_ok = step <= _HOUR and s.hod_n[hour] >= 2.0 and n * step >= _DAY
        r_plain = x - s.level
        r_season = x - (s.s_level + s.hod[hour])
        use_season = seasonal_ok and s.s_spread < 0.9 * s.spread
        r, spread, expected = (
            (r_season, s.s_spread, s.s_level + s.hod[hour])
            if use_season
            else (r_plain, s.spread, s.level)
        )
        floor = 1e-6 * (abs(expected) + 1.0)
        if s.counts:
            floor = max(floor, math.sqrt(max(expected, 0.0) + 1.0))
        # Few points: inflate the spread (a Student-like correction).
        sd = max(spread * 1.2533, floor) * math.sqrt(1.0 + 4.0 / n)
        z_point = r / sd

        # Short-term average of the standardised residual: sustained shifts.
        b = 1.0 / cfg.short_points
        z_clip = max(-8.0, min(8.0, z_point))
        s.short = (1.0 - b) * s.short + b * z_clip
        z_short = s.short / math.sqrt(b / (2.0 - b))

        if cfg.direction == "up":
            z_point, z_short = max(z_point, 0.0), max(z_short, 0.0)
        surprise_param = max(_two_sided_log10_p(z_point), _two_sided_log10_p(z_short)) - math.log10(
            2.0
        )
        surprise_param = max(surprise_param, 0.0)

        # Calibrate against this series' own history of surprises (heavy tails, odd noise).
        p_param = 10.0**-surprise_param
        k = min(int(surprise_param / _BIN), _NBINS - 1)
        above = sum(s.hist[k:])
        p = (above + cfg.prior_points * p_param) / (s.hist_total + cfg.prior_points)
        surprise = -math.log10(max(p, 1e-300))
        c = 1.0 / cfg.calibration_points
        s.hist = [h * (1.0 - c) for h in s.hist]
        s.hist[k] += 1.0
        s.hist_total = s.hist_total * (1.0 - c) + 1.0

        # Score: 0.5 at the default alert level, 1.0 at twice as many decibans.
        default_level = self._alert_level(DEFAULT_SENSITIVITY, step)
        score = max(0.0, min(1.0, surprise / (2.0 * default_level)))

        alert = False
        if n > cfg.warmup_points and surprise >= self._alert_level(cfg.sensitivity, step):
            quiet = s.quiet_until is not None and t < s.quiet_until
            if not quiet:
                alert = True
                s.quiet_until = t + cfg.quiet_period
                s.last_alert_surprise = surprise

        # Learn, with residuals clipped so that an outlier barely moves the baseline.
        self._learn(x, hour, a, step)
        return score, alert

    def _alert_level(self, sensitivity: int, step: float) -> float:
        """-log10 of the per-point probability giving ``alarms_per_week`` false alarms a week."""
        points_per_week = max(_WEEK / step, 1.0)
        return -math.log10(min(alarms_per_week(sensitivity) / points_per_week, 0.5))

    def _learn(self, x: float, hour: int, a: float, step: float) -> None:
        s = self._s
        # Plain model.
        r = x - s.level
        bound = 4.0 * s.spread if s.n > 2 else abs(r)
        rc = max(-bound, min(bound, r)) if bound > 0.0 else r
        s.level += a * rc
        s.spread += a * (min(abs(r), bound if bound > 0.0 else abs(r)) - s.spread)
        # Seasonal model: level of the deseasonalised series and the hour-of-day profile.
        rs = x - (s.s_level + s.hod[hour])
        bound_s = 4.0 * s.s_spread if s.n > 2 else abs(rs)
        rsc = max(-bound_s, min(bound_s, rs)) if bound_s > 0.0 else rs
        s.s_spread += a * (min(abs(rs), bound_s if bound_s > 0.0 else abs(rs)) - s.s_spread)
        s.s_level += a * rsc
        s.hod_n[hour] += 1.0
        per_day = max(_HOUR / step, 1.0)
        ah = max(1.0 / s.hod_n[hour], 1.0 / (3.0 * per_day))
        rs = x - (s.s_level + s.hod[hour])
        rsc = max(-bound_s, min(bound_s, rs)) if bound_s > 0.0 else rs
        s.hod[hour] += ah * rsc
