"""Members' timelines: every activity of a person lands on it as an :class:`Activity` row.

- Mentions are recorded with the appearances, in bulk, by :func:`services.record_authors` (the
  listening routing hook).
- Private messages, the brand's answers and moderation decisions are recorded when they are saved
  (``post_save`` of ``inbox.Message`` and ``moderation.Decision``, connected in ``apps.py``): their
  apps need not know the community exists. A person known only from private messages becomes a
  member too.
- Another app puts its own activities (a contest entry, an event attended) on the timeline with
  :func:`record`, naming its object as ``source`` (``"contests.entry"``) and ``source_id``.
- :func:`backfill` records every stored message and decision of a workspace (``rebuild_members``).

Recording the same object again changes nothing (unique ``(workspace, source, source_id)``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Min

from ambassade.community.models import Activity, Identity, Member, normalise_handle, safe_url
from ambassade.engine.scoring import DEFAULT_WEIGHTS
from ambassade.workspaces.models import Workspace

__all__ = [
    "PERSON_KINDS",
    "SOURCE_DECISION",
    "SOURCE_MENTION",
    "SOURCE_MESSAGE",
    "backfill",
    "identity_for",
    "on_decision_saved",
    "on_message_saved",
    "record",
    "weight_of",
]

log = logging.getLogger(__name__)

SOURCE_MENTION = "listening.mention"
SOURCE_MESSAGE = "inbox.message"
SOURCE_DECISION = "moderation.decision"

#: Kinds the person did themselves: they make "first seen" and "last seen".
PERSON_KINDS = frozenset({"mention", "message", "comment", "reply"})


def weight_of(kind: str) -> float:
    """What an activity of ``kind`` counts for in engagement (0 for what the brand did)."""
    return float(DEFAULT_WEIGHTS.get(kind, 0.0))


def identity_for(
    workspace: Workspace, network: str, handle: str, *, name: str = "", url: str = ""
) -> Identity | None:
    """The identity ``(network, handle)`` of ``workspace``, made with a member of its own when it is
    new; None without a handle."""
    network, handle = (network or "")[:40], normalise_handle(handle)
    if not handle or not network:
        return None
    found = Identity.objects.filter(workspace=workspace, network=network, handle=handle).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            member = Member.objects.create(
                workspace=workspace, display_name=((name or "").strip() or "@" + handle)[:200]
            )
            return Identity.objects.create(
                workspace=workspace,
                member=member,
                network=network,
                handle=handle,
                name=(name or "")[:200],
                profile_url=safe_url(url),
            )
    except IntegrityError:  # made meanwhile by another ingest
        return Identity.objects.filter(workspace=workspace, network=network, handle=handle).first()


def record(
    identity: Identity,
    kind: str,
    at: dt.datetime,
    source: str,
    source_id: int,
    **links: Any,
) -> Activity | None:
    """Put one activity on ``identity``'s timeline (once per source object). ``links`` are the
    foreign keys the community knows (``mention``, ``message``, ``decision``). Returns the new row,
    or None when the object was already recorded."""
    activity = Activity(
        workspace_id=identity.workspace_id,
        identity=identity,
        kind=kind[:20],
        occurred_at=at,
        source=source[:40],
        source_id=source_id,
        weight=weight_of(kind),
        **links,
    )
    try:
        with transaction.atomic():
            activity.save()
    except IntegrityError:
        return None
    if kind in PERSON_KINDS:
        _seen(identity, at)
    return activity


def _seen(identity: Identity, at: dt.datetime) -> None:
    """Widen the identity's and its member's first and last seen to ``at`` (two updates)."""
    first = min(filter(None, (identity.first_seen_at, at)))
    last = max(filter(None, (identity.last_seen_at, at)))
    if (first, last) == (identity.first_seen_at, identity.last_seen_at):
        return
    identity.first_seen_at, identity.last_seen_at = first, last
    Identity.objects.filter(pk=identity.pk).update(first_seen_at=first, last_seen_at=last)
    member = Member.objects.filter(pk=identity.member_id).only("first_seen_at", "last_seen_at")
    current = member.first()
    if current is not None:
        member.update(
            first_seen_at=min(filter(None, (current.first_seen_at, first))),
            last_seen_at=max(filter(None, (current.last_seen_at, last))),
        )


# --- receivers (connected in apps.py) ---------------------------------------------------------------


def on_message_saved(
    sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any
) -> None:
    """An inbox message: a private message from the person (``message``) or the brand's answer
    (``answered``). Public messages are mentions, already on the timeline; notes are the team's."""
    if not created or raw:
        return
    from ambassade.inbox.models import Message

    if instance.direction == Message.Direction.INBOUND:
        if instance.mention_id is not None:
            return
        kind = "message"
    elif instance.direction == Message.Direction.OUTBOUND:
        kind = "answered"
    else:
        return
    conversation = instance.conversation
    identity = identity_for(
        conversation.workspace,
        conversation.network,
        conversation.contact_handle,
        name=conversation.contact_name,
        url=conversation.contact_url,
    )
    if identity is not None:
        record(identity, kind, instance.created_at, SOURCE_MESSAGE, instance.pk, message=instance)


def on_decision_saved(
    sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any
) -> None:
    """A moderation decision about a person (not the ones a rule in "log only" would have made)."""
    if not created or raw or instance.log_only:
        return
    identity = identity_for(instance.workspace, instance.network, instance.author_handle)
    if identity is not None:
        record(
            identity,
            "moderation",
            instance.created_at,
            SOURCE_DECISION,
            instance.pk,
            decision=instance,
        )


def backfill(workspace: Workspace) -> int:
    """Record every stored private message, answer and moderation decision of ``workspace`` (for
    those saved before timelines existed). Returns how many activities were added."""
    from ambassade.inbox.models import Message
    from ambassade.moderation.models import Decision

    added = 0
    messages = (
        Message.objects.filter(workspace=workspace)
        .exclude(direction=Message.Direction.NOTE)
        .exclude(direction=Message.Direction.INBOUND, mention__isnull=False)
        .select_related("conversation", "conversation__workspace")
        .order_by("id")
    )
    for message in messages.iterator(chunk_size=500):
        before = Activity.objects.filter(
            workspace=workspace, source=SOURCE_MESSAGE, source_id=message.pk
        ).exists()
        if not before:
            on_message_saved(Message, message, True)
            added += 1
    decisions = Decision.objects.filter(workspace=workspace, log_only=False).select_related(
        "workspace"
    )
    for decision in decisions.order_by("id").iterator(chunk_size=500):
        if not Activity.objects.filter(
            workspace=workspace, source=SOURCE_DECISION, source_id=decision.pk
        ).exists():
            on_decision_saved(Decision, decision, True)
            added += 1
    return added


def seen_range(identity_ids: list[int]) -> dict[int, tuple[Any, Any]]:
    """First and last activity the person did themselves, per identity."""
    return {
        row["identity_id"]: (row["first"], row["last"])
        for row in Activity.objects.filter(identity_id__in=identity_ids, kind__in=PERSON_KINDS)
        .values("identity_id")
        .annotate(first=Min("occurred_at"), last=Max("occurred_at"))
        .order_by()
    }
