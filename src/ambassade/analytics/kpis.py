"""The values of the KPI catalogue, computed from each app's data over a period of local days.

Each reader takes the workspace and an ``engine.measures.Period`` (days in the workspace's time
zone) and returns a number, or None when the period holds nothing to measure (no conversation has
no response rate: that is not 0 %). The sums and ratios themselves are the engine's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from ambassade.analytics import audience, traffic
from ambassade.analytics.catalogue import CATALOGUE, COUNT, Metric
from ambassade.community.models import Identity
from ambassade.engine import measures
from ambassade.engine.measures import Period
from ambassade.inbox.models import Conversation
from ambassade.listening.models import DailyRollup, ListeningQuery, Mention, MentionMatch
from ambassade.publishing.models import ShortLink, Variant
from ambassade.publishing.models import Status as PostStatus
from ambassade.satisfaction.models import Survey

__all__ = ["Measured", "measure", "period_of"]


def period_of(workspace: Any, start: date, end: date) -> Period:
    return Period(start, end, workspace.time_zone)


def _brand_matches(workspace: Any, period: Period) -> Any:
    """The brand queries' matches of the period, read per query on its (query, created_at) index."""
    first, after = period.bounds()
    brand = ListeningQuery.objects.filter(
        workspace=workspace, kind=ListeningQuery.Kind.BRAND
    ).values_list("id", flat=True)
    return MentionMatch.objects.filter(
        query_id__in=list(brand), created_at__gte=first, created_at__lt=after
    )


def _brand_mentions(workspace: Any, period: Period) -> Any:
    return Mention.objects.filter(
        workspace=workspace, pk__in=_brand_matches(workspace, period).values("mention_id")
    )


def mention_volume(workspace: Any, period: Period) -> float | None:
    return float(_brand_matches(workspace, period).values("mention_id").distinct().count())


def potential_reach(workspace: Any, period: Period) -> float | None:
    total = _brand_mentions(workspace, period).aggregate(n=Sum("author_followers"))["n"]
    return float(total or 0)


def net_sentiment(workspace: Any, period: Period) -> float | None:
    counts = dict(
        _brand_mentions(workspace, period)
        .order_by()
        .values_list("sentiment")
        .annotate(n=Count("id"))
        .values_list("sentiment", "n")
    )
    return measures.net_sentiment(counts.get("positive", 0), counts.get("negative", 0))


def share_of_voice(workspace: Any, period: Period) -> float | None:
    rows = (
        DailyRollup.objects.filter(
            workspace=workspace,
            day__gte=period.start,
            day__lte=period.end,
            query__kind__in=(ListeningQuery.Kind.BRAND, ListeningQuery.Kind.COMPETITOR),
        )
        .values_list("query__kind")
        .annotate(n=Sum("count"))
        .values_list("query__kind", "n")
    )
    counts = dict(rows)
    brand = counts.get(ListeningQuery.Kind.BRAND, 0) or 0
    return measures.share(brand, brand + (counts.get(ListeningQuery.Kind.COMPETITOR, 0) or 0))


def _conversations(workspace: Any, period: Period) -> Any:
    first, after = period.bounds()
    return Conversation.objects.filter(
        workspace=workspace, first_inbound_at__gte=first, first_inbound_at__lt=after
    )


def response_rate(workspace: Any, period: Period) -> float | None:
    counts = _conversations(workspace, period).aggregate(
        total=Count("id"), answered=Count("first_response_at")
    )
    return measures.rate(counts["answered"], counts["total"])


def first_response_time(workspace: Any, period: Period) -> float | None:
    pairs = _conversations(workspace, period).filter(first_response_at__isnull=False)
    minutes = [
        max(0.0, (answered - arrived).total_seconds() / 60.0)
        for arrived, answered in pairs.values_list("first_inbound_at", "first_response_at")
    ]
    return measures.median(minutes)


def csat(workspace: Any, period: Period) -> float | None:
    first, after = period.bounds()
    counts = Survey.objects.filter(
        workspace=workspace,
        score__isnull=False,
        answered_at__gte=first,
        answered_at__lt=after,
    ).aggregate(total=Count("id"), satisfied=Count("id", filter=Q(score__gte=4)))
    return measures.rate(counts["satisfied"], counts["total"])


def _published_post_ids(workspace: Any, period: Period) -> Any:
    first, after = period.bounds()
    return (
        Variant.objects.filter(
            workspace=workspace,
            status=PostStatus.PUBLISHED,
            published_at__gte=first,
            published_at__lt=after,
        )
        .values("post_id")
        .distinct()
    )


def posts_published(workspace: Any, period: Period) -> float | None:
    return float(_published_post_ids(workspace, period).count())


def link_clicks(workspace: Any, period: Period) -> float | None:
    total = ShortLink.objects.filter(
        workspace=workspace, post_id__in=_published_post_ids(workspace, period)
    ).aggregate(n=Sum("clicks"))["n"]
    return float(total or 0)


def active_members(workspace: Any, period: Period) -> float | None:
    """The period's authors (one range read of the mentions' (workspace, created_at) index),
    joined to the members' identities on network and handle."""
    first, after = period.bounds()
    mention = Mention._meta.db_table
    identity = Identity._meta.db_table
    sql = (
        f"SELECT COUNT(DISTINCT i.member_id) FROM {identity} i "  # noqa: S608 (table names)
        "INNER JOIN (SELECT DISTINCT network, author_handle FROM "
        f"{mention} WHERE workspace_id = %s AND created_at >= %s AND created_at < %s "
        "AND author_handle <> '') a ON a.network = i.network AND a.author_handle = i.handle "
        "WHERE i.workspace_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [workspace.pk, first, after, workspace.pk])
        row = cursor.fetchone()
    return float(row[0] if row else 0)


READERS: dict[str, Callable[[Any, Period], float | None]] = {
    "mention_volume": mention_volume,
    "potential_reach": potential_reach,
    "share_of_voice": share_of_voice,
    "net_sentiment": net_sentiment,
    "response_rate": response_rate,
    "first_response_time": first_response_time,
    "csat": csat,
    "link_clicks": link_clicks,
    "posts_published": posts_published,
    "active_members": active_members,
    "follower_growth": audience.follower_growth,
    "engagement_rate": audience.engagement_rate,
    "engagement_rate_per_follower": audience.engagement_rate_per_follower,
    "site_visits_from_social": traffic.site_visits_from_social,
}


@dataclass(frozen=True)
class Measured:
    """A KPI as shown: its catalogue entry, value, progress towards the target (percent, capped
    at 100) and the share of its period gone by (percent), to tell "on track" from "behind"."""

    kpi: Any
    metric: Metric
    value: float | None
    progress: float | None
    elapsed: float

    @property
    def on_track(self) -> bool | None:
        """A count accumulates: on track while its progress keeps pace with the period. A rate,
        a score or a time is on track only once it meets its target."""
        if self.progress is None:
            return None
        if self.progress >= 100.0:
            return True
        return self.metric.unit == COUNT and self.progress + 0.001 >= self.elapsed

    @property
    def progress_int(self) -> int:
        return round(self.progress or 0.0)


def measure(kpi: Any, now: datetime | None = None) -> Measured:
    metric = CATALOGUE[kpi.metric]
    period = period_of(kpi.workspace, kpi.period_start, kpi.period_end)
    value = READERS[kpi.metric](kpi.workspace, period)
    return Measured(
        kpi=kpi,
        metric=metric,
        value=value,
        progress=measures.progress(value, kpi.target, metric.direction),
        elapsed=100.0 * period.elapsed(now or timezone.now()),
    )
