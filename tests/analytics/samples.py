"""Objects of workspace A for tests/test_access.py's URL walk: an objective and one of its KPIs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass
class AnalyticsSamples:
    objective: Any
    kpi: Any
    report: Any


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
    from ambassade.analytics import reports_services

    report = reports_services.create_report(
        personas.workspace_a,
        personas.alice,
        name="A's report",
        template="monthly",
        language="en",
        blocks=["kpis", "top_mentions"],
        recipients="a@example.com",
    )
    result = AnalyticsSamples(objective, kpi, report)
    personas._analytics = result
    return result
