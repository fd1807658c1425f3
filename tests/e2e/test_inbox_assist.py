"""The inbox's assistance in Chromium: a suggested reply taken from the team's past answers, the
satisfaction question answered in one click on its public page, and a bug report sent to a tracker
whose closure comes back to the conversation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import Personas
from tests.e2e.test_listening import _log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def immediate() -> Iterator[None]:
    """Tasks run where they are queued (the report is sent during the request that makes it)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = False


def complaint(personas: Personas) -> Any:
    from ambassade.suggestions import services as suggestions
    from tests.suggestions.helpers import conversation

    suggestions.forget()
    workspace = personas.workspace_a
    conversation(
        workspace,
        "past",
        [
            ("in", "I was charged twice for my order"),
            ("out", "So sorry Léo! Please DM us your order number and we'll refund it. ^Bob"),
        ],
        contact_name="Léo Petit",
        sender=personas.bob,
    )
    made = conversation(
        workspace, "now", [("in", "you charged me twice for one order!")], contact_name="Ana Lima"
    )
    made.assignee = personas.bob
    made.subject = "Charged twice"
    made.save()
    return made


def test_a_suggested_reply_is_taken_and_the_customer_rates_the_answer(
    page: Any, browser: Any, live_server: Any, personas: Personas
) -> None:
    from ambassade.inbox.models import Event
    from ambassade.satisfaction.models import Survey

    made = complaint(personas)
    _log_in(page, live_server.url, "bob@example.com")
    page.goto(f"{live_server.url}/w/{personas.workspace_a.slug}/inbox/{made.pk}/")

    suggestion = page.locator(".suggestion").first
    suggestion.wait_for()
    # The past answer, with this customer's first name and Bob's filled in.
    expected = "So sorry Ana! Please DM us your order number and we'll refund it. Bob"
    assert suggestion.locator(".suggestion-text").inner_text() == expected
    suggestion.get_by_role("button", name="Insert").click()
    expect(page.locator("[data-reply-text]")).to_have_value(expected)  # into the composer

    page.get_by_role("button", name=re.compile("^Resolve")).click()
    page.get_by_role("button", name="Ask for satisfaction").click()
    page.get_by_role("button", name="Prepare the question to send").click()
    question = page.locator(".csat-question").inner_text()
    link = re.search(r"https?://\S+", question)
    assert link is not None and question.startswith("Thank you for writing to us.")
    page.get_by_role("button", name="I have sent it").click()
    page.get_by_text("no answer yet").wait_for()

    # The customer, on a phone, without an account.
    phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 800})
    try:
        survey_page = phone.new_page()
        # The link is on the configured public address; the test server listens elsewhere.
        survey_page.goto(live_server.url + urlsplit(link.group()).path)
        survey_page.get_by_role("button", name=re.compile("4 Satisfied")).click()
        survey_page.get_by_text("Thank you! Your answer is recorded.").wait_for()
        survey_page.get_by_label("Anything to add? (optional)").fill("Quick, thanks")
        survey_page.get_by_role("button", name="Send the comment").click()
        survey_page.get_by_text("Thank you! Your answer is recorded.").wait_for()
    finally:
        phone.close()

    survey = Survey.objects.get(conversation=made)
    assert (survey.score, survey.comment) == (4, "Quick, thanks")
    page.reload()
    page.locator(".satisfaction-card").get_by_text("4 out of 5").wait_for()
    assert "The customer gave 4 out of 5" in page.locator(".thread").inner_text()
    assert Event.objects.filter(conversation=made, code="satisfaction_answered").count() == 1


def test_a_bug_report_goes_to_github_and_its_closure_reaches_the_conversation(
    page: Any, live_server: Any, personas: Personas, immediate: None, monkeypatch: Any
) -> None:
    from ambassade.bugreports import services
    from ambassade.bugreports.models import BugReport
    from ambassade.connectors.http import HttpClient
    from ambassade.connectors.trackers import tracker_class
    from ambassade.connectors.trackers.base import hmac_sha256
    from tests.bugreports.helpers import tracker
    from tests.connectors.conftest import ReplayServer, Reply, fixture_bytes, fixture_json

    server = ReplayServer()
    clients: list[HttpClient] = []

    def client_for(found: Any) -> Any:
        clients.append(HttpClient(allow_private=True, timeout=2.0, max_retries=0))
        return tracker_class(found.kind)(clients[-1], endpoints={"base": server.base_url})

    monkeypatch.setattr(services, "client_for", client_for)
    issue = fixture_json("github", "issue.json")
    issue["number"] = 1348
    issue["html_url"] = "https://github.com/octocat/Hello-World/issues/1348"
    server.route("POST", "/repos/octocat/Hello-World/issues", Reply(201, issue))
    made = complaint(personas)
    github = tracker(personas, "github", "App")
    try:
        _log_in(page, live_server.url, "bob@example.com")
        url = f"{live_server.url}/w/{personas.workspace_a.slug}/inbox/{made.pk}/"
        page.goto(url)
        panel = page.locator(".bug-card")
        panel.get_by_label("Title").fill("Double charge on card payments")
        panel.get_by_label("What happens").fill("Two customers charged twice this morning.")
        panel.get_by_role("button", name="Send the report").click()
        page.locator(".bug-card").get_by_role("link", name=re.compile("#1348")).wait_for()
        (found,) = BugReport.objects.all()
        assert found.state == BugReport.State.OPEN
        (request,) = server.calls("/repos/octocat/Hello-World/issues")
        assert b"you charged me twice for one order!" in request.body

        # GitHub tells Ambassade the issue is closed, signed with the tracker's secret.
        body = fixture_bytes("github", "webhook_issue_closed.json")
        signed = "sha256=" + hmac_sha256(services.webhook_secret(github), body)
        answer = httpx.post(
            f"{live_server.url}/hooks/trackers/{github.hook_id}/",
            content=body,
            headers={
                "X-GitHub-Event": "issues",
                "X-Hub-Signature-256": signed,
                "Content-Type": "application/json",
            },
        )
        assert answer.status_code == 204
        page.reload()
        prompt = page.locator("[data-bug-prompt]")
        assert "Issue #1348 is closed." in prompt.inner_text()
        assert "Tell Ana Lima?" in prompt.inner_text()
        assert "Hello Ana, good news" in prompt.inner_text()
        assert "Issue #1348 is closed" in page.locator(".thread").inner_text()
        prompt.get_by_role("button", name="Done: the customer knows").click()
        page.locator(".bug-card").wait_for()
        assert page.locator("[data-bug-prompt]").count() == 0
    finally:
        server.close()
        for client in clients:
            client.close()
