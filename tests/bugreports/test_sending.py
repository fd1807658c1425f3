"""Sending a bug report exactly once, to each tracker on a local server in its documented format."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from ambassade.bugreports import services, tasks
from ambassade.bugreports.models import BugReport, Tracker
from ambassade.inbox.messages import event_words
from ambassade.inbox.models import Event
from tests.bugreports.helpers import CREATE_PATH, complaint, tracker
from tests.connectors.conftest import ReplayServer, Reply, fixture_bytes, fixture_json

#: The answer each tracker gives to a creation, and the reference the report then shows.
CREATED = {
    "github": (Reply(201, fixture_json("github", "issue.json")), "#1347"),
    "gitlab": (Reply(201, fixture_json("gitlab", "issue.json")), "#14"),
    "jira": (Reply(201, fixture_json("jira", "issue_created.json")), "SUP-24"),
    "webhook": (Reply(201, {"id": "BUG-7", "url": "https://bugs.example.com/7"}), "BUG-7"),
}


@pytest.mark.parametrize("kind", sorted(CREATED))
def test_it_sends_a_report_with_the_customers_words_and_a_link_back(
    personas: Any, server: ReplayServer, local_trackers: Any, kind: str
) -> None:
    made = complaint(personas)
    found = services.report(
        made,
        tracker(personas, kind),
        title="Double charge",
        description="Twice.",
        actor=personas.bob,
    )
    assert found.state == BugReport.State.SENDING
    reply, reference = CREATED[kind]
    server.route("POST", CREATE_PATH[kind], reply)

    assert services.send(found.pk) is None
    found.refresh_from_db()
    assert found.state == BugReport.State.OPEN and found.reference == reference
    assert found.sent_at is not None and found.claimed_until is None and not found.error
    assert (found.next_check_at is None) == (kind == "webhook")  # nothing to poll there
    (request,) = server.calls(CREATE_PATH[kind])
    body = request.body.decode()
    link = f"{settings.BASE_URL}/w/{personas.workspace_a.slug}/inbox/{made.pk}/"
    assert found.marker in body and link in body
    # Both of the customer's messages, as literal text (each tracker fences or escapes them).
    assert "Order 4412, still charged twice" in body and "alert(1)" in body
    assert "Sorry! Could you" not in body  # the brand's own answer is not the customer's words
    (event,) = Event.objects.filter(conversation=made, code="bug_reported")
    assert event_words(event) == f"Bob Durand reported the bug “Double charge” to App ({kind})"


def test_an_unknown_outcome_is_looked_up_before_anything_is_sent_again(
    personas: Any, server: ReplayServer, local_trackers: Any
) -> None:
    found = services.report(complaint(personas), tracker(personas), title="Double charge")
    issues = CREATE_PATH["github"]
    # The first creation is received but its answer never arrives (the client gives up first).
    server.route("POST", issues, Reply(201, fixture_json("github", "issue.json"), delay=1.5))
    now = timezone.now()
    wait = services.send(found.pk, now=now)
    found.refresh_from_db()
    assert wait == 30.0 and found.state == BugReport.State.SENDING
    assert found.error.code == "bugreport.outcome_unknown"
    assert services.send(found.pk, now=now + timedelta(seconds=10)) is None  # still waiting
    listed = fixture_bytes("github", "issues_recent.json").replace(
        b"amb-0123456789abcdef", found.marker.encode()
    )
    server.route("GET", issues, Reply(200, json.loads(listed)))

    assert services.send(found.pk, now=now + timedelta(seconds=31)) is None
    found.refresh_from_db()
    assert found.state == BugReport.State.OPEN and found.ref == "1348"
    assert len(server.calls(issues)) == 2  # one POST, then the look-up: never a second issue
    assert [r.method for r in server.calls(issues)] == ["POST", "GET"]


def test_a_report_another_worker_holds_is_left_alone(
    personas: Any, server: ReplayServer, local_trackers: Any
) -> None:
    found = services.report(complaint(personas), tracker(personas), title="Double charge")
    now = timezone.now()
    BugReport.objects.filter(pk=found.pk).update(claimed_until=now + timedelta(minutes=1))
    assert services.send(found.pk, now=now) is None
    assert not server.requests


def test_refused_credentials_fail_the_report_and_ask_for_new_ones(
    personas: Any, server: ReplayServer, local_trackers: Any
) -> None:
    made = complaint(personas)
    found = services.report(made, tracker(personas), title="Double charge")
    server.route(
        "POST", CREATE_PATH["github"], Reply(401, fixture_json("github", "error_401.json"))
    )
    assert services.send(found.pk) is None
    found.refresh_from_db()
    assert found.state == BugReport.State.FAILED
    assert str(found.error) == "GitHub refused the credentials: Bad credentials"
    assert found.tracker is not None
    assert found.tracker.status == Tracker.Status.NEEDS_RECONNECTION
    (event,) = Event.objects.filter(conversation=made, code="bug_report_failed")
    assert event_words(event) == "The bug report “Double charge” could not be sent"
    # Until it has new credentials, the tracker is not asked again.
    again = services.report(made, found.tracker, title="Still charged")
    assert services.send(again.pk) is None
    again.refresh_from_db()
    assert again.state == BugReport.State.FAILED and len(server.requests) == 1
    assert str(again.error) == (
        "The tracker App (github) refused its credentials: give it new ones, then report again."
    )


def test_a_tracker_asking_to_wait_is_waited_for_then_given_up_on(
    personas: Any, server: ReplayServer, local_trackers: Any
) -> None:
    found = services.report(complaint(personas), tracker(personas), title="Double charge")
    server.route(
        "POST",
        CREATE_PATH["github"],
        Reply(
            429, {"message": "You have exceeded a secondary rate limit."}, {"Retry-After": "120"}
        ),
    )
    now = timezone.now()
    assert services.send(found.pk, now=now) == 120.0
    found.refresh_from_db()
    assert found.state == BugReport.State.SENDING and found.error.code == "tracker.rate_limited"
    BugReport.objects.filter(pk=found.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    assert services.send(found.pk, now=now + timedelta(seconds=121)) is None
    found.refresh_from_db()
    assert found.state == BugReport.State.FAILED and found.attempts == services.MAX_ATTEMPTS


def test_a_report_whose_worker_died_is_handed_on(personas: Any, monkeypatch: Any) -> None:
    found = services.report(complaint(personas), tracker(personas), title="Double charge")
    handed: list[int] = []
    monkeypatch.setattr(tasks, "send_report", handed.append)
    now = timezone.now()
    BugReport.objects.filter(pk=found.pk).update(claimed_until=now + timedelta(seconds=30))
    assert services.resume_stuck(now) == 0  # its worker still holds it
    assert services.resume_stuck(now + timedelta(seconds=31)) == 1
    assert handed == [found.pk]


def test_a_report_is_made_only_for_a_tracker_of_the_conversations_workspace(
    personas: Any,
) -> None:
    other = services.connect(
        personas.workspace_b,
        kind="github",
        name="B's",
        config={"repository": "b/app"},
        credentials={"token": "tok"},
    )
    with pytest.raises(services.ReportError):
        services.report(complaint(personas), other, title="x")
    with pytest.raises(services.ReportError):
        services.report(complaint(personas, "c2"), tracker(personas), title="   ")
    assert not BugReport.objects.exists()


def test_the_credentials_are_kept_encrypted(personas: Any) -> None:
    made = tracker(personas, "jira")
    stored = bytes(Tracker.objects.get(pk=made.pk).secret_ciphertext)
    assert b"ATATT3x" not in stored and b"cm@example.com" not in stored
    secret = made.secret().reveal()
    assert secret["api_token"] == "ATATT3x-secretpart" and len(secret["webhook_secret"]) > 30
    assert "ATATT3x" not in repr(made)
