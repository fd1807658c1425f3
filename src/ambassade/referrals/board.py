"""The leaderboard: who referred the most people over a period, the brand's staff left out.

A referrer's line counts the referrals of the period that were not rejected (by sign-up date),
those of them that converted, and the points of their rewards granted or pending (refused ones
do not count). Ranked by sign-ups, then conversions, then points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from ambassade.community.models import Member
from ambassade.referrals.models import Referral, Reward
from ambassade.workspaces.models import Workspace

__all__ = ["PERIODS", "Line", "leaderboard"]

#: The period filter's choices, in days (0: since the programme began).
PERIODS = (7, 30, 90, 365, 0)


@dataclass
class Line:
    rank: int
    member: Member
    signups: int
    conversions: int
    points: int


def leaderboard(workspace: Workspace, since: dt.datetime | None, limit: int = 50) -> list[Line]:
    referrals = Referral.objects.filter(
        workspace=workspace, referrer__isnull=False, referrer__member__staff=False
    ).exclude(review=Referral.Review.REJECTED)
    if since is not None:
        referrals = referrals.filter(signed_up_at__gte=since)
    counted = list(
        referrals.values("referrer__member_id")
        .annotate(
            signups=Count("id"),
            conversions=Count("id", filter=Q(status=Referral.Status.CONVERTED)),
        )
        .order_by()
    )
    ids = [row["referrer__member_id"] for row in counted]
    rewards = Reward.objects.filter(
        workspace=workspace, referrer__member_id__in=ids, referral__in=referrals
    ).exclude(status=Reward.Status.REJECTED)
    points = dict(
        rewards.values("referrer__member_id")
        .annotate(total=Sum("points"))
        .order_by()
        .values_list("referrer__member_id", "total")
    )
    members = Member.objects.in_bulk(ids)
    counted.sort(
        key=lambda row: (
            -row["signups"],
            -row["conversions"],
            -(points.get(row["referrer__member_id"]) or 0),
            row["referrer__member_id"],
        )
    )
    return [
        Line(
            rank,
            members[row["referrer__member_id"]],
            row["signups"],
            row["conversions"],
            int(points.get(row["referrer__member_id"]) or 0),
        )
        for rank, row in enumerate(counted[:limit], start=1)
    ]
