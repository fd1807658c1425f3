"""The publishing area page: what the brand published in the period and how its own posts did,
per network and per UTM campaign, and its best posts. Filters: network, campaign (a post's UTM
campaign, ``kpis.Scope``).

Posts published and link clicks are the KPI catalogue's readers with the page's scope; the
engagement rates are the catalogue's too (``audience.engagement_rate``: Buffer's definition,
engagements ÷ impressions × 100; and per follower), over the posts' results the networks gave.
With a campaign, the results kept are those whose network id is that of a post of the campaign
published through Ambassade. Follower growth and the best time to post are on the audience page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambassade.analytics import area_charts, audience, kpis
from ambassade.analytics.areas import (
    COUNT,
    DAY,
    PERCENT,
    TEXT,
    URL,
    Area,
    Figure,
    Section,
    Table,
)
from ambassade.analytics.audience_models import TrackedAccount
from ambassade.analytics.catalogue import CATALOGUE
from ambassade.analytics.kpis import Scope
from ambassade.engine import measures
from ambassade.engine.measures import Period
from ambassade.publishing.models import Post, ShortLink, Variant
from ambassade.workspaces.networks import network_label

__all__ = ["build", "fields", "scope"]

TOP = 10


def fields(workspace: Any) -> dict[str, forms.Field]:
    networks = sorted(set(workspace.connections.values_list("network", flat=True)))
    campaigns = list(
        Post.objects.filter(workspace=workspace)
        .exclude(utm_campaign="")
        .order_by("utm_campaign")
        .values_list("utm_campaign", flat=True)
        .distinct()[:200]
    )
    return {
        "network": forms.ChoiceField(
            label=gettext_lazy("Network"),
            required=False,
            choices=[("", gettext_lazy("All networks"))]
            + [(n, network_label(n)) for n in networks],
        ),
        "campaign": forms.ChoiceField(
            label=gettext_lazy("Campaign"),
            required=False,
            choices=[("", gettext_lazy("All posts"))] + [(c, c) for c in campaigns],
        ),
    }


def scope(chosen: dict[str, Any]) -> Scope:
    return Scope(network=chosen.get("network") or "", campaign=chosen.get("campaign") or "")


def _only(workspace: Any, scope: Scope) -> Any:
    """The network ids of the campaign's posts, or None (every own post) without a campaign."""
    if not scope.campaign:
        return None
    return (
        Variant.objects.filter(workspace=workspace, post__utm_campaign=scope.campaign)
        .exclude(remote_id="")
        .values("remote_id")
    )


@dataclass
class Results:
    """The own posts' results of a period on one network (or all): how many, their engagements,
    and the two rates' terms (``audience.engagement_rate`` and ``engagement_rate_per_follower``
    over the same posts)."""

    posts: int = 0
    engagements: int = 0
    shown: int = 0
    shown_engagements: int = 0
    followers: int = 0
    follower_engagements: int = 0

    def add(self, other: Results) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def rate(self) -> float | None:
        return measures.rate(self.shown_engagements, self.shown)

    @property
    def rate_per_follower(self) -> float | None:
        return measures.rate(self.follower_engagements, self.followers)


def _results(workspace: Any, period: Period, scope: Scope) -> tuple[Results, dict[str, Results]]:
    """The period's own posts' results, in all and per network, in one grouped read (the
    engagement rates' filters as conditional sums) instead of two aggregates per network."""
    shown, counted = Q(impressions__isnull=False), Q(followers__gt=0)
    per_network: dict[str, Results] = {}
    total = Results()
    for row in (
        audience._own_posts(workspace, period, scope.network, _only(workspace, scope))
        .order_by()
        .values("account__network")
        .annotate(
            n=Count("id"),
            all_engagements=Sum("engagements"),
            n_shown=Sum("impressions", filter=shown),
            n_shown_engagements=Sum("engagements", filter=shown),
            n_followers=Sum("followers", filter=counted),
            n_follower_engagements=Sum("engagements", filter=counted),
        )
    ):
        found = Results(
            int(row["n"] or 0),
            int(row["all_engagements"] or 0),
            int(row["n_shown"] or 0),
            int(row["n_shown_engagements"] or 0),
            int(row["n_followers"] or 0),
            int(row["n_follower_engagements"] or 0),
        )
        per_network[row["account__network"]] = found
        total.add(found)
    return total, per_network


