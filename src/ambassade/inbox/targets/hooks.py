"""When due times move: every save of a conversation that touches what they are computed from (a
message in either direction, a status change: ``inbox.services`` saves the conversation), and a
label put on or taken off (a target may be limited to a label). Receivers of Django's signals, so
the inbox's own code needs no call into this app; writes made with ``QuerySet.update()`` (waking a
snoozed conversation, refreshing priorities) change nothing the due times read, except the
priority: a target limited to a priority level is chosen again at the next message or change."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from ambassade.inbox.models import Conversation
from ambassade.inbox.targets import services

#: The conversation's fields due times are computed from.
READ = frozenset(
    {
        "status",
        "network",
        "priority",
        "first_inbound_at",
        "first_response_at",
        "waiting_since",
        "resolved_at",
    }
)


@receiver(post_save, sender=Conversation, dispatch_uid="inbox_targets.conversation_saved")
def conversation_saved(
    sender: Any, instance: Conversation, raw: bool = False, update_fields: Any = None, **_: Any
) -> None:
    if raw:
        return
    if update_fields is not None and not READ.intersection(update_fields):
        return
    services.refresh(instance)


@receiver(
    m2m_changed, sender=Conversation.labels.through, dispatch_uid="inbox_targets.labels_changed"
)
def labels_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **_: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Conversation):
        conversations = [instance]
        workspace = instance.workspace
    else:  # label.conversations.add(…): the conversations are in pk_set
        workspace = instance.workspace
        conversations = list(Conversation.objects.filter(pk__in=pk_set or ()))
    setup = services.setup_for(workspace)
    if not setup.needs_labels:
        return
    for conversation in conversations:
        services.refresh(conversation, setup)
