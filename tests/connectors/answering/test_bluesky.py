"""Bluesky replies, threads (getPostThread) and chat (chat.bsky.convo through the PDS with the
atproto-proxy header) against a local PDS answering in the lexicons' formats."""

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
from ambassade.connectors.bluesky.publish import BlueskyPublisher
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from tests.connectors.conftest import Recorded, ReplayServer
from tests.connectors.conftest import Reply as Answer
from tests.connectors.publishing.test_bluesky import DID, Pds, X, creds

MARIE = "did:plc:marie7k2q"
ROOT = "at://did:plc:marie7k2q/app.bsky.feed.post/3lroot"
PARENT = "at://did:plc:paul3x/app.bsky.feed.post/3lparent"
PROXY = "did:web:api.bsky.chat#bsky_chat"


def post(
    uri: str, text: str, *, reply_to: tuple[str, str] | None = None, replies: int = 0
) -> dict[str, Any]:
    did = uri.split("/")[2]
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": "2026-03-02T09:00:00.000Z",
        "langs": ["fr"],
    }
    if reply_to:
        record["reply"] = {
            "root": {"uri": reply_to[0], "cid": "bafyroot"},
            "parent": {"uri": reply_to[1], "cid": "bafyparent"},
        }
    return {
        "uri": uri,
        "cid": "bafy" + uri.rsplit("/", 1)[-1],
        "author": {"did": did, "handle": did.split(":")[-1] + ".bsky.social", "displayName": ""},
        "record": record,
        "replyCount": replies,
        "repostCount": 0,
        "likeCount": 0,
        "quoteCount": 0,
        "indexedAt": "2026-03-02T09:00:01.000Z",
        "labels": [],
    }


def publisher(server: ReplayServer, http: HttpClient) -> BlueskyPublisher:
    return BlueskyPublisher(http, endpoints={"pds": server.base_url})


def test_it_replies_under_the_parent_and_the_threads_root(
    server: ReplayServer, http: HttpClient
) -> None:
    pds = Pds(server)
    server.route(
        "GET",
        X + "app.bsky.feed.getPosts",
        Answer(200, {"posts": [post(PARENT, "Et le remboursement ?", reply_to=(ROOT, ROOT))]}),
    )
    connector = publisher(server, http)
    reply = Reply(in_reply_to=PARENT, text="Il part demain.", idempotency_key="3lbx7kq2ab2cd")
    first = connector.reply(creds(server), reply)
    again = connector.reply(creds(server), reply)
    assert first.external_id == again.external_id == f"at://{DID}/app.bsky.feed.post/3lbx7kq2ab2cd"
    assert len(server.calls(X + "com.atproto.repo.createRecord")) == 1
    record = pds.records["3lbx7kq2ab2cd"]
    assert record["reply"] == {
        "root": {"uri": ROOT, "cid": "bafyroot"},
        "parent": {"uri": PARENT, "cid": "bafy3lparent"},
    }
    assert record["text"] == "Il part demain."
    assert connector.key_window(Capability.REPLY) > 10**8


def test_a_reply_to_a_top_post_has_it_as_root(server: ReplayServer, http: HttpClient) -> None:
    pds = Pds(server)
    server.route(
        "GET", X + "app.bsky.feed.getPosts", Answer(200, {"posts": [post(ROOT, "Bonjour")]})
    )
    publisher(server, http).reply(creds(server), Reply(ROOT, "Bonjour !", "3lbx7kq2ab2cd"))
    assert pds.records["3lbx7kq2ab2cd"]["reply"]["root"] == {"uri": ROOT, "cid": "bafy3lroot"}


def test_it_refuses_to_answer_a_post_bluesky_no_longer_shows(
    server: ReplayServer, http: HttpClient
) -> None:
    Pds(server)
    server.route("GET", X + "app.bsky.feed.getPosts", Answer(200, {"posts": []}))
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http).reply(creds(server), Reply(ROOT, "x", "3lbx7kq2ab2cd"))
    assert caught.value.permanent and caught.value.code == "bluesky.post_gone"
    assert not server.calls(X + "com.atproto.repo.createRecord")


def test_it_finds_the_reply_by_its_record_key(server: ReplayServer, http: HttpClient) -> None:
    pds = Pds(server)
    connector = publisher(server, http)
    since = datetime(2026, 1, 1, tzinfo=UTC)
    assert connector.find_reply(creds(server), Reply(ROOT, "x", "3lbx7kq2ab2cd"), since) == []
    pds.records["3lbx7kq2ab2cd"] = {
        "$type": "app.bsky.feed.post",
        "text": "Il part demain.",
        "createdAt": "2026-03-02T10:00:00.000Z",
    }
    found = connector.find_reply(creds(server), Reply(ROOT, "x", "3lbx7kq2ab2cd"), since)
    assert [item.text for item in found] == ["Il part demain."]


