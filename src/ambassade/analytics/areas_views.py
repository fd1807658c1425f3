"""The area pages (``/w/<slug>/analytics/<area>/``) and their tables as CSV
(``<area>/<table>.csv``): one view for the four areas, each opened with its app's permission."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambassade.analytics import (
    area_community,
    area_inbox,
    area_listening,
    area_publishing,
    charts,
    dashboard,
)
from ambassade.analytics.areas import AreaForm, AreaKind, comparison_period
from ambassade.analytics.permissions import ANALYTICS_VIEW
from ambassade.community.permissions import COMMUNITY_VIEW
from ambassade.engine.measures import Period
from ambassade.inbox.permissions import INBOX_VIEW
from ambassade.listening.permissions import LISTENING_VIEW
from ambassade.publishing.permissions import PUBLISHING_VIEW
from ambassade.workspaces.csvexport import csv_response
from ambassade.workspaces.permissions import workspace_view

__all__ = ["AREAS", "area_csv", "area_page", "areas_index", "visible_areas"]

AREAS: dict[str, AreaKind] = {
    kind.key: kind
    for kind in (
        AreaKind(
            "listening",
            gettext_lazy("Listening"),
            LISTENING_VIEW,
            area_listening.fields,
            area_listening.scope,
            area_listening.build,
            gettext_lazy(
                "What is said of the brand: volume, sentiment, share of voice, who and where."
            ),
        ),
        AreaKind(
            "publishing",
            gettext_lazy("Publishing"),
            PUBLISHING_VIEW,
            area_publishing.fields,
            area_publishing.scope,
            area_publishing.build,
            gettext_lazy("What the brand published and how its posts did."),
        ),
        AreaKind(
            "inbox",
            gettext_lazy("Inbox"),
            INBOX_VIEW,
            area_inbox.fields,
            area_inbox.scope,
            area_inbox.build,
            gettext_lazy("Conversations received and answered, response times and satisfaction."),
        ),
        AreaKind(
            "community",
            gettext_lazy("Community"),
            COMMUNITY_VIEW,
            area_community.fields,
            area_community.scope,
            area_community.build,
            gettext_lazy("The members: growth, activity, scores, events and e-mailings."),
        ),
    )
}


def _read(request: HttpRequest, kind: AreaKind) -> dict[str, Any]:
    workspace = request.workspace  # type: ignore[attr-defined]
    form = AreaForm(
        request.GET or None, today=dashboard.local_today(workspace), extra=kind.fields(workspace)
    )
    chosen = form.chosen()
    period = Period(chosen["start"], chosen["end"], workspace.time_zone)
    before = comparison_period(period, chosen["compare"])
    scope = kind.scope(chosen)
    query: dict[str, str] = {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "compare": chosen["compare"],
    }
    period_query = urlencode(query)
    for name in [n for n in form.fields if n not in ("start", "end", "compare")]:
        value = chosen.get(name)
        if value not in (None, ""):
            query[name] = str(getattr(value, "pk", value))
    return {
        "form": form,
        "period": period,
        "before": before,
        "scope": scope,
        "query": urlencode(query),
        "period_query": period_query,
        "invalid": form.is_bound and not form.is_valid(),
    }


def _kind(request: HttpRequest, area: str) -> AreaKind:
    kind = AREAS.get(area)
    if kind is None:
        raise Http404
    return kind


@workspace_view(ANALYTICS_VIEW)
def area_page(request: HttpRequest, area: str) -> HttpResponse:
    """An area's figures over a period beside the comparison period, its charts and tables."""
    kind = _kind(request, area)
    from ambassade.workspaces.permissions import can_role

    if not can_role(request.membership.role, kind.permission):  # type: ignore[attr-defined]
        return HttpResponse(status=403)
    workspace = request.workspace  # type: ignore[attr-defined]
    read = _read(request, kind)
    built = kind.build(workspace, read["period"], read["before"], read["scope"])
    return render(
        request,
        "analytics/area.html",
        {
            **read,
            "area": kind,
            "areas": _visible(request),
            "built": built,
            "chart_locale": charts.locale_json(),
        },
        status=400 if read["invalid"] else 200,
    )


@workspace_view(ANALYTICS_VIEW)
def area_csv(request: HttpRequest, area: str, table: str) -> HttpResponse:
    """One table of an area page, for the same period and filters, as CSV."""
    kind = _kind(request, area)
    from ambassade.workspaces.permissions import can_role

    if not can_role(request.membership.role, kind.permission):  # type: ignore[attr-defined]
        return HttpResponse(status=403)
    workspace = request.workspace  # type: ignore[attr-defined]
    read = _read(request, kind)
    if read["invalid"]:
        return HttpResponse(
            _("The filter is not valid: %(errors)s")
            % {
                "errors": "; ".join(
                    str(e) for errors in read["form"].errors.values() for e in errors
                )
            },
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    built = kind.build(workspace, read["period"], read["before"], read["scope"])
    section = built.section(table)
    if section is None:
        raise Http404
    period = read["period"]
    return csv_response(
        f"{kind.key}-{section.key}-{period.start.isoformat()}-{period.end.isoformat()}.csv",
        section.table.header,
        [[_csv_cell(value) for value in row] for row in section.table.rows],
    )


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 2)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def visible_areas(role: str) -> list[AreaKind]:
    """The area pages a role may open, in the menu's order."""
    from ambassade.workspaces.permissions import can_role

    return [kind for kind in AREAS.values() if can_role(role, kind.permission)]


def _visible(request: HttpRequest) -> list[AreaKind]:
    return visible_areas(request.membership.role)  # type: ignore[attr-defined]


@workspace_view(ANALYTICS_VIEW)
def areas_index(request: HttpRequest) -> HttpResponse:
    """The analytics menu's entry: the first area page the reader may open, else the audience."""
    slug = request.workspace.slug  # type: ignore[attr-defined]
    visible = _visible(request)
    if visible:
        return redirect("analytics:area", slug, visible[0].key)
    return redirect("analytics:audience", slug)