def _figures(
    workspace: Any,
    period: Period,
    before: Period | None,
    scope: Scope,
    results: Results,
    earlier: Results | None,
) -> list[Figure]:
    def kpi(code: str, now: float | None, then: float | None) -> Figure:
        metric = CATALOGUE[code]
        return Figure(
            code=code,
            label=str(metric.label),
            unit=metric.unit,
            now=now,
            before=then,
            definition=str(metric.definition),
            direction=metric.direction,
        )

    def both(read: Any) -> tuple[float | None, float | None]:
        return read(period), None if before is None else read(before)

    return [
        kpi("posts_published", *both(lambda p: kpis.posts_published(workspace, p, scope))),
        kpi("link_clicks", *both(lambda p: kpis.link_clicks(workspace, p, scope))),
        kpi("engagement_rate", results.rate, None if earlier is None else earlier.rate),
        kpi(
            "engagement_rate_per_follower",
            results.rate_per_follower,
            None if earlier is None else earlier.rate_per_follower,
        ),
        Figure(
            "engagements",
            _("Engagements"),
            COUNT,
            float(results.engagements),
            None if earlier is None else float(earlier.engagements),
            _(
                "Interactions with the own posts published in the period (likes, reposts, "
                "replies, quotes, reactions, shares, comments, saves, clicks), as the networks "
                "count them."
            ),
        ),
    ]


def _days(workspace: Any, period: Period, scope: Scope) -> Section:
    zone = ZoneInfo(workspace.time_zone)
    counted: dict[tuple[date, str], int] = defaultdict(int)
    for published_at, network in kpis.published_variants(workspace, period, scope).values_list(
        "published_at", "connection__network"
    ):
        counted[(published_at.astimezone(zone).date(), network)] += 1
    networks = sorted({network for _day, network in counted})
    rows = [(day, network, n) for (day, network), n in sorted(counted.items())]
    table_rows = list(rows)
    if networks:  # every day of the period on the chart's axis, 0 where nothing went out
        seen = {day for day, _network in counted}
        rows += [(day, networks[0], 0) for day in period.each_day() if day not in seen]
    table = Table(
        [(_("Day"), DAY), (_("Network"), TEXT), (_("Versions published"), COUNT)],
        empty=_("Nothing was published in this period."),
    )
    for day, network, n in sorted(table_rows, key=lambda row: (row[0], row[1]), reverse=True):
        table.rows.append([day, network_label(network), n])
    description = _("Versions published per day, by network")
    return Section(
        "days",
        _("Published per day"),
        table,
        spec=area_charts.stacked(
            rows,
            [(n, network_label(n)) for n in networks],
            description=description,
            y_title=_("Versions published"),
            series_title=_("Network"),
        )
        if rows
        else "",
        chart_label=description,
        note=_("A post goes out as one version per account: each version counts here."),
    )


def _networks(workspace: Any, period: Period, scope: Scope, results: dict[str, Results]) -> Section:
    published = dict(
        kpis.published_variants(workspace, period, scope)
        .order_by()
        .values_list("connection__network")
        .annotate(n=Count("id"))
        .values_list("connection__network", "n")
    )
    clicks = dict(
        ShortLink.objects.filter(
            workspace=workspace,
            post_id__in=kpis.published_variants(workspace, period, scope).values("post_id"),
        )
        .order_by()
        .values_list("network")
        .annotate(n=Sum("clicks"))
        .values_list("network", "n")
    )
    networks = sorted(set(published) | set(results) | {n for n in clicks if n in published})
    table = Table(
        [
            (_("Network"), TEXT),
            (_("Versions published"), COUNT),
            (_("Link clicks"), COUNT),
            (_("Posts with results"), COUNT),
            (_("Engagements"), COUNT),
            (_("Engagement rate"), PERCENT),
            (_("Engagement rate per follower"), PERCENT),
        ],
        empty=_("Nothing was published in this period."),
    )
    for network in networks:
        row = results.get(network, Results())
        table.rows.append(
            [
                network_label(network),
                published.get(network, 0),
                clicks.get(network, 0) or 0,
                row.posts,
                row.engagements,
                row.rate,
                row.rate_per_follower,
            ]
        )
    return Section("networks", _("Per network"), table)


