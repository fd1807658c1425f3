"""Reports: the list, the form, the document in HTML and PDF, each table as CSV, "Send now"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.analytics import dashboard, reports, reports_services
from ambassade.analytics.permissions import ANALYTICS_MANAGE, ANALYTICS_VIEW
from ambassade.analytics.reports_forms import PeriodForm, ReportForm
from ambassade.analytics.reports_models import Report, ReportTemplate
from ambassade.community.permissions import COMMUNITY_VIEW
from ambassade.events.permissions import EVENTS_VIEW
from ambassade.inbox.permissions import INBOX_VIEW
from ambassade.listening.permissions import LISTENING_VIEW
from ambassade.publishing.permissions import PUBLISHING_VIEW
from ambassade.referrals.permissions import REFERRALS_VIEW
from ambassade.workspaces.csvexport import csv_response
from ambassade.workspaces.documents import DOCUMENT_POLICY
from ambassade.workspaces.permissions import (
    can_role,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

SOURCES = {
    "listening": LISTENING_VIEW,
    "inbox": INBOX_VIEW,
    "publishing": PUBLISHING_VIEW,
    "community": COMMUNITY_VIEW,
    "referrals": REFERRALS_VIEW,
    "events": EVENTS_VIEW,
    "analytics": ANALYTICS_VIEW,
}


def _allowed(request: HttpRequest) -> Callable[[str], bool]:
    """What the reader may see of a report: the blocks of the apps their role may open."""
    role = request.membership.role  # type: ignore[attr-defined]
    return lambda source: can_role(role, SOURCES.get(source, ANALYTICS_VIEW))


def _can_manage(request: HttpRequest) -> bool:
    return can_role(request.membership.role, ANALYTICS_MANAGE)  # type: ignore[attr-defined]


def _period(request: HttpRequest, report: Report) -> tuple[date, date] | PeriodForm:
    """The period asked (``?start=&end=``, ISO dates) or the report's own; an invalid form."""
    if "start" in request.GET or "end" in request.GET:
        form = PeriodForm(request.GET)
        if not form.is_valid():
            return form
        return form.cleaned_data["start"], form.cleaned_data["end"]
    return reports.default_period(report, dashboard.local_today(report.workspace))


def _query(start: date, end: date) -> str:
    return urlencode({"start": start.isoformat(), "end": end.isoformat()})


@workspace_view(ANALYTICS_VIEW)
def report_list(request: HttpRequest) -> HttpResponse:
    rows = list(workspace_queryset(request, Report).order_by("name", "id"))
    return render(
        request,
        "analytics/reports.html",
        {"reports": rows, "can_manage": _can_manage(request), "templates": ReportTemplate.choices},
    )


@workspace_view(ANALYTICS_MANAGE)
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    template = request.GET.get("template", ReportTemplate.MONTHLY)
    if template not in ReportTemplate.values:
        template = ReportTemplate.MONTHLY
    initial = {
        "template": template,
        "blocks": reports.TEMPLATE_BLOCKS[template],
        "language": workspace.language,
        "name": str(ReportTemplate(template).label),
    }
    form = ReportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in reports_services.FIELDS}
        report = reports_services.create_report(workspace, request.user, logo=form.logo, **data)
        messages.success(request, _("The report was created."))
        return redirect("analytics:report", workspace.slug, report.pk)
    return render(
        request,
        "analytics/report_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@workspace_view(ANALYTICS_VIEW)
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_workspace_object_or_404(request, Report, id=report_id)
    workspace = request.workspace  # type: ignore[attr-defined]
    can_manage = _can_manage(request)
    form = ReportForm(instance=report)
    status = 200
    if request.method == "POST":
        if not can_manage:
            return HttpResponse(status=403)
        form = ReportForm(request.POST, request.FILES, instance=Report.objects.get(pk=report.pk))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in reports_services.FIELDS}
            reports_services.update_report(
                report,
                request.user,
                logo=form.logo,
                remove_logo=form.cleaned_data.get("remove_logo", False),
                **data,
            )
            messages.success(request, _("The report was saved."))
            return redirect("analytics:report", workspace.slug, report.pk)
        status = 400
    period = _period(request, report)
    period_form = period if isinstance(period, PeriodForm) else None
    if period_form is not None:
        status = 400
        start, end = reports.default_period(report, dashboard.local_today(workspace))
    else:
        start, end = period  # type: ignore[misc]
        period_form = PeriodForm(initial={"start": start, "end": end})
    allowed = _allowed(request)
    query = _query(start, end)
    tables = [
        {
            "label": reports.BLOCKS[code].label,
            "url": reverse("analytics:report_csv", args=[workspace.slug, report.pk, code])
            + "?"
            + query,
        }
        for code in report.blocks
        if code in reports.BLOCKS
        and (code in ("kpis", "objectives") or allowed(reports.BLOCKS[code].source))
    ]
    return render(
        request,
        "analytics/report.html",
        {
            "report": report,
            "form": form,
            "period_form": period_form,
            "start": start,
            "end": end,
            "query": query,
            "tables": tables,
            "deliveries": list(report.deliveries.all()[:12]),
            "can_manage": can_manage,
        },
        status=status,
    )


