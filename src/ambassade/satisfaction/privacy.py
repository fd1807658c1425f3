"""A person's satisfaction answers for the community's RGPD export and erasure: erasure keeps the
score (an anonymous figure of the results) and removes the comment."""

from __future__ import annotations

from typing import Any

from ambassade.satisfaction.models import Survey
from ambassade.workspaces.models import Workspace

__all__ = ["erase_surveys", "export_surveys"]


def export_surveys(workspace: Workspace, conversation_ids: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "conversation": survey.conversation_id,
            "status": survey.status,
            "score": survey.score,
            "comment": survey.comment,
            "answered_at": survey.answered_at.isoformat() if survey.answered_at else None,
        }
        for survey in Survey.objects.filter(
            workspace=workspace, conversation_id__in=conversation_ids
        ).order_by("id")
    ]


def erase_surveys(workspace: Workspace, conversation_ids: list[int]) -> int:
    return Survey.objects.filter(workspace=workspace, conversation_id__in=conversation_ids).update(
        comment=""
    )
