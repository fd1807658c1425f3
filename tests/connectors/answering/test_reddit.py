"""Reddit comment replies, threads and private messages against a local server answering in the
formats of Reddit's OAuth API (/api/comment, /comments/{article}, /api/compose, /message/*)."""

from __future__ import annotations

from datetime import timedelta
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
from tests.connectors.conftest import ReplayServer
from tests.connectors.conftest import Reply as Answer
from tests.connectors.publishing.test_reddit import NOW, creds, form, publisher

EPOCH = NOW.timestamp()


def comment(
    cid: str, body: str, author: str, parent: str, minutes: int = 5, replies: Any = ""
) -> dict[str, Any]:
    return {
        "kind": "t1",
        "data": {
            "id": cid,
            "name": f"t1_{cid}",
            "author": author,
            "author_fullname": f"t2_{author}",
            "body": body,
            "body_html": f'&lt;div class="md"&gt;&lt;p&gt;{body}&lt;/p&gt;&lt;/div&gt;',
            "created_utc": EPOCH - minutes * 60,
            "parent_id": parent,
            "link_id": "t3_1p4kq7x",
            "permalink": f"/r/cafelumiere/comments/1p4kq7x/carte/{cid}/",
            "score": 3,
            "subreddit": "cafelumiere",
            "replies": replies,
        },
    }


def listing(*children: Any, after: str | None = None) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {"after": after, "dist": len(children), "children": list(children), "before": None},
    }


POST = {
    "kind": "t3",
    "data": {
        "id": "1p4kq7x",
        "name": "t3_1p4kq7x",
        "author": "marie_l",
        "title": "Double prélèvement chez Café Lumière",
        "selftext": "Deux fois 4,50 €",
        "created_utc": EPOCH - 3600,
        "permalink": "/r/cafelumiere/comments/1p4kq7x/carte/",
        "url": "https://www.reddit.com/r/cafelumiere/comments/1p4kq7x/carte/",
        "subreddit": "cafelumiere",
        "num_comments": 3,
        "score": 10,
    },
}


def test_it_replies_to_a_comment(server: ReplayServer, http: HttpClient) -> None:
    made = comment("kx2", "Désolés, on rembourse.", "cafe_lumiere", "t1_kx1", minutes=0)
    server.route(
        "POST",
        "/api/comment",
        Answer(200, {"json": {"errors": [], "data": {"things": [made]}}}),
    )
    published = publisher(http).reply(
        creds(server, subreddit=""), Reply("t1_kx1", "Désolés, on rembourse.", "k")
    )
    assert published.external_id == "t1_kx2"
    assert published.url.endswith("/comments/1p4kq7x/carte/kx2/")
    sent = form(server.calls("/api/comment")[0])
    assert sent == {"api_type": "json", "thing_id": "t1_kx1", "text": "Désolés, on rembourse."}
    assert server.calls("/api/comment")[0].headers["user-agent"].endswith("by /u/cafe_lumiere")


def test_a_bare_id_is_a_comment_unless_said_a_post(server: ReplayServer, http: HttpClient) -> None:
    made = comment("kx2", "x", "cafe_lumiere", "t3_1p4kq7x")
    server.route(
        "POST", "/api/comment", Answer(200, {"json": {"errors": [], "data": {"things": [made]}}})
    )
    publisher(http).reply(creds(server), Reply("1p4kq7x", "x", "k", parent_kind=ItemKind.POST))
    assert form(server.calls("/api/comment")[0])["thing_id"] == "t3_1p4kq7x"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (["THREAD_LOCKED", "Comments are locked.", "parent"], "reddit.thread_locked"),
        (
            ["TOO_OLD", "that's a piece of history now; it's too late to reply to it", "parent"],
            "reddit.archived",
        ),
        (["DELETED_COMMENT", "that comment has been deleted", "parent"], "reddit.parent_deleted"),
    ],
)
def test_reddits_refusals_are_permanent_and_named(
    server: ReplayServer, http: HttpClient, error: list[str], code: str
) -> None:
    server.route("POST", "/api/comment", Answer(200, {"json": {"errors": [error]}}))
    with pytest.raises(ConnectorError) as caught:
        publisher(http).reply(creds(server), Reply("t1_kx1", "x", "k"))
    assert caught.value.permanent and caught.value.code == code


