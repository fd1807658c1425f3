"""A person's conversations for the community's RGPD export and erasure (docs/community.md,
"RGPD"). Erasure keeps each conversation's figures (status, times, counts: the team's report stays
true) and removes who it was with and every text in it: the person's private messages, the
brand's answers and the team's notes about them, the subject and the thread's keys."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from ambassade.inbox.models import Conversation, Message
from ambassade.workspaces.models import Workspace

__all__ = ["conversations_of", "erase_conversations", "export_conversations"]


def conversations_of(
    workspace: Workspace, accounts: list[tuple[str, str]], mention_ids: list[int]
) -> list[int]:
    """The conversations with a person: with one of their ``(network, handle)`` accounts (handles
    as the community normalises them), or holding one of their mentions."""
    query = Q(pk__in=Message.objects.filter(mention_id__in=mention_ids).values("conversation_id"))
    for network, handle in accounts:
        query |= Q(network=network, contact_handle__iexact=handle)
        query |= Q(network=network, contact_handle__iexact="@" + handle)
    return list(
        Conversation.objects.filter(workspace=workspace).filter(query).values_list("id", flat=True)
    )


def export_conversations(workspace: Workspace, ids: list[int]) -> list[dict[str, Any]]:
    found = []
    for conversation in Conversation.objects.filter(workspace=workspace, id__in=ids).order_by("id"):
        found.append(
            {
                "id": conversation.pk,
                "network": conversation.network,
                "channel": conversation.channel,
                "subject": conversation.subject,
                "contact": {
                    "handle": conversation.contact_handle,
                    "name": conversation.contact_name,
                    "url": conversation.contact_url,
                },
                "status": conversation.status,
                "created_at": conversation.created_at.isoformat(),
                "messages": [
                    {
                        "direction": message.direction,
                        "text": message.body,
                        "author": message.author["handle"]
                        if message.direction == Message.Direction.INBOUND
                        else "",
                        "created_at": message.created_at.isoformat(),
                        "earlier_texts": message.revisions,
                    }
                    for message in conversation.messages.select_related("mention").order_by(
                        "created_at", "id"
                    )
                ],
            }
        )
    return found


def erase_conversations(workspace: Workspace, ids: list[int]) -> int:
    conversations = Conversation.objects.filter(workspace=workspace, id__in=ids)
    with transaction.atomic():
        for conversation in conversations.only("id"):
            Conversation.objects.filter(pk=conversation.pk).update(
                subject="",
                contact_handle="",
                contact_name="",
                contact_external_id="",
                contact_url="",
                contact_followers=None,
                thread_key=f"erased-{conversation.pk}",
            )
        Message.objects.filter(workspace=workspace, conversation_id__in=ids).update(
            text="",
            html="",
            url="",
            external_id="",
            parent_external_id="",
            author_handle="",
            author_name="",
            author_external_id="",
            author_url="",
            revisions=[],
        )
    return len(ids)
