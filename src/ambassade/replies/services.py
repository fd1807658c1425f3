"""Every write of the replies (docs/inbox.md, "Replying").

- :func:`check` — the network's rules for a reply (``engine.publishing``: length as the network
  counts it, mentions, hashtags…), for the composer's live counter and before anything is saved.
- :func:`submit` — a reply written in the composer: checked, then either waiting for approval (the
  author's role needs it) or handed to the outbox, which sends it exactly once
  (:mod:`ambassade.replies.outbox`). Two people answering the same state of a conversation make one
  reply: the second gets :class:`ReplyError` saying so.
- :func:`approve`, :func:`reject`, :func:`withdraw`, :func:`retry`.
- :func:`add_note` — an internal note; the colleagues it ``@mentions`` are notified.
- :func:`saved_replies_for` — the saved replies filled for a conversation, in its language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from ambassade.connectors.responders import UnknownResponder, get_responder
from ambassade.engine import publishing as rules
from ambassade.inbox import services as inbox_services
from ambassade.inbox.models import Channel, Conversation, Message
from ambassade.inbox.permissions import INBOX_REPLY
from ambassade.publishing import accounts
from ambassade.publishing.messages import problem_coded
from ambassade.publishing.outbox import engine
from ambassade.replies import variables
from ambassade.replies.models import (
    WAITING,
    Reply,
    ReplySettings,
    ReplyStatus,
    SavedReply,
)
from ambassade.replies.outbox import REPLIES, capability_of
from ambassade.replies.permissions import REPLIES_APPROVE
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Connection, Membership, Workspace
from ambassade.workspaces.networks import network_label
from ambassade.workspaces.permissions import ACTIONS, membership_for

__all__ = [
    "Check",
    "ReplyError",
    "add_note",
    "approve",
    "check",
    "mentionable",
    "needs_approval",
    "queue_automatic",
    "reject",
    "reply_accounts",
    "retry",
    "saved_replies_for",
    "settings_for",
    "submit",
    "withdraw",
]

#: Networks whose replies engine.publishing does not know, and their limit (code points).
OTHER_LIMITS = {"youtube": 10_000, "email": 100_000}


class ReplyError(Exception):
    """The reply cannot be done. ``message`` says why with a code (replies/messages.py), so that
    whoever stores it (moderation's "not sent") words it later in its reader's language;
    ``str(error)`` words it in the active language."""

    def __init__(self, message: StoredMessage) -> None:
        super().__init__(message.text or message.code)
        self.message = message

    def __str__(self) -> str:
        return self.message.words()


def settings_for(workspace: Workspace) -> ReplySettings:
    found, _created = ReplySettings.objects.get_or_create(workspace=workspace)
    return found


# --- where a reply goes -------------------------------------------------------------------------


def can_answer(network: str, private: bool) -> bool:
    """Whether Ambassade can answer on ``network`` (its responder declares the capability)."""
    try:
        cls = get_responder(network)
    except UnknownResponder:
        return False
    return capability_of(private) in cls.capabilities


def reply_accounts(conversation: Conversation) -> list[Connection]:
    """The accounts a reply to ``conversation`` can go out from: its own account, else the
    workspace's accounts on its network."""
    if conversation.connection_id is not None:
        return [conversation.connection] if conversation.connection else []
    return list(
        Connection.objects.filter(
            workspace_id=conversation.workspace_id, network=conversation.network
        ).order_by("account_name")
    )


def _answered(conversation: Conversation) -> Message | None:
    """The person's latest message the network knows (its id): what a reply answers."""
    return (
        conversation.messages.filter(direction=Message.Direction.INBOUND)
        .exclude(external_id="")
        .order_by("-created_at", "-id")
        .first()
    )


# --- the network's rules ----------------------------------------------------------------------------


@dataclass
class Check:
    """A reply measured for its network: ``length`` of ``limit`` (None when the network has no
    rule Ambassade knows), and the problems (``errors`` stop the sending)."""

    length: int = 0
    limit: int | None = None
    errors: list[StoredMessage] = field(default_factory=list)
    warnings: list[StoredMessage] = field(default_factory=list)

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else self.limit - self.length


#: Post rules that do not apply to a reply (a comment needs no medium; Reddit's comment no title).
_NOT_FOR_REPLIES = frozenset({"empty", "media_required", "title_required", "title_too_long"})


def check(network: str, text: str, connection: Connection | None = None) -> Check:
    """The network's rules for a reply of ``text`` (empty text is not an error yet: the submit
    refuses it)."""
    result = Check()
    if network in set(rules.Network):
        limits = accounts.limits_for(connection) if connection is not None else None
        measured = rules.measure(network, text, limits)
        result.length, result.limit = measured.length, measured.limit
        title = {"title": "-"} if network == rules.Network.REDDIT else {}
        for problem in rules.validate(network, text, (), limits, **title):  # type: ignore[arg-type]
            if problem.code in _NOT_FOR_REPLIES:
                continue
            target = result.errors if problem.severity == rules.Severity.ERROR else result.warnings
            target.append(problem_coded(problem))
        return result
    result.length = len(text)
    result.limit = OTHER_LIMITS.get(network)
    if result.limit is not None and result.length > result.limit:
        result.errors.append(
            coded(
                "replies.too_long",
                length=result.length,
                limit=result.limit,
                network=network_label(network),
            )
        )
    return result


# --- approval ---------------------------------------------------------------------------------------


def needs_approval(workspace: Workspace, user: Any) -> bool:
    """Whether ``user``'s replies in ``workspace`` wait for an approver (their role is listed)."""
    membership = membership_for(user, workspace)
    if membership is None:
        return True
    return membership.role in set(settings_for(workspace).approval_roles or [])


def _approvers(workspace: Workspace) -> list[int]:
    return list(
        Membership.objects.filter(
            workspace=workspace, role__in=ACTIONS[REPLIES_APPROVE].roles, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def _notify(workspace: Workspace, users: Iterable[int], title: Any, link: str, **kw: Any) -> int:
    if not apps.is_installed("ambassade.crisis"):
        return 0
    from ambassade.crisis import services as crisis

    return int(crisis.notify_people(workspace, users, title, link=link, **kw))


def _link(conversation: Conversation) -> str:
    return reverse(
        "inbox:conversation",
        kwargs={"workspace_slug": conversation.workspace.slug, "conversation_id": conversation.pk},
    )


# --- submitting ---------------------------------------------------------------------------------------


def last_sequence(conversation: Conversation) -> int:
    """The sequence of the conversation's latest reply (0 when none): what the composer was
    written after, sent back with the form."""
    found = Reply.objects.filter(conversation=conversation).aggregate(top=Max("sequence"))["top"]
    return int(found or 0)


@dataclass(frozen=True)
class _Destination:
    """Where a reply to a conversation goes, as the outbox needs it."""

    connection: Connection
    private: bool
    in_reply_to: str
    recipient: str
    thread_ref: str
    subject: str


def _destination(
    conversation: Conversation, text: str, connection: Connection | None
) -> _Destination:
    """Check that ``text`` can answer ``conversation`` from ``connection`` (the only account when
    None); raises :class:`ReplyError` saying why not."""
    private = conversation.channel in Channel.private()
    network = conversation.network
    if not can_answer(network, private):
        raise ReplyError(coded("replies.cannot_answer", network=network_label(network)))
    choices = reply_accounts(conversation)
    if connection is None:
        connection = choices[0] if len(choices) == 1 else None
    if connection is None or connection.pk not in {c.pk for c in choices}:
        raise ReplyError(coded("replies.choose_account"))
    checked = check(network, text, connection)
    if checked.errors:
        if len(checked.errors) == 1:
            raise ReplyError(checked.errors[0])
        raise ReplyError(coded("replies.against_rules", problems=checked.errors))
    answered = _answered(conversation)
    recipient = conversation.contact_external_id or conversation.contact_handle
    if private and not recipient:
        raise ReplyError(coded("replies.no_address"))
    if not private and answered is None:
        raise ReplyError(coded("replies.nothing_to_answer"))
    thread_ref = conversation.thread_key
    if thread_ref.startswith(("from:", "message:")) or network == "email":
        thread_ref = ""
    subject = conversation.subject
    if network == "email" and subject and not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    return _Destination(
        connection=connection,
        private=private,
        in_reply_to=answered.external_id if answered is not None else "",
        recipient=recipient[:255],
        thread_ref=thread_ref[:255],
        subject=subject[:300],
    )


def submit(
    conversation: Conversation,
    *,
    text: str,
    author: Any,
    seen: int,
    connection: Connection | None = None,
) -> Reply:
    """A reply written after the conversation's reply ``seen`` (:func:`last_sequence` when the
    composer was shown). Raises :class:`ReplyError`, with nothing saved, when it cannot go."""
    text = text.strip()
    if not text:
        raise ReplyError(coded("replies.empty"))
    where = _destination(conversation, text, connection)
    waits = needs_approval(conversation.workspace, author)
    now = timezone.now()
    reply = Reply(
        workspace_id=conversation.workspace_id,
        conversation=conversation,
        connection=where.connection,
        author=author,
        text=text,
        private=where.private,
        in_reply_to=where.in_reply_to,
        recipient=where.recipient,
        thread_ref=where.thread_ref,
        subject=where.subject,
        sequence=max(0, seen) + 1,
        status=ReplyStatus.PENDING_APPROVAL if waits else ReplyStatus.SCHEDULED,
        due_at=None if waits else now,
        created_at=now,
    )
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        raise ReplyError(coded("replies.answered_meanwhile")) from None
    inbox_services.record_event(
        conversation, author, "reply_pending" if waits else "reply_submitted"
    )
    if waits:
        _notify(
            conversation.workspace,
            set(_approvers(conversation.workspace)) - {author.pk},
            coded(
                "replies.awaiting",
                author=person_name(author),
                person=conversation.contact_display or "?",
            ),
            _link(conversation),
        )
    return reply


def queue_automatic(conversation: Conversation, text: str) -> Reply | None:
    """A reply Ambassade sends on its own (the satisfaction question a manager turned on): no
    author, no approval, handed to the outbox at once, which sends it exactly once like any reply.
    None when it cannot go from Ambassade (the network cannot be answered from here, no single
    account, the person's address unknown, the network's rules refuse the text): the caller then
    leaves it to a person. Call it inside the transaction that records why it is sent, so that a
    crash keeps both or neither."""
    text = text.strip()
    try:
        where = _destination(conversation, text, None)
    except ReplyError:
        return None
    now = timezone.now()
    for _attempt in range(5):  # someone answering at the same moment takes the sequence: next one
        reply = Reply(
            workspace_id=conversation.workspace_id,
            conversation=conversation,
            connection=where.connection,
            author=None,
            text=text,
            private=where.private,
            in_reply_to=where.in_reply_to,
            recipient=where.recipient,
            thread_ref=where.thread_ref,
            subject=where.subject,
            sequence=last_sequence(conversation) + 1,
            status=ReplyStatus.SCHEDULED,
            due_at=now,
            created_at=now,
        )
        try:
            with transaction.atomic():
                reply.save()
        except IntegrityError:
            continue
        return reply
    return None


def person_name(user: Any) -> str:
    if user is None:
        return "?"
    return (user.get_full_name() or "").strip() or user.email


def approve(reply: Reply, approver: Any) -> Reply:
    """An approver lets a waiting reply go: the outbox sends it now."""
    if reply.author_id == approver.pk:
        raise ReplyError(coded("replies.own_approval"))
    now = timezone.now()
    changed = Reply.objects.filter(id=reply.id, status=ReplyStatus.PENDING_APPROVAL).update(
        status=ReplyStatus.SCHEDULED, due_at=now, reviewed_by=approver, reviewed_at=now
    )
    if not changed:
        raise ReplyError(coded("replies.not_waiting"))
    inbox_services.record_event(reply.conversation, approver, "reply_approved")
    reply.refresh_from_db()
    return reply


def reject(reply: Reply, approver: Any, note: str) -> Reply:
    note = note.strip()[:500]
    if not note:
        raise ReplyError(coded("replies.say_why"))
    now = timezone.now()
    changed = Reply.objects.filter(id=reply.id, status=ReplyStatus.PENDING_APPROVAL).update(
        status=ReplyStatus.REJECTED, reviewed_by=approver, reviewed_at=now, review_note=note
    )
    if not changed:
        raise ReplyError(coded("replies.not_waiting"))
    conversation = reply.conversation
    inbox_services.record_event(conversation, approver, "reply_rejected")
    if reply.author_id and reply.author_id != approver.pk:
        _notify(
            conversation.workspace,
            [reply.author_id],
            coded("replies.rejected", person=conversation.contact_display or "?"),
            _link(conversation),
            body=note,
        )
    reply.refresh_from_db()
    return reply


def withdraw(reply: Reply, actor: Any) -> Reply:
    """The author (or an approver) takes back a reply that still waits for approval."""
    if not Reply.objects.filter(id=reply.id, status=ReplyStatus.PENDING_APPROVAL).update(
        status=ReplyStatus.CANCELLED
    ):
        raise ReplyError(coded("replies.not_withdrawable"))
    reply.refresh_from_db()
    return reply


def retry(reply: Reply, actor: Any) -> Reply:
    """Send a failed reply again (a new attempt, with a new key)."""
    if not engine.retry(REPLIES, reply.id, timezone.now()):
        raise ReplyError(coded("replies.not_failed"))
    reply.refresh_from_db()
    return reply


def waiting(conversation: Conversation) -> list[Reply]:
    """The conversation's replies not sent yet, failed or rejected, for the composer to show."""
    return list(
        Reply.objects.filter(conversation=conversation)
        .filter(
            status__in=[*WAITING, ReplyStatus.FAILED, ReplyStatus.REJECTED],
        )
        .select_related("author", "reviewed_by", "connection")
        .order_by("sequence")
    )


# --- notes ------------------------------------------------------------------------------------------

_MENTION = re.compile(r"(?<![\w@])@([\w.\-]+)")


def mention_token(user: Any, *, whole: bool = False) -> str:
    """How a colleague is written in a note after ``@``: their first name (their whole name without
    spaces when ``whole``: two colleagues share the first name), else the start of their e-mail
    address."""
    words = (user.first_name or "").split()
    name = "".join(words) if whole else (words[0] if words else "")
    return name or user.email.split("@", 1)[0]


def mentionable(workspace: Workspace) -> list[tuple[str, Any]]:
    """(token, user) of each member who can read the inbox, by token."""
    from ambassade.inbox.permissions import INBOX_VIEW

    users = [
        m.user
        for m in Membership.objects.filter(
            workspace=workspace, role__in=ACTIONS[INBOX_VIEW].roles, user__is_active=True
        ).select_related("user")
    ]
    short = [mention_token(u).lower() for u in users]
    found = [(mention_token(u, whole=short.count(mention_token(u).lower()) > 1), u) for u in users]
    return sorted(found, key=lambda t: t[0].lower())


def mentioned(workspace: Workspace, text: str) -> list[Any]:
    """The members ``text`` mentions (``@token``, case-insensitive, or ``@`` their whole e-mail)."""
    tokens = {t.lower().rstrip(".-") for t in _MENTION.findall(text)}
    if not tokens:
        return []
    found = []
    for token, user in mentionable(workspace):
        if token.lower() in tokens or user.email.lower() in tokens:
            found.append(user)
    return found


def add_note(conversation: Conversation, *, text: str, author: Any) -> tuple[Message, list[Any]]:
    """An internal note; the colleagues it mentions (not the author) are notified. Returns the note
    and who was notified."""
    try:
        note = inbox_services.add_note(conversation, text=text.strip(), sender=author)
    except inbox_services.ActionError as error:
        # Shown at once to the person who wrote the note, never stored.
        raise ReplyError(StoredMessage(text=str(error))) from None
    people = [u for u in mentioned(conversation.workspace, text) if u.pk != author.pk]
    if people:
        _notify(
            conversation.workspace,
            [u.pk for u in people],
            coded(
                "replies.mentioned",
                author=person_name(author),
                person=conversation.contact_display or "?",
            ),
            _link(conversation) + f"#message-{note.pk}",
            body=text.strip()[:300],
        )
    return note, people


# --- saved replies ------------------------------------------------------------------------------------


@dataclass
class FilledReply:
    saved: SavedReply
    text: str
    missing: list[str]


def saved_replies_for(conversation: Conversation, agent: Any) -> list[FilledReply]:
    """Every saved reply of the workspace, in the conversation's language, its variables filled."""
    values = variables.values_for(conversation, agent)
    found = []
    for saved in SavedReply.objects.filter(workspace_id=conversation.workspace_id):
        text, missing = variables.fill(saved.text_for(conversation.lang), values)
        found.append(FilledReply(saved, text, missing))
    return found


def may_reply(user: Any, workspace: Workspace) -> bool:
    from ambassade.workspaces.permissions import can

    return can(user, workspace, INBOX_REPLY)
