"""Objects of workspace A for tests/test_access.py's URL walk: an objective, one of its KPIs, a
followed competitor's account and a connected analytics site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass
class AnalyticsSamples:
    objective: Any
    kpi: Any
    report: Any
    competitor: Any
    site: Any


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
    from ambassade.analytics import audience_services

    competitor = audience_services.add_competitor(
        personas.workspace_a, personas.alice, network="bluesky", handle="rival.bsky.social"
    )
    from ambassade.analytics.models import TrafficSite

    site = TrafficSite(
        workspace=personas.workspace_a,
        tool="plausible",
        base_url="https://plausible.example",
        site_id="brand-a.example",
    )
    site.set_secret({"token": "plausible-key-of-A"})
    site.save()
    result = AnalyticsSamples(objective, kpi, report, competitor, site)
    personas._analytics = result
    return result
