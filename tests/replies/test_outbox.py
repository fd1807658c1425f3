"""A reply goes out exactly once through the shared outbox engine, whatever the moment its worker
dies or the network fails, on a network that deduplicates our key and on one that does not; an
unknown outcome is settled by reading the network (find_reply / find_message) before any retry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from ambassade.connectors.base import ConnectorError
from ambassade.inbox.models import Message
from ambassade.publishing.outbox import engine
from ambassade.replies import outbox, services
from ambassade.replies.models import Reply, ReplyAttempt, ReplyStatus
from tests.replies.conftest import NOW, Killed, Network, Responder, conversation_with, factory

pytestmark = pytest.mark.django_db


def _submit(conversation: Any, personas: Any, text: str = "Bonjour Ana, on rembourse.") -> Reply:
    reply = services.submit(conversation, text=text, author=personas.bob, seen=0)
    Reply.objects.filter(id=reply.id).update(due_at=NOW)
    return reply


def _keys(monkeypatch: Any, deduplicates: bool) -> None:
    """The claim's first guess comes from the responder's class."""
    monkeypatch.setattr(outbox, "_class_window", lambda network, private: 3600 * deduplicates)


def _recover(reply_id: int, network: Network, clock: list[datetime]) -> datetime:
    """The replies' outbox, second by second, with healthy workers, until the reply is settled."""
    for _second in range(300):
        clock[0] += timedelta(seconds=1)
        outbox.run_outbox(clock[0], responder_factory=factory(network, clock))
        if Reply.objects.get(id=reply_id).status in (ReplyStatus.PUBLISHED, ReplyStatus.FAILED):
            return clock[0]
    raise AssertionError("never settled")


CRASH_POINTS = ["before", "in_flight", "during", "after_answer"]


@pytest.mark.parametrize("deduplicates", [True, False], ids=["with-keys", "without-keys"])
@pytest.mark.parametrize("crash", CRASH_POINTS)
@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
def test_a_reply_goes_out_once_whatever_the_moment_the_worker_dies(
    personas: Any, monkeypatch: Any, crash: str, deduplicates: bool, private: bool
) -> None:
    conversation = conversation_with(personas, private=private)
    reply = _submit(conversation, personas)
    _keys(monkeypatch, deduplicates)
    network = Network(deduplicates=deduplicates)
    clock = [NOW]
    if crash == "after_answer":

        def dies(*args: Any, **kwargs: Any) -> bool:
            raise Killed

        monkeypatch.setattr(engine, "mark_published", dies)
    point = crash if crash != "after_answer" else ""
    with pytest.raises(Killed):
        outbox.send_reply(reply.id, now=NOW, responder_factory=factory(network, clock, point))
    monkeypatch.undo()
    _keys(monkeypatch, deduplicates)
    _recover(reply.id, network, clock)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED
    # "before": nothing reached the network and the recovery sends it; otherwise it is found or
    # deduplicated: one answer on the network in every case.
    assert len(network.answers) == 1, network.answers
    # In its thread once, as the brand's answer written in Ambassade.
    outbound = Message.objects.filter(conversation=conversation, direction="outbound")
    assert outbound.count() == 1
    message = outbound.get()
    assert (message.origin, message.sender, message.text) == ("ambassade", personas.bob, reply.text)
    assert reply.message_id == message.id
    conversation.refresh_from_db()
    assert conversation.first_response_at is not None and conversation.waiting_since is None
    if not deduplicates and crash in ("in_flight", "during", "after_answer"):
        # Read only once no request of the dead attempt can still land; found, not resent.
        assert network.reads[0] >= NOW + engine.PUBLISH_DEADLINE + engine.RECONCILE_DELAY
        assert ReplyAttempt.objects.filter(reply=reply, outcome="found").exists()


def test_a_rate_limit_waits_and_a_permanent_refusal_fails_and_notifies(
    conversation: Any, personas: Any
) -> None:
    from ambassade.crisis.models import Notification

    class Refuses(Responder):
        def __init__(self, error: ConnectorError) -> None:
            super().__init__(Network(False), [NOW])
            self.error = error

        def reply(self, credentials: Any, reply: Any) -> Any:
            raise self.error

    reply = _submit(conversation, personas)
    limited = ConnectorError("Too many requests", retry_after=120)
    assert (
        outbox.send_reply(reply.id, now=NOW, responder_factory=lambda c: Refuses(limited))
        == "scheduled"
    )
    reply.refresh_from_db()
    assert reply.due_at == NOW + timedelta(seconds=120)
    later = NOW + timedelta(seconds=121)
    refused = ConnectorError("Status is too long", permanent=True)
    assert (
        outbox.send_reply(reply.id, now=later, responder_factory=lambda c: Refuses(refused))
        == "failed"
    )
    reply.refresh_from_db()
    assert "Status is too long" in str(reply.error)
    assert not Message.objects.filter(direction="outbound").exists()
    assert Notification.objects.filter(user=personas.bob).count() == 1
    # Sent again by hand: a new attempt with a new key.
    services.retry(reply, personas.bob)
    reply.refresh_from_db()
    network, clock = Network(True), [reply.due_at]
    assert outbox.send_reply(
        reply.id, now=reply.due_at, responder_factory=factory(network, clock)
    ) == ("published")
    assert len(network.answers) == 1


def test_a_reply_heard_by_listening_first_is_linked_not_added(
    conversation: Any, personas: Any
) -> None:
    """Listening heard the brand's reply (same id) before the worker recorded it."""
    reply = _submit(conversation, personas)
    network, clock = Network(True), [NOW]
    original = outbox.record_message

    def heard_first(reply_id: int, *, listening_id: str = "") -> Any:
        from ambassade.inbox import services as inbox_services

        inbox_services.add_message(
            conversation,
            Message(direction="outbound", network="mastodon", external_id=listening_id, text="x"),
        )
        return original(reply_id, listening_id=listening_id)

    outbox.record_message = heard_first  # type: ignore[assignment]
    try:
        outbox.send_reply(reply.id, now=NOW, responder_factory=factory(network, clock))
    finally:
        outbox.record_message = original  # type: ignore[assignment]
    assert Message.objects.filter(direction="outbound").count() == 1
    message = Message.objects.get(direction="outbound")
    assert (message.origin, message.sender_id) == ("ambassade", personas.bob.id)


def test_the_crisis_hold_keeps_replies_back(conversation: Any, personas: Any) -> None:
    from ambassade.publishing.outbox import hold

    reply = _submit(conversation, personas)
    hold.pause_outbox(personas.workspace_a, "crisis")
    network, clock = Network(True), [NOW]
    assert outbox.run_outbox(NOW, responder_factory=factory(network, clock))["due"] == 0
    assert network.answers == []
    hold.resume_outbox(personas.workspace_a)
    outbox.run_outbox(NOW, responder_factory=factory(network, clock))
    reply.refresh_from_db()
    assert reply.status == "published" and len(network.answers) == 1
