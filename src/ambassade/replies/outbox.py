"""Replies in the outbox: a :class:`~ambassade.publishing.outbox.kind.Kind` of the shared
exactly-once engine (``publishing.outbox.engine``), as posts are.

What is particular to replies lives here: a public answer goes out through the network's
``Replier.reply``, a private one through ``Messenger.send_message``; an unknown outcome is settled
by ``find_reply`` / ``find_message`` (the account's answers to the same message since the attempt),
a candidate counting as the reply when its text contains the reply's (networks add the person's
``@handle`` in front); the network deduplicates our key for as long as the responder's
``key_window`` says. The claims, heartbeats, deadlines, keys, back-off, reconciliation's timing and
the crisis hold are the engine's, shared with posts.

Once the network took it, the reply becomes the conversation's outbound message
(:func:`record_message`): in the same step when the worker lives, else by the next periodic run
(:func:`record_unrecorded`), so a reply sent is never missing from its thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ambassade.connectors.base import (
    AuthExpired,
    Capability,
    ConnectorError,
    DirectMessage,
    Published,
)
from ambassade.connectors.base import Reply as ReplyDraft
from ambassade.connectors.http import HttpClient
from ambassade.connectors.publishers import UnknownPublisher
from ambassade.connectors.responders import UnknownResponder, get_responder
from ambassade.inbox import services as inbox_services
from ambassade.inbox.models import Message
from ambassade.publishing import accounts
from ambassade.publishing.outbox import engine
from ambassade.publishing.outbox.kind import Ask, Call, Finding, Found, NotFound, comparable
from ambassade.replies import signals
from ambassade.replies.models import Reply, ReplyAttempt, ReplyStatus
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Connection
from ambassade.workspaces.networks import network_name

__all__ = [
    "REPLIES",
    "ReplyKind",
    "capability_of",
    "default_responder",
    "reconcile_reply",
    "record_message",
    "record_unrecorded",
    "run_outbox",
    "send_reply",
]

log = logging.getLogger(__name__)

ResponderFactory = Callable[[Connection], Any]


def capability_of(private: bool) -> Capability:
    return Capability.DIRECT_MESSAGES if private else Capability.REPLY


def default_responder(connection: Connection) -> Any:
    """The connector that answers on the connection's network (``connectors.responders``)."""
    try:
        cls = get_responder(connection.network)
    except UnknownResponder as error:
        raise UnknownPublisher(str(error)) from None
    return cls(HttpClient())


def _class_window(network: str, private: bool) -> int:
    try:
        return int(get_responder(network)().key_window(capability_of(private)))
    except (UnknownResponder, TypeError):
        return 0


class ReplyCall(Call):
    """A reply's access to the network: whether and how long it deduplicates our key is the
    responder's ``key_window`` for the capability used."""

    def __init__(self, *args: Any, capability: Capability, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.capability = capability

    def _window(self) -> int:
        tells = getattr(self.publisher, "key_window", None)
        if not callable(tells):
            return 0
        return int(tells(self.capability, self.credentials) or 0)

    def deduplicates(self) -> bool:
        return self._window() > 0

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self._window())


def _draft(item: Reply) -> ReplyDraft | DirectMessage:
    if item.private:
        return DirectMessage(
            recipient=item.recipient,
            text=item.text,
            idempotency_key=item.idempotency_key,
            conversation_id=item.thread_ref,
            in_reply_to=item.in_reply_to,
            subject=item.subject,
        )
    return ReplyDraft(
        in_reply_to=item.in_reply_to, text=item.text, idempotency_key=item.idempotency_key
    )


def _is_the_reply(sent: str, found: str) -> bool:
    a, b = comparable(sent), comparable(found)
    return bool(a) and (a == b or a in b)


