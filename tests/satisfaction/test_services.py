"""Satisfaction surveys: asked once after resolution, answered on the public page, summarised."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ambassade.inbox import services as inbox
from ambassade.inbox.messages import event_words
from ambassade.inbox.models import Event, Message
from ambassade.satisfaction import services
from ambassade.satisfaction.models import CHANGE_WINDOW, VALID_FOR, Survey
from tests.suggestions.helpers import conversation


def resolved(personas: Any, key: str, *, lang: str = "en", network: str = "mastodon") -> Any:
    made = conversation(
        personas.workspace_a,
        key,
        [("in", "my order is late"), ("out", "Sorry, it ships today.")],
        lang=lang,
        network=network,
    )
    made.assignee = personas.bob
    made.save()
    return inbox.set_status(made, "resolved", personas.bob)


def token_of(text: str) -> str:
    return text.rsplit("/s/", 1)[1].rstrip("/")


def test_it_asks_a_conversation_once_in_its_language(personas: Any) -> None:
    english = resolved(personas, "en")
    french = resolved(personas, "fr", lang="fr-FR")
    asked = services.ask(english)
    assert asked is not None and asked.survey.lang == "en"
    assert asked.text.startswith("Thank you for writing to us. How satisfied")
    assert "/s/" in asked.text and asked.survey.status == Survey.Status.PENDING
    assert services.ask(english) is None
    assert Survey.objects.filter(conversation=english).count() == 1
    in_french = services.ask(french)
    assert in_french is not None and in_french.survey.lang == "fr"
    assert in_french.text.startswith("Merci de nous avoir écrit")


def test_its_address_opens_only_its_survey_and_is_never_stored(personas: Any) -> None:
    asked = services.ask(resolved(personas, "a"))
    assert asked is not None
    token = token_of(asked.text)
    assert services.survey_for_token(token) == asked.survey
    raw = token.split(".")[0]
    assert raw not in asked.survey.token_hash and len(asked.survey.token_hash) == 64
    assert services.survey_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert services.survey_for_token("nothing") is None


def test_it_hands_the_question_to_the_registered_sender(personas: Any) -> None:
    sent: list[tuple[Any, str]] = []

    def sender(conversation: Any, text: str) -> Message:
        sent.append((conversation, text))
        return inbox.record_outbound(conversation, text=text, sender=None)

    registered = services.current_sender()
    services.register_sender(sender)
    try:
        made = resolved(personas, "a")
        asked = services.ask(made)
    finally:
        services.register_sender(registered)
    assert asked is not None and asked.survey.status == Survey.Status.SENT
    assert sent == [(made, asked.text)] and asked.survey.message is not None
    assert asked.survey.message.text == asked.text


def test_it_records_an_answer_and_lets_it_change_for_a_while(personas: Any) -> None:
    asked = services.ask(resolved(personas, "a"))
    assert asked is not None
    survey = asked.survey
    first = services.answer(survey, score=2)
    assert not first.changed and first.survey.score == 2 and first.survey.status == "answered"
    later = services.answer(survey, score=4, comment="  Quick and kind  ")
    assert later.changed and later.survey.score == 4 and later.survey.comment == "Quick and kind"
    services.answer(survey, score=None, comment="Only the comment changes")
    # The thread tells the team, once per score given.
    events = Event.objects.filter(conversation=survey.conversation, code__startswith="satis")
    assert [event_words(e) for e in events.order_by("id")] == [
        "The customer gave 2 out of 5",
        "The customer changed their score to 4 out of 5",
    ]
    too_late = survey.answered_at + CHANGE_WINDOW + timedelta(seconds=1)
    with pytest.raises(services.SurveyError, match="no longer be changed"):
        services.answer(survey, score=5, now=too_late)


@pytest.mark.parametrize("score", [0, 6, None])
def test_it_refuses_a_score_outside_one_to_five(personas: Any, score: int | None) -> None:
    asked = services.ask(resolved(personas, "a"))
    assert asked is not None
    with pytest.raises(services.SurveyError, match="from 1 to 5"):
        services.answer(asked.survey, score=score)


def test_an_expired_survey_takes_no_answer(personas: Any) -> None:
    asked = services.ask(resolved(personas, "a"))
    assert asked is not None
    with pytest.raises(services.SurveyError, match="expired"):
        services.answer(asked.survey, score=5, now=timezone.now() + VALID_FOR + timedelta(days=1))


def test_it_asks_the_conversations_resolved_since_it_was_turned_on_after_the_delay(
    personas: Any,
) -> None:
    before = resolved(personas, "before")
    services.update_settings(personas.workspace_a, enabled=True, delay_minutes=30)
    after = resolved(personas, "after")
    open_one = conversation(personas.workspace_a, "open", [("in", "hello?")])
    now = timezone.now()
    assert services.ask_due(now=now) == 0  # the delay has not passed
    assert services.ask_due(now=now + timedelta(minutes=31)) == 1
    assert Survey.objects.get().conversation == after
    assert not Survey.objects.filter(conversation__in=[before, open_one]).exists()
    assert services.ask_due(now=now + timedelta(minutes=32)) == 0  # once


def test_a_workspace_that_does_not_ask_is_not_asked(personas: Any) -> None:
    resolved(personas, "a")
    assert services.ask_due(now=timezone.now() + timedelta(days=1)) == 0
    with pytest.raises(services.SurveyError):
        services.update_settings(personas.workspace_a, enabled=True, delay_minutes=-1)


def test_it_summarises_per_person_network_and_period(personas: Any) -> None:
    scores = [
        ("a", "mastodon", 5),
        ("b", "mastodon", 2),
        ("c", "bluesky", 4),
        ("d", "bluesky", None),
    ]
    for key, network, score in scores:
        asked = services.ask(resolved(personas, key, network=network))
        assert asked is not None
        if score is not None:
            services.answer(asked.survey, score=score)
    (everything,) = services.summary(personas.workspace_a)
    assert (everything.asked, everything.answered) == (4, 3)
    assert everything.average == pytest.approx(11 / 3, abs=0.01)
    assert everything.satisfied == pytest.approx(200 / 3)
    assert everything.response_rate == 75.0
    per_network = {row.key: row for row in services.summary(personas.workspace_a, by="network")}
    assert per_network["mastodon"].average == 3.5 and per_network["bluesky"].satisfied == 100.0
    (per_person,) = services.summary(personas.workspace_a, by="agent")
    assert per_person.key == personas.bob.pk and per_person.asked == 4
    (this_week,) = services.summary(personas.workspace_a, by="week")
    assert this_week.asked == 4
    assert services.summary(personas.workspace_b) == []
    later = timezone.now() + timedelta(days=1)
    assert services.summary(personas.workspace_a, start=later) == []