def test_it_reads_a_thread_in_order(server: ReplayServer, http: HttpClient) -> None:
    Pds(server)
    child = "at://did:plc:cafe/app.bsky.feed.post/3lchild"
    grandchild = "at://did:plc:marie7k2q/app.bsky.feed.post/3lgrand"
    thread = {
        "thread": {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": post(PARENT, "Et le remboursement ?", reply_to=(ROOT, ROOT), replies=1),
            "parent": {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": post(ROOT, "Double prélèvement !"),
            },
            "replies": [
                {
                    "$type": "app.bsky.feed.defs#threadViewPost",
                    "post": post(child, "Il part demain.", reply_to=(ROOT, PARENT), replies=1),
                    "replies": [
                        {
                            "$type": "app.bsky.feed.defs#threadViewPost",
                            "post": post(grandchild, "Merci", reply_to=(ROOT, child)),
                            "replies": [],
                        }
                    ],
                }
            ],
        }
    }
    server.route("GET", X + "app.bsky.feed.getPostThread", Answer(200, thread))
    result = publisher(server, http).conversation(creds(server), PARENT)
    assert [item.text for item in result.items] == [
        "Double prélèvement !",
        "Et le remboursement ?",
        "Il part demain.",
        "Merci",
    ]
    assert [item.parent_id for item in result.items] == [None, ROOT, PARENT, child]
    assert result.root_id == ROOT and result.complete
    request = server.calls(X + "app.bsky.feed.getPostThread")[0]
    assert request.param("uri") == PARENT and request.param("parentHeight") == "80"


def test_a_thread_with_a_missing_parent_is_incomplete(
    server: ReplayServer, http: HttpClient
) -> None:
    Pds(server)
    thread = {
        "thread": {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": post(PARENT, "Et alors ?", reply_to=(ROOT, ROOT)),
            "parent": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": ROOT, "notFound": True},
            "replies": [],
        }
    }
    server.route("GET", X + "app.bsky.feed.getPostThread", Answer(200, thread))
    result = publisher(server, http).conversation(creds(server), PARENT)
    assert not result.complete and [item.text for item in result.items] == ["Et alors ?"]


# --- chat ---------------------------------------------------------------------------------------


def message(mid: str, rev: str, text: str, sender: str, at: str) -> dict[str, Any]:
    return {
        "$type": "chat.bsky.convo.defs#messageView",
        "id": mid,
        "rev": rev,
        "text": text,
        "sender": {"did": sender},
        "sentAt": at,
    }


def chat_routes(server: ReplayServer) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    def send(request: Recorded) -> Answer:
        body = json.loads(request.body)
        made = message(
            f"3m{len(sent)}",
            f"22{len(sent)}",
            body["message"]["text"],
            DID,
            "2026-03-02T10:00:00.000Z",
        )
        sent.append(made)
        return Answer(200, made)

    server.route(
        "GET",
        X + "chat.bsky.convo.getConvoForMembers",
        Answer(
            200,
            {
                "convo": {
                    "id": "convo1",
                    "rev": "221",
                    "members": [],
                    "muted": False,
                    "unreadCount": 0,
                }
            },
        ),
    )
    server.route("POST", X + "chat.bsky.convo.sendMessage", send)
    return sent


def test_it_sends_a_chat_message_through_the_pds_proxy(
    server: ReplayServer, http: HttpClient
) -> None:
    Pds(server)
    sent = chat_routes(server)
    published = publisher(server, http).send_message(
        creds(server), DirectMessage(recipient=MARIE, text="Bonjour Marie", idempotency_key="k")
    )
    assert published.external_id == "chat:convo1:3m0"
    lookup = server.calls(X + "chat.bsky.convo.getConvoForMembers")[0]
    assert lookup.param("members") == MARIE
    request = server.calls(X + "chat.bsky.convo.sendMessage")[0]
    assert request.headers["atproto-proxy"] == PROXY
    assert request.headers["authorization"].startswith("Bearer ")
    assert json.loads(request.body) == {"convoId": "convo1", "message": {"text": "Bonjour Marie"}}
    assert len(sent) == 1
    assert publisher(server, http).key_window(Capability.DIRECT_MESSAGES) == 0


def test_an_app_password_without_messages_asks_for_a_new_one(
    server: ReplayServer, http: HttpClient
) -> None:
    Pds(server)
    server.route("POST", X + "com.atproto.server.refreshSession", Answer(200, {}))
    server.route(
        "GET",
        X + "chat.bsky.convo.getConvoForMembers",
        Answer(400, {"error": "InvalidToken", "message": "Bad token scope"}),
    )
    with pytest.raises(AuthExpired) as caught:
        publisher(server, http).send_message(creds(server), DirectMessage(MARIE, "x", "k"))
    assert caught.value.code == "bluesky.chat_not_allowed"
    assert not server.calls(X + "com.atproto.server.refreshSession")  # no renewal can help


