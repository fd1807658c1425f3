"""Following a report: its state read back by polling or the tracker's signed webhook, and its
closure reaching the conversation and the person it is assigned to."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassade.bugreports import services
from ambassade.bugreports.models import BugReport, Tracker
from ambassade.connectors.signed_webhook import signature
from ambassade.connectors.trackers.base import hmac_sha256
from ambassade.crisis.models import Notification
from ambassade.inbox.messages import event_words
from ambassade.inbox.models import Event
from tests.bugreports.helpers import complaint, tracker
from tests.connectors.conftest import ReplayServer, Reply, fixture_bytes, fixture_json


def sent(
    personas: Any, kind: str, ref: str, *, key: str = "c1", lang: str = "en", to: Any = None
) -> BugReport:
    """A report already sent to a tracker of ``kind`` (or ``to``), open as ``ref``."""
    made = complaint(personas, key, lang=lang)
    found = services.report(
        made, to or tracker(personas, kind), title="Double charge", actor=personas.bob
    )
    BugReport.objects.filter(pk=found.pk).update(
        state=BugReport.State.OPEN,
        ref=ref,
        sent_at=timezone.now(),
        next_check_at=timezone.now() - timedelta(seconds=1),
    )
    found.refresh_from_db()
    return found


@pytest.mark.parametrize(
    ("kind", "ref", "path", "fixture", "status"),
    [
        (
            "github",
            "1347",
            "/repos/octocat/Hello-World/issues/1347",
            "issue_closed.json",
            "completed",
        ),
        (
            "gitlab",
            "14",
            "/api/v4/projects/my-group%2Fmy-project/issues/14",
            "issue_closed.json",
            "closed",
        ),
        ("jira", "SUP-24", "/rest/api/3/issue/SUP-24", "issue_done.json", "Shipped"),
    ],
)
def test_polling_reads_a_closure_and_tells_the_assignee(
    personas: Any,
    server: ReplayServer,
    local_trackers: Any,
    kind: str,
    ref: str,
    path: str,
    fixture: str,
    status: str,
) -> None:
    found = sent(personas, kind, ref)
    server.route("GET", path, Reply(200, fixture_json(kind, fixture)))
    assert services.poll_due() == 1
    found.refresh_from_db()
    assert found.state == BugReport.State.CLOSED and found.status == status
    assert found.closed_at is not None and found.needs_telling
    assert services.poll_due() == 0  # closed: no longer read
    (event,) = Event.objects.filter(conversation=found.conversation, code="bug_closed")
    assert event_words(event) == f"Issue {found.reference} is closed: Double charge"
    (notification,) = Notification.objects.filter(user=personas.bob)
    assert str(notification.title) == f"Issue {found.reference} is closed: Double charge"
    assert str(notification.body) == "Tell Ana Lima: a reply is proposed on the conversation."
    assert notification.link.endswith(f"/inbox/{found.conversation_id}/")


def test_an_open_issue_is_read_again_later_and_refused_credentials_are_flagged(
    personas: Any, server: ReplayServer, local_trackers: Any
) -> None:
    found = sent(personas, "github", "1347")
    path = "/repos/octocat/Hello-World/issues/1347"
    server.route("GET", path, Reply(200, fixture_json("github", "issue.json")))
    now = timezone.now()
    assert services.poll_due(now) == 1
    found.refresh_from_db()
    assert found.state == BugReport.State.OPEN
    assert found.next_check_at == now + services.POLL_EVERY
    server.route("GET", path, Reply(401, fixture_json("github", "error_401.json")))
    assert services.poll_due(now + services.POLL_EVERY) == 0
    found.refresh_from_db()
    assert found.state == BugReport.State.OPEN
    assert Tracker.objects.get().status == Tracker.Status.NEEDS_RECONNECTION
    # Not asked again with the credentials it refused.
    assert services.poll_due(now + 3 * services.POLL_EVERY) == 0
    assert len(server.requests) == 2


def deliver(client: Any, report: BugReport, body: bytes, **headers: str) -> int:
    assert report.tracker is not None
    url = reverse("bugreports:webhook", args=[report.tracker.hook_id])
    response = client.post(url, body, content_type="application/json", headers=headers)
    return int(response.status_code)


def test_a_github_webhook_signed_with_the_secret_closes_the_report(
    personas: Any, client: Any
) -> None:
    found = sent(personas, "github", "1348")
    assert found.tracker is not None
    body = fixture_bytes("github", "webhook_issue_closed.json")
    secret = services.webhook_secret(found.tracker)
    wrong = "sha256=" + hmac_sha256("not-the-secret", body)
    assert deliver(client, found, body, X_GitHub_Event="issues", X_Hub_Signature_256=wrong) == 401
    assert deliver(client, found, body, X_GitHub_Event="issues") == 401
    found.refresh_from_db()
    assert found.state == BugReport.State.OPEN
    good = "sha256=" + hmac_sha256(secret, body)
    assert deliver(client, found, body, X_GitHub_Event="issues", X_Hub_Signature_256=good) == 204
    found.refresh_from_db()
    assert found.state == BugReport.State.CLOSED and found.needs_telling


def test_a_webhook_about_another_repository_changes_nothing(personas: Any, client: Any) -> None:
    found = sent(personas, "github", "1348")
    assert found.tracker is not None
    payload = fixture_json("github", "webhook_issue_closed.json")
    payload["repository"]["full_name"] = "someone/else"
    body = json.dumps(payload).encode()
    good = "sha256=" + hmac_sha256(services.webhook_secret(found.tracker), body)
    assert deliver(client, found, body, X_GitHub_Event="issues", X_Hub_Signature_256=good) == 204
    found.refresh_from_db()
    assert found.state == BugReport.State.OPEN


def test_a_gitlab_webhook_with_its_token_closes_the_report_known_by_number_or_path(
    personas: Any, client: Any
) -> None:
    found = sent(personas, "gitlab", "15")
    assert found.tracker is not None
    Tracker.objects.filter(pk=found.tracker.pk).update(config={"project": "3"})  # its number
    body = fixture_bytes("gitlab", "webhook_issue_closed.json")
    token = services.webhook_secret(found.tracker)
    assert deliver(client, found, body, X_Gitlab_Event="Issue Hook", X_Gitlab_Token="nope") == 401
    assert deliver(client, found, body, X_Gitlab_Event="Issue Hook", X_Gitlab_Token=token) == 204
    found.refresh_from_db()
    assert found.state == BugReport.State.CLOSED


def test_a_jira_webhook_signed_with_the_secret_closes_the_report(
    personas: Any, client: Any
) -> None:
    found = sent(personas, "jira", "SUP-24")
    assert found.tracker is not None
    body = fixture_bytes("jira", "webhook_issue_updated.json")
    good = "sha256=" + hmac_sha256(services.webhook_secret(found.tracker), body)
    assert deliver(client, found, body, X_Hub_Signature=good) == 204
    found.refresh_from_db()
    assert found.state == BugReport.State.CLOSED and found.status == "Shipped"


def test_a_signed_webhooks_receiver_closes_and_reopens_a_report_by_the_id_sent(
    personas: Any, client: Any
) -> None:
    found = sent(personas, "webhook", "BUG-7")
    secret = "whsec_0123456789abcdef"  # shared by both sides (tests/bugreports/helpers.py)

    def status(state: str, stamp: int) -> int:
        body = json.dumps({"id": found.marker, "state": state, "status": "fixed"}).encode()
        return deliver(
            client,
            found,
            body,
            X_Ambassade_Timestamp=str(stamp),
            X_Ambassade_Signature=signature(secret, body, stamp),
        )

    now = int(timezone.now().timestamp())
    assert status("closed", now - 3600) == 401  # a replayed delivery
    assert status("closed", now) == 204
    found.refresh_from_db()
    assert found.state == BugReport.State.CLOSED and found.status == "fixed"
    assert status("open", now) == 204
    found.refresh_from_db()
    assert found.state == BugReport.State.OPEN and not found.needs_telling
    (event,) = Event.objects.filter(conversation=found.conversation, code="bug_reopened")
    assert event_words(event) == "Issue BUG-7 was opened again: Double charge"


def test_an_unknown_address_or_an_unreadable_delivery_is_refused(
    personas: Any, client: Any
) -> None:
    found = sent(personas, "gitlab", "15")
    assert found.tracker is not None
    missing = reverse("bugreports:webhook", args=["00000000-0000-4000-8000-000000000000"])
    assert client.post(missing, b"{}", content_type="application/json").status_code == 404
    token = services.webhook_secret(found.tracker)
    assert deliver(client, found, b"[1", X_Gitlab_Event="Issue Hook", X_Gitlab_Token=token) == 400
    hook = reverse("bugreports:webhook", args=[found.tracker.hook_id])
    assert client.get(hook).status_code == 405
    assert client.post(hook, {"state": "closed"}).status_code == 400  # a form, not a delivery


def test_the_closure_prompts_a_reply_in_the_conversations_language_until_done(
    personas: Any, client: Any
) -> None:
    found = sent(personas, "webhook", "BUG-7", lang="fr")
    BugReport.objects.filter(pk=found.pk).update(
        state=BugReport.State.CLOSED, closed_at=timezone.now()
    )
    page = reverse("inbox:conversation", args=[personas.workspace_a.slug, found.conversation_id])
    client.force_login(personas.bob)
    html = client.get(page).content.decode()
    assert "Issue BUG-7 is closed." in html and "Tell Ana Lima?" in html
    assert (
        "Bonjour Ana, bonne nouvelle : le problème que vous nous avez signalé est corrigé." in html
    )
    assert "Merci de nous l&#x27;avoir dit, et de votre patience ! Bob Durand" in html
    # Named in the workspace's language (workspace A's is French).
    assert "Saved reply “Problème corrigé” (/issue-fixed)." in html
    client.post(reverse("bugreports:told", args=[personas.workspace_a.slug, found.pk]))
    found.refresh_from_db()
    assert not found.needs_telling
    assert "Issue BUG-7 is closed." not in client.get(page).content.decode()


def test_the_prompt_offers_the_workspaces_saved_reply_made_once_when_the_issue_closes(
    personas: Any, client: Any
) -> None:
    from ambassade.replies.models import SavedReply

    english = sent(personas, "webhook", "BUG-7")
    french = sent(personas, "webhook", "BUG-8", key="c2", lang="fr", to=english.tracker)
    assert not SavedReply.objects.exists()
    stamp = int(timezone.now().timestamp())
    for found in (english, french):
        body = json.dumps({"id": found.marker, "state": "closed"}).encode()
        secret = "whsec_0123456789abcdef"
        headers = {
            "X_Ambassade_Timestamp": str(stamp),
            "X_Ambassade_Signature": signature(secret, body, stamp),
        }
        assert deliver(client, found, body, **headers) == 204
    # One default saved reply per workspace, in both languages, whatever the closures.
    (saved,) = SavedReply.objects.filter(workspace=personas.workspace_a)
    assert saved.shortcut == services.CLOSURE_SHORTCUT
    assert saved.text_en.startswith("Hello {first_name}, good news")
    assert saved.text_fr.startswith("Bonjour {first_name}, bonne nouvelle")

    # A manager rewrites it: the prompts offer the workspace's words, in each conversation's
    # language, with the variables filled.
    saved.text_en = "Hi {first_name}, ticket {ticket} is fixed. {agent_first_name}"
    saved.text_fr = "Bonjour {first_name}, le ticket {ticket} est réglé. {agent_first_name}"
    saved.save()
    client.force_login(personas.bob)

    def prompt(found: BugReport) -> str:
        page = reverse(
            "inbox:conversation", args=[personas.workspace_a.slug, found.conversation_id]
        )
        return client.get(page).content.decode()

    assert f"Hi Ana, ticket #{english.conversation_id} is fixed. Bob" in prompt(english)
    assert f"Bonjour Ana, le ticket #{french.conversation_id} est réglé. Bob" in prompt(french)
    # Deleted, it is made again with the default words at the next closure's prompt.
    saved.delete()
    assert "Hello Ana, good news" in prompt(english)
    assert SavedReply.objects.filter(shortcut=services.CLOSURE_SHORTCUT).count() == 1
