"""The audience pages: the brand's own accounts (followers, growth, engagement rates, best time to
post, top posts) and its competitors side by side, over a period compared with the one before,
filtered by network; each chart with its table, every table as CSV."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ambassade.analytics import audience, audience_services, charts, collect, dashboard
from ambassade.analytics.areas import COUNT, DAY, TEXT, rows_html
from ambassade.analytics.audience_forms import CompetitorForm, PeriodForm
from ambassade.analytics.audience_models import PostResult, TrackedAccount
from ambassade.analytics.catalogue import CATALOGUE
from ambassade.analytics.permissions import ANALYTICS_MANAGE, ANALYTICS_VIEW
from ambassade.engine import charts as specs
from ambassade.engine.measures import Period
from ambassade.publishing.metrics import metric_phrase
from ambassade.workspaces.csvexport import csv_response
from ambassade.workspaces.permissions import can_role, get_workspace_object_or_404, workspace_view

__all__ = [
    "accounts_csv",
    "best_time_csv",
    "competitor_delete",
    "competitors",
    "followers_csv",
    "overview",
    "posts_csv",
]

TOP_POSTS = 10
BEST_SLOTS = 5

_EXTRA_PHRASES = {
    "saves": lambda n: ngettext("%(count)s save", "%(count)s saves", n),
    "impressions": lambda n: ngettext("%(count)s impression", "%(count)s impressions", n),
    "reach": lambda n: ngettext("%(count)s person reached", "%(count)s people reached", n),
    "clicks": lambda n: ngettext("%(count)s click", "%(count)s clicks", n),
}


def phrase(name: str, value: Any) -> str:
    wording = _EXTRA_PHRASES.get(name)
    if wording is not None and isinstance(value, int):
        return wording(value) % {"count": value}
    return metric_phrase(name, value)


def hidden_words(names: list[str]) -> str:
    labels = {
        "impressions": _("impressions"),
        "reach": _("reach"),
        "views": _("views"),
        "clicks": _("link clicks"),
        "saves": _("saves"),
        "shares": _("shares"),
        "reposts": _("reposts"),
        "likes": _("likes"),
    }
    return ", ".join(str(labels.get(name, name)) for name in names)


def _filters(request: HttpRequest) -> dict[str, Any]:
    workspace = request.workspace  # type: ignore[attr-defined]
    today = dashboard.local_today(workspace)
    form = PeriodForm(request.GET or None, today=today)
    start, end, network = form.period()
    period = Period(start, end, workspace.time_zone)
    previous = audience.previous_period(period)
    query = {"start": start.isoformat(), "end": end.isoformat()}
    if network:
        query["network"] = network
    return {
        "form": form,
        "period": period,
        "previous": previous,
        "network": network,
        "query": "&".join(f"{key}={value}" for key, value in query.items()),
    }


def _change(now: float | None, before: float | None) -> dict[str, Any]:
    return {
        "now": now,
        "before": before,
        "delta": None if now is None or before is None else now - before,
    }


def _followers_chart(workspace: Any, role: str, period: Period, network: str) -> dict[str, Any]:
    _code, locale = charts.chart_locale()
    rows = audience.follower_series(workspace, role, period.start, period.end, network)
    spec = specs.daily_lines(
        rows,
        description=_("Followers of each account per day"),
        y_title=_("Followers"),
        day_title=_("Day"),
        series_title=_("Account"),
        day_format=locale.day_format,
    )
    ordered = sorted(rows, key=lambda row: (row[0], row[1]), reverse=True)
    return {
        "spec": json.dumps(spec),
        "rows": ordered,
        # Written here rather than by the template: a year of four accounts is 1,460 rows.
        "html": rows_html(
            ordered,
            [(_("Day"), DAY), (_("Account"), TEXT), (_("Followers"), COUNT)],
            labels=False,
        ),
    }


def _best_time(workspace: Any, period: Period, network: str) -> dict[str, Any]:
    slots, measured = audience.best_times(workspace, period, network)
    days = [str(WEEKDAYS[index]) for index in range(7)]
    spec = specs.week_heatmap(
        [
            (slot.weekday, days[slot.weekday], slot.hour, round(slot.mean, 1), slot.posts)
            for slot in slots
        ],
        day_labels=days,
        description=_("Mean engagements per post by hour of the week"),
        value_title=_("Engagements per post"),
        day_title=_("Day"),
        hour_title=_("Hour"),
        posts_title=_("Posts"),
    )
    return {
        "spec": json.dumps(spec) if slots else "",
        "slots": [
            {
                "day": days[slot.weekday],
                "hour": slot.hour,
                "next": (slot.hour + 1) % 24,
                "mean": slot.mean,
                "posts": slot.posts,
            }
            for slot in slots
        ],
        "best": [
            {
                "day": days[slot.weekday],
                "hour": slot.hour,
                "next": (slot.hour + 1) % 24,
                "mean": slot.mean,
                "posts": slot.posts,
            }
            for slot in slots[:BEST_SLOTS]
        ],
        "measured": measured,
        "needed": audience.BEST_TIME_MIN_POSTS,
        "zone": workspace.time_zone,
    }


def _top_posts(workspace: Any, period: Period, network: str) -> list[dict[str, Any]]:
    first, after = period.bounds()
    rows = (
        PostResult.objects.filter(
            workspace=workspace,
            account__role=TrackedAccount.Role.OWN,
            published_at__gte=first,
            published_at__lt=after,
        )
        .select_related("account", "account__connection")
        .order_by("-engagements", "-published_at")
    )
    if network:
        rows = rows.filter(account__network=network)
    return [
        {
            "post": row,
            "phrases": [phrase(name, value) for name, value in sorted(row.metrics.items())],
            "rate": None if not row.impressions else 100.0 * row.engagements / row.impressions,
        }
        for row in rows[:TOP_POSTS]
    ]


@workspace_view(ANALYTICS_VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    """The brand's own accounts over a period, beside the period before."""
    workspace = request.workspace  # type: ignore[attr-defined]
    collect.sync_own_accounts(workspace)
    filters = _filters(request)
    period, previous, network = filters["period"], filters["previous"], filters["network"]
    lines = audience.compare(workspace, TrackedAccount.Role.OWN, period, network)
    summed = audience.totals(lines, previous)
    totals = {
        "growth": _change(summed.growth, summed.growth_before),
        "rate": _change(summed.rate, summed.rate_before),
        "rate_per_follower": _change(summed.rate_per_follower, summed.rate_per_follower_before),
        "posts": _change(float(summed.posts), float(summed.posts_before)),
    }
    return render(
        request,
        "analytics/audience.html",
        {
            **filters,
            "lines": lines,
            "totals": totals,
            "definitions": {
                code: CATALOGUE[code]
                for code in ("follower_growth", "engagement_rate", "engagement_rate_per_follower")
            },
            "followers": _followers_chart(workspace, TrackedAccount.Role.OWN, period, network),
            "best_time": _best_time(workspace, period, network),
            "top_posts": _top_posts(workspace, period, network),
            "chart_locale": charts.locale_json(),
        },
    )