class ReplyKind(engine.Kind):
    model = Reply
    log_model = ReplyAttempt
    log_key = "reply"
    claim_fields = ("connection__network", "private")

    def load(self, item_id: int) -> Reply:
        return Reply.objects.select_related(
            "connection", "conversation", "workspace", "author"
        ).get(id=item_id)

    def claim_terms(self, row: Mapping[str, Any]) -> tuple[timedelta, bool]:
        return engine.PUBLISH_DEADLINE, _class_window(
            row["connection__network"], row["private"]
        ) > 0

    def refusal(self, item: Reply) -> StoredMessage | None:
        connection = item.connection
        if connection.status == Connection.Status.NEEDS_RECONNECTION:
            return self.reconnect_message(item, connection.last_error or "401")
        return None

    def attempt_deadline(self, item: Reply) -> timedelta:
        return engine.PUBLISH_DEADLINE

    def open(self, item: Reply, publisher_factory: Any, *, lenient: bool = False) -> Call:
        connection = item.connection
        owned = publisher_factory is None
        try:
            responder = (publisher_factory or default_responder)(connection)
        except UnknownPublisher:
            if not lenient:
                raise
            responder = None
        if responder is not None and not _can(responder, item.private):
            if not lenient:
                raise UnknownPublisher(connection.network)
            responder = None

        def release(responder: Any) -> None:
            if owned:
                accounts.close(responder)

        def close(responder: Any) -> None:
            accounts.save_refreshed(connection, responder)
            release(responder)

        try:
            credentials = accounts.credentials(connection)
        except BaseException:
            if responder is not None:
                close(responder)
            raise
        return ReplyCall(
            responder,
            credentials,
            owned=owned,
            on_close=close,
            on_release=release,
            capability=capability_of(item.private),
        )

    def send(self, item: Reply, call: Call, attempts: int) -> Published:
        draft = _draft(item)
        if isinstance(draft, DirectMessage):
            published: Published = call.publisher.send_message(call.credentials, draft)
        else:
            published = call.publisher.reply(call.credentials, draft)
        # Listening knows the reply by this id (Mastodon's differs from the API's).
        item._listening_id = published.item_id or published.external_id  # type: ignore[attr-defined]
        return published

    def before_reading(self, item: Reply, call: Call) -> Finding | None:
        if not comparable(item.text):
            return Ask(coded("replies.no_words"))
        return None

    def find(self, item: Reply, call: Call, started: datetime, now: datetime) -> Finding:
        since = started - engine.RECONCILE_MARGIN
        draft = _draft(item)
        if isinstance(draft, DirectMessage):
            found = call.publisher.find_message(call.credentials, draft, since)
        else:
            found = call.publisher.find_reply(call.credentials, draft, since)
        taken = set(
            Reply.objects.filter(conversation_id=item.conversation_id)
            .exclude(id=item.id)
            .exclude(remote_id="")
            .values_list("remote_id", flat=True)
        )
        for candidate in found:
            if candidate.external_id in taken:
                continue
            if _is_the_reply(item.text, candidate.text):
                item._listening_id = candidate.external_id  # type: ignore[attr-defined]
                return Found(candidate, candidate.url)
        return NotFound()

    def cannot_read(self, item: Reply) -> StoredMessage:
        return coded("replies.cannot_read", network=network_name(item.connection.network))

    def reconnect_message(self, item: Reply, error: Any) -> StoredMessage:
        return coded(
            "replies.reconnect",
            account=item.connection.account_name,
            reason=StoredMessage.of(error),
        )

    def unsupported_message(self, item: Reply) -> StoredMessage:
        return coded("replies.unsupported", network=network_name(item.connection.network))

    def refused_message(self, item: Reply, error: ConnectorError) -> StoredMessage:
        return coded(
            "replies.refused",
            network=network_name(item.connection.network),
            reason=StoredMessage.of(error),
        )

    def gave_up_message(self, item: Reply, error: ConnectorError) -> StoredMessage:
        return coded(
            "replies.gave_up",
            network=network_name(item.connection.network),
            count=engine.MAX_ATTEMPTS,
            reason=StoredMessage.of(error),
        )

    def check_refused_message(self, item: Reply, error: ConnectorError) -> StoredMessage:
        return coded(
            "replies.check_refused",
            account=item.connection.account_name,
            reason=StoredMessage.of(error),
        )

    def ask_message(self, item: Reply, reason: Any) -> StoredMessage:
        return coded(
            "replies.ask",
            account=item.connection.account_name,
            network=network_name(item.connection.network),
            reason=StoredMessage.of(reason),
        )

    def needs_reconnection(self, item: Reply, error: AuthExpired) -> None:
        workspace_services.mark_needs_reconnection(item.connection_id, error)

    def same_limit(self, item: Reply) -> Q:
        return Q(connection_id=item.connection_id)

    def published(self, item: Reply, url: str) -> None:
        record_message(item.id, listening_id=getattr(item, "_listening_id", ""))

    def failed(self, item: Reply, message: Any) -> None:
        _notify_failed(item, message)
        signals.reply_failed.send(sender=Reply, reply=item, error=message)


REPLIES = ReplyKind()


def _can(responder: Any, private: bool) -> bool:
    capabilities = getattr(responder, "capabilities", None)
    if capabilities is None:  # a stand-in without declarations: what it has decides
        return callable(getattr(responder, "send_message" if private else "reply", None))
    return capability_of(private) in capabilities


