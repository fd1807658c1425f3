"""The outbox's status-change webhook: a real HTTP server on 127.0.0.1 receives the signed events,
the same message as the pages, retries with back-off, private addresses refused, the secret shown
once and never logged, and only the workspace's owners and managers see or change it."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassade.connectors.base import ConnectorError
from ambassade.publishing import approvals, authoring, webhooks
from ambassade.publishing.models import Status, WebhookDelivery
from ambassade.publishing.outbox import hold
from ambassade.publishing.outbox import posts as outbox
from ambassade.workspaces.messages import words_in
from ambassade.workspaces.models import AuditEntry
from tests.conftest import Personas
from tests.publishing.conftest import FakePublisher

pytestmark = pytest.mark.django_db


class Receiver:
    """A webhook receiver: records every request, answers the statuses queued (then 200)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ambassade"

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _headers, body in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.PUBLISHING_WEBHOOKS_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def immediate() -> Iterator[None]:
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = False


@pytest.fixture
def secret(personas: Personas, receiver: Receiver) -> str:
    made = webhooks.set_webhook(personas.workspace_a, receiver.url, personas.alice)
    assert made
    return made


def _verify(secret: str, headers: dict[str, str], body: bytes, fresh: bool = True) -> None:
    timestamp = headers["x-ambassade-timestamp"]
    if fresh:
        assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert headers["x-ambassade-signature"] == "sha256=" + expected.hexdigest()


def test_it_posts_every_status_change_signed(
    personas: Personas,
    receiver: Receiver,
    secret: str,
    immediate: None,
    fake: FakePublisher,
    django_capture_on_commit_callbacks: Any,
) -> None:
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="Bonjour", connections=[personas.connection]
    )
    with django_capture_on_commit_callbacks(execute=True):
        approvals.submit_post(post, personas.bob, now=timezone.now())
    variant = post.variants.get()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.publish_variant(variant.id, publisher_factory=lambda c: fake)
    events = receiver.events()
    assert [e["variant"]["status"] for e in events] == ["scheduled", "publishing", "published"]
    for headers, body in receiver.requests:
        _verify(secret, headers, body)
        assert headers["x-ambassade-event"] == "variant.status_changed"
    last = events[-1]
    assert last["event"] == "variant.status_changed"
    assert last["workspace"]["slug"] == personas.workspace_a.slug
    assert last["post"]["id"] == post.id
    assert last["post"]["url"].endswith(f"/w/{personas.workspace_a.slug}/publishing/{post.id}/")
    assert last["variant"] | {"scheduled_at": None, "published_at": None} == {
        "id": variant.id,
        "network": "mastodon",
        "network_label": "Mastodon",
        "account": personas.connection.account_name,
        "status": "published",
        "status_label": "Published",
        "error": "",
        "remote_url": "https://net.example/1",
        "scheduled_at": None,
        "published_at": None,
    }
    assert last["variant"]["published_at"].endswith("Z")
    assert last["variant"]["scheduled_at"].endswith("Z")
    deliveries = WebhookDelivery.objects.filter(workspace=personas.workspace_a)
    assert {d.state for d in deliveries} == {"delivered"}
    assert {d.status_code for d in deliveries} == {200}


def test_it_sends_the_very_message_the_pages_show(
    personas: Personas,
    receiver: Receiver,
    secret: str,
    immediate: None,
    fake: FakePublisher,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="Refusé", connections=[personas.connection]
    )
    approvals.submit_post(post, personas.bob, now=timezone.now())
    variant = post.variants.get()
    fake.outcomes = [ConnectorError("Text too long <b>500</b>", permanent=True)]
    with django_capture_on_commit_callbacks(execute=True):
        outbox.publish_variant(variant.id, publisher_factory=lambda c: fake)
    variant.refresh_from_db()
    assert variant.status == Status.FAILED
    failed = receiver.events()[-1]["variant"]
    assert failed["status"] == "failed" and failed["status_label"] == "Failed"
    assert failed["error"] == variant.error
    assert "Mastodon refused the post" in failed["error"]
    page = personas.client_for(client, personas.alice).get(
        reverse("publishing:post", args=[personas.workspace_a.slug, post.id])
    )
    # The page shows the same sentence (escaped there, raw JSON in the event).
    assert (
        "Mastodon refused the post: Text too long &lt;b&gt;500&lt;/b&gt;" in page.content.decode()
    )


