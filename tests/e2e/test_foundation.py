"""The foundation's flows as a person clicks through them in Chromium: log in, switch the language,
switch workspace, invite a member who accepts the invitation."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.conftest import PASSWORD, Personas

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label(re.compile("e-mail", re.I)).fill(email)
    page.get_by_label(re.compile("^(password|mot de passe)$", re.I)).fill(password)
    page.get_by_role("button", name=re.compile("^(log in|se connecter|connexion)$", re.I)).click()
    page.wait_for_load_state()


def test_it_logs_in_switches_language_and_workspace(
    page: Any, live_server: Any, personas: Personas
) -> None:
    from ambassade.workspaces import services

    second = services.create_workspace(
        organisation=personas.workspace_a.organisation, name="Brand A Junior", owner=personas.alice
    )
    _log_in(page, live_server.url, "alice@example.com")
    assert "/login/" not in page.url
    page.goto(f"{live_server.url}/w/{personas.workspace_a.slug}/")
    expect(page.locator("h1").first).to_be_visible()

    # Language: French, then back to English; the choice persists across pages.
    page.get_by_role("button", name="FR", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    page.goto(f"{live_server.url}/w/{personas.workspace_a.slug}/members/")
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.get_by_role("button", name=re.compile("Envoyer l.invitation"))).to_be_visible()
    page.get_by_role("button", name="EN", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"

    # Workspace switcher: open it, pick the other brand.
    page.get_by_label("Switch workspace").click()
    page.get_by_role("link", name=re.compile("Brand A Junior")).click()
    page.wait_for_url(re.compile(f"/w/{second.slug}/"))
    assert "Brand A Junior" in page.locator(".switcher-ws").inner_text()

    # Charlie's workspace is not offered to Alice, and its URL is a 404 for her.
    assert page.get_by_role("link", name="Brand B").count() == 0
    response = page.goto(f"{live_server.url}/w/{personas.workspace_b.slug}/")
    assert response is not None and response.status == 404


def test_it_invites_a_member_who_accepts(page: Any, live_server: Any, personas: Personas) -> None:
    _log_in(page, live_server.url, "alice@example.com")
    page.goto(f"{live_server.url}/w/{personas.workspace_a.slug}/members/")
    invite = page.locator("#invite")
    invite.get_by_label(re.compile("e-mail", re.I)).fill("erin@example.com")
    invite.get_by_label(re.compile("role", re.I)).select_option("moderator")
    invite.get_by_role("button", name="Send the invitation").click()
    page.wait_for_load_state()
    expect(page.locator("#invitations").get_by_text("erin@example.com")).to_be_visible()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    path = urlsplit(link.group(0)).path

    # Erin opens the link in a browser of her own and creates her account.
    context = page.context.browser.new_context(locale="en-GB")
    erin = context.new_page()
    erin.goto(f"{live_server.url}{path}")
    erin.get_by_label("Your name").fill("Erin Leroy")
    erin.get_by_label("Password", exact=True).fill("a long passphrase for erin")
    erin.get_by_label("Password again").fill("a long passphrase for erin")
    erin.get_by_role("button", name=re.compile("accept|join|create", re.I)).click()
    erin.wait_for_url(re.compile(f"/w/{personas.workspace_a.slug}/"))
    assert "Brand A" in erin.locator(".switcher-ws").inner_text()
    context.close()

    page.reload()
    members = page.get_by_role("table").first
    expect(members.get_by_text("erin@example.com", exact=True)).to_be_visible()
    expect(members.get_by_text("Erin Leroy")).to_be_visible()
