"""A member's scores (``ambassade.engine.scoring``) from their timeline, for their page.

A member's activities are their timeline's rows (:class:`~ambassade.community.models.Activity`)
of the past year, each scored by its kind (``DEFAULT_WEIGHTS``; the brand's answers are on the
timeline but not the member's doing, so they are not scored). Mentions carry the sentiment the
analysis gave (positive 1, neutral 0, negative −1), are relevant unless someone marked them
irrelevant and are amplified by the reposts the network counted; private messages carry their own
sentiment and are relevant (they are written to the brand). Staff are scored but never classed.
The page scores a member afresh when shown. :func:`store_scores` writes everyone's (or some
members') scores on the members, with their level kept from month to month (it falls only at a new
month, ``Scorer(levels=…)``) and their language: what segments filter on. It runs from the
``community.score_members`` task (every 15 minutes for the members active since they were last
scored, merged or split; every night for everyone, as activities leave the year's look-back).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ambassade.community.models import Activity, ClassCount, Member
from ambassade.community.services import _update
from ambassade.engine.scoring import CLASSES, DEFAULT_WEIGHTS, Person, Scorer, Scores
from ambassade.engine.scoring import Activity as Scored
from ambassade.workspaces.models import Workspace

__all__ = ["member_scores", "stale_members", "store_scores"]

#: Members scored per read of their activities by :func:`store_scores`.
CHUNK = 500
_STORED = (
    "love",
    "level",
    "level_month",
    "sentiment",
    "influence",
    *CLASSES,
    "language",
    "scored_at",
)

SENTIMENT = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}


def _reposts(metrics: Any) -> int:
    value = metrics.get("reposts") if isinstance(metrics, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _rows(members: Q, now: dt.datetime) -> QuerySet[Activity, tuple[Any, ...]]:
    since = now - dt.timedelta(days=366)
    return (
        Activity.objects.filter(
            members,
            kind__in=list(DEFAULT_WEIGHTS),
            occurred_at__gte=since,
            occurred_at__lte=now,
        )
        .order_by()
        .values_list(
            "kind",
            "occurred_at",
            "mention_id",
            "mention__sentiment",
            "mention__marked_irrelevant",
            "mention__metrics",
            "message__sentiment",
            "identity__member_id",
            "mention__lang",
        )
    )


def _scored(key: str, row: tuple[Any, ...]) -> Scored:
    kind, at, mention_id, sentiment, irrelevant, metrics, message_sentiment = row[:7]
    if mention_id is not None:
        return Scored(
            key,
            kind,
            at,
            sentiment=SENTIMENT.get(sentiment),
            relevant=not irrelevant,
            amplified=_reposts(metrics),
        )
    return Scored(
        key,
        kind,
        at,
        sentiment=SENTIMENT.get(message_sentiment or ""),
        relevant=kind == "message",
    )


def member_scores(member: Member, now: dt.datetime) -> Scores:
    key = str(member.pk)
    activities = [
        _scored(key, row)
        for row in _rows(Q(identity__member=member), now).iterator(chunk_size=2000)
    ]
    person = Person(key, followers=member.reach, staff=member.staff)
    return Scorer().update(activities, [person], now)[key]


def stale_members(workspace: Workspace | int) -> QuerySet[Member, int]:
    """Members whose stored scores are older than their last activity (or never stored), and
    those an ingest batch marked (``community/rescoring.py``)."""
    return (
        Member.objects.filter(workspace=workspace)
        .filter(
            Q(scored_at__isnull=True)
            | Q(last_seen_at__gt=F("scored_at"))
            | Q(score_due__isnull=False)
        )
        .values_list("id", flat=True)
    )


_CLEAR_DUE_SQL = "UPDATE community_member SET score_due = NULL WHERE id = %s AND score_due = %s"


def _clear_due(members: list[Member]) -> None:
    """Clear the ingest batches' marks read with ``members`` (before their timelines were): a
    batch that marked one again meanwhile keeps its mark, and its scoring to come."""
    if not members:
        return
    field = Member._meta.get_field("score_due")
    with connection.cursor() as cursor:
        cursor.executemany(
            _CLEAR_DUE_SQL,
            [(m.pk, field.get_db_prep_value(m.score_due, connection)) for m in members],
        )


def store_scores(
    workspace: Workspace | int,
    member_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Score the workspace's members (``member_ids``, or everyone) and store the scores, levels
    and languages on them, :data:`CHUNK` members a transaction, with their history
    (``community/history.py``: a record for each whose scores changed, and the day's class
    counts). Returns how many were stored."""
    from ambassade.community import history

    now = now or timezone.now()
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    day = history.day_of(workspace_id, now)
    members = Member.objects.filter(workspace=workspace).order_by("id")
    if member_ids is not None:
        wanted = sorted(set(member_ids))
    else:
        wanted = list(members.values_list("id", flat=True))
    stored = 0
    for start in range(0, len(wanted), CHUNK):
        chunk = list(
            members.filter(id__in=wanted[start : start + CHUNK]).only(
                "id", "reach", "staff", "level", "level_month", "language", "score_due"
            )
        )
        if not chunk:
            continue
        levels = {str(m.pk): (m.level, m.level_month) for m in chunk if m.level_month}
        scorer = Scorer(levels=levels)
        people = [Person(str(m.pk), followers=m.reach, staff=m.staff) for m in chunk]
        activities = []
        languages: dict[int, Counter[str]] = {}
        for row in _rows(Q(identity__member_id__in=[m.pk for m in chunk]), now).iterator(
            chunk_size=5000
        ):
            activities.append(_scored(str(row[7]), row))
            if row[8]:
                languages.setdefault(row[7], Counter())[row[8]] += 1
        scores = scorer.update(activities, people, now)
        with transaction.atomic():
            for member in chunk:
                one = scores[str(member.pk)]
                member.love, member.level, member.level_month = one.love, one.level, one.level_month
                member.sentiment, member.influence = one.sentiment, one.influence
                for name in CLASSES:
                    setattr(member, name, name in one.classes)
                spoken = languages.get(member.pk)
                if spoken:  # else keep what a customer file said
                    member.language = sorted(spoken.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
                member.scored_at = now
            _update(chunk, list(_STORED))
            _clear_due([m for m in chunk if m.score_due is not None])
            history.record_members(workspace_id, day, chunk)
        stored += len(chunk)
    if stored or not ClassCount.objects.filter(workspace_id=workspace_id, day=day).exists():
        history.record_classes(workspace_id, day, now)
    return stored