def _notify_failed(item: Reply, message: Any) -> None:
    from django.apps import apps

    conversation = item.conversation
    # An automatic reply (no author) is the business of whoever has the conversation.
    person = item.author_id or conversation.assignee_id
    if not apps.is_installed("ambassade.crisis") or person is None:
        return
    from ambassade.crisis import services as crisis

    crisis.notify_people(
        item.workspace,
        [person],
        coded(
            "replies.failed",
            person=conversation.contact_display or "?",
            network=network_name(conversation.network),
        ),
        body=message,
        severity="high",
        link=reverse(
            "inbox:conversation",
            kwargs={"workspace_slug": item.workspace.slug, "conversation_id": conversation.pk},
        ),
    )


# --- the reply in its thread ----------------------------------------------------------------------


def record_message(reply_id: int, *, listening_id: str = "") -> Message | None:
    """Make the sent reply the conversation's outbound message, once. When listening already heard
    it (the brand's own reply, with the same id), that message becomes this reply's."""
    with transaction.atomic():
        reply = (
            Reply.objects.select_for_update()
            .select_related("conversation")
            .filter(id=reply_id, status=ReplyStatus.PUBLISHED, message__isnull=True)
            .first()
        )
        if reply is None:
            return None
        conversation = reply.conversation
        external_id = (listening_id or reply.remote_id)[:255]
        heard = (
            Message.objects.filter(
                workspace_id=reply.workspace_id,
                network=conversation.network,
                external_id=external_id,
            ).first()
            if external_id
            else None
        )
        if heard is not None:
            Message.objects.filter(id=heard.id).update(
                origin=Message.Origin.AMBASSADE, sender=reply.author_id
            )
            message = heard
        else:
            try:
                with transaction.atomic():
                    message = inbox_services.record_outbound(
                        conversation,
                        text=reply.text,
                        sender=reply.author,
                        external_id=external_id,
                        url=reply.remote_url,
                        created_at=reply.published_at or timezone.now(),
                    )
            except IntegrityError:  # heard by listening in between: link that one
                message = Message.objects.get(
                    workspace_id=reply.workspace_id,
                    network=conversation.network,
                    external_id=external_id,
                )
        Reply.objects.filter(id=reply.id).update(message=message)
        reply.message = message
        signals.reply_recorded.send(sender=Reply, reply=reply, message=message)
        return message


def record_unrecorded(limit: int = 200) -> int:
    """Sent replies whose worker died before they joined their thread."""
    ids = list(
        Reply.objects.filter(status=ReplyStatus.PUBLISHED, message__isnull=True).values_list(
            "id", flat=True
        )[:limit]
    )
    return sum(record_message(reply_id) is not None for reply_id in ids)


# --- the outbox's vocabulary for replies ----------------------------------------------------------


def send_reply(
    reply_id: int,
    *,
    now: datetime | None = None,
    responder_factory: ResponderFactory | None = None,
    on_claim: Callable[[int], Any] | None = None,
) -> str:
    """Send one due reply at most once (:func:`engine.publish`)."""
    return engine.publish(
        REPLIES, reply_id, now=now, publisher_factory=responder_factory, on_claim=on_claim
    )


def reconcile_reply(
    reply_id: int,
    *,
    now: datetime | None = None,
    responder_factory: ResponderFactory | None = None,
) -> str:
    """Settle a reply whose last call has an unknown outcome, reading the network first."""
    return engine.reconcile(REPLIES, reply_id, now=now, publisher_factory=responder_factory)


def run_outbox(
    now: datetime | None = None,
    *,
    send_at: Callable[[int, datetime], Any] | None = None,
    reconcile_at: Callable[[int, datetime], Any] | None = None,
    responder_factory: ResponderFactory | None = None,
) -> dict[str, int]:
    """One pass: dead claims become unknown, unknowns are reconciled and due replies sent (or, with
    ``send_at``/``reconcile_at``, enqueued at their time), sent replies missing from their thread
    recorded."""
    now = now or timezone.now()
    stuck = engine.expire_stuck(REPLIES, now)
    if reconcile_at is not None:
        unknown = engine.upcoming_unknown(REPLIES, now)
        for reply_id, at in unknown:
            reconcile_at(reply_id, at)
    else:
        unknown = [(i, now) for i in engine.unknown_ids(REPLIES, now)]
        for reply_id, _at in unknown:
            reconcile_reply(reply_id, now=now, responder_factory=responder_factory)
    if send_at is not None:
        due = engine.upcoming_due(REPLIES, now)
        for reply_id, at in due:
            send_at(reply_id, at)
    else:
        due = [(i, now) for i in engine.due_ids(REPLIES, now)]
        for reply_id, _at in due:
            send_reply(reply_id, now=now, responder_factory=responder_factory)
    recorded = record_unrecorded()
    return {"stuck": stuck, "reconciled": len(unknown), "due": len(due), "recorded": recorded}
