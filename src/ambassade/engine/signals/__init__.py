"""Streaming spike detection on count series (mention volume, negative mentions): see
docs/spike-detection.md."""

from ambassade.engine.signals._detector import (
    DEFAULT_SENSITIVITY,
    SEVERITIES,
    Observation,
    SpikeDetector,
    SpikeSettings,
    alarms_per_week,
    negativity_detector,
    spike_severity,
)

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
