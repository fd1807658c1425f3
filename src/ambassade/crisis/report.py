"""The post-mortem report of a crisis, as HTML (frozen when the crisis closes) and as PDF."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from ambassade.crisis.models import Alert, Crisis, CrisisEvent


def report_context(crisis: Crisis) -> dict[str, Any]:
    events = list(crisis.events.select_related("actor").order_by("at", "id"))
    metrics: dict[datetime, dict[str, float]] = {}
    for event in events:
        if event.kind in (CrisisEvent.Kind.VOLUME, CrisisEvent.Kind.NEGATIVITY):
            metrics.setdefault(event.at, {"volume": 0.0, "negative": 0.0})[
                "volume" if event.kind == CrisisEvent.Kind.VOLUME else "negative"
            ] = event.value or 0.0
    peak = max((m["volume"] for m in metrics.values()), default=0.0)
    hours_rows = [
        {
            "at": at,
            "volume": int(m["volume"]),
            "negative": int(m["negative"]),
            "volume_pct": round(100 * m["volume"] / peak) if peak else 0,
            "negative_pct": round(100 * m["negative"] / peak) if peak else 0,
        }
        for at, m in sorted(metrics.items())
    ]
    checklist = list(crisis.checklist.select_related("done_by"))
    end = crisis.closed_at or timezone.now()
    return {
        "crisis": crisis,
        "workspace": crisis.workspace,
        "timeline": [
            e
            for e in events
            if e.kind not in (CrisisEvent.Kind.VOLUME, CrisisEvent.Kind.NEGATIVITY)
        ],
        "hours": hours_rows,
        "peak": int(peak),
        "total_volume": int(sum(m["volume"] for m in metrics.values())),
        "total_negative": int(sum(m["negative"] for m in metrics.values())),
        "checklist": checklist,
        "done_count": sum(1 for item in checklist if item.done_at),
        "duration_hours": (end - crisis.opened_at).total_seconds() / 3600,
        "statements": [e for e in events if e.kind == CrisisEvent.Kind.STATEMENT],
        "alerts": list(
            Alert.objects.filter(
                workspace=crisis.workspace,
                triggered_at__gte=crisis.opened_at - timedelta(hours=24),
                triggered_at__lte=end,
            )
        ),
        "generated_at": timezone.now(),
    }


def build_report(crisis: Crisis) -> str:
    """The post-mortem as a standalone HTML document, in the workspace's language and time zone."""
    workspace = crisis.workspace
    with translation.override(workspace.language), timezone.override(workspace.time_zone):
        return render_to_string("crisis/report.html", report_context(crisis))


def report_pdf(crisis: Crisis) -> bytes:
    """The report as PDF (rendered once from the frozen HTML, then kept)."""
    if crisis.report_pdf:
        return bytes(crisis.report_pdf)
    html = crisis.report_html or build_report(crisis)
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=None).write_pdf()
    if not crisis.is_open:
        Crisis.objects.filter(id=crisis.id).update(report_pdf=pdf)
    return bytes(pdf)
