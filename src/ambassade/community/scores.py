"""A member's scores (``ambassade.engine.scoring``) from the mentions they wrote, for their page.

Until members' timelines gather their other activities (inbox, moderation, events…), a member's
activities are their mentions: kind ``mention``, the sentiment the analysis gave (positive 1,
neutral 0, negative −1), relevant unless someone marked the mention irrelevant, amplified by the
reposts the network counted. Scored when the page is shown, with no level kept from month to month
yet (the level is the one engagement earns).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ambassade.community.models import Member
from ambassade.engine.scoring import Activity, Person, Scorer, Scores
from ambassade.listening.models import Mention

__all__ = ["member_scores"]

SENTIMENT = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}


def _reposts(metrics: Any) -> int:
    value = metrics.get("reposts") if isinstance(metrics, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def member_scores(member: Member, now: dt.datetime) -> Scores:
    key = str(member.pk)
    since = now - dt.timedelta(days=366)
    rows = (
        Mention.objects.filter(
            workspace_id=member.workspace_id,
            appearance__identity__member=member,
            created_at__gte=since,
            created_at__lte=now,
        )
        .order_by()
        .values_list("created_at", "sentiment", "marked_irrelevant", "metrics")
    )
    activities = [
        Activity(
            key,
            "mention",
            at,
            sentiment=SENTIMENT.get(sentiment),
            relevant=not irrelevant,
            amplified=_reposts(metrics),
        )
        for at, sentiment, irrelevant, metrics in rows.iterator(chunk_size=2000)
    ]
    scorer = Scorer()
    return scorer.update(activities, [Person(key, followers=member.reach)], now)[key]
