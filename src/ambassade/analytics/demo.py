"""The demo's objectives: two, with KPIs over the last complete month and the current one in the
workspace's time zone (the sample monthly report shows the first, the dashboard the second),
measured from the demo's own mentions, conversations and surveys (nothing typed in). Their names
are in the workspace's language. Running it again makes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.utils import timezone

from ambassade.analytics import services
from ambassade.analytics.models import Objective

OBJECTIVES = {
    "fr": (
        ("Faire parler de Café Lumière", "visibility", "Les mentions de la marque, mois par mois."),
        ("Répondre vite et bien", "satisfaction", "Le service client sur les réseaux."),
    ),
    "en": (
        ("Get Café Lumière talked about", "visibility", "Mentions of the brand, month by month."),
        ("Answer fast and well", "satisfaction", "Customer care on the networks."),
    ),
}
KPIS = (
    (("mention_volume", 3000), ("net_sentiment", 20), ("share_of_voice", 40)),
    (("response_rate", 90), ("first_response_time", 60), ("csat", 80)),
)


def ensure_demo_objectives(
    workspace: Any, owner: Any, out: TextIO, *, now: datetime | None = None
) -> int:
    if Objective.objects.filter(workspace=workspace).exists():
        return Objective.objects.filter(workspace=workspace).count()
    now = now or timezone.now()
    today = now.astimezone(ZoneInfo(workspace.time_zone)).date()
    first = today.replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    months = (
        (previous, first - timedelta(days=1)),
        (first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)),
    )
    language = "fr" if getattr(workspace, "language", "fr").startswith("fr") else "en"
    for (name, kind, description), kpis in zip(OBJECTIVES[language], KPIS, strict=True):
        objective = services.create_objective(
            workspace, owner, name=name, type=kind, description=description
        )
        for start, end in months:
            for metric, target in kpis:
                services.add_kpi(
                    objective,
                    owner,
                    metric=metric,
                    target=target,
                    period_start=start,
                    period_end=end,
                )
    out.write("Objectives: 2, with 6 KPIs over the last month and 6 over this one.\n")
    return 2
