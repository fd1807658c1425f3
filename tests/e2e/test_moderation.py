"""Moderation as a person clicks through it in Chromium: a rule written in the form hides an
offensive comment on the network, the comment waits in the queue with the reason, its author is
warned then banned from there, the rule's dry run shows its counts, and the author's appeal through
the public link is granted in the queue."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import Personas
from tests.e2e.test_listening import _log_in
from tests.listening.conftest import fake_analyse, item

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_rule_hides_an_insult_its_author_is_warned_banned_and_their_appeal_granted(
    page: Any, live_server: Any, personas: Personas, monkeypatch: Any
) -> None:
    from ambassade.connectors.base import ModerationAction
    from ambassade.connectors.moderators import MemoryModerator
    from ambassade.listening import analysis, pipeline, services
    from ambassade.listening.models import Source
    from ambassade.moderation import outbox
    from ambassade.moderation import services as moderation
    from ambassade.moderation.models import Appeal, NetworkAction, Rule, Strike
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

    recent = datetime.now(UTC) - timedelta(hours=1)  # within the dry run's 30 days
    services.ingest(  # committed for real: the routing hook runs the rules
        source,
        [
            item(
                "t1_bad",
                "Quel idiot ce barista <b>!</b>",
                source="reddit",
                handle="troll42",
                at=recent,
            ),
            item("t1_ok", "Merci pour le café", source="reddit", handle="fan", at=recent),
            item(
                "t1_joke",
                "Idiot que je suis, j'ai oublié mon café",
                source="reddit",
                handle="ana",
                at=recent,
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

    # Warned first: a strike, and a reply in the message's language with the appeal link.
    entry.get_by_role("checkbox", name="Tick this message").check()
    page.get_by_label("Decision", exact=True).select_option("warn")
    page.get_by_role("button", name="Apply to the ticked messages").click()
    page.get_by_text("1 message decided.").wait_for()
    warned = Strike.objects.get(kind="warn")
    assert (
        warned.handle == "troll42"
        and "your message goes against our community charter" in warned.message
    )
    page.goto(f"{live_server.url}/w/{slug}/moderation/?state=all")
    entry = page.locator(".review-item", has_text="barista")
    assert "Warning written to the author" in entry.inner_text()
    assert "2 strikes" in entry.inner_text()  # the rule's hide, and the warning

    # Then banned, from the same item.
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
    page.goto(f"{live_server.url}/w/{slug}/moderation/")
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

    # The dry run counts what the rule would have done over the last 30 days.
    page.goto(f"{live_server.url}/w/{slug}/moderation/rules/")
    page.get_by_role("link", name="Dry run Insults").click()
    expect(page.get_by_role("heading", name="It would have matched 2 messages")).to_be_visible()
    assert "Hide on the network: 2" in page.locator("#h-counts + p + ul").inner_text()

    # The banned author appeals through the link of their warning, in French, logged out.
    appeal_link = re.search(r"https?://\S+/appeal/[\w-]+/", warned.message)
    assert appeal_link is not None
    path = appeal_link.group(0).split("/appeal/", 1)[1]
    visitor = page.context.browser.new_context(locale="fr-FR")
    public = visitor.new_page()
    public.goto(f"{live_server.url}/appeal/{path}")
    expect(
        public.get_by_role("heading", name="Contester une décision de modération")
    ).to_be_visible()
    assert "Quel idiot ce barista <b>!</b>" in public.locator(".appeal-quote").inner_text()
    public.get_by_label("Pourquoi cette décision devrait-elle être levée ?").fill(
        "Je parlais de moi, pas du barista."
    )
    public.get_by_role("button", name="Envoyer le recours").click()
    public.get_by_text("Votre recours attend un modérateur.", exact=False).wait_for()

    page.goto(f"{live_server.url}/w/{slug}/moderation/")
    appeal = page.locator(".appeal-item")
    assert "Je parlais de moi, pas du barista." in appeal.inner_text()
    appeal.get_by_label(re.compile("^Answer to the member")).fill("Sorry, lifted.")
    appeal.get_by_role("button", name="Grant: lift the decision").click()
    page.get_by_text("Appeal granted: the decision is lifted.").wait_for()
    assert Appeal.objects.get().state == "granted"
    assert NetworkAction.objects.filter(action="unban", undoes=ban).exists()

    public.reload()
    assert "Accepté : la décision est levée." in public.locator("main").inner_text()
    visitor.close()
