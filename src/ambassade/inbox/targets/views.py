"""Pages of the response-time targets (business hours, holidays, targets) and the team report.
Thin: forms validate, ``services`` writes, ``report`` reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.inbox.permissions import INBOX_MANAGE, INBOX_VIEW
from ambassade.inbox.targets import report as reports
from ambassade.inbox.targets import services
from ambassade.inbox.targets.forms import HolidayForm, HoursForm, ReportForm, TargetForm
from ambassade.inbox.targets.models import Holiday, Target
from ambassade.inbox.targets.timers import duration_words
from ambassade.workspaces.csvexport import csv_response
from ambassade.workspaces.networks import network_label
from ambassade.workspaces.permissions import get_workspace_object_or_404, workspace_view


def _settings_page(
    request: HttpRequest,
    hours_form: HoursForm | None = None,
    holiday_form: HolidayForm | None = None,
    status: int = 200,
) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    hours = services.hours_for(workspace)
    calendar = services.calendar_for(workspace, hours)
    return render(
        request,
        "inbox_targets/settings.html",
        {
            "hours": hours,
            "hours_form": hours_form or HoursForm(instance=hours),
            "holiday_form": holiday_form or HolidayForm(workspace=workspace),
            "holidays": Holiday.objects.filter(workspace=workspace),
            "targets": [
                {
                    "target": t,
                    "first_response": duration_words(timedelta(minutes=t.first_response_minutes))
                    if t.first_response_minutes
                    else "",
                    "next_response": duration_words(timedelta(minutes=t.next_response_minutes))
                    if t.next_response_minutes
                    else "",
                    "resolution": duration_words(timedelta(minutes=t.resolution_minutes))
                    if t.resolution_minutes
                    else "",
                    "network": network_label(t.network) if t.network else "",
                }
                for t in Target.objects.filter(workspace=workspace).select_related("label")
            ],
            "never_open": hours.enabled and calendar.never_open,
        },
        status=status,
    )


@workspace_view(INBOX_MANAGE)
@require_http_methods(["GET", "POST"])
def targets_settings(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    if request.method != "POST":
        return _settings_page(request)
    form = HoursForm(request.POST, instance=services.hours_for(workspace))
    if not form.is_valid():
        return _settings_page(request, hours_form=form, status=400)
    services.save_hours(form.save(commit=False), request.user)
    messages.success(request, _("Business hours saved. Open conversations' due times follow."))
    return redirect("inbox_targets:settings", workspace.slug)


@workspace_view(INBOX_MANAGE)
@require_POST
def holiday_create(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    form = HolidayForm(request.POST, workspace=workspace)
    if not form.is_valid():
        return _settings_page(request, holiday_form=form, status=400)
    services.save_holiday(form.save(commit=False), request.user)
    messages.success(request, _("Holiday added."))
    return redirect(reverse("inbox_targets:settings", args=[workspace.slug]) + "#holidays")


@workspace_view(INBOX_MANAGE)
@require_POST
def holiday_delete(request: HttpRequest, holiday_id: int) -> HttpResponse:
    holiday = get_workspace_object_or_404(request, Holiday, id=holiday_id)
    services.delete_holiday(holiday, request.user)
    messages.success(request, _("Holiday deleted."))
    return redirect(
        reverse("inbox_targets:settings", args=[request.workspace.slug])  # type: ignore[attr-defined]
        + "#holidays"
    )


@workspace_view(INBOX_MANAGE)
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, target_id: int | None = None) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    target = (
        get_workspace_object_or_404(request, Target, id=target_id)
        if target_id is not None
        else Target(workspace=workspace)
    )
    form = TargetForm(request.POST or None, instance=target, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        services.save_target(form.save(commit=False), request.user)
        messages.success(request, _("Target saved. Open conversations' due times follow."))
        return redirect(reverse("inbox_targets:settings", args=[workspace.slug]) + "#targets")
    return render(
        request,
        "inbox_targets/target_form.html",
        {"form": form, "target": target},
        status=400 if form.errors else 200,
    )


@workspace_view(INBOX_MANAGE)
@require_POST
def target_delete(request: HttpRequest, target_id: int) -> HttpResponse:
    target = get_workspace_object_or_404(request, Target, id=target_id)
    services.delete_target(target, request.user)
    messages.success(request, _("Target deleted."))
    return redirect(
        reverse("inbox_targets:settings", args=[request.workspace.slug])  # type: ignore[attr-defined]
        + "#targets"
    )


# --- the team report ------------------------------------------------------------------------------


def _report(request: HttpRequest) -> tuple[ReportForm, reports.Report | None]:
    workspace = request.workspace  # type: ignore[attr-defined]
    zone = ZoneInfo(services.hours_for(workspace).zone_name())
    today = timezone.now().astimezone(zone).date()
    form = ReportForm(request.GET, workspace=workspace, today=today)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    period = reports.Period(data["start"], data["end"], zone)
    return form, reports.build_report(
        workspace, period, network=data.get("network") or "", team=data.get("team")
    )


def _minutes(seconds: float | None) -> float | str:
    return round(seconds / 60, 1) if seconds is not None else ""


def _share(value: float | None) -> float | str:
    return round(100 * value, 1) if value is not None else ""


def _report_page(
    request: HttpRequest, form: ReportForm, found: reports.Report | None
) -> HttpResponse:
    return render(
        request,
        "inbox_targets/report.html",
        {"form": form, "report": found, "query": request.GET.urlencode()},
        status=200 if found is not None else 400,
    )


@workspace_view(INBOX_VIEW)
def team_report(request: HttpRequest) -> HttpResponse:
    return _report_page(request, *_report(request))


def _person(user: Any) -> str:
    if user is None:
        return _("Nobody (unassigned, or answered natively)")
    return str(user.get_full_name() or user.email)


@workspace_view(INBOX_VIEW)
def team_report_csv(request: HttpRequest) -> HttpResponse:
    form, found = _report(request)
    if found is None:
        return _report_page(request, form, found)
    header = [
        _("Group"),
        _("Name"),
        _("Messages in"),
        _("Messages out"),
        _("New conversations"),
        _("First response, median (business minutes)"),
        _("First response, 90th percentile (business minutes)"),
        _("First response within target (%)"),
        pgettext("inbox view", "Resolved"),
        _("Resolution, median (business minutes)"),
        _("Resolution, 90th percentile (business minutes)"),
        _("Resolution within target (%)"),
        _("Satisfaction (1–5)"),
        _("Satisfaction answers"),
    ]

    def line(group: str, name: str, f: reports.Figures) -> list[Any]:
        return [
            group,
            name,
            f.inbound,
            f.outbound,
            f.conversations,
            _minutes(f.first_p50),
            _minutes(f.first_p90),
            _share(f.first_within),
            f.resolved,
            _minutes(f.resolution_p50),
            _minutes(f.resolution_p90),
            _share(f.resolution_within),
            round(f.csat, 2) if f.csat is not None else "",
            f.csat_count if found.csat_available else "",
        ]

    rows = [line(_("Total"), "", found.total)]
    rows += [line(_("Person"), _person(user), f) for user, f in found.people]
    rows += [line(_("Network"), network_label(code), f) for code, f in found.networks]
    rows += [line(_("Week"), week.isoformat(), f) for week, f in found.weeks]
    period = found.period
    return csv_response(f"team-report-{period.start}-{period.end}.csv", header, rows)
