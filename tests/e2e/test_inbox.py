"""The inbox as a person works in it, in Chromium: a complaint arrives through listening's real
pipeline, appears in the inbox automatically assigned, is opened from the keyboard, labelled and
resolved. (The reply, suggestion and satisfaction steps of the full flow are added by their parts.)"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Personas
from tests.e2e.test_listening import _log_in
from tests.listening.conftest import fake_analyse, item

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_complaint_arrives_is_assigned_opened_labelled_and_resolved(
    page: Any, live_server: Any, personas: Personas, monkeypatch: Any
) -> None:
    from django.utils import timezone

    from ambassade.inbox import services as inbox
    from ambassade.inbox.models import Conversation, InboxSettings, Label
    from ambassade.listening import analysis, pipeline, services
    from ambassade.listening.models import Source

    monkeypatch.setattr(analysis, "analyse", fake_analyse)
    pipeline.forget_caches()
    workspace = personas.workspace_a
    config = inbox.settings_for(workspace)
    config.auto_assign = InboxSettings.AutoAssign.ROUND_ROBIN
    config.save()
    inbox.set_available(workspace, personas.alice, False)  # Alice is away: Bob gets it
    Label.objects.create(workspace=workspace, name="Refund", color="#b42318")
    source = Source.objects.create(workspace=workspace, name="Mastodon", kind="mastodon")
    services.ingest(
        source,
        [
            item(
                "c-1",
                "@brand_a you charged me twice, this is terrible",
                handle="ana",
                followers=12400,
                at=timezone.now(),
            )
        ],
    )
    conversation = Conversation.objects.get()
    assert conversation.assignee == personas.bob

    slug = workspace.slug
    _log_in(page, live_server.url, "bob@example.com")
    page.goto(f"{live_server.url}/w/{slug}/inbox/?view=mine")
    row = page.locator("[data-inbox-row]")
    assert row.count() == 1
    assert "complaint · negative · 12,400 followers" in row.inner_text()

    # j selects the first conversation, Enter opens it.
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/inbox/{conversation.pk}/"))
    page.get_by_role("heading", name="Ana").wait_for()
    assert "you charged me twice" in page.locator(".thread").inner_text()
    assert "Assigned automatically to Bob Durand" in page.locator(".thread").inner_text()

    # l focuses the label select; the label is added.
    page.keyboard.press("l")
    page.get_by_role("button", name="Add", exact=True).click()
    page.locator(".label-list").get_by_text("Refund").wait_for()

    # e resolves.
    page.keyboard.press("e")
    page.get_by_role("button", name=re.compile("Open again")).wait_for()
    conversation.refresh_from_db()
    assert conversation.status == "resolved"
    assert list(conversation.labels.values_list("name", flat=True)) == ["Refund"]
    page.goto(f"{live_server.url}/w/{slug}/inbox/?view=resolved")
    assert page.locator("[data-inbox-row]").count() == 1