@workspace_view(ANALYTICS_VIEW)
@require_http_methods(["GET", "POST"])
def competitors(request: HttpRequest) -> HttpResponse:
    """Competitors' public accounts beside the brand's own; the team adds and removes them."""
    workspace = request.workspace  # type: ignore[attr-defined]
    can_manage = can_role(request.membership.role, ANALYTICS_MANAGE)  # type: ignore[attr-defined]
    form = CompetitorForm()
    status = 200
    if request.method == "POST":
        if not can_manage:
            return HttpResponse(status=403)
        form = CompetitorForm(request.POST)
        if form.is_valid():
            try:
                audience_services.add_competitor(workspace, request.user, **form.cleaned_data)
            except audience_services.AlreadyFollowed:
                form.add_error("handle", _("This account is already followed."))
            else:
                messages.success(
                    request,
                    _(
                        "The account was added: its numbers are read within 15 minutes, then twice a day."
                    ),
                )
                return redirect("analytics:competitors", workspace.slug)
        status = 400
    collect.sync_own_accounts(workspace)
    filters = _filters(request)
    period, network = filters["period"], filters["network"]
    everyone = audience.compare(workspace, None, period, network)
    own = [line for line in everyone if line.account.role == TrackedAccount.Role.OWN]
    rivals = [line for line in everyone if line.account.role == TrackedAccount.Role.COMPETITOR]
    lines = [*own, *rivals]
    ranked = sorted(
        (
            (line.account.display, float(line.followers))
            for line in lines
            if line.followers is not None
        ),
        key=lambda pair: -pair[1],
    )
    bars = specs.bars(
        ranked,
        description=_("Followers of each account"),
        x_title=_("Followers"),
        name_title=_("Account"),
    )
    return render(
        request,
        "analytics/competitors.html",
        {
            **filters,
            "own": own,
            "rivals": rivals,
            "bars": {"spec": json.dumps(bars), "rows": ranked},
            "followers": _followers_chart(
                workspace, TrackedAccount.Role.COMPETITOR, period, network
            ),
            "competitor_form": form,
            "can_manage": can_manage,
            "chart_locale": charts.locale_json(),
        },
        status=status,
    )


@workspace_view(ANALYTICS_MANAGE)
@require_POST
def competitor_delete(request: HttpRequest, account_id: int) -> HttpResponse:
    account = get_workspace_object_or_404(
        request, TrackedAccount, id=account_id, role=TrackedAccount.Role.COMPETITOR
    )
    audience_services.remove_competitor(account, request.user)
    messages.success(request, _("The account is no longer followed; its numbers were removed."))
    return redirect("analytics:competitors", request.workspace.slug)  # type: ignore[attr-defined]


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


