"""Answering a complaint in Chromium: the complaint arrives through listening's pipeline, Bob opens
it, types a saved reply's /shortcut and Tab, sees the live counter, sends with Ctrl+Enter, and the
reply goes out once through the outbox (a stand-in network) and appears in the thread as the brand's
answer; a note mentions Alice. ``AMBASSADE_SHOTS=dir`` also saves screenshots (English and French,
desktop and a 390 px phone)."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import Personas
from tests.e2e.test_listening import _log_in
from tests.listening.conftest import fake_analyse, item
from tests.replies.conftest import Network, factory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shots(page: Any, url: str, name: str) -> None:
    folder = os.environ.get("AMBASSADE_SHOTS")
    if not folder:
        return
    for language in ("en", "fr"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": url}])
        for width, height, size in ((1280, 860, "desktop"), (390, 844, "phone")):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(url)
            page.locator("[data-reply-text]").fill("Bonjour Ana, nous regardons votre commande.")
            page.locator("[data-reply-counter]").filter(has_text="43").wait_for()
            page.screenshot(
                path=f"{folder}/{name}-{language}-{size}.png", full_page=size == "phone"
            )
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": url}])
    page.set_viewport_size({"width": 1280, "height": 860})


def test_a_complaint_is_answered_with_a_saved_reply_once(
    page: Any, live_server: Any, personas: Personas, monkeypatch: Any
) -> None:
    from django.utils import timezone

    from ambassade.crisis.models import Notification
    from ambassade.inbox.models import Conversation, Message
    from ambassade.listening import analysis, pipeline, services
    from ambassade.listening.models import Source
    from ambassade.replies import outbox, tasks
    from ambassade.replies.models import Reply, SavedReply

    monkeypatch.setattr(analysis, "analyse", fake_analyse)
    pipeline.forget_caches()
    network = Network(deduplicates=True)
    clock = [timezone.now()]  # the network's clock, set once the complaint arrived
    monkeypatch.setattr(
        tasks,
        "send_reply",
        lambda reply_id: outbox.send_reply(reply_id, responder_factory=factory(network, clock)),
    )
    workspace = personas.workspace_a
    SavedReply.objects.create(
        workspace=workspace,
        name="Double charge",
        shortcut="double",
        text_en="Hi {first_name}, sorry for the double charge: {agent_first_name} refunds it today.",
        text_fr="Bonjour {first_name}, désolés pour le double débit : {agent_first_name} vous rembourse.",
    )
    source = Source.objects.create(workspace=workspace, name="Mastodon", kind="mastodon")
    services.ingest(
        source,
        [
            item(
                "c-1",
                "@brand_a you charged me twice, this is terrible",
                handle="ana",
                at=timezone.now(),
            )
        ],
    )
    conversation = Conversation.objects.get()
    clock[0] = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(lang="en", contact_name="Ana Lopez")

    _log_in(page, live_server.url, "bob@example.com")
    address = f"{live_server.url}/w/{workspace.slug}/inbox/{conversation.pk}/"
    page.goto(address)
    field = page.locator("[data-reply-text]")
    field.click()
    field.type("/double")
    page.keyboard.press("Tab")
    expect(field).to_have_value("Hi Ana, sorry for the double charge: Bob refunds it today.")
    page.locator("[data-reply-counter]").filter(has_text="58 of 500 characters").wait_for()
    page.keyboard.press("Control+Enter")
    page.get_by_text("Reply on its way.").wait_for()
    thread = page.locator(".thread")
    thread.get_by_text("Hi Ana, sorry for the double charge").wait_for()
    assert "from Ambassade" in thread.inner_text()
    assert len(network.answers) == 1
    reply = Reply.objects.get()
    assert reply.status == "published" and reply.message is not None
    assert Message.objects.filter(direction="outbound").count() == 1

    # A note for Alice, from the note tab.
    page.get_by_role("tab", name="Internal note").click()
    page.locator("[data-note-text]").fill("@Alice the refund is done")
    page.get_by_role("button", name="Add the note").click()
    page.get_by_text(re.compile("Note added; Alice Martin notified")).wait_for()
    assert Notification.objects.filter(user=personas.alice).count() == 1

    # Resolved with the keyboard once answered.
    page.locator("body").click()
    page.keyboard.press("e")
    page.get_by_role("button", name=re.compile("Open again")).wait_for()
    _shots(page, address, "reply-composer")
