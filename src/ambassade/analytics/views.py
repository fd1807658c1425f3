"""Objectives and their KPIs, and the server rendering of the dashboard's chart."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.analytics import charts, dashboard, kpis, services
from ambassade.analytics.catalogue import CATALOGUE
from ambassade.analytics.forms import KpiForm, ObjectiveForm
from ambassade.analytics.models import Kpi, Objective
from ambassade.analytics.permissions import ANALYTICS_MANAGE, ANALYTICS_VIEW
from ambassade.listening.permissions import LISTENING_VIEW
from ambassade.workspaces.csvexport import csv_response
from ambassade.workspaces.documents import DOCUMENT_POLICY
from ambassade.workspaces.permissions import (
    can_role,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)


def _can_manage(request: HttpRequest) -> bool:
    return can_role(request.membership.role, ANALYTICS_MANAGE)  # type: ignore[attr-defined]


def _kpi_form(request: HttpRequest, objective: Objective, data: Any = None) -> KpiForm:
    """The form adding a KPI, over the current month, its indicator the first of the catalogue
    suited to the objective's type (a traffic objective starts on link clicks, not mentions)."""
    today = dashboard.local_today(request.workspace)  # type: ignore[attr-defined]
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    initial: dict[str, Any] = {"period_start": first, "period_end": last}
    suited = [metric.code for metric in CATALOGUE.values() if objective.type in metric.types]
    if suited:
        initial["metric"] = suited[0]
    return KpiForm(data, initial=initial)


@workspace_view(ANALYTICS_VIEW)
def objectives(request: HttpRequest) -> HttpResponse:
    rows = list(
        workspace_queryset(request, Objective).prefetch_related("kpis").order_by("name", "id")
    )
    with kpis.reading():
        listed = [
            {
                "objective": objective,
                "measured": [kpis.measure(kpi) for kpi in _with_workspace(objective)],
            }
            for objective in rows
        ]
    return render(
        request,
        "analytics/objectives.html",
        {"rows": listed, "can_manage": _can_manage(request), "catalogue": CATALOGUE.values()},
    )


def _with_workspace(objective: Objective) -> list[Kpi]:
    listed = list(objective.kpis.all())
    for kpi in listed:
        kpi.workspace = objective.workspace  # one workspace for all: no query per KPI
        kpi.objective = objective
    return listed


@workspace_view(ANALYTICS_MANAGE)
@require_http_methods(["GET", "POST"])
def objective_create(request: HttpRequest) -> HttpResponse:
    form = ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        objective = services.create_objective(
            request.workspace,  # type: ignore[attr-defined]
            request.user,
            **form.cleaned_data,
        )
        messages.success(request, _("The objective was set. Add the indicators that measure it."))
        return redirect("analytics:objective", request.workspace.slug, objective.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "analytics/objective_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@workspace_view(ANALYTICS_VIEW)
@require_http_methods(["GET", "POST"])
def objective_detail(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = get_workspace_object_or_404(request, Objective, id=objective_id)
    can_manage = _can_manage(request)
    form = ObjectiveForm(instance=objective)
    kpi_form = _kpi_form(request, objective)
    status = 200
    if request.method == "POST":
        if not can_manage:
            return HttpResponse(status=403)
        if request.POST.get("form") == "kpi":
            kpi_form = _kpi_form(request, objective, request.POST)
            if kpi_form.is_valid():
                services.add_kpi(objective, request.user, **kpi_form.cleaned_data)
                messages.success(request, _("The indicator was added."))
                return redirect("analytics:objective", request.workspace.slug, objective.pk)  # type: ignore[attr-defined]
        else:
            form = ObjectiveForm(request.POST, instance=Objective.objects.get(pk=objective.pk))
            if form.is_valid():
                services.update_objective(objective, request.user, **form.cleaned_data)
                messages.success(request, _("The objective was saved."))
                return redirect("analytics:objective", request.workspace.slug, objective.pk)  # type: ignore[attr-defined]
        status = 400
    return render(
        request,
        "analytics/objective.html",
        {
            "objective": objective,
            "measured": [kpis.measure(kpi) for kpi in _with_workspace(objective)],
            "form": form,
            "kpi_form": kpi_form,
            "can_manage": can_manage,
            "catalogue": [
                metric for metric in CATALOGUE.values() if objective.type in metric.types
            ],
        },
        status=status,
    )


@workspace_view(ANALYTICS_MANAGE)
@require_POST
def objective_delete(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = get_workspace_object_or_404(request, Objective, id=objective_id)
    services.delete_objective(objective, request.user)
    messages.success(request, _("The objective was removed."))
    return redirect("analytics:objectives", request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(ANALYTICS_MANAGE)
@require_POST
def kpi_delete(request: HttpRequest, kpi_id: int) -> HttpResponse:
    kpi = get_workspace_object_or_404(request, Kpi, id=kpi_id)
    objective_id = kpi.objective_id
    services.remove_kpi(kpi, request.user)
    messages.success(request, _("The indicator was removed."))
    return redirect("analytics:objective", request.workspace.slug, objective_id)  # type: ignore[attr-defined]


@workspace_view(LISTENING_VIEW)
def trend_svg(request: HttpRequest) -> HttpResponse:
    """The dashboard's mentions-and-sentiment chart rendered by the server (vl-convert) from the
    same spec the browser draws: a standalone SVG file to download or put in a document."""
    workspace = request.workspace  # type: ignore[attr-defined]
    end = dashboard.local_today(workspace)
    start = end - timedelta(days=dashboard.TREND_DAYS - 1)
    spec = charts.sentiment_trend(dashboard.sentiment_rows(workspace, start, end), width=720)
    response = HttpResponse(charts.render_svg(spec), content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = DOCUMENT_POLICY
    response["Content-Disposition"] = (
        f'inline; filename="mentions-{start.isoformat()}-{end.isoformat()}.svg"'
    )
    return response


@workspace_view(LISTENING_VIEW)
def trend_csv(request: HttpRequest) -> HttpResponse:
    """The numbers of the dashboard's chart (the table behind it) as CSV: one row a day."""
    workspace = request.workspace  # type: ignore[attr-defined]
    end = dashboard.local_today(workspace)
    start = end - timedelta(days=dashboard.TREND_DAYS - 1)
    table: dict[Any, dict[str, int]] = {}
    for day, sentiment, count in dashboard.sentiment_rows(workspace, start, end):
        table.setdefault(day, {})[sentiment] = count
    header = [_("Day"), _("Positive"), _("Neutral"), _("Negative"), _("Total")]
    rows = [
        [
            day.isoformat(),
            counts.get("positive", 0),
            counts.get("neutral", 0),
            counts.get("negative", 0),
            sum(counts.values()),
        ]
        for day, counts in sorted(table.items())
    ]
    return csv_response(f"mentions-{start.isoformat()}-{end.isoformat()}.csv", header, rows)
