"""The ambassadors' leaderboard: points of the missions done in a period, per member, staff of the
brand left out. A person counts once per mission, even when two of their merged accounts did it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ambassade.community.models import Member
from ambassade.missions.models import Completion

__all__ = ["PERIODS", "Leader", "leaders"]

#: The periods the page offers, in days (0: since the beginning).
PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365, "all": 0}


@dataclass
class Leader:
    rank: int
    member: Member
    points: int
    missions: int


def leaders(workspace: Any, since: datetime | None, *, limit: int = 100) -> list[Leader]:
    rows = Completion.objects.filter(workspace=workspace, identity__member__staff=False)
    if since is not None:
        rows = rows.filter(completed_at__gte=since)
    best: dict[tuple[int, int], int] = {}
    for member_id, mission_id, points in rows.values_list(
        "identity__member_id", "mission_id", "points"
    ).order_by():
        key = (member_id, mission_id)
        best[key] = max(best.get(key, 0), points)
    totals: dict[int, list[int]] = {}
    for (member_id, _mission), points in best.items():
        total = totals.setdefault(member_id, [0, 0])
        total[0] += points
        total[1] += 1
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[:limit]
    members = Member.objects.in_bulk([member_id for member_id, _ in ordered])
    found: list[Leader] = []
    for member_id, (points, count) in ordered:
        # Equal points share a rank (1, 2, 2, 4).
        rank = found[-1].rank if found and found[-1].points == points else len(found) + 1
        found.append(Leader(rank, members[member_id], points, count))
    return found
