"""Every channel: a real SMTP server on loopback, and a local HTTP server receiving each webhook format."""

from __future__ import annotations

import hashlib
import hmac
import json
from email.header import decode_header, make_header
from typing import Any

import pytest

from ambassade.crisis import delivery, services
from ambassade.crisis.models import Alert, AlertRule, Channel
from ambassade.crisis.signals_feed import MentionFacts
from tests.conftest import Personas


def _webhook(p: Personas, hook: Any, fmt: str, secret: str = "") -> Channel:
    channel = Channel(workspace=p.workspace_a, name=fmt, kind="webhook", format=fmt)
    return services.save_channel(channel, p.alice, url=hook.url, secret=secret)


def _alert_through(p: Personas, channel: Channel, capture: Any, severity: str = "high") -> Alert:
    rule = AlertRule.objects.create(
        workspace=p.workspace_a,
        name="Stars",
        kind="influencer",
        min_followers=100,
        severity=severity,
    )
    rule.channels.add(channel)
    with capture(execute=True):
        (alert,) = services.evaluate_mentions(
            p.workspace_a, [MentionFacts(id=4, author_handle="@star", author_followers=9000)]
        )
    alert.refresh_from_db()
    return alert


def test_it_sends_alerts_by_email_through_a_real_smtp_server(
    personas: Personas, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    channel = Channel.objects.create(
        workspace=personas.workspace_a,
        name="Team",
        kind="email",
        recipients="cm@example.com\nboss@example.com",
    )
    alert = _alert_through(personas, channel, django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    subject = str(make_header(decode_header(message["Subject"])))
    assert "@star" in subject and subject.startswith("[Brand A]")
    assert set(message["X-RcptTo"].split(", ")) == {"cm@example.com", "boss@example.com"}
    body = message.get_payload(decode=True).decode()
    assert f"/w/{personas.workspace_a.slug}/alerts/{alert.id}/" in body
    assert alert.deliveries == [
        {"channel": channel.id, "name": "Team", "at": alert.deliveries[0]["at"], "ok": True}
    ]


def test_it_records_a_failed_email_delivery(
    personas: Personas, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    channel = Channel.objects.create(
        workspace=personas.workspace_a, name="Team", kind="email", recipients="cm@example.com"
    )
    alert = _alert_through(personas, channel, django_capture_on_commit_callbacks)
    assert alert.deliveries[0]["ok"] is False
    channel.refresh_from_db()
    assert "could not be sent" in channel.last_error


def test_it_posts_generic_json_signed_with_the_secret(
    personas: Personas, webhook_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    channel = _webhook(personas, webhook_server, "json", secret="s3cret-value")
    alert = _alert_through(personas, channel, django_capture_on_commit_callbacks)
    (request,) = webhook_server.requests
    body = request["json"]
    assert body["event"] == "alert" and body["workspace"] == personas.workspace_a.slug
    assert body["severity"] == "high" and body["items"][0]["kind"] == "influencer"
    assert body["items"][0]["value"] == 9000 and body["title"] == alert.title
    expected = hmac.new(b"s3cret-value", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Ambassade-Signature"] == f"sha256={expected}"
    assert request["path"] == "/hooks/T000/B000/secret-token"


def test_it_posts_slack_blocks(
    personas: Personas, webhook_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    channel = _webhook(personas, webhook_server, "slack")
    _alert_through(personas, channel, django_capture_on_commit_callbacks)
    body = webhook_server.requests[0]["json"]
    assert set(body) == {"text", "blocks"} and "@star" in body["text"]
    assert body["blocks"][0]["type"] == "section"
    assert body["blocks"][0]["text"]["type"] == "mrkdwn"
    assert body["blocks"][1]["type"] == "context"
    assert "X-Ambassade-Signature" not in webhook_server.requests[0]["headers"]


def test_it_posts_mattermost_attachments(
    personas: Personas, webhook_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    channel = _webhook(personas, webhook_server, "mattermost")
    alert = _alert_through(personas, channel, django_capture_on_commit_callbacks)
    body = webhook_server.requests[0]["json"]
    (attachment,) = body["attachments"]
    assert attachment["title"] == alert.title and attachment["color"] == "#dc2626"
    assert attachment["title_link"].endswith(f"/alerts/{alert.id}/")
    assert {"short", "title", "value"} <= set(attachment["fields"][0])


def test_it_posts_a_teams_adaptive_card(
    personas: Personas, webhook_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    channel = _webhook(personas, webhook_server, "teams")
    _alert_through(personas, channel, django_capture_on_commit_callbacks)
    body = webhook_server.requests[0]["json"]
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["type"] == "TextBlock" and card["actions"][0]["type"] == "Action.OpenUrl"


def test_it_reports_a_refused_webhook_without_its_secret_path(
    personas: Personas, webhook_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    webhook_server.status = 404
    channel = _webhook(personas, webhook_server, "slack")
    alert = _alert_through(personas, channel, django_capture_on_commit_callbacks)
    assert alert.deliveries[0]["ok"] is False
    error = json.dumps(alert.deliveries[0]["error"])  # a coded message: code, params, text
    assert "secret-token" not in error
    assert "127.0.0.1" in error


def test_it_refuses_private_addresses_outside_tests(
    personas: Personas, webhook_server: Any, settings: Any
) -> None:
    settings.CRISIS_WEBHOOKS_ALLOW_PRIVATE = False
    channel = _webhook(personas, webhook_server, "json")
    with pytest.raises(delivery.DeliveryError, match="private"):
        services.send_test(channel)
    assert webhook_server.requests == []


def test_it_keeps_the_webhook_address_encrypted(personas: Personas, webhook_server: Any) -> None:
    channel = _webhook(personas, webhook_server, "json", secret="abc")
    raw = bytes(Channel.objects.get(id=channel.id).secret_ciphertext)
    assert b"secret-token" not in raw and b"127.0.0.1" not in raw
    assert channel.url_hint == "http://127.0.0.1" and repr(channel.webhook()) == "<secret>"
    # Saving again without a URL keeps it.
    channel.name = "renamed"
    services.save_channel(channel, personas.alice)
    assert Channel.objects.get(id=channel.id).webhook().reveal()["url"] == webhook_server.url


def test_it_sends_a_test_message(personas: Personas, webhook_server: Any) -> None:
    services.send_test(_webhook(personas, webhook_server, "json"))
    assert webhook_server.requests[0]["json"]["event"] == "test"


def test_it_tells_every_channel_when_a_crisis_opens(
    personas: Personas, webhook_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _webhook(personas, webhook_server, "teams")
    with django_capture_on_commit_callbacks(execute=True):
        services.open_crisis(personas.workspace_a, personas.alice, title="Recall")
    (request,) = webhook_server.requests
    card = request["json"]["attachments"][0]["content"]
    assert card["body"][0]["text"] == "Crisis opened: Recall"


def test_an_alert_email_is_written_in_each_recipients_language(
    personas: Personas, smtp_server: Any, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    # E-mails were written in the workspace's language whoever read them (issue 10, item 14).
    assert personas.workspace_a.language == "en"
    client.force_login(personas.alice)  # Alice switches to French: her alerts come in French
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    channel = Channel.objects.create(
        workspace=personas.workspace_a,
        name="Team",
        kind="email",
        recipients="ALICE@example.com\nboss@example.com",
    )
    _alert_through(personas, channel, django_capture_on_commit_callbacks)
    subjects = {
        message["X-RcptTo"]: str(make_header(decode_header(message["Subject"])))
        for message in smtp_server.messages
    }
    assert subjects == {
        "ALICE@example.com": "[Brand A] @star (9000 abonnés) a publié une mention",
        "boss@example.com": "[Brand A] @star (9000 followers) posted a mention",
    }
