"""A member's scores (``ambassade.engine.scoring``) from their timeline, for their page.

A member's activities are their timeline's rows (:class:`~ambassade.community.models.Activity`)
of the past year, each scored by its kind (``DEFAULT_WEIGHTS``; the brand's answers are on the
timeline but not the member's doing, so they are not scored). Mentions carry the sentiment the
analysis gave (positive 1, neutral 0, negative −1), are relevant unless someone marked them
irrelevant and are amplified by the reposts the network counted; private messages carry their own
sentiment and are relevant (they are written to the brand). Staff are scored but never classed.
Scored when the page is shown, with no level kept from month to month yet (the level is the one
engagement earns).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ambassade.community.models import Activity, Member
from ambassade.engine.scoring import DEFAULT_WEIGHTS, Person, Scorer, Scores
from ambassade.engine.scoring import Activity as Scored

__all__ = ["member_scores"]

SENTIMENT = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}


def _reposts(metrics: Any) -> int:
    value = metrics.get("reposts") if isinstance(metrics, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def member_scores(member: Member, now: dt.datetime) -> Scores:
    key = str(member.pk)
    since = now - dt.timedelta(days=366)
    rows = (
        Activity.objects.filter(
            identity__member=member,
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
        )
    )
    activities = []
    for kind, at, mention_id, sentiment, irrelevant, metrics, message_sentiment in rows.iterator(
        chunk_size=2000
    ):
        if mention_id is not None:
            scored = Scored(
                key,
                kind,
                at,
                sentiment=SENTIMENT.get(sentiment),
                relevant=not irrelevant,
                amplified=_reposts(metrics),
            )
        else:
            scored = Scored(
                key,
                kind,
                at,
                sentiment=SENTIMENT.get(message_sentiment or ""),
                relevant=kind == "message",
            )
        activities.append(scored)
    person = Person(key, followers=member.reach, staff=member.staff)
    return Scorer().update(activities, [person], now)[key]
