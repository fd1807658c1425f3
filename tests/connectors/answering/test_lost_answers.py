"""For every network that answers people: an answer sent whose response never comes (a timeout
after sending) is an unknown outcome, never retried blindly; an expired token asks to reconnect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ambassade.connectors.base import AuthExpired, Connector, DirectMessage, ItemKind, Reply
from ambassade.connectors.bluesky.publish import BlueskyPublisher
from ambassade.connectors.discord import DiscordPublisher
from ambassade.connectors.facebook import FacebookPublisher
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.instagram import InstagramPublisher
from ambassade.connectors.reddit.publish import RedditPublisher
from ambassade.connectors.telegram import TelegramPublisher
from ambassade.connectors.x.publish import XPublisher
from ambassade.connectors.youtube.account import YoutubeAccount
from tests.connectors.answering.test_bluesky import post
from tests.connectors.conftest import Recorded, ReplayServer
from tests.connectors.conftest import Reply as Answer
from tests.connectors.publishing.test_bluesky import Pds, X
from tests.connectors.publishing.test_bluesky import creds as bluesky_creds
from tests.connectors.publishing.test_reddit import NOW
from tests.connectors.publishing.test_reddit import creds as reddit_creds

TG = "123456:ABC-telegram-secret"
COMMENT = {
    "kind": "youtube#comment",
    "id": "Ugtop",
    "snippet": {"textOriginal": "x", "publishedAt": "2026-03-02T09:00:00Z", "videoId": "v"},
}


def _x(
    server: ReplayServer, http: HttpClient
) -> tuple[Connector, Any, Callable[[Connector, Any], Any]]:
    return (
        XPublisher(http, endpoints={"api": server.base_url}),
        {"access_token": "secret-x", "user_id": "1", "username": "cafe"},
        lambda c, creds: c.reply(creds, Reply("150", "x", "k")),  # type: ignore[attr-defined]
    )


CASES: dict[str, Any] = {
    "x reply": (
        "/2/tweets",
        lambda server, http: _x(server, http),
        {},
    ),
    "x message": (
        "/2/dm_conversations/with/42/messages",
        lambda server, http: (
            XPublisher(http, endpoints={"api": server.base_url}),
            {"access_token": "secret-x"},
            lambda c, creds: c.send_message(creds, DirectMessage("42", "x", "k")),
        ),
        {},
    ),
    "reddit comment": (
        "/api/comment",
        lambda server, http: (
            RedditPublisher(http, clock=NOW.timestamp),
            reddit_creds(server),
            lambda c, creds: c.reply(creds, Reply("t1_kx1", "x", "k")),
        ),
        {},
    ),
    "youtube comment": (
        "/youtube/v3/comments",
        lambda server, http: (
            YoutubeAccount(http, endpoints={"api": server.url("/youtube/v3")}),
            {"access_token": "ya29.secret"},
            lambda c, creds: c.reply(creds, Reply("video:v", "x", "k", parent_kind=ItemKind.POST)),
        ),
        {"path": "/youtube/v3/commentThreads"},
    ),
    "messenger": (
        "/v23.0/108/messages",
        lambda server, http: (
            FacebookPublisher(http, endpoints={"api": server.base_url}),
            {"page_id": "108", "access_token": "EAAG-secret"},
            lambda c, creds: c.send_message(creds, DirectMessage("PSID", "x", "k")),
        ),
        {},
    ),
    "instagram message": (
        "/v23.0/me/messages",
        lambda server, http: (
            InstagramPublisher(http, endpoints={"api": server.base_url}),
            {"ig_user_id": "178", "access_token": "EAAG-secret"},
            lambda c, creds: c.send_message(creds, DirectMessage("IGSID", "x", "k")),
        ),
        {},
    ),
    "telegram message": (
        f"/bot{TG}/sendMessage",
        lambda server, http: (
            TelegramPublisher(http, endpoints={"api": server.base_url}),
            {"bot_token": TG, "chat_id": "@c"},
            lambda c, creds: c.send_message(creds, DirectMessage("555", "x", "k")),
        ),
        {},
    ),
    "discord reply": (
        "/channels/900/messages",
        lambda server, http: (
            DiscordPublisher(http, endpoints={"api": server.base_url}),
            {"bot_token": "discord-secret", "channel_id": "900"},
            lambda c, creds: c.reply(creds, Reply("1200", "x", "k")),
        ),
        {},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_timeout_after_sending_an_answer_is_an_unknown_outcome(
    server: ReplayServer, case: str
) -> None:
    path, make, extra = CASES[case]
    with HttpClient(allow_private=True, timeout=0.3, sleep=lambda s: None) as slow:
        connector, creds, act = make(server, slow)
        server.route("POST", extra.get("path", path), Answer(200, {}, delay=0.8))
        with pytest.raises(OutcomeUnknown) as caught:
            act(connector, creds)
    assert not caught.value.permanent
    assert len(server.calls(extra.get("path", path))) == 1  # sent once, never blindly again


@pytest.mark.parametrize(
    ("case", "status", "body"),
    [
        (
            "x reply",
            401,
            {
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": "Unauthorized",
            },
        ),
        (
            "messenger",
            400,
            {
                "error": {
                    "message": "Error validating access token",
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 463,
                }
            },
        ),
        (
            "instagram message",
            400,
            {
                "error": {
                    "message": "Error validating access token",
                    "type": "OAuthException",
                    "code": 190,
                }
            },
        ),
        ("telegram message", 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}),
        ("discord reply", 401, {"message": "401: Unauthorized", "code": 0}),
    ],
)
def test_an_expired_token_on_an_answer_asks_to_reconnect(
    server: ReplayServer, http: HttpClient, case: str, status: int, body: Any
) -> None:
    path, make, _extra = CASES[case]
    connector, creds, act = make(server, http)
    server.route("POST", path, Answer(status, body))
    with pytest.raises(AuthExpired) as caught:
        act(connector, creds)
    for secret in ("secret-x", "EAAG-secret", TG, "discord-secret"):
        assert secret not in caught.value.message


def test_a_bluesky_reply_lost_after_sending_is_found_by_its_record_key(
    server: ReplayServer,
) -> None:
    pds = Pds(server)
    root = "at://did:plc:marie/app.bsky.feed.post/3lroot"
    server.route(
        "GET", X + "app.bsky.feed.getPosts", Answer(200, {"posts": [post(root, "Bonjour")]})
    )
    created = pds.create_record

    def slow_create(request: Recorded) -> Answer:
        answer = created(request)  # the PDS makes the record, and its answer is lost
        return Answer(answer.status, answer.body, delay=0.8)

    server.route("POST", X + "com.atproto.repo.createRecord", slow_create)
    reply = Reply(root, "Bonjour !", "3lbx7kq2ab2cd")
    with (
        HttpClient(allow_private=True, timeout=0.3, sleep=lambda s: None) as slow,
        pytest.raises(OutcomeUnknown),
    ):
        BlueskyPublisher(slow, endpoints={"pds": server.base_url}).reply(
            bluesky_creds(server), reply
        )
    with HttpClient(allow_private=True, timeout=5) as http:
        connector = BlueskyPublisher(http, endpoints={"pds": server.base_url})
        found = connector.find_reply(bluesky_creds(server), reply, NOW)
        again = connector.reply(bluesky_creds(server), reply)  # a retry with the same key
    assert [item.text for item in found] == ["Bonjour !"]
    assert again.external_id.endswith("/3lbx7kq2ab2cd")
    assert len(server.calls(X + "com.atproto.repo.createRecord")) == 1
