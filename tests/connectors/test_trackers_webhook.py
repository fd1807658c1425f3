"""A bug report sent as a signed webhook, and the status its receiver sends back."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ambassade.connectors.base import ConnectorError, InvalidConfig
from ambassade.connectors.http import HttpClient
from ambassade.connectors.signed_webhook import signature
from ambassade.connectors.trackers import IssueDraft, IssueState, WebhookRefused, WebhookTracker

from .conftest import ReplayServer, Reply

SECRET = "whsec_0123456789abcdef"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DRAFT = IssueDraft(
    title="Double charge",
    description="Charged twice.",
    quote="« deux fois ! »",
    link="https://ambassade.example.com/w/cafe/inbox/42/",
    marker="amb-0123456789abcdef",
    labels=("bug",),
)


def tracker(server: ReplayServer, http: HttpClient) -> WebhookTracker:
    return WebhookTracker(
        http, endpoints={"base": server.url("/hooks/bugs")}, clock=lambda: NOW.timestamp()
    )


def test_it_sends_a_signed_report_and_keeps_the_receivers_reference(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST", "/hooks/bugs", Reply(201, {"id": "BUG-7", "url": "https://bugs.example.com/7"})
    )
    issue = tracker(server, http).create_issue({"url": "https://x"}, {"secret": SECRET}, DRAFT)
    assert (issue.ref, issue.url, issue.state) == (
        "BUG-7",
        "https://bugs.example.com/7",
        IssueState.OPEN,
    )
    (request,) = server.requests
    stamp = int(NOW.timestamp())
    assert request.headers["x-ambassade-timestamp"] == str(stamp)
    assert request.headers["x-ambassade-signature"] == signature(SECRET, request.body, stamp)
    sent = json.loads(request.body)
    assert sent == {
        "event": "bug_report.created",
        "id": "amb-0123456789abcdef",
        "title": "Double charge",
        "description": "Charged twice.",
        "quote": "« deux fois ! »",
        "link": "https://ambassade.example.com/w/cafe/inbox/42/",
        "labels": ["bug"],
    }


@pytest.mark.parametrize(
    "answer", [Reply(204), Reply(200, "OK"), Reply(200, {"url": "javascript:alert(1)"})]
)
def test_it_knows_a_report_by_its_id_when_the_receiver_gives_none(
    server: ReplayServer, http: HttpClient, answer: Reply
) -> None:
    server.route("POST", "/hooks/bugs", answer)
    issue = tracker(server, http).create_issue({"url": "https://x"}, {"secret": SECRET}, DRAFT)
    assert issue.ref == "amb-0123456789abcdef" and issue.url == ""


def test_it_cannot_be_polled(server: ReplayServer, http: HttpClient) -> None:
    assert not WebhookTracker.can_poll
    with pytest.raises(ConnectorError) as caught:
        tracker(server, http).get_issue({}, {"secret": SECRET}, "BUG-7")
    assert caught.value.code == "tracker.cannot_poll"


def test_a_refused_delivery_is_an_error(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", "/hooks/bugs", Reply(400, {"error": "unknown label"}))
    with pytest.raises(ConnectorError) as caught:
        tracker(server, http).create_issue({"url": "https://x"}, {"secret": SECRET}, DRAFT)
    assert (
        caught.value.code == "tracker.invalid" and caught.value.params["detail"] == "unknown label"
    )


def signed(body: bytes, stamp: int) -> dict[str, str]:
    return {
        "X-Ambassade-Timestamp": str(stamp),
        "X-Ambassade-Signature": signature(SECRET, body, stamp),
    }


def test_it_reads_a_signed_status_from_the_receiver() -> None:
    body = json.dumps({"id": "BUG-7", "state": "closed", "status": "fixed in 2.3"}).encode()
    stamp = int(NOW.timestamp()) - 60
    receiver = WebhookTracker()
    receiver.verify_webhook(signed(body, stamp), body, SECRET, now=NOW)
    event = receiver.parse_webhook(signed(body, stamp), body)
    assert event is not None
    assert (event.ref, event.state, event.status) == ("BUG-7", IssueState.CLOSED, "fixed in 2.3")


@pytest.mark.parametrize(
    ("shift", "tamper"),
    [(-301, False), (301, False), (0, True)],
)
def test_it_refuses_a_stale_or_altered_status(shift: int, tamper: bool) -> None:
    body = b'{"id": "BUG-7", "state": "closed"}'
    headers = signed(body, int(NOW.timestamp()) + shift)
    with pytest.raises(WebhookRefused):
        WebhookTracker().verify_webhook(
            headers, body.replace(b"closed", b"open") if tamper else body, SECRET, now=NOW
        )


def test_it_refuses_a_status_without_timestamp() -> None:
    with pytest.raises(WebhookRefused):
        WebhookTracker().verify_webhook(
            {"X-Ambassade-Signature": "sha256=0"}, b"{}", SECRET, now=NOW
        )


@pytest.mark.parametrize("stamp", ["²", "１７７２", "٣", " 1772441600", "9" * 5000])
def test_it_refuses_a_timestamp_that_is_not_plain_digits(stamp: str) -> None:
    # str.isdigit() accepts '²' (int() refuses it) and other scripts' digits (issue #10, item 7).
    with pytest.raises(WebhookRefused):
        WebhookTracker().verify_webhook(
            {"X-Ambassade-Timestamp": stamp, "X-Ambassade-Signature": "sha256=0"},
            b"{}",
            SECRET,
            now=NOW,
        )


@pytest.mark.parametrize(
    "body", [b'{"state": "closed"}', b'{"id": "1", "state": "done"}', b"[1]", b"nope"]
)
def test_it_refuses_a_status_it_cannot_read(body: bytes) -> None:
    with pytest.raises(WebhookRefused) as caught:
        WebhookTracker().parse_webhook({}, body)
    assert caught.value.status == 400


def test_it_wants_an_https_address() -> None:
    with pytest.raises(InvalidConfig):
        WebhookTracker().check_config({"url": "http://bugs.example.com"})
    assert WebhookTracker().check_config({"url": "https://bugs.example.com/in"}) == {
        "url": "https://bugs.example.com/in"
    }
