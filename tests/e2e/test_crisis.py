"""The crisis flow as a community manager clicks through it in Chromium: an alert opens a crisis,
the checklist is worked (htmx), the crisis is closed and its report downloaded."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, Personas

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label(re.compile("e-mail", re.I)).fill(email)
    page.get_by_label(re.compile("^(password|mot de passe)$", re.I)).fill(password)
    page.get_by_role("button", name=re.compile("^(log in|se connecter|connexion)$", re.I)).click()
    page.wait_for_load_state()


def test_it_opens_works_and_closes_a_crisis_from_an_alert(
    page: Any, live_server: Any, personas: Personas, tmp_path: Path
) -> None:
    from ambassade.crisis import services
    from ambassade.crisis.models import AlertRule, Crisis

    rule = AlertRule.objects.create(
        workspace=personas.workspace_a, name="Big authors", kind="influencer", severity="critical"
    )
    alert = services.trigger(
        rule, dedup_key="author:@star", title="@star (250 000 followers) mentioned the brand"
    )
    services.deliver_alert(alert.id)
    page.on("dialog", lambda dialog: dialog.accept())
    base = live_server.url
    slug = personas.workspace_a.slug

    _log_in(page, base, "alice@example.com")
    page.goto(f"{base}/w/{slug}/")
    # The bell shows the unread alert; the notification leads to the alert.
    page.get_by_role("link", name=re.compile("Notifications: 1 unread")).click()
    page.get_by_role("button", name=re.compile("@star")).click()
    page.wait_for_url(re.compile(f"/alerts/{alert.id}/$"))

    page.get_by_role("button", name="Open a crisis from this alert").click()
    page.wait_for_url(re.compile(r"/crisis/\d+/$"))
    crisis = Crisis.objects.get(workspace=personas.workspace_a)
    expect(
        page.locator(".crisis-banner").get_by_text(re.compile("The outbox is paused"))
    ).to_be_visible()

    # Work the checklist: each click swaps the item in place (no page load).
    items = page.locator(".check-item")
    count = items.count()
    assert count >= 3
    for index in range(2):
        items.nth(index).get_by_role("button").click()
        page.wait_for_selector(f"#item-{crisis.checklist.all()[index].pk}.is-done")
    assert page.locator(".check-item.is-done").count() == 2
    assert crisis.checklist.filter(done_by=personas.alice).count() == 2

    # Log an action, then close.
    page.get_by_label("Action taken").fill("Called the head of communication")
    page.get_by_role("button", name="Add to the timeline").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Called the head of communication").first).to_be_visible()
    page.get_by_label("Lessons learned").fill("Answer within the hour next time.")
    # Items are left undone: closing asks for a confirmation first.
    page.get_by_role("button", name="Close the crisis").click()
    assert crisis.__class__.objects.get(pk=crisis.pk).is_open
    page.get_by_label(f"Close although {count - 2} checklist items are not done").check()
    page.get_by_role("button", name="Close the crisis").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The crisis is closed; its report is ready.")).to_be_visible()

    with page.expect_download() as html_download:
        page.get_by_role("link", name="Download the report (HTML)").click()
    html = Path(html_download.value.path()).read_text()
    assert "Called the head of communication" in html and "Answer within the hour" in html

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download the report (PDF)").click()
    assert pdf_download.value.suggested_filename.endswith(".pdf")
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF-")


def test_it_shows_only_the_settings_of_the_chosen_rule_kind(
    page: Any, live_server: Any, personas: Personas
) -> None:
    from ambassade.crisis.models import AlertRule
    from ambassade.listening.models import ListeningQuery

    ListeningQuery.objects.create(
        workspace=personas.workspace_a, name="Brand A", text="branda", kind="brand"
    )
    _log_in(page, live_server.url, "alice@example.com")
    page.goto(f"{live_server.url}/w/{personas.workspace_a.slug}/alerts/rules/new/")
    page.get_by_label("Name").fill("Big authors")
    page.get_by_label("Kind").select_option("influencer")
    expect(page.get_by_label("Minimum followers")).to_be_visible()
    expect(page.get_by_label("Sensitivity")).to_be_hidden()
    page.get_by_label("Minimum followers").fill("20000")
    expect(page.get_by_label("Severity")).to_be_visible()
    page.get_by_label("Kind").select_option("volume_spike")
    expect(page.get_by_label("Sensitivity")).to_be_visible()
    expect(page.get_by_label("Minimum followers")).to_be_hidden()
    # A spike rule rates each alert itself; the page says how.
    expect(page.get_by_label("Severity")).to_be_hidden()
    expect(page.get_by_role("heading", name="How spike alerts are rated")).to_be_visible()
    page.get_by_label("Kind").select_option("influencer")
    # Which mentions the rule watches is a choice; the query list goes away for all mentions.
    assert page.get_by_role("checkbox", name="Brand A · Brand").is_checked()
    page.get_by_role("radio", name=re.compile("All the workspace.s mentions")).check()
    expect(page.get_by_role("checkbox", name="Brand A · Brand")).to_be_hidden()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile("/alerts/rules/$"))
    rule = AlertRule.objects.get(workspace=personas.workspace_a)
    assert rule.kind == "influencer" and rule.min_followers == 20000 and rule.query_ids == []