def _bad_period(request: HttpRequest, report: Report, form: PeriodForm) -> HttpResponse:
    errors = "; ".join(
        f"{form.fields[name].label}: {' '.join(e)}"
        for name, e in form.errors.items()
        if name in form.fields
    )
    return render(
        request,
        "analytics/report_error.html",
        {"report": report, "errors": errors or _("The period is not valid.")},
        status=400,
    )


@workspace_view(ANALYTICS_VIEW)
def report_document(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report as a standalone HTML document for the period asked, in the report's language,
    with what the reader's role may see."""
    report = get_workspace_object_or_404(request, Report, id=report_id)
    period = _period(request, report)
    if isinstance(period, PeriodForm):
        return _bad_period(request, report, period)
    start, end = period
    html = reports.render_html(report, start, end, allowed=_allowed(request))
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = DOCUMENT_POLICY  # its own <style>, no script
    if request.GET.get("download"):
        name = reports_services.file_name(report, start, end, "html")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@workspace_view(ANALYTICS_VIEW)
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_workspace_object_or_404(request, Report, id=report_id)
    period = _period(request, report)
    if isinstance(period, PeriodForm):
        return _bad_period(request, report, period)
    start, end = period
    html = reports.render_html(report, start, end, allowed=_allowed(request))
    response = HttpResponse(reports.render_pdf(html), content_type="application/pdf")
    name = reports_services.file_name(report, start, end, "pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@workspace_view(ANALYTICS_VIEW)
def report_csv(request: HttpRequest, report_id: int, block: str) -> HttpResponse:
    """One block's table as CSV (formula-like cells neutralised by ``csv_response``)."""
    report = get_workspace_object_or_404(request, Report, id=report_id)
    if block not in reports.BLOCKS:
        return HttpResponse(status=404)
    period = _period(request, report)
    if isinstance(period, PeriodForm):
        return _bad_period(request, report, period)
    start, end = period
    table = reports.block_table(report, block, start, end, allowed=_allowed(request))
    if table is None:
        return HttpResponse(status=404)
    name = reports_services.file_name(report, start, end, "csv").replace(".csv", f"-{block}.csv")
    return csv_response(name, table.header, table.rows)


@workspace_view(ANALYTICS_MANAGE)
@require_POST
def report_send(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_workspace_object_or_404(request, Report, id=report_id)
    workspace = request.workspace  # type: ignore[attr-defined]
    if not report.recipient_list:
        messages.error(request, _("Give at least one address to send the report to."))
        return redirect("analytics:report", workspace.slug, report.pk)
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The period is not valid."))
        return redirect("analytics:report", workspace.slug, report.pk)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    reports_services.send_now(report, request.user, start, end)
    messages.success(
        request,
        _("The report is being sent to %(count)s address(es).")
        % {"count": len(report.recipient_list)},
    )
    return redirect(
        reverse("analytics:report", args=[workspace.slug, report.pk]) + "?" + _query(start, end)
    )


@workspace_view(ANALYTICS_MANAGE)
@require_POST
def report_delete(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_workspace_object_or_404(request, Report, id=report_id)
    reports_services.delete_report(report, request.user)
    messages.success(request, _("The report was removed."))
    return redirect("analytics:reports", request.workspace.slug)  # type: ignore[attr-defined]
