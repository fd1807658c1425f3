"""Discord (bot with nonce, webhook) and Telegram publishing against local servers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, Draft, MediaUpload
from ambassade.connectors.discord import DiscordPublisher
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.telegram import TelegramPublisher
from tests.connectors.conftest import Recorded, ReplayServer, Reply

FIXTURES = Path(__file__).parent / "fixtures"
CHANNEL = "/channels/1187654321098765432/messages"
BOT = {"bot_token": "discord-bot-secret", "channel_id": "1187654321098765432", "guild_id": "42"}
TG_TOKEN = "123456:ABC-telegram-secret"


def fixture(network: str, name: str) -> Any:
    return json.loads((FIXTURES / network / name).read_text())


def discord(server: ReplayServer, http: HttpClient) -> DiscordPublisher:
    return DiscordPublisher(http, endpoints={"api": server.base_url})


def telegram(server: ReplayServer, http: HttpClient) -> TelegramPublisher:
    return TelegramPublisher(http, endpoints={"api": server.base_url})


# --- Discord ---------------------------------------------------------------------------------


def test_it_sends_a_discord_message_with_an_enforced_nonce(
    server: ReplayServer, http: HttpClient
) -> None:
    by_nonce: dict[str, Any] = {}

    def create(request: Recorded) -> Reply:
        body = json.loads(request.body)
        if not (body.get("enforce_nonce") and body["nonce"] in by_nonce):
            message = fixture("discord", "message_created.json")
            message["id"] = str(1219384759302948864 + len(by_nonce))
            by_nonce[body["nonce"]] = message
        return Reply(200, by_nonce[body["nonce"]])

    server.route("POST", CHANNEL, create)
    publisher = discord(server, http)
    draft = Draft(text="Nouvelle carte @everyone", idempotency_key="3lbx7kq2ab2cd")
    first = publisher.publish(BOT, draft)
    again = publisher.publish(BOT, draft)
    assert first == again and len(by_nonce) == 1
    assert first.url == "https://discord.com/channels/42/1187654321098765432/1219384759302948864"
    assert first.published_at == datetime(2026, 3, 2, 9, 0, 1, 123000, tzinfo=UTC)
    request = server.calls(CHANNEL)[0]
    assert request.headers["authorization"] == "Bot discord-bot-secret"
    body = json.loads(request.body)
    assert body["nonce"] == "3lbx7kq2ab2cd" and body["enforce_nonce"] is True
    assert body["allowed_mentions"] == {"parse": []}  # a post never pings @everyone


def test_it_attaches_files_with_their_description(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", CHANNEL, Reply(200, fixture("discord", "message_created.json")))
    publisher = discord(server, http)
    media_id = publisher.upload_media(
        BOT, MediaUpload("tasse.png", "image/png", b"\x89PNG", alt_text="Une tasse")
    )
    publisher.publish(BOT, Draft(text="Photo", idempotency_key="k", media_ids=[media_id]))
    request = server.calls(CHANNEL)[0]
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="files[0]"; filename="tasse.png"' in request.body
    payload = request.body.split(b'name="payload_json"')[1].split(b"\r\n\r\n", 1)[1]
    attachments = json.loads(payload.split(b"\r\n--", 1)[0])["attachments"]
    assert attachments == [{"id": 0, "filename": "tasse.png", "description": "Une tasse"}]


@pytest.mark.parametrize(
    ("status", "name", "expected", "permanent", "retry_after"),
    [
        (401, "error_401.json", AuthExpired, True, None),
        (400, "error_50035.json", ConnectorError, True, None),
        (429, "error_429.json", ConnectorError, False, 65.0),
        (502, None, ConnectorError, False, None),
    ],
)
def test_it_classifies_discord_errors(
    server: ReplayServer,
    http: HttpClient,
    status: int,
    name: str | None,
    expected: type,
    permanent: bool,
    retry_after: float | None,
) -> None:
    body = fixture("discord", name) if name else "<html>Bad Gateway</html>"
    headers = {"Retry-After": "65"} if status == 429 else {}
    server.route("POST", CHANNEL, Reply(status, body, headers))
    with pytest.raises(expected) as caught:
        discord(server, http).publish(BOT, Draft(text="x", idempotency_key="k"))
    assert caught.value.permanent is permanent
    assert caught.value.retry_after == retry_after
    assert "discord-bot-secret" not in str(caught.value)


def test_it_posts_through_a_webhook_without_leaking_its_token(server: ReplayServer) -> None:
    hook = {"webhook_url": server.url("/api/webhooks/1190/hook-secret-token")}
    server.route("POST", "/api/webhooks/1190/hook-secret-token", Reply(200, {}, delay=0.6))
    slow = HttpClient(allow_private=True, timeout=0.2)
    with slow, pytest.raises(OutcomeUnknown) as caught:
        DiscordPublisher(slow).publish(hook, Draft(text="x", idempotency_key="k"))
    assert "hook-secret-token" not in caught.value.message
    assert server.calls("/api/webhooks/1190/hook-secret-token")[0].query == {"wait": ["true"]}
    assert "nonce" not in json.loads(server.calls("/api/webhooks/1190/hook-secret-token")[0].body)
    with pytest.raises(ConnectorError) as cannot:
        DiscordPublisher().recent_posts(hook, datetime(2026, 1, 1, tzinfo=UTC))
    assert cannot.value.permanent


def test_it_says_only_the_bot_deduplicates_a_retry() -> None:
    """The bot API takes a nonce with enforce_nonce; a webhook takes none, so a retry through it
    is a new message."""
    publisher = DiscordPublisher()
    assert publisher.deduplicates(BOT)
    assert not publisher.deduplicates({"webhook_url": "https://discord.com/api/webhooks/1190/t"})
    both = {**BOT, "webhook_url": "https://discord.com/api/webhooks/1190/t"}
    assert publisher.deduplicates(both)  # the bot is used when both are given
    assert not publisher.deduplicates({})


def test_it_lists_the_channel_for_reconciliation(server: ReplayServer, http: HttpClient) -> None:
    message = fixture("discord", "message_created.json")
    old = {**message, "id": "1", "timestamp": "2026-02-01T00:00:00+00:00"}
    server.route("GET", CHANNEL, Reply(200, [message, old]))
    items = discord(server, http).recent_posts(BOT, datetime(2026, 3, 1, tzinfo=UTC))
    assert [item.text for item in items] == ["Nouvelle carte d'automne ☕"]


def test_it_reads_a_discord_message_back_with_its_reactions(
    server: ReplayServer, http: HttpClient
) -> None:
    message_id = "1219384759302948864"
    server.route(
        "GET",
        f"{CHANNEL}/{message_id}",
        Reply(200, fixture("discord", "message_with_reactions.json")),
    )
    item = discord(server, http).read_back(BOT, message_id)
    assert item is not None and item.text == "Nouvelle carte d'automne ☕"
    assert item.metrics == {"reactions": 12, "replies": 4}
    assert server.calls(f"{CHANNEL}/{message_id}")[0].headers["authorization"] == (
        "Bot discord-bot-secret"
    )
    # A message nobody reacted to has no "reactions" field at all: zero reactions, no thread.
    server.route(
        "GET", f"{CHANNEL}/{message_id}", Reply(200, fixture("discord", "message_created.json"))
    )
    item = discord(server, http).read_back(BOT, message_id)
    assert item is not None and item.metrics == {"reactions": 0}


def test_it_reads_a_webhook_message_back_without_leaking_the_webhook_token(
    server: ReplayServer, http: HttpClient
) -> None:
    path = "/api/webhooks/1187/webhook-secret-token/messages/1219384759302948864"
    server.route("GET", path, Reply(200, fixture("discord", "message_with_reactions.json")))
    hook = {"webhook_url": server.url("/api/webhooks/1187/webhook-secret-token")}
    item = discord(server, http).read_back(hook, "1219384759302948864")
    assert item is not None and item.metrics["reactions"] == 12
    server.route("GET", path, Reply(500, {"message": "500: Internal Server Error", "code": 0}))
    with pytest.raises(ConnectorError) as caught:
        discord(server, http).read_back(hook, "1219384759302948864")
    assert "webhook-secret-token" not in str(caught.value)


# --- Telegram ----------------------------------------------------------------------------------


TG = {"bot_token": TG_TOKEN, "chat_id": "@cafelumiere"}


def test_it_sends_a_telegram_message(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST", f"/bot{TG_TOKEN}/sendMessage", Reply(200, fixture("telegram", "send_message.json"))
    )
    published = telegram(server, http).publish(TG, Draft(text="Bonjour", idempotency_key="k"))
    assert published.external_id == "-1001234567890:482"
    assert published.url == "https://t.me/cafelumiere/482"
    assert json.loads(server.calls(f"/bot{TG_TOKEN}/sendMessage")[0].body) == {
        "chat_id": "@cafelumiere",
        "text": "Bonjour",
    }


def test_it_sends_a_telegram_photo_with_its_caption(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST", f"/bot{TG_TOKEN}/sendPhoto", Reply(200, fixture("telegram", "send_photo.json"))
    )
    publisher = telegram(server, http)
    media_id = publisher.upload_media(TG, MediaUpload("tasse.png", "image/png", b"\x89PNG"))
    published = publisher.publish(
        TG, Draft(text="Avec photo", idempotency_key="k", media_ids=[media_id])
    )
    assert published.url == "https://t.me/cafelumiere/483"
    body = server.calls(f"/bot{TG_TOKEN}/sendPhoto")[0].body
    assert b'name="photo"; filename="tasse.png"' in body and b"Avec photo" in body


@pytest.mark.parametrize(
    ("name", "status", "expected", "permanent", "retry_after"),
    [
        ("error_401.json", 401, AuthExpired, True, None),
        ("error_403_kicked.json", 403, AuthExpired, True, None),
        ("error_400_too_long.json", 400, ConnectorError, True, None),
        ("error_429.json", 429, ConnectorError, False, 35.0),
        ("error_502.json", 502, OutcomeUnknown, False, None),
    ],
)
def test_it_classifies_telegram_errors_without_showing_the_token(
    server: ReplayServer,
    http: HttpClient,
    name: str,
    status: int,
    expected: type,
    permanent: bool,
    retry_after: float | None,
) -> None:
    server.route("POST", f"/bot{TG_TOKEN}/sendMessage", Reply(status, fixture("telegram", name)))
    with pytest.raises(expected) as caught:
        telegram(server, http).publish(TG, Draft(text="x", idempotency_key="k"))
    assert type(caught.value) is expected
    assert caught.value.permanent is permanent
    assert caught.value.retry_after == retry_after
    assert TG_TOKEN not in str(caught.value) and "ABC-telegram-secret" not in str(caught.value)


def test_it_hides_the_telegram_token_when_the_call_times_out(server: ReplayServer) -> None:
    server.route(
        "POST",
        f"/bot{TG_TOKEN}/sendMessage",
        Reply(200, fixture("telegram", "send_message.json"), delay=0.6),
    )
    slow = HttpClient(allow_private=True, timeout=0.2)
    with slow, pytest.raises(OutcomeUnknown) as caught:
        TelegramPublisher(slow, endpoints={"api": server.base_url}).publish(
            TG, Draft(text="x", idempotency_key="k")
        )
    assert TG_TOKEN not in caught.value.message and "[redacted]" in caught.value.message


def test_it_reads_no_telegram_metrics_and_makes_none_up(
    server: ReplayServer, http: HttpClient
) -> None:
    creds = {"bot_token": TG_TOKEN, "chat_id": "@cafelumiere"}
    assert telegram(server, http).read_back(creds, "-1001234567890:42") is None
    assert server.requests == []  # no Bot API method reads a channel post or its views
