"""Issue 12's whole flow in Chromium, in one piece: a complaint arrives through listening's
pipeline and is assigned automatically, Bob answers it with a suggested reply taken from the
team's past answers (sent once through the outbox to a stand-in network), resolves it, the
satisfaction question goes out by itself through the same outbox, and the customer's score, given
on a phone without an account, reaches the conversation. (The breach and the bug report flows are
tests/e2e/test_inbox_targets.py and test_inbox_assist.py.)"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import Personas
from tests.e2e.test_listening import _log_in
from tests.listening.conftest import fake_analyse, item
from tests.replies.conftest import Network, factory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_complaint_is_assigned_answered_with_a_suggestion_resolved_and_rated(
    page: Any, browser: Any, live_server: Any, personas: Personas, monkeypatch: Any
) -> None:
    from django.utils import timezone

    from ambassade.inbox import services as inbox
    from ambassade.inbox.models import Conversation, Event, InboxSettings
    from ambassade.listening import analysis, pipeline, services
    from ambassade.listening.models import Source
    from ambassade.replies import outbox, tasks
    from ambassade.satisfaction import services as satisfaction
    from ambassade.satisfaction.models import Survey
    from ambassade.suggestions import services as suggestions
    from tests.suggestions.helpers import conversation as past_conversation

    monkeypatch.setattr(analysis, "analyse", fake_analyse)
    pipeline.forget_caches()
    suggestions.forget()
    network = Network(deduplicates=True)
    clock = [timezone.now()]
    responders = factory(network, clock)
    monkeypatch.setattr(
        tasks,
        "send_reply",
        lambda reply_id: outbox.send_reply(reply_id, responder_factory=responders),
    )
    workspace = personas.workspace_a
    config = inbox.settings_for(workspace)
    config.auto_assign = InboxSettings.AutoAssign.ROUND_ROBIN
    config.save()
    inbox.set_available(workspace, personas.alice, False)  # Alice is away: Bob gets it
    satisfaction.update_settings(workspace, enabled=True, delay_minutes=0)
    past_conversation(  # the team's past answer the suggestion comes from
        workspace,
        "past",
        [
            ("in", "I was charged twice for my order"),
            ("out", "So sorry Léo! Please DM us your order number and we'll refund it."),
        ],
        contact_name="Léo Petit",
        sender=personas.bob,
    )

    source = Source.objects.create(workspace=workspace, name="Mastodon", kind="mastodon")
    services.ingest(
        source,
        [
            item(
                "c-1",
                "@brand_a you charged me twice for one order!",
                handle="ana",
                at=timezone.now(),
            )
        ],
    )
    complaint = Conversation.objects.get(channel="mention")
    assert complaint.assignee == personas.bob
    Conversation.objects.filter(pk=complaint.pk).update(lang="en", contact_name="Ana Lopez")
    clock[0] = timezone.now()

    _log_in(page, live_server.url, "bob@example.com")
    address = f"{live_server.url}/w/{workspace.slug}/inbox/{complaint.pk}/"
    page.goto(address)
    suggestion = page.locator(".suggestion").first
    suggestion.wait_for()
    suggestion.get_by_role("button", name="Insert").click()
    field = page.locator("[data-reply-text]")
    assert field.input_value().startswith("So sorry Ana! Please DM us your order number")
    field.click()
    page.keyboard.press("Control+Enter")
    page.get_by_text("Reply on its way.").wait_for()
    page.locator(".thread").get_by_text("So sorry Ana!").wait_for()
    assert len(network.answers) == 1 and "So sorry Ana!" in network.answers[0][2]

    page.get_by_role("button", name=re.compile("^Resolve")).click()
    page.get_by_role("button", name=re.compile("Open again")).wait_for()
    complaint.refresh_from_db()
    assert complaint.status == "resolved"

    # The periodic tasks, twice over: one question, sent once, on the network.
    for _ in range(2):
        clock[0] = timezone.now()
        satisfaction.ask_due()
        outbox.run_outbox(clock[0], responder_factory=responders)
    assert len(network.answers) == 2
    question = network.answers[1][2]
    assert "How satisfied are you with our answer?" in question
    link = re.search(r"https?://\S+/s/\S+", question)
    assert link is not None
    survey = Survey.objects.get(conversation=complaint)
    assert survey.status == Survey.Status.SENT

    phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 800})
    try:
        customer = phone.new_page()
        customer.goto(live_server.url + urlsplit(link.group()).path)
        customer.get_by_role("button", name=re.compile("4 Satisfied")).click()
        customer.get_by_text("Thank you! Your answer is recorded.").wait_for()
    finally:
        phone.close()

    page.reload()
    page.locator(".satisfaction-card").get_by_text("4 out of 5").wait_for()
    thread = page.locator(".thread").inner_text()
    assert "The customer gave 4 out of 5" in thread
    assert Event.objects.filter(conversation=complaint, code="satisfaction_asked").count() == 1
