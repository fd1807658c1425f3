"""Telegram bot replies, private messages and updates; Discord replies, DMs and reply chains —
against local servers answering in the Bot API's and Discord API v10's formats."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from ambassade.connectors.base import (
    AuthExpired,
    Capability,
    ConnectorError,
    DirectMessage,
    ItemKind,
    Reply,
)
from ambassade.connectors.discord import DiscordPublisher
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.telegram import TelegramPublisher
from tests.connectors.conftest import Recorded, ReplayServer
from tests.connectors.conftest import Reply as Answer

TG_TOKEN = "123456:ABC-telegram-secret"
TG = {"bot_token": TG_TOKEN, "chat_id": "@cafelumiere"}
BOT = {"bot_token": "discord-bot-secret", "channel_id": "900", "guild_id": "42"}


def telegram(server: ReplayServer, http: HttpClient) -> TelegramPublisher:
    return TelegramPublisher(http, endpoints={"api": server.base_url})


def tg(method: str) -> str:
    return f"/bot{TG_TOKEN}/{method}"


def tg_message(
    mid: int,
    text: str,
    chat: dict[str, Any],
    sender: dict[str, Any] | None = None,
    reply_to: int | None = None,
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "message_id": mid,
        "date": 1772442000 + mid,
        "chat": chat,
        "text": text,
    }
    if sender:
        found["from"] = sender
    if reply_to is not None:
        found["reply_to_message"] = {
            "message_id": reply_to,
            "date": 1772442000,
            "chat": chat,
            "text": "…",
        }
    return found


PRIVATE = {"id": 5550001, "first_name": "Marie", "username": "marie_l", "type": "private"}
MARIE = {
    "id": 5550001,
    "is_bot": False,
    "first_name": "Marie",
    "last_name": "L.",
    "username": "marie_l",
    "language_code": "fr",
}
GROUP = {
    "id": -1001234567890,
    "title": "Café Lumière — clients",
    "username": "cafelumiere_clients",
    "type": "supergroup",
}


def test_telegram_replies_in_the_chat_of_the_message(
    server: ReplayServer, http: HttpClient
) -> None:
    def send(request: Recorded) -> Answer:
        body = json.loads(request.body)
        return Answer(
            200,
            {
                "ok": True,
                "result": tg_message(
                    77, body["text"], GROUP, reply_to=body["reply_parameters"]["message_id"]
                ),
            },
        )

    server.route("POST", tg("sendMessage"), send)
    published = telegram(server, http).reply(TG, Reply("-1001234567890:70", "Merci !", "k"))
    assert published.external_id == "-1001234567890:77"
    assert published.url == "https://t.me/cafelumiere_clients/77"
    assert json.loads(server.calls(tg("sendMessage"))[0].body) == {
        "chat_id": "-1001234567890",
        "text": "Merci !",
        "reply_parameters": {"message_id": 70},
    }


def test_telegram_says_when_the_message_answered_is_gone(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        tg("sendMessage"),
        Answer(
            400,
            {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message to be replied not found",
            },
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        telegram(server, http).reply(TG, Reply("-1001234567890:70", "x", "k"))
    assert caught.value.permanent and caught.value.code == "telegram.parent_gone"
    assert TG_TOKEN not in caught.value.message


def test_telegram_sends_a_private_message(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        tg("sendMessage"),
        Answer(200, {"ok": True, "result": tg_message(12, "Bonjour Marie", PRIVATE)}),
    )
    published = telegram(server, http).send_message(
        TG, DirectMessage("5550001", "Bonjour Marie", "k", in_reply_to="5550001:11")
    )
    assert published.external_id == "5550001:12"
    assert json.loads(server.calls(tg("sendMessage"))[0].body) == {
        "chat_id": "5550001",
        "text": "Bonjour Marie",
        "reply_parameters": {"message_id": 11},
    }


@pytest.mark.parametrize(
    "description",
    [
        "Forbidden: bot was blocked by the user",
        "Forbidden: bot can't initiate conversation with a user",
    ],
)
def test_a_person_the_bot_cannot_reach_is_not_a_token_problem(
    server: ReplayServer, http: HttpClient, description: str
) -> None:
    server.route(
        "POST",
        tg("sendMessage"),
        Answer(403, {"ok": False, "error_code": 403, "description": description}),
    )
    with pytest.raises(ConnectorError) as caught:
        telegram(server, http).send_message(TG, DirectMessage("5550001", "x", "k"))
    assert not isinstance(caught.value, AuthExpired)
    assert caught.value.permanent and caught.value.code == "telegram.user_refuses"


def test_telegram_rate_limits_come_in_the_body(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        tg("sendMessage"),
        Answer(
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 35",
                "parameters": {"retry_after": 35},
            },
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        telegram(server, http).send_message(TG, DirectMessage("5550001", "x", "k"))
    assert not caught.value.permanent and caught.value.retry_after == 35


def test_a_telegram_5xx_after_sending_is_an_unknown_outcome_that_cannot_be_checked(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        tg("sendMessage"),
        Answer(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}),
    )
    connector = telegram(server, http)
    with pytest.raises(OutcomeUnknown):
        connector.send_message(TG, DirectMessage("5550001", "x", "k"))
    since = datetime(2026, 3, 2, tzinfo=UTC)
    for find in (
        lambda: connector.find_message(TG, DirectMessage("5550001", "x", "k"), since),
        lambda: connector.find_reply(TG, Reply("5550001:11", "x", "k"), since),
    ):
        with pytest.raises(ConnectorError) as caught:
            find()
        assert caught.value.permanent and caught.value.code == "telegram.cannot_check"


def test_telegram_reads_updates_from_its_offset(server: ReplayServer, http: HttpClient) -> None:
    updates = [
        {"update_id": 901, "message": tg_message(11, "Ma commande ?", PRIVATE, MARIE)},
        {
            "update_id": 902,
            "message": tg_message(71, "@cafelumiere_bot merci", GROUP, MARIE, reply_to=70),
        },
        {
            "update_id": 903,
            "message": {
                "message_id": 72,
                "date": 1772442100,
                "chat": GROUP,
                "from": MARIE,
                "sticker": {"file_id": "x"},
            },
        },
    ]
    server.route("POST", tg("getUpdates"), Answer(200, {"ok": True, "result": updates}))
    connector = telegram(server, http)
    result = connector.fetch_messages(TG, None)
    assert [(item.external_id, item.kind) for item in result.items] == [
        ("5550001:11", ItemKind.MESSAGE),
        ("-1001234567890:71", ItemKind.REPLY),
    ]
    assert result.items[0].author.handle == "marie_l" and result.items[0].author.name == "Marie L."
    assert result.items[1].parent_id == "-1001234567890:70"
    assert result.next_cursor == {"offset": 904}
    server.route("POST", tg("getUpdates"), Answer(200, {"ok": True, "result": []}))
    again = connector.fetch_messages(TG, result.next_cursor)
    assert again.items == [] and again.next_cursor == {"offset": 904}
    assert json.loads(server.calls(tg("getUpdates"))[-1].body)["offset"] == 904


def test_telegram_updates_behind_a_webhook_are_said_so(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        tg("getUpdates"),
        Answer(
            409,
            {
                "ok": False,
                "error_code": 409,
                "description": "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            },
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        telegram(server, http).fetch_messages(TG, None)
    assert caught.value.permanent and caught.value.code == "telegram.updates_elsewhere"


# --- Discord ---------------------------------------------------------------------------------------


def discord(server: ReplayServer, http: HttpClient) -> DiscordPublisher:
    return DiscordPublisher(http, endpoints={"api": server.base_url})


def dmsg(
    mid: str,
    content: str,
    author: str,
    channel: str = "900",
    reference: str | None = None,
    referenced: Any = None,
    minute: int = 0,
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": mid,
        "channel_id": channel,
        "author": {
            "id": author,
            "username": "cafe_bot" if author == "1000" else "marie",
            "global_name": None,
            "bot": author == "1000",
        },
        "content": content,
        "timestamp": f"2026-03-02T10:{minute:02d}:00.000000+00:00",
        "edited_timestamp": None,
        "type": 19 if reference else 0,
    }
    if reference:
        found["message_reference"] = {
            "type": 0,
            "message_id": reference,
            "channel_id": channel,
            "guild_id": "42",
        }
        found["referenced_message"] = referenced
    return found


def test_discord_replies_with_a_reference_and_the_nonce(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        "/channels/901/messages",
        Answer(200, dmsg("1300", "Merci !", "1000", channel="901", reference="1200")),
    )
    published = discord(server, http).reply(BOT, Reply("901:1200", "Merci !", "3lbx7kq2ab2cd"))
    assert published.external_id == "1300" and published.item_id == "901:1300"
    body = json.loads(server.calls("/channels/901/messages")[0].body)
    assert body["message_reference"] == {
        "message_id": "1200",
        "channel_id": "901",
        "fail_if_not_exists": True,
    }
    assert body["nonce"] == "3lbx7kq2ab2cd" and body["enforce_nonce"] is True
    assert body["allowed_mentions"] == {"parse": []}
    assert discord(server, http).key_window(Capability.REPLY, BOT) == 120
    assert discord(server, http).key_window(Capability.REPLY, {"webhook_url": "https://x"}) == 0


def test_discord_finds_the_bots_reply_after_the_parent(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET", "/users/@me", Answer(200, {"id": "1000", "username": "cafe_bot", "bot": True})
    )
    server.route(
        "GET",
        "/channels/900/messages",
        Answer(
            200,
            [
                dmsg("1302", "Autre", "1000", reference="1100", minute=3),
                dmsg("1301", "Merci !", "1000", reference="1200", minute=2),
                dmsg("1250", "hein", "77", minute=1),
            ],
        ),
    )
    found = discord(server, http).find_reply(
        BOT, Reply("1200", "Merci !", "k"), datetime(2026, 3, 2, 9, tzinfo=UTC)
    )
    assert [item.external_id for item in found] == ["900:1301"]
    assert server.calls("/channels/900/messages")[0].param("after") == "1200"


def test_discord_reads_a_reply_chain_and_its_replies(
    server: ReplayServer, http: HttpClient
) -> None:
    root = dmsg("1100", "Double prélèvement ?", "77", minute=0)
    middle = dmsg("1200", "On regarde", "1000", reference="1100", referenced=root, minute=1)
    asked = dmsg(
        "1250",
        "Merci",
        "77",
        reference="1200",
        referenced={**middle, "referenced_message": None},
        minute=2,
    )
    server.route("GET", "/channels/900/messages/1250", Answer(200, asked))
    server.route("GET", "/channels/900/messages/1200", Answer(200, middle))
    server.route(
        "GET",
        "/channels/900/messages",
        Answer(
            200,
            [
                dmsg("1400", "Remboursé", "1000", reference="1250", minute=4),
                dmsg("1350", "hors sujet", "88", minute=3),
                asked,
                middle,
            ],
        ),
    )
    thread = discord(server, http).conversation(BOT, "1250")
    assert [item.external_id for item in thread.items] == [
        "900:1100",
        "900:1200",
        "900:1250",
        "900:1400",
    ]
    assert [item.parent_id for item in thread.items] == [None, "900:1100", "900:1200", "900:1250"]
    assert thread.complete and thread.items[1].kind is ItemKind.REPLY


def test_a_chain_whose_parent_was_deleted_is_incomplete(
    server: ReplayServer, http: HttpClient
) -> None:
    asked = dmsg("1250", "Et donc ?", "77", reference="1200", referenced=None)
    server.route("GET", "/channels/900/messages/1250", Answer(200, asked))
    server.route("GET", "/channels/900/messages", Answer(200, []))
    thread = discord(server, http).conversation(BOT, "1250")
    assert not thread.complete and len(thread.items) == 1


def test_discord_sends_a_direct_message_in_the_dm_channel(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        "/users/@me/channels",
        Answer(200, {"id": "5000", "type": 1, "recipients": [{"id": "77", "username": "marie"}]}),
    )
    server.route(
        "POST",
        "/channels/5000/messages",
        Answer(200, dmsg("5001", "Bonjour", "1000", channel="5000")),
    )
    published = discord(server, http).send_message(
        BOT, DirectMessage("77", "Bonjour", "3lbx7kq2ab2cd")
    )
    assert published.item_id == "5000:5001"
    assert json.loads(server.calls("/users/@me/channels")[0].body) == {"recipient_id": "77"}
    assert json.loads(server.calls("/channels/5000/messages")[0].body)["nonce"] == "3lbx7kq2ab2cd"


def test_discord_refuses_a_person_who_does_not_accept_messages(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("POST", "/users/@me/channels", Answer(200, {"id": "5000", "type": 1}))
    server.route(
        "POST",
        "/channels/5000/messages",
        Answer(403, {"message": "Cannot send messages to this user", "code": 50007}),
    )
    with pytest.raises(ConnectorError) as caught:
        discord(server, http).send_message(BOT, DirectMessage("77", "x", "k"))
    assert not isinstance(caught.value, AuthExpired)
    assert caught.value.permanent and caught.value.code == "discord.user_refuses"


def test_discord_rate_limits_wait(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", "/users/@me/channels", Answer(200, {"id": "5000", "type": 1}))
    server.route(
        "POST",
        "/channels/5000/messages",
        Answer(
            429,
            {
                "message": "You are being rate limited.",
                "retry_after": 1.5,
                "global": False,
                "code": 20028,
            },
            {"Retry-After": "2"},
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        discord(server, http).send_message(BOT, DirectMessage("77", "x", "k"))
    assert not caught.value.permanent and caught.value.retry_after == 2


def test_discord_reads_known_dm_channels_incrementally(
    server: ReplayServer, http: HttpClient
) -> None:
    creds = {**BOT, "dm_channel_ids": ["5000"]}
    server.route(
        "GET",
        "/channels/5000/messages",
        Answer(
            200,
            [
                dmsg("5002", "Merci", "77", channel="5000", minute=2),
                dmsg("5001", "Bonjour", "1000", channel="5000", minute=1),
            ],
        ),
    )
    connector = discord(server, http)
    first = connector.fetch_messages(creds, None)
    assert [item.text for item in first.items] == ["Bonjour", "Merci"]
    assert all(item.kind is ItemKind.MESSAGE for item in first.items)
    assert first.next_cursor == {"after": {"5000": "5002"}}
    server.route("GET", "/channels/5000/messages", Answer(200, []))
    connector.fetch_messages(creds, first.next_cursor)
    assert server.calls("/channels/5000/messages")[-1].param("after") == "5002"


def test_a_discord_webhook_cannot_answer_people(server: ReplayServer, http: HttpClient) -> None:
    with pytest.raises(ConnectorError) as caught:
        discord(server, http).send_message(
            {"webhook_url": server.url("/api/webhooks/1/tok")}, DirectMessage("77", "x", "k")
        )
    assert caught.value.code == "discord.needs_bot"
