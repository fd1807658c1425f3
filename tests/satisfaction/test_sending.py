"""The satisfaction question goes out by itself when the workspace asks: one reply through the
replies' exactly-once outbox per resolved conversation, in the conversation's language, and none
when the workspace does not ask."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ambassade.connectors.base import ConnectorError
from ambassade.inbox import services as inbox
from ambassade.inbox.models import Event, Message
from ambassade.replies import outbox
from ambassade.replies import services as replies
from ambassade.replies.models import Reply, ReplyStatus
from ambassade.satisfaction import services
from ambassade.satisfaction.models import Survey
from tests.replies.conftest import Network, Responder, conversation_with, factory

pytestmark = pytest.mark.django_db


def _resolve(conversation: Any, personas: Any) -> Any:
    conversation.assignee = personas.bob
    conversation.save()
    return inbox.set_status(conversation, "resolved", personas.bob)


def _run(times: int, network: Network, clock: list[Any]) -> None:
    for _ in range(times):
        clock[0] += timedelta(minutes=1)
        services.ask_due(now=clock[0])
        outbox.run_outbox(clock[0], responder_factory=factory(network, clock))


def test_the_app_registers_the_replies_outbox_as_its_sender() -> None:
    assert services.current_sender() is services.send_through_replies


@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
def test_one_resolution_sends_one_question_in_the_conversations_language(
    personas: Any, private: bool
) -> None:
    services.update_settings(personas.workspace_a, enabled=True, delay_minutes=0)
    conversation = _resolve(conversation_with(personas, private=private, lang="fr"), personas)
    network, clock = Network(deduplicates=False), [conversation.resolved_at]
    _run(3, network, clock)  # the periodic tasks, several times over

    survey = Survey.objects.get(conversation=conversation)
    assert survey.status == Survey.Status.SENT and survey.lang == "fr"
    reply = Reply.objects.get(conversation=conversation)
    assert (reply.author, reply.private, reply.status) == (None, private, ReplyStatus.PUBLISHED)
    assert reply.text.startswith("Merci de nous avoir écrit") and "/s/" in reply.text
    assert [text for _at, _key, text, _parent in network.answers] == [
        reply.text if private else f"@ana {reply.text}"
    ]
    assert survey.reply == reply and survey.message == reply.message
    assert survey.message is not None and survey.message.direction == Message.Direction.OUTBOUND
    # The address sent opens this survey.
    token = reply.text.rsplit("/s/", 1)[1].rstrip("/")
    assert services.survey_for_token(token) == survey
    assert Event.objects.filter(conversation=conversation, code="satisfaction_asked").count() == 1
    conversation.refresh_from_db()
    assert conversation.status == "resolved"  # the question does not reopen it


def test_a_workspace_that_does_not_ask_sends_nothing(personas: Any) -> None:
    conversation = _resolve(conversation_with(personas), personas)
    network, clock = Network(deduplicates=False), [conversation.resolved_at]
    _run(2, network, clock)
    assert not Survey.objects.exists() and not Reply.objects.exists() and not network.answers
    # Turned on later: conversations resolved before are still not asked.
    services.update_settings(personas.workspace_a, enabled=True, delay_minutes=0)
    _run(2, network, clock)
    assert not Survey.objects.exists() and not network.answers


def test_a_conversation_ambassade_cannot_answer_waits_for_a_person(personas: Any) -> None:
    from tests.suggestions.helpers import conversation

    services.update_settings(personas.workspace_a, enabled=True, delay_minutes=0)
    # A private conversation whose person has no address on the network.
    made = _resolve(conversation(personas.workspace_a, "dm", [("in", "help")]), personas)
    assert services.ask_due(now=made.resolved_at + timedelta(minutes=1)) == 1
    survey = Survey.objects.get(conversation=made)
    assert survey.status == Survey.Status.PENDING and survey.reply is None
    assert not Reply.objects.exists()


def test_a_refused_question_is_marked_not_sent_until_sent_again(personas: Any) -> None:
    class Refuses(Responder):
        def reply(self, credentials: Any, reply: Any) -> Any:
            raise ConnectorError("Status is too long", permanent=True)

    services.update_settings(personas.workspace_a, enabled=True, delay_minutes=0)
    conversation = _resolve(conversation_with(personas), personas)
    asked = services.ask(conversation)
    assert asked is not None and asked.survey.status == Survey.Status.SENDING
    reply = asked.survey.reply
    assert reply is not None and reply.due_at is not None
    at = reply.due_at
    assert (
        outbox.send_reply(
            reply.id, now=at, responder_factory=lambda c: Refuses(Network(False), [at])
        )
        == "failed"
    )
    survey = Survey.objects.get(pk=asked.survey.pk)
    assert survey.status == Survey.Status.FAILED and "too long" in str(survey.error)
    replies.retry(reply, personas.bob)
    reply.refresh_from_db()
    network = Network(True)
    assert (
        outbox.send_reply(
            reply.id, now=reply.due_at, responder_factory=factory(network, [reply.due_at])
        )
        == "published"
    )
    survey.refresh_from_db()
    assert survey.status == Survey.Status.SENT and survey.message is not None
    assert len(network.answers) == 1


def test_the_question_takes_the_sequence_after_a_persons_reply(personas: Any) -> None:
    services.update_settings(personas.workspace_a, enabled=True, delay_minutes=0)
    conversation = _resolve(conversation_with(personas), personas)
    human = replies.submit(conversation, text="Anything else?", author=personas.bob, seen=0)
    asked = services.ask(conversation)
    assert asked is not None and asked.survey.reply is not None
    assert asked.survey.reply.sequence == human.sequence + 1


def test_the_demos_past_surveys_send_nothing(personas: Any) -> None:
    import io

    from ambassade.satisfaction.demo import ensure_demo_satisfaction

    _resolve(conversation_with(personas), personas)
    assert ensure_demo_satisfaction(personas.workspace_a, io.StringIO()) == 1
    assert Survey.objects.get().status in (Survey.Status.SENT, Survey.Status.ANSWERED)
    assert not Reply.objects.exists()