def test_it_retries_with_back_off_then_records_the_receivers_status(
    personas: Personas, receiver: Receiver, secret: str
) -> None:
    receiver.statuses = [503, 429]
    delivery = webhooks.send_test(personas.workspace_a, personas.alice)
    now = timezone.now()
    again = webhooks.deliver(delivery.id, now=now)
    assert again == now + timedelta(seconds=10)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.status_code) == ("pending", 503)
    assert "503" in delivery.error
    # Not before its time.
    assert webhooks.deliver(delivery.id, now=now + timedelta(seconds=5)) is None
    assert len(receiver.requests) == 1
    assert webhooks.deliver(delivery.id, now=again) == again + timedelta(minutes=1)
    assert webhooks.deliver(delivery.id, now=again + timedelta(minutes=1)) is None
    delivery.refresh_from_db()
    assert (delivery.state, delivery.status_code, delivery.attempts) == ("delivered", 200, 3)
    # The same event each time (only the timestamp and its signature change).
    bodies = {body for _headers, body in receiver.requests}
    assert len(bodies) == 1
    for headers, body in receiver.requests:
        _verify(secret, headers, body, fresh=False)  # sent "at" the times given above


def test_it_words_the_delivery_error_in_the_readers_language(
    personas: Personas, receiver: Receiver, secret: str
) -> None:
    personas.workspace_a.language = "fr"
    personas.workspace_a.save(update_fields=["language"])
    receiver.statuses = [503]
    delivery = webhooks.send_test(personas.workspace_a, personas.alice)
    webhooks.deliver(delivery.id, now=timezone.now())
    delivery.refresh_from_db()
    assert words_in("fr", delivery.error) == "Le destinataire a répondu 503."
    assert words_in("en", delivery.error) == "The receiver answered 503."


def test_it_gives_up_after_its_last_attempt_and_at_once_on_a_refusal(
    personas: Personas, receiver: Receiver, secret: str
) -> None:
    receiver.statuses = [500] * webhooks.MAX_ATTEMPTS
    delivery = webhooks.send_test(personas.workspace_a, personas.alice)
    now = timezone.now()
    for _attempt in range(webhooks.MAX_ATTEMPTS):
        again = webhooks.deliver(delivery.id, now=now)
        now = again or now
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS
    receiver.statuses = [404]
    refused = webhooks.send_test(personas.workspace_a, personas.alice)
    assert webhooks.deliver(refused.id) is None
    refused.refresh_from_db()
    assert (refused.state, refused.status_code, refused.attempts) == ("failed", 404, 1)


def test_it_refuses_a_private_address_unless_the_tests_allow_it(
    personas: Personas, receiver: Receiver, secret: str, settings: Any
) -> None:
    settings.PUBLISHING_WEBHOOKS_ALLOW_PRIVATE = False
    delivery = webhooks.send_test(personas.workspace_a, personas.alice)
    assert webhooks.deliver(delivery.id) is None
    delivery.refresh_from_db()
    assert delivery.state == "failed"
    assert "is a private address" in delivery.error
    assert "/hooks/ambassade" not in delivery.error.to_db()  # the path may be a token
    assert receiver.requests == []


