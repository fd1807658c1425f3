"""The workspace's home dashboard (registered with ``workspaces.home``): one read per tile, each
tile shown only to the roles allowed to open the page it links to. Counts come from indexed
columns and the listening rollup, never from a scan of the mentions."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from ambassade.analytics import charts, kpis
from ambassade.analytics.models import Kpi
from ambassade.analytics.permissions import ANALYTICS_VIEW
from ambassade.crisis.models import Alert, Crisis
from ambassade.crisis.permissions import ALERTS_VIEW
from ambassade.engine.measures import daily_series
from ambassade.inbox.models import Conversation
from ambassade.inbox.models import Status as ConversationStatus
from ambassade.inbox.permissions import INBOX_VIEW
from ambassade.listening import match_counts
from ambassade.listening.models import ListeningQuery
from ambassade.listening.permissions import LISTENING_VIEW
from ambassade.publishing.models import Status as PostStatus
from ambassade.publishing.models import Variant
from ambassade.publishing.permissions import PUBLISHING_VIEW
from ambassade.workspaces.permissions import can_role

__all__ = ["TREND_DAYS", "context", "sentiment_rows"]

TREND_DAYS = 30
SENTIMENTS = ("positive", "neutral", "negative")
#: KPIs shown on the home page; the objectives page has them all.
HOME_KPIS = 6


def local_today(workspace: Any) -> date:
    from zoneinfo import ZoneInfo

    return timezone.localdate(timezone=ZoneInfo(workspace.time_zone))


def sentiment_rows(workspace: Any, start: date, end: date) -> list[tuple[date, str, int]]:
    """Matches of the brand's queries per local day and sentiment, every day of the range present
    (0 on empty days), from the rollup of distinct mentions (or the matches while it cannot be
    read: ``listening.match_counts``)."""
    brand = ListeningQuery.objects.filter(
        workspace=workspace, kind=ListeningQuery.Kind.BRAND
    ).values_list("id", flat=True)
    rows = [
        (day, sentiment, n)
        for (day, sentiment), n in match_counts.count(
            workspace, start, end, list(brand), ("day", "sentiment")
        ).items()
    ]
    counts: dict[str, dict[date, int]] = defaultdict(dict)
    for day, sentiment, n in rows:
        counts[sentiment][day] = counts[sentiment].get(day, 0) + n
    return [
        (day, sentiment, n)
        for sentiment in SENTIMENTS
        for day, n in daily_series(counts.get(sentiment, {}), start, end)
    ]


def _trend(workspace: Any) -> dict[str, Any]:
    end = local_today(workspace)
    start = end - timedelta(days=TREND_DAYS - 1)
    rows = sentiment_rows(workspace, start, end)
    table: dict[date, dict[str, int]] = {}
    for day, sentiment, n in rows:
        table.setdefault(day, {})[sentiment] = n
    days = [
        {"day": day, **values, "total": sum(values.values())}
        for day, values in sorted(table.items(), reverse=True)
    ]
    totals = {s: sum(row[s] for row in days) for s in SENTIMENTS}
    total = sum(totals.values())
    return {
        "spec": json.dumps(charts.sentiment_trend(rows)),
        "days": days,
        "totals": totals,
        "total": total,
        "start": start,
        "end": end,
    }


def context(request: HttpRequest) -> dict[str, Any] | None:
    workspace = request.workspace  # type: ignore[attr-defined]
    role = request.membership.role  # type: ignore[attr-defined]
    section: dict[str, Any] = {}
    if can_role(role, LISTENING_VIEW):
        section["chart_locale"] = charts.locale_json()
        section["trend"] = _trend(workspace)
    if can_role(role, ALERTS_VIEW):
        section["alerts"] = Alert.objects.filter(
            workspace=workspace, status__in=(Alert.Status.NEW, Alert.Status.ACKNOWLEDGED)
        ).aggregate(open=Count("id"), new=Count("id", filter=Q(status=Alert.Status.NEW)))
        section["crisis"] = (
            Crisis.objects.filter(workspace=workspace, status=Crisis.Status.OPEN)
            .order_by("-opened_at")
            .first()
        )
    if can_role(role, INBOX_VIEW):
        now = timezone.now()
        section["inbox"] = Conversation.objects.filter(
            workspace=workspace, status__in=ConversationStatus.unresolved()
        ).aggregate(
            waiting=Count("id", filter=Q(waiting_since__isnull=False)),
            breaching=Count("id", filter=Q(due_at__lt=now)),
        )
    if can_role(role, PUBLISHING_VIEW):
        section["posts"] = {
            "pending": Variant.objects.filter(
                workspace=workspace, status=PostStatus.PENDING_APPROVAL
            )
            .values("post_id")
            .distinct()
            .count(),
            "failed": Variant.objects.filter(workspace=workspace, status=PostStatus.FAILED)
            .values("post_id")
            .distinct()
            .count(),
        }
    if can_role(role, ANALYTICS_VIEW):
        from ambassade.analytics.areas_views import visible_areas

        section["areas"] = visible_areas(role)
        today = local_today(workspace)
        current = list(
            Kpi.objects.filter(
                workspace=workspace, period_start__lte=today, period_end__gte=today
            ).select_related("objective", "workspace")[: HOME_KPIS + 1]
        )
        with kpis.reading():
            section["kpis"] = [kpis.measure(kpi) for kpi in current[:HOME_KPIS]]
        section["more_kpis"] = len(current) > HOME_KPIS
    return section or None
