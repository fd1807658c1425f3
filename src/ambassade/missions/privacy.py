"""A member's missions for the community's RGPD export. Erasure needs nothing here: completions
belong to the member's accounts and are deleted with them."""

from __future__ import annotations

from typing import Any

from ambassade.missions.models import Completion

__all__ = ["export_member"]


def export_member(member_id: int) -> list[dict[str, Any]]:
    return [
        {
            "mission": completion.mission.title,
            "kind": completion.mission.kind,
            "points": completion.points,
            "completed_at": completion.completed_at.isoformat(),
            "evidence": completion.evidence,
            "detail": completion.detail,
            "mention_id": completion.mention_id,
            "note": completion.note,
        }
        for completion in Completion.objects.filter(identity__member_id=member_id)
        .select_related("mission")
        .order_by("id")
    ]
