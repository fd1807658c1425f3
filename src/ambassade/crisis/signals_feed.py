"""The crisis app's only window on the listening app: hourly counts and facts about new mentions.

Everything listening-specific is here, read defensively: when the listening app is not installed
(or not migrated yet) the counts are empty and no mention is routed, and the rest of the crisis app
works on what it is given. ``connect()`` registers the crisis receiver on listening's routing hook,
so rules are evaluated right after each ingest; the hourly task ``crisis.feed_series`` feeds the
spike detectors even when nothing is ingested (a silent hour is a zero).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Min

log = logging.getLogger(__name__)

LISTENING = "ambassade.listening"
NEGATIVE = "negative"
HOUR = timedelta(hours=1)

#: What :func:`hourly_counts` is: tests and the demo pass their own.
CountFn = Callable[..., dict[datetime, int]]


@dataclass(frozen=True)
class MentionFacts:
    """What the alert rules need to know about one mention."""

    id: int
    text: str = ""
    url: str = ""
    author_handle: str = ""
    author_followers: int | None = None
    sentiment: str = ""
    created_at: datetime | None = None
    query_ids: frozenset[int] = field(default_factory=frozenset)


def listening_installed() -> bool:
    return apps.is_installed(LISTENING)


def _models() -> tuple[Any, Any, Any] | None:
    if not listening_installed():
        return None
    try:
        return (
            apps.get_model("listening", "Mention"),
            apps.get_model("listening", "MentionMatch"),
            apps.get_model("listening", "ListeningQuery"),
        )
    except LookupError:
        return None


def facts_for(mentions: Sequence[Any]) -> list[MentionFacts]:
    """Facts about listening ``Mention`` objects, with the ids of the queries each matched (one query)."""
    found = _models()
    by_mention: dict[int, set[int]] = defaultdict(set)
    if found is not None and mentions:
        _mention, match, _query = found
        rows = match.objects.filter(mention_id__in=[m.pk for m in mentions]).values_list(
            "mention_id", "query_id"
        )
        for mention_id, query_id in rows:
            by_mention[mention_id].add(query_id)
    return [
        MentionFacts(
            id=m.pk,
            text=getattr(m, "text", "") or "",
            url=getattr(m, "url", "") or "",
            author_handle=getattr(m, "author_handle", "") or "",
            author_followers=getattr(m, "author_followers", None),
            sentiment=getattr(m, "sentiment", "") or "",
            created_at=getattr(m, "created_at", None),
            query_ids=frozenset(by_mention.get(m.pk, ())),
        )
        for m in mentions
    ]


def hourly_counts(
    workspace: Any,
    start: datetime,
    end: datetime,
    *,
    query_ids: Sequence[int] = (),
    negative: bool = False,
) -> dict[datetime, int]:
    """Mentions per hour (by publication time) in ``[start, end)``, hours as aware UTC datetimes.

    All the workspace's mentions when ``query_ids`` is empty, else those matching any of them (each
    mention counted once); only negative ones if ``negative``. Hours without a mention are absent
    (callers read them as zero).
    """
    found = _models()
    if found is None:
        return {}
    mention, match, _query = found
    from django.db.models import Count
    from django.db.models.functions import TruncHour

    if not query_ids:
        rows = mention.objects.filter(
            workspace=workspace, created_at__gte=start, created_at__lt=end
        )
        if negative:
            rows = rows.filter(sentiment=NEGATIVE)
        counted = Count("id")
    else:
        rows = match.objects.filter(
            workspace=workspace,
            query_id__in=list(query_ids),
            created_at__gte=start,
            created_at__lt=end,
        )
        if negative:
            rows = rows.filter(mention__sentiment=NEGATIVE)
        counted = Count("mention_id", distinct=len(query_ids) > 1)
    return dict(
        rows.annotate(hour=TruncHour("created_at", tzinfo=UTC))
        .values("hour")
        .annotate(n=counted)
        .values_list("hour", "n")
    )


def recent_mention_ids(
    workspace: Any,
    start: datetime,
    end: datetime,
    *,
    query_ids: Sequence[int] = (),
    negative: bool = False,
    limit: int = 20,
) -> list[int]:
    """The most recent mentions of a series in ``[start, end)``: what an alert links to."""
    found = _models()
    if found is None:
        return []
    mention, match, _query = found
    rows = mention.objects.filter(workspace=workspace, created_at__gte=start, created_at__lt=end)
    if query_ids:
        rows = rows.filter(
            id__in=match.objects.filter(query_id__in=list(query_ids)).values("mention_id")
        )
    if negative:
        rows = rows.filter(sentiment=NEGATIVE)
    return list(rows.order_by("-created_at", "-id").values_list("id", flat=True)[:limit])


def first_mention_at(workspace: Any, ids: Sequence[int]) -> datetime | None:
    """When the earliest of these mentions (still stored) was published."""
    found = _models()
    if found is None or not ids:
        return None
    mention, _match, _query = found
    return mention.objects.filter(workspace=workspace, id__in=list(ids)).aggregate(
        first=Min("created_at")
    )["first"]


def query_choices(workspace: Any) -> list[tuple[int, str]]:
    """The workspace's listening queries, for the rule form."""
    found = _models()
    if found is None:
        return []
    _mention, _match, query = found
    return list(query.objects.filter(workspace=workspace).values_list("id", "name"))