@workspace_view(ANALYTICS_VIEW)
def accounts_csv(request: HttpRequest) -> HttpResponse:
    """The accounts table of the audience or competitors page, for the filtered period."""
    workspace = request.workspace  # type: ignore[attr-defined]
    filters = _filters(request)
    period, network = filters["period"], filters["network"]
    header = [
        _("Account"),
        _("Role"),
        _("Network"),
        _("Followers"),
        _("Growth"),
        _("Growth, previous period"),
        _("Posts"),
        _("Posts per week"),
        _("Engagements"),
        _("Engagements per post"),
        _("Engagement rate (%)"),
        _("Engagement rate per follower (%)"),
    ]
    rows = []
    for role in (TrackedAccount.Role.OWN, TrackedAccount.Role.COMPETITOR):
        for line in audience.compare(workspace, role, period, network):
            rows.append(
                [
                    line.account.display,
                    line.account.get_role_display(),
                    line.account.network_label,
                    "" if line.followers is None else line.followers,
                    "" if line.growth is None else line.growth,
                    "" if line.growth_before is None else line.growth_before,
                    line.posts,
                    _number(line.posts_per_week),
                    line.engagements,
                    _number(line.per_post),
                    _number(line.rate, 2),
                    _number(line.rate_per_follower, 2),
                ]
            )
    return csv_response(
        f"accounts-{period.start.isoformat()}-{period.end.isoformat()}.csv", header, rows
    )


@workspace_view(ANALYTICS_VIEW)
def posts_csv(request: HttpRequest) -> HttpResponse:
    """The brand's own posts of the filtered period with their results."""
    workspace = request.workspace  # type: ignore[attr-defined]
    filters = _filters(request)
    period, network = filters["period"], filters["network"]
    first, after = period.bounds()
    rows = (
        PostResult.objects.filter(
            workspace=workspace,
            account__role=TrackedAccount.Role.OWN,
            published_at__gte=first,
            published_at__lt=after,
        )
        .select_related("account", "account__connection")
        .order_by("-published_at")
    )
    if network:
        rows = rows.filter(account__network=network)
    names = [
        "likes",
        "reposts",
        "replies",
        "quotes",
        "reactions",
        "shares",
        "comments",
        "saves",
        "clicks",
        "score",
        "views",
        "impressions",
        "reach",
    ]
    header = [
        _("Published"),
        _("Account"),
        _("Network"),
        _("Text"),
        _("Address"),
        *names,
        _("Engagements"),
    ]
    body = [
        [
            row.published_at.isoformat(),
            row.account.display,
            row.account.network_label,
            row.text,
            row.url,
            *[row.metrics.get(name, "") for name in names],
            row.engagements,
        ]
        for row in rows.iterator()
    ]
    return csv_response(
        f"posts-{period.start.isoformat()}-{period.end.isoformat()}.csv", header, body
    )


@workspace_view(ANALYTICS_VIEW)
def followers_csv(request: HttpRequest) -> HttpResponse:
    """The table behind a "followers per day" chart: the own accounts' (the audience page), or
    with ``?role=competitor`` the competitors' (the competitors page), for the filtered period."""
    workspace = request.workspace  # type: ignore[attr-defined]
    filters = _filters(request)
    period, network = filters["period"], filters["network"]
    role = request.GET.get("role", TrackedAccount.Role.OWN)
    if role not in TrackedAccount.Role.values:
        return HttpResponse(
            _("Unknown role: %(role)s.") % {"role": role[:40]},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    rows = sorted(
        audience.follower_series(workspace, role, period.start, period.end, network),
        key=lambda row: (row[0], row[1]),
        reverse=True,
    )
    return csv_response(
        f"followers-{role}-{period.start.isoformat()}-{period.end.isoformat()}.csv",
        [_("Day"), _("Account"), _("Followers")],
        [[day.isoformat(), account, followers] for day, account, followers in rows],
    )


@workspace_view(ANALYTICS_VIEW)
def best_time_csv(request: HttpRequest) -> HttpResponse:
    """The table behind the best time to post: each hour of the week with own posts, in the
    workspace's time zone, with its mean engagements per post and its number of posts."""
    workspace = request.workspace  # type: ignore[attr-defined]
    filters = _filters(request)
    period, network = filters["period"], filters["network"]
    slots, _measured = audience.best_times(workspace, period, network)
    return csv_response(
        f"best-time-{period.start.isoformat()}-{period.end.isoformat()}.csv",
        [_("Day"), _("Hour"), _("Engagements per post"), _("Posts")],
        [
            [
                str(WEEKDAYS[slot.weekday]),
                f"{slot.hour:02d}:00–{(slot.hour + 1) % 24:02d}:00",
                _number(slot.mean),
                slot.posts,
            ]
            for slot in slots
        ],
    )
