"""X replies, conversations (recent search by conversation_id) and direct messages (v2
dm_conversations, dm_events) against a local server answering in X API v2's formats."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
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
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.x.publish import XPublisher
from tests.connectors.conftest import ReplayServer
from tests.connectors.conftest import Reply as Answer

CREDS = {"access_token": "x-user-secret", "user_id": "1500", "username": "cafelumiere"}
NOW = datetime.now(UTC).replace(microsecond=0)


def at(minutes: int) -> str:
    return (NOW - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def tweet(
    tid: str, text: str, author: str, minutes: int, parent: str | None = None, conv: str = "100"
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": tid,
        "text": text,
        "author_id": author,
        "created_at": at(minutes),
        "conversation_id": conv,
        "edit_history_tweet_ids": [tid],
    }
    if parent:
        found["referenced_tweets"] = [{"type": "replied_to", "id": parent}]
    return found


USERS = {
    "users": [
        {
            "id": "1500",
            "username": "cafelumiere",
            "name": "Café Lumière",
            "public_metrics": {"followers_count": 5000},
        },
        {
            "id": "42",
            "username": "marie",
            "name": "Marie",
            "public_metrics": {"followers_count": 12},
        },
    ]
}


def publisher(server: ReplayServer, http: HttpClient) -> XPublisher:
    return XPublisher(http, endpoints={"api": server.base_url})


def test_it_replies_to_a_post(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        "/2/tweets",
        Answer(
            201,
            {"data": {"id": "200", "text": "@marie Désolés", "edit_history_tweet_ids": ["200"]}},
        ),
    )
    published = publisher(server, http).reply(CREDS, Reply("150", "@marie Désolés", "k"))
    assert published.external_id == "200"
    assert published.url == "https://x.com/cafelumiere/status/200"
    assert json.loads(server.calls("/2/tweets")[0].body) == {
        "text": "@marie Désolés",
        "reply": {"in_reply_to_tweet_id": "150"},
    }


def test_a_reply_the_author_does_not_allow_is_refused_in_plain_words(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        "/2/tweets",
        Answer(
            403,
            {
                "detail": "Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.",
                "type": "about:blank",
                "title": "Forbidden",
                "status": 403,
            },
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http).reply(CREDS, Reply("150", "x", "k"))
    assert caught.value.permanent and caught.value.code == "x.reply_refused"


def test_a_5xx_after_a_reply_is_an_unknown_outcome(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        "/2/tweets",
        Answer(503, {"title": "Service Unavailable", "detail": "Service Unavailable"}),
    )
    with pytest.raises(OutcomeUnknown):
        publisher(server, http).reply(CREDS, Reply("150", "x", "k"))
    assert len(server.calls("/2/tweets")) == 1


def test_it_finds_the_accounts_reply_among_its_recent_posts(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET",
        "/2/users/1500/tweets",
        Answer(
            200,
            {
                "data": [
                    tweet("201", "Autre chose", "1500", 2),
                    tweet("200", "@marie Désolés", "1500", 3, parent="150"),
                ],
                "meta": {"result_count": 2},
            },
        ),
    )
    found = publisher(server, http).find_reply(
        CREDS, Reply("150", "@marie Désolés", "k"), NOW - timedelta(minutes=10)
    )
    assert [item.external_id for item in found] == ["200"]
    request = server.calls("/2/users/1500/tweets")[0]
    assert "referenced_tweets" in (request.param("tweet.fields") or "")
    assert request.param("start_time") is not None


def test_it_reads_a_conversation_from_its_first_post(
    server: ReplayServer, http: HttpClient
) -> None:
    asked = tweet("150", "@cafelumiere et mon remboursement ?", "42", 30, parent="100")
    root = tweet("100", "Double prélèvement @cafelumiere", "42", 60)
    server.route("GET", "/2/tweets/150", Answer(200, {"data": asked, "includes": USERS}))
    server.route("GET", "/2/tweets/100", Answer(200, {"data": root, "includes": USERS}))
    server.route(
        "GET",
        "/2/tweets/search/recent",
        Answer(
            200,
            {
                "data": [
                    tweet("200", "@marie Il part demain", "1500", 10, parent="150"),
                    asked,
                ],
                "includes": USERS,
                "meta": {"result_count": 2, "newest_id": "200", "oldest_id": "150"},
            },
        ),
    )
    thread = publisher(server, http).conversation(CREDS, "150")
    assert [item.external_id for item in thread.items] == ["100", "150", "200"]
    assert [item.parent_id for item in thread.items] == [None, "100", "150"]
    assert thread.root_id == "100" and thread.complete
    assert thread.items[0].author.handle == "marie" and thread.items[0].author.followers == 12
    assert thread.items[2].kind is ItemKind.REPLY
    assert server.calls("/2/tweets/search/recent")[0].param("query") == "conversation_id:100"


def test_an_old_conversation_is_incomplete(server: ReplayServer, http: HttpClient) -> None:
    old = tweet("100", "Il y a longtemps", "42", 60 * 24 * 9)
    server.route("GET", "/2/tweets/100", Answer(200, {"data": old, "includes": USERS}))
    server.route("GET", "/2/tweets/search/recent", Answer(200, {"meta": {"result_count": 0}}))
    thread = publisher(server, http).conversation(CREDS, "100")
    assert not thread.complete


def test_a_plan_without_search_is_said_so(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/2/tweets/100", Answer(200, {"data": tweet("100", "x", "42", 5)}))
    server.route(
        "GET",
        "/2/tweets/search/recent",
        Answer(
            403,
            {
                "client_id": "123",
                "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.",
                "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
                "title": "Client Forbidden",
                "required_enrollment": "Appropriate Level of API Access",
                "reason": "client-not-enrolled",
                "type": "https://api.twitter.com/2/problems/client-forbidden",
            },
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http).conversation(CREDS, "100")
    assert caught.value.permanent and caught.value.code == "x.access_level"


def test_it_sends_a_direct_message(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        "/2/dm_conversations/with/42/messages",
        Answer(
            201, {"data": {"dm_conversation_id": "42-1500", "dm_event_id": "1582103724607971332"}}
        ),
    )
    published = publisher(server, http).send_message(
        CREDS, DirectMessage(recipient="42", text="Bonjour Marie", idempotency_key="k")
    )
    assert published.external_id == "dm:1582103724607971332"
    assert published.url == "https://x.com/messages/42-1500"
    request = server.calls("/2/dm_conversations/with/42/messages")[0]
    assert json.loads(request.body) == {"text": "Bonjour Marie"}
    assert request.headers["authorization"] == "Bearer x-user-secret"
    assert publisher(server, http).key_window(Capability.DIRECT_MESSAGES, CREDS) == 0


def test_it_sends_into_a_known_conversation(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        "/2/dm_conversations/42-1500/messages",
        Answer(201, {"data": {"dm_conversation_id": "42-1500", "dm_event_id": "9"}}),
    )
    publisher(server, http).send_message(
        CREDS, DirectMessage("42", "x", "k", conversation_id="42-1500")
    )
    assert server.calls("/2/dm_conversations/42-1500/messages")


def test_a_token_without_dm_scopes_asks_to_reconnect(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        "/2/dm_conversations/with/42/messages",
        Answer(
            403,
            {
                "title": "Forbidden",
                "detail": "Missing required scope: dm.write",
                "type": "about:blank",
                "status": 403,
            },
        ),
    )
    with pytest.raises(AuthExpired) as caught:
        publisher(server, http).send_message(CREDS, DirectMessage("42", "x", "k"))
    assert caught.value.code == "x.scope_missing"
    assert "x-user-secret" not in caught.value.message


def test_a_person_who_does_not_accept_messages_is_said_so(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        "/2/dm_conversations/with/42/messages",
        Answer(
            403,
            {
                "title": "Forbidden",
                "detail": "You cannot send messages to this user.",
                "type": "about:blank",
                "status": 403,
            },
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http).send_message(CREDS, DirectMessage("42", "x", "k"))
    assert caught.value.permanent and caught.value.code == "x.message_refused"


def dm_events(*events: tuple[str, str, str, int], next_token: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"result_count": len(events)}
    if next_token:
        meta["next_token"] = next_token
    return {
        "data": [
            {
                "id": eid,
                "text": text,
                "event_type": "MessageCreate",
                "dm_conversation_id": "42-1500",
                "created_at": at(minutes),
                "sender_id": sender,
            }
            for eid, text, sender, minutes in events
        ],
        "includes": USERS,
        "meta": meta,
    }


def test_it_finds_a_lost_message_in_the_conversation(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET",
        "/2/dm_conversations/with/42/dm_events",
        Answer(
            200,
            dm_events(
                ("3", "Merci", "42", 1),
                ("2", "Bonjour Marie", "1500", 2),
                ("1", "Vieux", "1500", 600),
            ),
        ),
    )
    found = publisher(server, http).find_message(
        CREDS, DirectMessage("42", "Bonjour Marie", "k"), NOW - timedelta(minutes=10)
    )
    assert [item.external_id for item in found] == ["dm:2"]


def test_it_reads_direct_messages_incrementally(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/2/dm_events",
        Answer(200, dm_events(("2", "Bonjour", "1500", 2), ("1", "Allô ?", "42", 5))),
    )
    connector = publisher(server, http)
    first = connector.fetch_messages(CREDS, None)
    assert [item.text for item in first.items] == ["Bonjour", "Allô ?"]
    assert first.items[1].author.handle == "marie"
    assert first.items[1].thread_id == "dm:42-1500" and first.items[1].kind is ItemKind.MESSAGE
    server.route(
        "GET",
        "/2/dm_events",
        Answer(
            200,
            dm_events(
                ("3", "Merci", "42", 1), ("2", "Bonjour", "1500", 2), ("1", "Allô ?", "42", 5)
            ),
        ),
    )
    second = connector.fetch_messages(CREDS, first.next_cursor)
    assert [item.text for item in second.items] == ["Merci"]


def test_a_dm_rate_limit_waits_for_the_reset(server: ReplayServer, http: HttpClient) -> None:
    reset = int(time.time()) + 900  # from now: NOW was taken when the module was imported
    server.route(
        "GET",
        "/2/dm_events",
        Answer(
            429,
            {
                "title": "Too Many Requests",
                "detail": "Too Many Requests",
                "type": "about:blank",
                "status": 429,
            },
            {"x-rate-limit-reset": str(reset)},
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http).fetch_messages(CREDS, None)
    assert not caught.value.permanent
    assert caught.value.retry_after is not None and caught.value.retry_after > 800
