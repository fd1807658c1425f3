"""Moderation as a person clicks through it in Chromium: a rule written in the form hides an
offensive comment on the network, the comment waits in the queue with the reason, and its author
is banned from there."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Personas
from tests.e2e.test_listening import _log_in
from tests.listening.conftest import fake_analyse, item

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_rule_hides_an_insult_and_its_author_is_banned_from_the_queue(
    page: Any, live_server: Any, personas: Personas, monkeypatch: Any
) -> None:
    from ambassade.connectors.base import ModerationAction
    from ambassade.connectors.moderators import MemoryModerator
    from ambassade.listening import analysis, pipeline, services
    from ambassade.listening.models import Source
    from ambassade.moderation import outbox
    from ambassade.moderation import services as moderation
    from ambassade.moderation.models import NetworkAction, Rule
    from ambassade.workspaces import services as workspaces

    monkeypatch.setattr(analysis, "analyse", fake_analyse)
    monkeypatch.setattr(moderation, "_enqueue", lambda action_id: None)  # sent below, by hand
    pipeline.forget_caches()
    workspace = personas.workspace_a
    workspaces.connect_account(
        workspace,
        network="reddit",
        account_name="u/cafe_mod",
        secret={
            "access_token": "t",
            "refresh_token": "r",
            "client_id": "c",
            "username": "cafe_mod",
        },
        actor=personas.alice,
    )
    source = Source.objects.create(workspace=workspace, name="r/cafe", kind="reddit")
    slug = workspace.slug
    _log_in(page, live_server.url, "alice@example.com")

    page.goto(f"{live_server.url}/w/{slug}/moderation/rules/")
    page.get_by_role("link", name="New rule").click()
    page.get_by_label("Name", exact=True).fill("Insults")
    page.get_by_label("Mode", exact=True).select_option("on")
    page.get_by_role("textbox", name=re.compile("^Watched words")).fill("idiot*\ncasse-toi")
    page.get_by_role("checkbox", name="Hide on the network").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Rule saved.").wait_for()
    assert Rule.objects.get().actions == ["hide"]

    services.ingest(  # committed for real: the routing hook runs the rules
        source,
        [
            item("t1_bad", "Quel idiot ce barista <b>!</b>", source="reddit", handle="troll42"),
            item("t1_ok", "Merci pour le café", source="reddit", handle="fan"),
            item(
                "t1_joke", "Idiot que je suis, j'ai oublié mon café", source="reddit", handle="ana"
            ),
        ],
    )
    network = MemoryModerator(network="reddit")
    assert outbox.run(moderator_factory=lambda c: network)["due"] == 2
    assert network.holds(ModerationAction.HIDE, "t1_bad")

    page.goto(f"{live_server.url}/w/{slug}/moderation/")
    assert page.locator(".review-item").count() == 2
    entry = page.locator(".review-item", has_text="barista")
    assert entry.locator("mark").inner_text() == "idiot"
    assert "<b>!</b>" in entry.locator(".review-text").inner_text()  # shown as text, not markup
    assert "Watched words found: idiot*" in entry.inner_text()
    assert "Reddit: hide — done" in entry.inner_text()

    entry.get_by_role("checkbox", name="Tick this message").check()
    page.get_by_label("Decision", exact=True).select_option("ban")
    page.get_by_label(re.compile("^Reason")).fill("Insults, article 2")
    page.get_by_role("button", name="Apply to the ticked messages").click()
    page.get_by_text("1 message decided.").wait_for()
    ban = NetworkAction.objects.get(action="ban")
    assert ban.target == "troll42" and ban.reason == "Insults, article 2"
    outbox.run(moderator_factory=lambda c: network)
    assert network.holds(ModerationAction.BAN, "troll42")

    # The other one is a joke about oneself: approved from the keyboard, its hide undone.
    assert page.locator(".review-item").count() == 1
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.get_by_text("1 message decided.").wait_for()
    unhide = NetworkAction.objects.get(action="unhide")
    assert unhide.target == "t1_joke"
    outbox.run(moderator_factory=lambda c: network)
    assert not network.holds(ModerationAction.HIDE, "t1_joke")

    page.goto(f"{live_server.url}/w/{slug}/moderation/log/")
    assert "rule “Insults”" in page.locator("table").inner_text()
    assert "Insults, article 2" in page.locator("table").inner_text()
