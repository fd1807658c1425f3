"""The traffic page: the brand site's visits from its web-analytics tool by channel, social
network and campaign over a period beside the previous one, and the sites it is read from (their
tokens encrypted at rest, never shown back)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.analytics import charts, traffic
from ambassade.analytics.areas import COUNT, DAY, TEXT, rows_html
from ambassade.analytics.audience_models import TrafficSite
from ambassade.analytics.audience_views import _change, _filters
from ambassade.analytics.catalogue import CATALOGUE
from ambassade.analytics.permissions import ANALYTICS_MANAGE, ANALYTICS_VIEW
from ambassade.connectors.base import InvalidConfig
from ambassade.connectors.webanalytics import check_config
from ambassade.engine import charts as specs
from ambassade.workspaces.audit import register_audit_action
from ambassade.workspaces.csvexport import csv_response
from ambassade.workspaces.messages import words
from ambassade.workspaces.permissions import can_role, get_workspace_object_or_404, workspace_view
from ambassade.workspaces.services import record_audit

__all__ = ["site_delete", "traffic_csv", "traffic_page"]

SITE_ADDED = register_audit_action(
    "analytics.traffic.added", gettext_lazy("connected the site's analytics")
)
SITE_REMOVED = register_audit_action(
    "analytics.traffic.removed", gettext_lazy("disconnected the site's analytics")
)

CHANNEL_LABELS = {
    "direct": gettext_lazy("Direct"),
    "search": gettext_lazy("Search engines"),
    "social": gettext_lazy("Social networks"),
    "website": gettext_lazy("Other websites"),
    "campaign": gettext_lazy("Campaigns"),
    "email": gettext_lazy("E-mail"),
    "paid": gettext_lazy("Paid"),
    "other": gettext_lazy("Other"),
}


class TrafficSiteForm(forms.Form):
    tool = forms.ChoiceField(label=gettext_lazy("Tool"), choices=TrafficSite.Tool.choices)
    base_url = forms.URLField(
        label=gettext_lazy("Address of the analytics server"),
        max_length=300,
        assume_scheme="https",
        help_text=gettext_lazy("For example https://matomo.example.org or https://plausible.io"),
    )
    site_id = forms.CharField(
        label=gettext_lazy("Site"),
        max_length=200,
        help_text=gettext_lazy("Matomo: the site's id (idSite). Plausible: the site's domain."),
    )
    token = forms.CharField(
        label=gettext_lazy("API token"),
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "Matomo: a token_auth with view access. Plausible: a Stats API key. Stored encrypted, never shown again."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("tool") and data.get("base_url") and data.get("site_id"):
            try:
                check_config(data["tool"], data)
            except InvalidConfig as error:
                self.add_error("base_url", words(error))
        return data


@workspace_view(ANALYTICS_VIEW)
@require_http_methods(["GET", "POST"])
def traffic_page(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    can_manage = can_role(request.membership.role, ANALYTICS_MANAGE)  # type: ignore[attr-defined]
    form = TrafficSiteForm()
    status = 200
    if request.method == "POST":
        if not can_manage:
            return HttpResponse(status=403)
        form = TrafficSiteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                site = TrafficSite(
                    workspace=workspace,
                    tool=data["tool"],
                    base_url=data["base_url"],
                    site_id=data["site_id"].strip(),
                    created_by=request.user,
                    next_read_at=timezone.now(),
                )
                site.set_secret({"token": data["token"]})
                site.save()
                record_audit(workspace, request.user, SITE_ADDED, site)
            messages.success(
                request,
                _(
                    "The site is connected: its visits are read within 15 minutes, then every six hours."
                ),
            )
            return redirect("analytics:traffic", workspace.slug)
        status = 400
    filters = _filters(request)
    period, previous = filters["period"], filters["previous"]
    now_totals, before_totals = (
        traffic.totals(workspace, period),
        traffic.totals(workspace, previous),
    )
    _code, locale = charts.chart_locale()
    daily = traffic.daily_social(workspace, period)
    networks = sorted({name for _day, name, _n in daily})
    spec = specs.stacked_daily(
        daily,
        [
            specs.SeriesStyle(name, name, colour)
            for name, colour in zip(networks, _palette(len(networks)), strict=True)
        ],
        description=_("Site visits from social networks per day, by network"),
        y_title=_("Visits"),
        day_title=_("Day"),
        series_title=_("Network"),
        day_format=locale.day_format,
    )
    channels = [
        {
            "name": CHANNEL_LABELS.get(name, name),
            "visits": visits,
            "before": before_totals.get(name, 0),
        }
        for name, visits in sorted(
            ((k, v) for k, v in now_totals.items() if k != "all"), key=lambda kv: -kv[1]
        )
    ]
    social_now = now_totals.get("social", 0)
    sites = list(TrafficSite.objects.filter(workspace=workspace))
    return render(
        request,
        "analytics/traffic.html",
        {
            **filters,
            "sites": sites,
            "site_form": form,
            "can_manage": can_manage,
            # The KPI's reader (traffic.site_visits_from_social) from the totals just read.
            "social": _change(
                float(social_now) if sites else None,
                float(before_totals.get("social", 0)) if sites else None,
            ),
            "all": _change(float(now_totals["all"]), float(before_totals["all"])),
            "share": None if not now_totals["all"] else 100.0 * social_now / now_totals["all"],
            "definition": CATALOGUE["site_visits_from_social"],
            "channels": channels,
            "networks": traffic.by_kind(workspace, period, "social"),
            "campaigns": traffic.by_kind(workspace, period, "campaign"),
            "daily": {
                "spec": json.dumps(spec),
                "rows": bool(daily),
                "html": rows_html(
                    sorted(daily, reverse=True),
                    [(_("Day"), DAY), (_("Network"), TEXT), (_("Visits"), COUNT)],
                    labels=False,
                ),
            },
            "chart_locale": charts.locale_json(),
        },
        status=status,
    )


def _palette(count: int) -> list[str]:
    base = ["#6364ff", "#1185fe", "#ff4500", "#c4302b", "#1877f2", "#c13584", "#2e7d4f", "#8a5a2b"]
    return [base[index % len(base)] for index in range(count)]


@workspace_view(ANALYTICS_MANAGE)
@require_POST
def site_delete(request: HttpRequest, site_id: int) -> HttpResponse:
    site = get_workspace_object_or_404(request, TrafficSite, id=site_id)
    with transaction.atomic():
        record_audit(site.workspace, request.user, SITE_REMOVED, site)
        site.delete()
    messages.success(request, _("The site is disconnected; its visits were removed."))
    return redirect("analytics:traffic", request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(ANALYTICS_VIEW)
def traffic_csv(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    period = _filters(request)["period"]
    rows = (
        traffic._days(workspace, period)
        .select_related("site")
        .order_by("day", "kind", "name")
        .values_list("day", "site__tool", "site__site_id", "kind", "name", "visits")
    )
    return csv_response(
        f"traffic-{period.start.isoformat()}-{period.end.isoformat()}.csv",
        [_("Day"), _("Tool"), _("Site"), _("Kind"), _("Name"), _("Visits")],
        [
            [day.isoformat(), tool, site, kind, name, visits]
            for day, tool, site, kind, name, visits in rows
        ],
    )