def test_it_sends_held_and_resumed_events_with_the_crisis_hold(
    personas: Personas,
    receiver: Receiver,
    secret: str,
    immediate: None,
    scheduled: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        hold.pause_outbox(personas.workspace_a, "Crisis: product recall", personas.alice)
        hold.resume_outbox(personas.workspace_a, personas.alice)
    assert [(e["event"], e["variant"]["id"]) for e in receiver.events()] == [
        ("variant.held", scheduled.id),
        ("variant.resumed", scheduled.id),
    ]


def test_it_sends_nothing_for_a_workspace_without_webhook(
    personas: Personas, receiver: Receiver, scheduled: Any, fake: FakePublisher
) -> None:
    outbox.publish_variant(scheduled.id, publisher_factory=lambda c: fake)
    assert WebhookDelivery.objects.count() == 0


def test_it_never_logs_or_audits_the_secret(
    personas: Personas,
    receiver: Receiver,
    caplog: Any,
    immediate: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    caplog.set_level(logging.DEBUG)
    made = webhooks.set_webhook(personas.workspace_a, receiver.url, personas.alice)
    new = webhooks.regenerate_secret(personas.workspace_a, personas.alice)
    receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.send_test(personas.workspace_a, personas.alice)
    for secret in (made, new):
        assert secret
        assert secret not in caplog.text
        for entry in AuditEntry.objects.all():
            assert secret not in json.dumps(entry.details)
        for delivery in WebhookDelivery.objects.all():
            assert secret not in json.dumps(delivery.payload) + delivery.error.to_db()
    webhook = webhooks.webhook_for(personas.workspace_a)
    assert webhook is not None
    assert made not in repr(webhook) and new not in repr(webhook)
    assert bytes(webhook.secret_ciphertext).find(new.encode()) == -1  # encrypted at rest


# --- the outbox page ------------------------------------------------------------------------------


def test_it_shows_a_new_secret_once_and_the_last_deliveries(
    personas: Personas,
    receiver: Receiver,
    client: Any,
    immediate: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    alice = personas.client_for(client, personas.alice)
    url = reverse("publishing:outbox_webhook", args=[personas.workspace_a.slug])
    page = alice.post(url, {"action": "save", "url": receiver.url})
    assert page.status_code == 200
    webhook = webhooks.webhook_for(personas.workspace_a)
    assert webhook is not None
    secret = webhook.target().reveal()["secret"]
    assert secret in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    outbox = reverse("publishing:outbox", args=[personas.workspace_a.slug])
    again = alice.get(outbox).content.decode()
    assert secret not in again
    assert "http://127.0.0.1" in again  # where events go (scheme and host only)
    with django_capture_on_commit_callbacks(execute=True):
        assert alice.post(url, {"action": "test"}).status_code == 302
    shown = alice.get(outbox).content.decode()
    assert 'data-delivery="delivered"' in shown
    assert "<td>200</td>" in shown
    _verify(secret, *receiver.requests[-1])
    # A new secret: shown once, and it signs from now on.
    page = alice.post(url, {"action": "regenerate"})
    newer = webhooks.webhook_for(personas.workspace_a).target().reveal()["secret"]  # type: ignore[union-attr]
    assert newer != secret and newer in page.content.decode()
    alice.post(url, {"action": "remove"})
    assert webhooks.webhook_for(personas.workspace_a) is None


def test_it_refuses_an_address_that_is_not_a_web_address(personas: Personas, client: Any) -> None:
    alice = personas.client_for(client, personas.alice)
    url = reverse("publishing:outbox_webhook", args=[personas.workspace_a.slug])
    page = alice.post(url, {"action": "save", "url": "ftp://example.com/x"})
    assert page.status_code == 200
    assert "The webhook address must start with https:// (or http://)." in page.content.decode()
    assert webhooks.webhook_for(personas.workspace_a) is None


def test_it_keeps_the_webhook_to_owners_and_managers_of_the_workspace(
    personas: Personas, receiver: Receiver, secret: str, client: Any
) -> None:
    url = reverse("publishing:outbox_webhook", args=[personas.workspace_a.slug])
    outbox = reverse("publishing:outbox", args=[personas.workspace_a.slug])
    # Bob edits posts but does not manage the outbox: no webhook section, no change.
    bob = personas.client_for(client, personas.bob)
    assert "Status webhook" not in bob.get(outbox).content.decode()
    assert bob.post(url, {"action": "remove"}).status_code == 403
    # Charlie belongs to another workspace: A's outbox and webhook do not exist for him.
    charlie = personas.client_for(client, personas.charlie)
    assert charlie.get(outbox).status_code == 404
    for action in ("save", "regenerate", "remove", "test"):
        assert (
            charlie.post(url, {"action": action, "url": "https://evil.example/"}).status_code == 404
        )
    webhook = webhooks.webhook_for(personas.workspace_a)
    assert webhook is not None and webhook.target().reveal()["url"] == receiver.url
    assert WebhookDelivery.objects.count() == 0
