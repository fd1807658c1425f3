"""A person's replies (written to them by the team) for the community's RGPD export and erasure."""

from __future__ import annotations

from typing import Any

from ambassade.replies.models import Reply
from ambassade.workspaces.models import Workspace

__all__ = ["erase_replies", "export_replies"]


def export_replies(workspace: Workspace, conversation_ids: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "conversation": reply.conversation_id,
            "text": reply.text,
            "private": reply.private,
            "recipient": reply.recipient,
            "subject": reply.subject,
            "status": reply.status,
            "created_at": reply.created_at.isoformat(),
            "published_at": reply.published_at.isoformat() if reply.published_at else None,
        }
        for reply in Reply.objects.filter(
            workspace=workspace, conversation_id__in=conversation_ids
        ).order_by("created_at", "id")
    ]


def erase_replies(workspace: Workspace, conversation_ids: list[int]) -> int:
    return Reply.objects.filter(workspace=workspace, conversation_id__in=conversation_ids).update(
        text="",
        recipient="",
        subject="",
        review_note="",
        in_reply_to="",
        thread_ref="",
        remote_url="",
    )
