"""What a crisis covers, in figures, and its post-mortem report as HTML (frozen when the crisis
closes) and as PDF.

The figures are counted from the listening app's mentions (through :mod:`signals_feed`) whenever they
are shown: from the crisis's start (the window of the alert it was opened from, or a chosen start) to
its close, plus the day before for comparison. Mentions published before the crisis was opened, or
heard late, count as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from ambassade.crisis import charts, signals_feed
from ambassade.crisis.models import Alert, Crisis, CrisisEvent
from ambassade.crisis.signals_feed import CountFn, floor_hour

#: The hours before the start shown for comparison.
BEFORE = timedelta(hours=24)


def duration_text(start: datetime, end: datetime) -> str:
    """A duration in words, in the current language, to two units ("1 day, 3 hours", "45 minutes")."""
    return timesince(start, end, depth=2)


def queries_text(names: dict[int, str], query_ids: Sequence[int]) -> str:
    """Listening queries by name, quoted the reader's way: “A”, “B” or « A », « B »."""
    return ", ".join(_("“%(query)s”") % {"query": names.get(q, f"#{q}")} for q in query_ids)


def scope_text(crisis: Crisis) -> str:
    """Which mentions the crisis counts, in words."""
    if not crisis.query_ids:
        return _("all the workspace's mentions (brand, competitors and topics)")
    return queries_text(signals_feed.query_names(crisis.workspace), crisis.query_ids)


def crisis_figures(crisis: Crisis, count: CountFn = signals_feed.hourly_counts) -> dict[str, Any]:
    """The mentions per hour from a day before the crisis's start to its end (its close, or now),
    and the key figures of the hours it covers."""
    start = floor_hour(crisis.started_at)
    end = crisis.ended_at
    first = start - BEFORE
    workspace, scope = crisis.workspace, crisis.query_ids
    volume = count(workspace, first, end, query_ids=scope, negative=False)
    negative = count(workspace, first, end, query_ids=scope, negative=True)
    rows = [
        {
            "at": hour,
            "volume": int(volume.get(hour, 0)),
            "negative": int(negative.get(hour, 0)),
            "during": hour >= start,
        }
        for hour in signals_feed.hours(first, end)
    ]
    during = [row for row in rows if row["during"]]
    before = [row for row in rows if not row["during"]]
    peak = max(during, key=lambda row: (row["volume"], row["at"]), default=None)
    total = sum(row["volume"] for row in during)
    return {
        "hours": rows,
        "total_volume": total,
        "total_negative": sum(row["negative"] for row in during),
        "peak": peak["volume"] if peak else 0,
        "peak_at": peak["at"] if peak and peak["volume"] else None,
        "usual_per_hour": sum(row["volume"] for row in before) / len(before) if before else 0.0,
        "negative_share": (
            round(100 * sum(row["negative"] for row in during) / total) if total else 0
        ),
    }


def report_context(crisis: Crisis, count: CountFn = signals_feed.hourly_counts) -> dict[str, Any]:
    events = list(crisis.events.select_related("actor").order_by("at", "id"))
    checklist = list(crisis.checklist.select_related("done_by"))
    end = crisis.ended_at
    figures = crisis_figures(crisis, count)
    drawn = figures["total_volume"] or figures["usual_per_hour"]
    return {
        "crisis": crisis,
        "workspace": crisis.workspace,
        # Hourly counts were timeline events once; they are counted from the mentions now.
        "timeline": [
            e
            for e in events
            if e.kind not in (CrisisEvent.Kind.VOLUME, CrisisEvent.Kind.NEGATIVITY)
        ],
        **figures,
        # The same Vega-Lite chart as the page's, rendered by the server (vl-convert) in the
        # document's language: the HTML and its PDF need no script.
        "chart_uri": charts.hourly_svg_uri(figures) if drawn else "",
        "chart_alt": charts.hourly_spec(figures)["description"] if drawn else "",
        "scope": scope_text(crisis),
        "checklist": checklist,
        "done_count": sum(1 for item in checklist if item.done_at),
        "duration": duration_text(crisis.started_at, end),
        "ended_at": end,
        "statements": [e for e in events if e.kind == CrisisEvent.Kind.STATEMENT],
        "alerts": list(
            Alert.objects.filter(
                workspace=crisis.workspace,
                triggered_at__gte=crisis.started_at - BEFORE,
                triggered_at__lte=end,
            )
        ),
        "generated_at": timezone.now(),
    }


def build_report(crisis: Crisis, language: str | None = None) -> str:
    """The post-mortem as a standalone HTML document, in the workspace's time zone and in
    ``language`` (the reader's, while the crisis is open), else the workspace's (the frozen one)."""
    workspace = crisis.workspace
    with (
        translation.override(language or workspace.language),
        timezone.override(workspace.time_zone),
    ):
        return render_to_string("crisis/report.html", report_context(crisis))


def report_pdf(crisis: Crisis, language: str | None = None) -> bytes:
    """The report as PDF (rendered once from the frozen HTML, then kept); an open crisis's in
    ``language``, as :func:`build_report`."""
    if crisis.report_pdf:
        return bytes(crisis.report_pdf)
    html = crisis.report_html or build_report(crisis, language)
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=None).write_pdf()
    if not crisis.is_open:
        Crisis.objects.filter(id=crisis.id).update(report_pdf=pdf)
    return bytes(pdf)
