"""Objects of workspace A for tests/test_access.py's URL walk: an objective and one of its KPIs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass
class AnalyticsSamples:
    objective: Any
    kpi: Any


def samples(personas: Any) -> AnalyticsSamples:
    cached = getattr(personas, "_analytics", None)
    if cached is not None:
        return cached
    from ambassade.analytics import services

    objective = services.create_objective(
        personas.workspace_a, personas.alice, name="A's objective", type="visibility"
    )
    kpi = services.add_kpi(
        objective,
        personas.alice,
        metric="mention_volume",
        target=100,
        period_start=date(2026, 12, 1),
        period_end=date(2026, 12, 31),
    )
    result = AnalyticsSamples(objective, kpi)
    personas._analytics = result
    return result