def test_a_comment_rate_limit_waits(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        "/api/comment",
        Answer(
            200,
            {
                "json": {
                    "errors": [
                        [
                            "RATELIMIT",
                            "Looks like you've been doing that a lot. Take a break for 3 minutes before trying again.",
                            "ratelimit",
                        ]
                    ]
                }
            },
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        publisher(http).reply(creds(server), Reply("t1_kx1", "x", "k"))
    assert not caught.value.permanent and caught.value.retry_after == 180


def test_a_missing_scope_asks_to_reconnect(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        "/api/comment",
        Answer(
            403,
            {"message": "Forbidden", "error": 403},
            {"www-authenticate": 'Bearer realm="reddit", error="insufficient_scope"'},
        ),
    )
    with pytest.raises(AuthExpired):
        publisher(http).reply(creds(server), Reply("t1_kx1", "x", "k"))


def test_a_5xx_after_a_comment_is_an_unknown_outcome(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("POST", "/api/comment", Answer(502, "<html>Bad Gateway</html>"))
    with pytest.raises(OutcomeUnknown):
        publisher(http).reply(creds(server), Reply("t1_kx1", "x", "k"))
    assert len(server.calls("/api/comment")) == 1


def test_it_finds_the_users_comment_under_the_parent(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET",
        "/user/cafe_lumiere/comments",
        Answer(
            200,
            listing(
                comment("kx3", "Ailleurs", "cafe_lumiere", "t1_zz9", minutes=1),
                comment("kx2", "Désolés", "cafe_lumiere", "t1_kx1", minutes=2),
                comment("kx0", "Avant", "cafe_lumiere", "t1_kx1", minutes=90),
            ),
        ),
    )
    found = publisher(http).find_reply(
        creds(server), Reply("t1_kx1", "Désolés", "k"), NOW - timedelta(minutes=30)
    )
    assert [item.external_id for item in found] == ["t1_kx2"]
    assert publisher(http).key_window(Capability.REPLY) == 0


def test_it_reads_a_comments_thread_with_its_context(
    server: ReplayServer, http: HttpClient
) -> None:
    info = listing(comment("kx2", "Et alors ?", "marie_l", "t1_kx1"))
    server.route("GET", "/api/info", Answer(200, info))
    tree = listing(
        comment(
            "kx1",
            "Remboursé ?",
            "marie_l",
            "t3_1p4kq7x",
            minutes=30,
            replies=listing(
                comment(
                    "kx2",
                    "Et alors ?",
                    "marie_l",
                    "t1_kx1",
                    minutes=20,
                    replies=listing(
                        comment("kx3", "Demain", "cafe_lumiere", "t1_kx2", minutes=10),
                        {
                            "kind": "more",
                            "data": {"count": 2, "children": ["kx4", "kx5"], "parent_id": "t1_kx2"},
                        },
                    ),
                )
            ),
        )
    )
    server.route("GET", "/comments/1p4kq7x", Answer(200, [listing(POST), tree]))
    thread = publisher(http).conversation(creds(server), "t1_kx2")
    assert [item.external_id for item in thread.items] == [
        "t3_1p4kq7x",
        "t1_kx1",
        "t1_kx2",
        "t1_kx3",
    ]
    assert [item.parent_id for item in thread.items] == [None, "t3_1p4kq7x", "t1_kx1", "t1_kx2"]
    assert thread.root_id == "t3_1p4kq7x"
    assert not thread.complete  # Reddit held two replies back ("more")
    request = server.calls("/comments/1p4kq7x")[0]
    assert request.param("comment") == "kx2" and request.param("context") == "8"


def test_a_whole_post_thread_is_complete(server: ReplayServer, http: HttpClient) -> None:
    tree = listing(comment("kx1", "Remboursé ?", "marie_l", "t3_1p4kq7x"))
    server.route("GET", "/comments/1p4kq7x", Answer(200, [listing(POST), tree]))
    thread = publisher(http).conversation(creds(server), "t3_1p4kq7x")
    assert thread.complete and len(thread.items) == 2


def t4(
    mid: str, body: str, author: str, dest: str, minutes: int, first: str | None = None
) -> dict[str, Any]:
    return {
        "kind": "t4",
        "data": {
            "id": mid,
            "name": f"t4_{mid}",
            "author": author,
            "author_fullname": f"t2_{author}",
            "dest": dest,
            "subject": "Remboursement",
            "body": body,
            "body_html": f"&lt;p&gt;{body}&lt;/p&gt;",
            "created_utc": EPOCH - minutes * 60,
            "first_message_name": first,
            "parent_id": first,
            "was_comment": False,
            "new": False,
        },
    }


def test_it_sends_a_private_message_and_reads_back_its_id(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("POST", "/api/compose", Answer(200, {"json": {"errors": []}}))
    server.route(
        "GET",
        "/message/sent",
        Answer(
            200, listing(t4("2abc", "Votre remboursement est parti.", "cafe_lumiere", "marie_l", 0))
        ),
    )
    published = publisher(http).send_message(
        creds(server),
        DirectMessage("u/marie_l", "Votre remboursement est parti.", "k", subject="Remboursement"),
    )
    assert published.external_id == "t4_2abc"
    sent = form(server.calls("/api/compose")[0])
    assert sent == {
        "api_type": "json",
        "to": "marie_l",
        "subject": "Remboursement",
        "text": "Votre remboursement est parti.",
    }


def test_a_recipient_known_by_fullname_is_looked_up(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/api/user_data_by_account_ids",
        Answer(200, {"t2_abc12": {"name": "marie_l", "created_utc": 1.0}}),
    )
    server.route("POST", "/api/compose", Answer(200, {"json": {"errors": []}}))
    server.route("GET", "/message/sent", Answer(200, listing()))
    published = publisher(http).send_message(
        creds(server), DirectMessage("t2_abc12", "Bonjour", "k")
    )
    assert form(server.calls("/api/compose")[0])["to"] == "marie_l"
    assert form(server.calls("/api/compose")[0])["subject"] == "Bonjour"
    assert published.external_id == ""  # sent, but Reddit did not list it yet


def test_a_person_who_refuses_messages_is_said_so(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        "/api/compose",
        Answer(
            200,
            {
                "json": {
                    "errors": [
                        [
                            "NOT_WHITELISTED_BY_USER_MESSAGE",
                            "You can't send a message to that user.",
                            "to",
                        ]
                    ]
                }
            },
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        publisher(http).send_message(creds(server), DirectMessage("marie_l", "x", "k"))
    assert caught.value.permanent and caught.value.code == "reddit.user_refuses"


def test_it_finds_a_lost_private_message(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/message/sent",
        Answer(
            200,
            listing(
                t4("2abd", "Autre", "cafe_lumiere", "paul", 1),
                t4("2abc", "Parti", "cafe_lumiere", "marie_l", 2),
                t4("2aaa", "Vieux", "cafe_lumiere", "marie_l", 600),
            ),
        ),
    )
    found = publisher(http).find_message(
        creds(server), DirectMessage("marie_l", "Parti", "k"), NOW - timedelta(minutes=10)
    )
    assert [item.external_id for item in found] == ["t4_2abc"]


def test_it_reads_both_boxes_incrementally(server: ReplayServer, http: HttpClient) -> None:
    reply_in_inbox = t4("2zz", "a comment reply", "paul", "cafe_lumiere", 1)
    reply_in_inbox["data"]["was_comment"] = True
    server.route(
        "GET",
        "/message/messages",
        Answer(
            200, listing(reply_in_inbox, t4("2ab0", "Bonjour ?", "marie_l", "cafe_lumiere", 10))
        ),
    )
    server.route(
        "GET",
        "/message/sent",
        Answer(
            200, listing(t4("2ab1", "Bonjour Marie", "cafe_lumiere", "marie_l", 5, first="t4_2ab0"))
        ),
    )
    connector = publisher(http)
    first = connector.fetch_messages(creds(server), None)
    assert [item.text for item in first.items] == ["Bonjour ?", "Bonjour Marie"]
    assert all(item.kind is ItemKind.MESSAGE for item in first.items)
    assert first.items[1].thread_id == "t4_2ab0" and first.items[0].thread_id == "t4_2ab0"
    server.route(
        "GET",
        "/message/messages",
        Answer(
            200,
            listing(
                t4("2ab2", "Merci !", "marie_l", "cafe_lumiere", 1, first="t4_2ab0"),
                t4("2ab0", "Bonjour ?", "marie_l", "cafe_lumiere", 10),
            ),
        ),
    )
    second = connector.fetch_messages(creds(server), first.next_cursor)
    assert [item.text for item in second.items] == ["Merci !"]


def test_answering_needs_no_subreddit() -> None:
    assert {Capability.REPLY, Capability.DIRECT_MESSAGES, Capability.CONVERSATION} <= (
        publisher(HttpClient()).capabilities
    )
