"""Bug reports made from a person's conversations, for the community's RGPD export and erasure:
erasure removes the customer's words and the description sent with them (the issue in the
tracker is the tracker's; its title, written by the team, stays)."""

from __future__ import annotations

from typing import Any

from ambassade.bugreports.models import BugReport
from ambassade.workspaces.models import Workspace

__all__ = ["erase_reports", "export_reports"]


def export_reports(workspace: Workspace, conversation_ids: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "conversation": report.conversation_id,
            "title": report.title,
            "description": report.description,
            "quote": report.quote,
            "reference": report.reference,
            "url": report.url,
            "state": report.state,
            "created_at": report.created_at.isoformat(),
        }
        for report in BugReport.objects.filter(
            workspace=workspace, conversation_id__in=conversation_ids
        )
        .select_related("tracker")
        .order_by("id")
    ]


def erase_reports(workspace: Workspace, conversation_ids: list[int]) -> int:
    return BugReport.objects.filter(
        workspace=workspace, conversation_id__in=conversation_ids
    ).update(description="", quote="")