def _best_posts(workspace: Any, period: Period, scope: Scope) -> Section:
    rows = (
        audience._own_posts(workspace, period, scope.network, _only(workspace, scope))
        .select_related("account", "account__connection")
        .order_by("-engagements", "-published_at")[:TOP]
    )
    table = Table(
        [
            (_("Post"), TEXT),
            (_("Account"), TEXT),
            (_("Network"), TEXT),
            (_("Published"), DAY),
            (_("Engagements"), COUNT),
            (_("Engagement rate"), PERCENT),
            (_("Engagement rate per follower"), PERCENT),
            (_("Address"), URL),
        ],
        empty=_("No own post with results in this period."),
    )
    zone = ZoneInfo(workspace.time_zone)
    for row in rows:
        table.rows.append(
            [
                (row.text or "")[:120],
                row.account.display,
                row.account.network_label,
                row.published_at.astimezone(zone).date(),
                row.engagements,
                measures.rate(row.engagements, row.impressions or 0),
                measures.rate(row.engagements, row.followers or 0),
                row.url,
            ]
        )
    return Section(
        "best_posts",
        _("Best posts"),
        table,
        note=_(
            "The own posts of the period with the most engagements, as their networks count them."
        ),
        link=(
            _("Audience: followers and best time to post"),
            reverse("analytics:audience", args=[workspace.slug]),
        ),
    )


def _campaigns(workspace: Any, period: Period, scope: Scope) -> Section:
    variants = kpis.published_variants(workspace, period, scope)
    posts = dict(
        variants.order_by()
        .values_list("post__utm_campaign")
        .annotate(n=Count("post_id", distinct=True))
        .values_list("post__utm_campaign", "n")
    )
    clicks = ShortLink.objects.filter(workspace=workspace, post_id__in=variants.values("post_id"))
    if scope.network:
        clicks = clicks.filter(network=scope.network)
    by_campaign = dict(
        clicks.order_by()
        .values_list("post__utm_campaign")
        .annotate(n=Sum("clicks"))
        .values_list("post__utm_campaign", "n")
    )
    table = Table(
        [(_("Campaign"), TEXT), (_("Posts published"), COUNT), (_("Link clicks"), COUNT)],
        empty=_("Nothing was published in this period."),
    )
    for name in sorted(posts, key=lambda key: (-posts[key], key)):
        table.rows.append([name or _("No campaign"), posts[name], by_campaign.get(name, 0) or 0])
    return Section(
        "campaigns",
        _("UTM campaigns"),
        table,
        note=_(
            "Posts by the UTM campaign given when they were written; clicks on their short links since publication."
        ),
    )


def build(workspace: Any, period: Period, before: Period | None, scope: Scope) -> Area:
    own = TrackedAccount.objects.filter(workspace=workspace, role=TrackedAccount.Role.OWN).exists()
    notes = []
    if not own:
        notes.append(
            _(
                "No own account's numbers are read yet: engagement rates and best posts need a "
                "connected account on a network whose numbers Ambassade reads."
            )
        )
    results, per_network = _results(workspace, period, scope)
    earlier = None if before is None else _results(workspace, before, scope)[0]
    return Area(
        figures=_figures(workspace, period, before, scope, results, earlier),
        sections=[
            _days(workspace, period, scope),
            _networks(workspace, period, scope, per_network),
            _best_posts(workspace, period, scope),
            _campaigns(workspace, period, scope),
        ],
        notes=notes,
    )
