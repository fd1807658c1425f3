"""Every write of the inbox that is not routing (``inbox.routing`` brings messages in).

- :func:`add_message` — the one way a message joins a conversation: it keeps the conversation's
  denormalised fields true (timestamps, counters, waiting time, status, triage, priority).
  ``inbox.routing`` calls it for what arrives; the reply composer calls :func:`record_outbound`,
  the notes :func:`add_note`.
- :func:`set_status`, :func:`snooze`, :func:`wake_snoozed` — statuses.
- :func:`assign`, :func:`take`, :func:`auto_assign`, :func:`set_available` — assignment.
- :func:`add_label`, :func:`remove_label`, :func:`bulk` — labels and bulk actions.
- :func:`touch_presence`, :func:`present` — who else has the conversation open (collision warning).
- :func:`refresh_priorities` — waiting time raises priority; run by a periodic task.

Invariants kept here are listed in docs/inbox.md ("Invariants").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassade.inbox import triage
from ambassade.inbox.models import (
    Agent,
    Conversation,
    Event,
    InboxSettings,
    Label,
    Message,
    Presence,
    Status,
    Team,
)
from ambassade.inbox.permissions import INBOX_REPLY
from ambassade.workspaces.models import Membership, Workspace
from ambassade.workspaces.permissions import ACTIONS

__all__ = [
    "PRESENCE_TTL",
    "ActionError",
    "add_label",
    "add_message",
    "add_note",
    "assign",
    "auto_assign",
    "auto_assign_many",
    "bulk",
    "present",
    "record_event",
    "record_outbound",
    "refresh_priorities",
    "remove_label",
    "set_available",
    "set_status",
    "settings_for",
    "snooze",
    "take",
    "touch_presence",
    "wake_snoozed",
]

log = logging.getLogger(__name__)

#: A presence not refreshed for this long is gone (the page refreshes it every 5 seconds).
PRESENCE_TTL = timedelta(seconds=20)


class ActionError(Exception):
    """The action cannot be done; ``str(error)`` is a translated sentence for the person."""


def settings_for(workspace: Workspace) -> InboxSettings:
    found = InboxSettings.objects.filter(workspace=workspace).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return InboxSettings.objects.create(workspace=workspace)
    except IntegrityError:
        return InboxSettings.objects.get(workspace=workspace)


def record_event(conversation: Conversation, actor: Any, code: str, **params: Any) -> Event:
    return Event.objects.create(
        workspace_id=conversation.workspace_id,
        conversation=conversation,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        code=code,
        params=params,
    )


# --- messages -------------------------------------------------------------------------------------


def _reprioritise(conversation: Conversation, now: datetime | None = None) -> None:
    conversation.priority = triage.priority(
        intent=conversation.intent,
        sentiment=conversation.sentiment,
        followers=conversation.contact_followers,
        history=conversation.contact_history,
        waiting_since=conversation.waiting_since,
        now=now,
    )


def add_message(conversation: Conversation, message: Message) -> Message:
    """Save ``message`` in ``conversation`` and bring the conversation's fields up to date. The
    caller has filled the message (direction, content or mention, times); ``conversation`` is
    saved. Inbound: the person waits (``waiting_since`` from the first unanswered message), a
    waiting, snoozed or resolved conversation opens again. Outbound: the first response is
    recorded, nobody waits any more, a new or open conversation waits for the customer."""
    message.workspace_id = conversation.workspace_id
    message.conversation = conversation
    if not message.network and message.external_id:
        message.network = conversation.network
    message.save()
    at = message.created_at
    c = conversation
    c.message_count += message.direction != Message.Direction.NOTE
    if message.direction == Message.Direction.INBOUND:
        c.inbound_count += 1
        c.first_inbound_at = min(filter(None, (c.first_inbound_at, at)))
        newest = c.last_inbound_at is None or at >= c.last_inbound_at
        c.last_inbound_at = max(filter(None, (c.last_inbound_at, at)))
        answered_after = c.last_outbound_at is not None and c.last_outbound_at >= at
        if not answered_after:
            c.waiting_since = min(filter(None, (c.waiting_since, at)))
        if newest:
            mention = message.mention if message.mention_id else None
            sentiment = mention.sentiment if mention is not None else message.sentiment
            if sentiment:
                c.sentiment = sentiment
            lang = mention.lang if mention is not None else message.lang
            if lang:
                c.lang = lang
            if message.intent and not c.intent:
                c.intent = message.intent
            author = message.author
            if author["followers"] is not None:
                c.contact_followers = author["followers"]
            c.contact_name = author["name"] or c.contact_name
        if c.status in (Status.WAITING, Status.SNOOZED, Status.RESOLVED) and not answered_after:
            if c.status == Status.RESOLVED:
                record_event(c, None, "reopened")
            c.status = Status.OPEN
            c.snoozed_until = None
            c.resolved_at = None
    elif message.direction == Message.Direction.OUTBOUND:
        c.outbound_count += 1
        if c.first_inbound_at is not None and at >= c.first_inbound_at:
            c.first_response_at = min(filter(None, (c.first_response_at, at)))
        c.last_outbound_at = max(filter(None, (c.last_outbound_at, at)))
        if c.waiting_since is not None and at >= c.waiting_since:
            c.waiting_since = None
        if c.status in (Status.NEW, Status.OPEN):
            c.status = Status.WAITING
    else:
        c.note_count += 1
    if message.direction != Message.Direction.NOTE and at >= c.last_message_at:
        c.last_message_at = at
        c.last_message = message
    elif c.last_message_id is None and message.direction != Message.Direction.NOTE:
        c.last_message = message
    _reprioritise(c)
    c.updated_at = timezone.now()
    c.save()
    return message


def record_outbound(
    conversation: Conversation,
    *,
    text: str,
    sender: Any,
    external_id: str = "",
    url: str = "",
    created_at: datetime | None = None,
) -> Message:
    """A reply sent from Ambassade (by the reply composer, once the network took it, with the id it
    gave): an outbound message of the conversation that counts as a response. When listening later
    hears the same reply from the brand's account, routing links that mention to this message
    instead of adding it again (same ``external_id``)."""
    now = timezone.now()
    return add_message(
        conversation,
        Message(
            direction=Message.Direction.OUTBOUND,
            origin=Message.Origin.AMBASSADE,
            network=conversation.network if external_id else "",
            external_id=external_id[:255],
            url=url[:2000],
            text=text,
            sender=sender,
            created_at=created_at or now,
            received_at=now,
        ),
    )


def add_note(conversation: Conversation, *, text: str, sender: Any) -> Message:
    """An internal note: shown in the thread to the team, never sent, not a response."""
    if not text.strip():
        raise ActionError(_("The note is empty."))
    return add_message(
        conversation,
        Message(
            direction=Message.Direction.NOTE,
            origin=Message.Origin.AMBASSADE,
            text=text,
            sender=sender,
        ),
    )


# --- statuses -------------------------------------------------------------------------------------


def set_status(conversation: Conversation, status: str, actor: Any) -> Conversation:
    """Move the conversation to ``status`` (not ``snoozed``: :func:`snooze` takes its date)."""
    if status not in Status.values or status == Status.SNOOZED:
        raise ActionError(_("This status cannot be set here."))
    if conversation.status == status:
        return conversation
    now = timezone.now()
    previous = conversation.status
    conversation.status = status
    conversation.snoozed_until = None
    conversation.resolved_at = now if status == Status.RESOLVED else None
    conversation.updated_at = now
    conversation.save(update_fields=["status", "snoozed_until", "resolved_at", "updated_at"])
    record_event(conversation, actor, "status", status=status, previous=previous)
    return conversation


def snooze(conversation: Conversation, until: datetime, actor: Any) -> Conversation:
    now = timezone.now()
    if until <= now:
        raise ActionError(_("Snooze until a time in the future."))
    conversation.status = Status.SNOOZED
    conversation.snoozed_until = until
    conversation.resolved_at = None
    conversation.updated_at = now
    conversation.save(update_fields=["status", "snoozed_until", "resolved_at", "updated_at"])
    record_event(conversation, actor, "snoozed", until=until.isoformat())
    return conversation


def wake_snoozed(now: datetime | None = None) -> int:
    """Open again every snoozed conversation whose time has come (all workspaces; a conditional
    UPDATE per conversation, so two workers never wake one twice)."""
    now = now or timezone.now()
    woken = 0
    due = Conversation.objects.filter(status=Status.SNOOZED, snoozed_until__lte=now)
    for conversation in due.only("id", "workspace_id", "snoozed_until")[:1000]:
        claimed = Conversation.objects.filter(
            id=conversation.pk, status=Status.SNOOZED, snoozed_until__lte=now
        ).update(status=Status.OPEN, snoozed_until=None, updated_at=now)
        if claimed:
            woken += 1
            record_event(conversation, None, "woken")
    return woken


# --- assignment -----------------------------------------------------------------------------------


def _may_reply(workspace: Workspace) -> Q:
    roles = ACTIONS[INBOX_REPLY].roles
    return Q(memberships__workspace=workspace, memberships__role__in=roles)


def assignable_users(workspace: Workspace) -> list[Any]:
    """The members who may answer conversations: the people a conversation can be assigned to."""
    User = get_user_model()
    return list(
        User.objects.filter(_may_reply(workspace), is_active=True).order_by("first_name", "email")
    )


def assign(
    conversation: Conversation,
    *,
    user: Any = None,
    team: Team | None = None,
    actor: Any = None,
    keep_team: bool = False,
    checked: bool = False,
) -> Conversation:
    """Assign to ``user`` (a member who may reply) and/or ``team`` (of the workspace); None clears.
    With ``keep_team`` only the person changes. ``checked``: the caller chose ``user`` among those
    who may reply (automatic assignment) and already moved their turn."""
    workspace = conversation.workspace
    if (
        user is not None
        and not checked
        and not Membership.objects.filter(
            workspace=workspace, user=user, role__in=ACTIONS[INBOX_REPLY].roles
        ).exists()
    ):
        raise ActionError(_("This person cannot answer conversations in this workspace."))
    if team is not None and team.workspace_id != conversation.workspace_id:
        raise ActionError(_("This team is not one of this workspace's."))
    fields = ["assignee", "updated_at"]
    changed = conversation.assignee_id != (user.pk if user else None)
    conversation.assignee = user
    if not keep_team and conversation.team_id != (team.pk if team else None):
        conversation.team = team
        fields.append("team")
        changed = True
    if not changed:
        return conversation
    conversation.updated_at = timezone.now()
    conversation.save(update_fields=fields)
    if user is not None and not checked:
        Agent.objects.filter(workspace=workspace, user=user).update(
            last_assigned_at=conversation.updated_at
        )
    record_event(
        conversation,
        actor,
        "assigned",
        user=(user.get_full_name() or user.email) if user else "",
        team=team.name if team else "",
        automatic=actor is None,
    )
    return conversation


def take(conversation: Conversation, actor: Any) -> Conversation:
    return assign(conversation, user=actor, actor=actor, keep_team=True)


def set_available(workspace: Workspace, user: Any, available: bool) -> Agent:
    agent, _created = Agent.objects.get_or_create(
        workspace=workspace, user=user, defaults={"available": available}
    )
    if agent.available != available:
        agent.available = available
        agent.save(update_fields=["available"])
    return agent


def is_available(workspace: Workspace, user: Any) -> bool:
    agent = Agent.objects.filter(workspace=workspace, user=user).only("available").first()
    return agent is None or agent.available


def _candidates(workspace: Workspace, team: Team | None) -> list[int]:
    """Users who may reply, in ``team`` when given, available (no Agent row means available)."""
    users = get_user_model().objects.filter(_may_reply(workspace), is_active=True)
    if team is not None:
        users = users.filter(inbox_teams=team)
    ids = list(users.order_by("id").values_list("id", flat=True).distinct())
    away = set(
        Agent.objects.filter(workspace=workspace, user_id__in=ids, available=False).values_list(
            "user_id", flat=True
        )
    )
    return [pk for pk in ids if pk not in away]


def auto_assign(conversation: Conversation) -> Any:
    """Give an unassigned conversation to someone, by the workspace's setting (see
    :func:`auto_assign_many`). Returns the person, or None (off, nobody available)."""
    return auto_assign_many([conversation]).get(conversation.pk)


def auto_assign_many(conversations: Sequence[Conversation]) -> dict[int, Any]:
    """Give each unassigned conversation (of one workspace) to someone, by the workspace's setting:
    round-robin (the available member given a conversation longest ago) or least loaded (the fewest
    unresolved conversations; ties: longest ago). Returns {conversation id: person}.

    A turn is claimed with a conditional UPDATE of the member's ``last_assigned_at``: two processes
    assigning at once never both take the same turn."""
    todo = [c for c in conversations if c.assignee_id is None]
    if not todo:
        return {}
    workspace = todo[0].workspace
    config = settings_for(workspace)
    if config.auto_assign == InboxSettings.AutoAssign.OFF:
        return {}
    pools: dict[int | None, tuple[list[int], dict[int, Any]]] = {}
    given: dict[int, Any] = {}
    for conversation in todo:
        team_id = conversation.team_id or config.default_team_id
        if team_id not in pools:
            team = Team.objects.filter(pk=team_id).first() if team_id else None
            candidates = _candidates(workspace, team)
            Agent.objects.bulk_create(
                [Agent(workspace=workspace, user_id=pk) for pk in candidates], ignore_conflicts=True
            )
            users = get_user_model().objects.in_bulk(candidates)
            pools[team_id] = (candidates, users)
        candidates, users = pools[team_id]
        if not candidates:
            continue
        person = _claim_turn(workspace, config, candidates)
        if person is not None:
            assign(
                conversation, user=users[person], team=conversation.team, actor=None, checked=True
            )
            given[conversation.pk] = users[person]
    return given


def _claim_turn(workspace: Workspace, config: InboxSettings, candidates: list[int]) -> int | None:
    epoch = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    for _attempt in range(5):
        turn = dict(
            Agent.objects.filter(workspace=workspace, user_id__in=candidates).values_list(
                "user_id", "last_assigned_at"
            )
        )
        if config.auto_assign == InboxSettings.AutoAssign.LEAST_LOADED:
            loads = dict(
                Conversation.objects.filter(
                    workspace=workspace,
                    assignee_id__in=candidates,
                    status__in=(Status.NEW, Status.OPEN, Status.WAITING),
                )
                .values_list("assignee_id")
                .annotate(n=Count("id"))
            )
            order = sorted(turn, key=lambda pk: (loads.get(pk, 0), turn[pk] or epoch, pk))
        else:
            order = sorted(turn, key=lambda pk: (turn[pk] or epoch, pk))
        now = timezone.now()
        for pk in order:
            claimed = Agent.objects.filter(
                workspace=workspace, user_id=pk, last_assigned_at=turn[pk]
            ).update(last_assigned_at=now)
            if claimed:
                return pk
    return None


# --- labels and bulk actions ----------------------------------------------------------------------


def add_label(conversation: Conversation, label: Label, actor: Any) -> None:
    if label.workspace_id != conversation.workspace_id:
        raise ActionError(_("This label is not one of this workspace's."))
    if conversation.labels.filter(pk=label.pk).exists():
        return
    conversation.labels.add(label)
    record_event(conversation, actor, "labelled", label=label.name)


def remove_label(conversation: Conversation, label: Label, actor: Any) -> None:
    if conversation.labels.filter(pk=label.pk).exists():
        conversation.labels.remove(label)
        record_event(conversation, actor, "unlabelled", label=label.name)


BULK_ACTIONS = ("resolve", "open", "assign", "take", "label", "unassign")


@dataclass
class BulkResult:
    changed: int = 0
    refused: int = 0


def bulk(
    conversations: Iterable[Conversation],
    action: str,
    actor: Any,
    *,
    user: Any = None,
    label: Label | None = None,
) -> BulkResult:
    """Apply one action to many conversations (each in its own transaction: one refusal does not
    undo the others)."""
    if action not in BULK_ACTIONS:
        raise ActionError(_("Unknown action."))
    result = BulkResult()
    for conversation in conversations:
        try:
            with transaction.atomic():
                if action == "resolve":
                    set_status(conversation, Status.RESOLVED, actor)
                elif action == "open":
                    set_status(conversation, Status.OPEN, actor)
                elif action == "assign":
                    assign(conversation, user=user, actor=actor, keep_team=True)
                elif action == "unassign":
                    assign(conversation, user=None, actor=actor, keep_team=True)
                elif action == "take":
                    take(conversation, actor)
                elif action == "label" and label is not None:
                    add_label(conversation, label, actor)
            result.changed += 1
        except ActionError:
            result.refused += 1
    return result


# --- presence -------------------------------------------------------------------------------------


def touch_presence(conversation: Conversation, user: Any, *, replying: bool = False) -> None:
    """``user`` has the conversation open (and is writing a reply when ``replying``), now."""
    now = timezone.now()
    updated = Presence.objects.filter(conversation=conversation, user=user).update(
        seen_at=now, replying=replying
    )
    if not updated:
        try:
            with transaction.atomic():
                Presence.objects.create(
                    workspace_id=conversation.workspace_id,
                    conversation=conversation,
                    user=user,
                    replying=replying,
                    seen_at=now,
                )
        except IntegrityError:  # the same person's other tab made it meanwhile
            Presence.objects.filter(conversation=conversation, user=user).update(
                seen_at=now, replying=replying
            )


def leave(conversation: Conversation, user: Any) -> None:
    Presence.objects.filter(conversation=conversation, user=user).delete()


def present(conversation: Conversation, user: Any) -> list[Presence]:
    """The others who have the conversation open now, writers first."""
    since = timezone.now() - PRESENCE_TTL
    return list(
        Presence.objects.filter(conversation=conversation, seen_at__gte=since)
        .exclude(user=user)
        .select_related("user")
        .order_by("-replying", "user__first_name")
    )


def forget_presences(now: datetime | None = None) -> int:
    """Delete presences gone for a minute (the table stays small)."""
    now = now or timezone.now()
    deleted, _rows = Presence.objects.filter(seen_at__lt=now - timedelta(minutes=1)).delete()
    return deleted


# --- priority over time ---------------------------------------------------------------------------


def refresh_priorities(now: datetime | None = None, *, batch: int = 2000) -> int:
    """Recompute the priority of conversations someone waits on (waiting time raises it); the
    others do not change with time. Returns how many changed."""
    now = now or timezone.now()
    changed = 0
    last = 0
    while True:
        rows = list(
            Conversation.objects.filter(
                id__gt=last, waiting_since__isnull=False, status__in=(Status.NEW, Status.OPEN)
            )
            .order_by("id")
            .only(
                "id", "intent", "sentiment", "contact_followers", "contact_history",
                "waiting_since", "priority",
            )[:batch]
        )  # fmt: skip
        if not rows:
            return changed
        for conversation in rows:
            before = conversation.priority
            _reprioritise(conversation, now)
            if conversation.priority != before:
                Conversation.objects.filter(id=conversation.pk).update(
                    priority=conversation.priority
                )
                changed += 1
        last = rows[-1].pk
