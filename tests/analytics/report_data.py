"""November 2026 in Europe/Paris against October, small enough to count by hand (test_reports)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ambassade.analytics import reports_services
from ambassade.community.models import ClassCount, Member
from ambassade.publishing.models import Post, Variant
from tests.analytics.fixtures import Data, at

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def november(personas: Any) -> Data:
    data = Data(personas.workspace_a, personas.connection)
    # Mentions: 31 Oct 23:30 UTC is 1 Nov 00:30 in Paris (November); 30 Nov 23:00 UTC is December.
    # Each November brand mention is matched by both brand queries: 3 mentions, 6 matches.
    both = [data.brand, data.brand2]
    data.mention(at(2026, 10, 31, 23, 30), "positive", both, followers=100)
    data.mention(at(2026, 11, 12, 9), "negative", both, followers=50, handle="@lea")
    data.mention(at(2026, 11, 20, 9), "positive", both)
    data.mention(at(2026, 11, 30, 23, 0), "negative", [data.brand], followers=9000)
    data.mention(at(2026, 10, 10, 9), "positive", [data.brand], followers=10)  # October
    data.mention(at(2026, 11, 15, 9), "negative", [data.rival], followers=7)  # a competitor's
    data.mention(at(2026, 11, 5, 9), "neutral", [data.rival])
    data.mention(at(2026, 10, 3, 9), "neutral", [data.rival])
    # Share of voice, in matches: November 6 brand, 2 rival (75 %); October 1 and 1 (50 %).
    # Inbox: November 2 conversations, 1 answered in 30 min; October 1, answered in 60 min.
    data.conversation(at(2026, 11, 5, 10), at(2026, 11, 5, 10, 30))
    data.conversation(at(2026, 11, 6, 10), None)
    data.conversation(at(2026, 10, 6, 10), at(2026, 10, 6, 11))
    # Posts: two in November (the first of the "noel" campaign), one in October.
    first = data.post(at(2026, 11, 10, 8), [7, 3])
    Post.objects.filter(pk=first.pk).update(utm_campaign="noel")
    second = data.post(at(2026, 11, 25, 8), [])
    data.post(at(2026, 10, 25, 8), [1])
    Variant.objects.filter(post=first).update(metrics={"likes": 5, "reposts": 2, "replies": 1})
    Variant.objects.filter(post=second).update(
        metrics={"likes": 20, "reposts": 0, "replies": 4, "impressions": 900}
    )
    # Members: one made in October, two in November (one of them @lea, who wrote a mention).
    Member.objects.filter(pk=data.member("@old").pk).update(created_at=at(2026, 10, 2))
    for member in (data.member("@lea"), data.member("@new")):
        Member.objects.filter(pk=member.pk).update(created_at=at(2026, 11, 3))
    # Joined when first seen: imported in November, but seen in October. Staff never count.
    imported = data.member("@seen")
    Member.objects.filter(pk=imported.pk).update(
        created_at=at(2026, 11, 20), first_seen_at=at(2026, 10, 5)
    )
    staff = data.member("@staff")
    Member.objects.filter(pk=staff.pk).update(created_at=at(2026, 11, 3), staff=True)
    # Retention: @old and @lea wrote in October (no brand query), @lea again in November.
    data.mention(at(2026, 10, 12, 9), "neutral", [], handle="@old")
    data.mention(at(2026, 10, 13, 9), "neutral", [], handle="@lea")
    ClassCount.objects.create(workspace=data.workspace, day=date(2026, 10, 31), ambassadors=1)
    ClassCount.objects.create(workspace=data.workspace, day=date(2026, 11, 29), ambassadors=2)
    return data


def monthly(personas: Any, **fields: Any) -> Any:
    values: dict[str, Any] = {
        "name": "Rapport mensuel",
        "template": "monthly",
        "language": "fr",
        "blocks": [
            "kpis",
            "mentions",
            "top_mentions",
            "share_of_voice",
            "top_posts",
            "inbox",
            "community",
            "objectives",
        ],
        "commentary": "",
    }
    values.update(fields)
    return reports_services.create_report(personas.workspace_a, personas.alice, **values)