def test_a_person_who_refuses_messages_is_said_so(server: ReplayServer, http: HttpClient) -> None:
    Pds(server)
    server.route(
        "GET",
        X + "chat.bsky.convo.getConvoForMembers",
        Answer(
            400, {"error": "InvalidRequest", "message": "recipient has disabled incoming messages"}
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http).send_message(creds(server), DirectMessage(MARIE, "x", "k"))
    assert caught.value.permanent and caught.value.code == "bluesky.chat_recipient_refuses"


def test_a_lost_chat_message_is_an_unknown_outcome_found_in_the_conversation(
    server: ReplayServer,
) -> None:
    Pds(server)
    chat_routes(server)
    server.route(
        "POST",
        X + "chat.bsky.convo.sendMessage",
        Answer(200, message("3m0", "220", "x", DID, "2026-03-02T10:00:00.000Z"), delay=0.6),
    )
    with HttpClient(allow_private=True, timeout=0.3) as slow, pytest.raises(OutcomeUnknown):
        BlueskyPublisher(slow, endpoints={"pds": server.base_url}).send_message(
            creds(server), DirectMessage(MARIE, "Bonjour Marie", "k")
        )
    server.route(
        "GET",
        X + "chat.bsky.convo.getMessages",
        Answer(
            200,
            {
                "messages": [
                    message("3m1", "223", "Merci", MARIE, "2026-03-02T10:01:00.000Z"),
                    message("3m0", "222", "Bonjour Marie", DID, "2026-03-02T10:00:00.000Z"),
                    message("3l9", "210", "Ancien", DID, "2026-03-01T10:00:00.000Z"),
                ]
            },
        ),
    )
    with HttpClient(allow_private=True, timeout=2) as fast:
        found = BlueskyPublisher(fast, endpoints={"pds": server.base_url}).find_message(
            creds(server),
            DirectMessage(MARIE, "Bonjour Marie", "k"),
            datetime(2026, 3, 2, 9, 55, tzinfo=UTC),
        )
    assert [item.text for item in found] == ["Bonjour Marie"]


def test_it_reads_new_chat_messages_incrementally(server: ReplayServer, http: HttpClient) -> None:
    Pds(server)
    convo = {"id": "convo1", "rev": "221", "members": [], "muted": False, "unreadCount": 1}
    server.route("GET", X + "chat.bsky.convo.listConvos", Answer(200, {"convos": [convo]}))
    server.route(
        "GET",
        X + "chat.bsky.convo.getMessages",
        Answer(
            200,
            {
                "messages": [
                    message("3m1", "221", "Bonjour !", DID, "2026-03-02T10:01:00.000Z"),
                    {
                        "$type": "chat.bsky.convo.defs#deletedMessageView",
                        "id": "3m0b",
                        "rev": "220",
                        "sender": {"did": MARIE},
                        "sentAt": "2026-03-02T10:00:30.000Z",
                    },
                    message("3m0", "219", "Allô ?", MARIE, "2026-03-02T10:00:00.000Z"),
                ]
            },
        ),
    )
    connector = publisher(server, http)
    one = connector.fetch_messages(creds(server), None)
    assert [item.text for item in one.items] == ["Allô ?", "Bonjour !"]
    assert all(item.kind is ItemKind.MESSAGE for item in one.items)
    assert one.items[0].author.id == MARIE and one.items[0].thread_id == "chat:convo1"
    assert one.credentials is not None  # the new session goes back to the vault
    same = connector.fetch_messages(creds(server), one.next_cursor)
    assert same.items == [] and len(server.calls(X + "chat.bsky.convo.getMessages")) == 1
    server.route(
        "GET", X + "chat.bsky.convo.listConvos", Answer(200, {"convos": [{**convo, "rev": "224"}]})
    )
    server.route(
        "GET",
        X + "chat.bsky.convo.getMessages",
        Answer(
            200,
            {
                "messages": [
                    message("3m2", "224", "Merci", MARIE, "2026-03-02T10:02:00.000Z"),
                    message("3m1", "221", "Bonjour !", DID, "2026-03-02T10:01:00.000Z"),
                ],
                "cursor": "221",
            },
        ),
    )
    two = connector.fetch_messages(creds(server), same.next_cursor)
    assert [item.text for item in two.items] == ["Merci"]
    assert all(
        r.headers["atproto-proxy"] == PROXY for r in server.calls(X + "chat.bsky.convo.listConvos")
    )


def test_a_chat_rate_limit_waits_for_its_reset(server: ReplayServer, http: HttpClient) -> None:
    Pds(server)
    reset = int(datetime.now(UTC).timestamp()) + 120
    server.route(
        "GET",
        X + "chat.bsky.convo.listConvos",
        Answer(
            429,
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            {"ratelimit-reset": str(reset)},
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http).fetch_messages(creds(server), None)
    assert not caught.value.permanent
    assert caught.value.retry_after is not None and 100 <= caught.value.retry_after <= 121