def query_options(workspace: Any) -> list[tuple[int, str, str]]:
    """The workspace's listening queries with the label of their kind (brand, competitor, topic),
    brand first, for forms."""
    found = _models()
    if found is None:
        return []
    _mention, _match, query = found
    labels = dict(query.Kind.choices)
    return [
        (row.id, row.name, str(labels.get(row.kind, row.kind)))
        for row in query.objects.filter(workspace=workspace).order_by("kind", "name", "id")
    ]


def query_names(workspace: Any) -> dict[int, str]:
    return dict(query_choices(workspace))


def brand_query_ids(workspace: Any) -> list[int]:
    """The workspace's queries about its own brand (not competitors' nor topics)."""
    found = _models()
    if found is None:
        return []
    _mention, _match, query = found
    return sorted(
        query.objects.filter(workspace=workspace, kind="brand").values_list("id", flat=True)
    )


def mentions_by_id(workspace: Any, ids: Sequence[int]) -> list[Any]:
    """The listening mentions an alert refers to, still stored, newest first."""
    found = _models()
    if found is None or not ids:
        return []
    mention, _match, _query = found
    return list(
        mention.objects.filter(workspace=workspace, id__in=list(ids)).order_by("-created_at", "-id")
    )


def mention_url(workspace: Any, mention_id: int) -> str | None:
    """The listening page of one mention, when the listening app has one."""
    from django.urls import NoReverseMatch, reverse

    for name in ("listening:mention", "listening:mention_detail"):
        try:
            return reverse(
                name, kwargs={"workspace_slug": workspace.slug, "mention_id": mention_id}
            )
        except NoReverseMatch:
            continue
    return None


def floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hours(start: datetime, end: datetime) -> list[datetime]:
    out = []
    at = start
    while at < end:
        out.append(at)
        at += timedelta(hours=1)
    return out


def _on_ingest(workspace: Any, mentions: Sequence[Any]) -> None:
    from ambassade.crisis import services

    services.evaluate_mentions(workspace, facts_for(mentions))
    services.feed_series(workspace)


def connect() -> None:
    """Register the crisis receiver on listening's routing hook (when listening is installed)."""
    if not listening_installed():
        return
    try:
        from ambassade.listening import routing
    except ImportError:  # pragma: no cover - listening without its hook
        log.warning("the listening app has no routing hook; alerts run from the hourly task only")
        return
    routing.register("crisis", _on_ingest)
