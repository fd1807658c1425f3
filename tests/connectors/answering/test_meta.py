"""Facebook page comments and Messenger, Instagram comments and messages, against a local server
answering in the Graph API's formats: the Send API, the Conversations API, comment edges, and
Meta's errors (the 24-hour window, an expired token, a missing permission, rate limits, 5xx)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import pytest

from ambassade.connectors.base import (
    AuthExpired,
    ConnectorError,
    DirectMessage,
    ItemKind,
    Reply,
)
from ambassade.connectors.facebook import FacebookPublisher
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.instagram import InstagramPublisher
from tests.connectors.conftest import ReplayServer
from tests.connectors.conftest import Reply as Answer

PAGE = "108824017345866"
IG = "17841405822304914"
V = "/v23.0"
FB = {"page_id": PAGE, "access_token": "EAAG-page-secret"}
IGC = {"ig_user_id": IG, "access_token": "EAAG-page-secret", "username": "cafelumiere"}
PSID = "6543210987654321"


def graph_error(
    code: int, message: str, subcode: int | None = None, kind: str = "OAuthException"
) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def facebook(server: ReplayServer, http: HttpClient) -> FacebookPublisher:
    return FacebookPublisher(http, endpoints={"api": server.base_url})


def instagram(server: ReplayServer, http: HttpClient) -> InstagramPublisher:
    return InstagramPublisher(http, endpoints={"api": server.base_url}, sleep=lambda s: None)


def messages(conversation: str, *rows: tuple[str, str, str, str]) -> dict[str, Any]:
    return {
        "id": conversation,
        "updated_time": "2026-03-02T10:05:00+0000",
        "messages": {
            "data": [
                {
                    "id": mid,
                    "message": text,
                    "from": {"name": name, "email": f"{sender}@facebook.com", "id": sender},
                    "to": {"data": [{"name": "Café Lumière", "id": PAGE}]},
                    "created_time": at,
                }
                for mid, text, sender, at, name in [
                    (*row, "Marie" if row[2] != PAGE else "Café Lumière") for row in rows
                ]
            ],
            "paging": {"cursors": {"before": "b", "after": "a"}},
        },
    }


# --- Messenger ------------------------------------------------------------------------------------


def test_it_answers_on_messenger_within_the_window(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        f"{V}/{PAGE}/messages",
        Answer(200, {"recipient_id": PSID, "message_id": "m_AG5Hz2Uq7"}),
    )
    published = facebook(server, http).send_message(FB, DirectMessage(PSID, "Bonjour Marie", "k"))
    assert published.external_id == "m_AG5Hz2Uq7"
    request = server.calls(f"{V}/{PAGE}/messages")[0]
    assert json.loads(request.body) == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Bonjour Marie"},
    }
    assert request.param("access_token") == "EAAG-page-secret"
    assert facebook(server, http).message_window == 24 * 3600


def test_a_person_answering_late_sends_with_the_human_agent_tag(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST", f"{V}/{PAGE}/messages", Answer(200, {"recipient_id": PSID, "message_id": "m_2"})
    )
    facebook(server, http).send_message(
        FB, DirectMessage(PSID, "x", "k", options={"human_agent": True})
    )
    body = json.loads(server.calls(f"{V}/{PAGE}/messages")[0].body)
    assert body["messaging_type"] == "MESSAGE_TAG" and body["tag"] == "HUMAN_AGENT"


def test_messenger_refuses_outside_the_24_hour_window(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        f"{V}/{PAGE}/messages",
        Answer(
            400,
            graph_error(
                10,
                "(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview",
                2018278,
            ),
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        facebook(server, http).send_message(FB, DirectMessage(PSID, "x", "k"))
    assert not isinstance(caught.value, AuthExpired)  # not a permission: the window closed
    assert caught.value.permanent and caught.value.code == "graph.outside_window"
    assert "EAAG-page-secret" not in caught.value.message


def test_a_person_who_cannot_be_reached_is_said_so(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        f"{V}/{PAGE}/messages",
        Answer(400, graph_error(551, "This person isn't available right now.", 1545041)),
    )
    with pytest.raises(ConnectorError) as caught:
        facebook(server, http).send_message(FB, DirectMessage(PSID, "x", "k"))
    assert caught.value.code == "graph.person_unavailable"


def test_a_token_without_pages_messaging_asks_to_reconnect(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        f"{V}/{PAGE}/messages",
        Answer(
            403, graph_error(230, "(#230) Requires pages_messaging permission to manage the object")
        ),
    )
    with pytest.raises(AuthExpired) as caught:
        facebook(server, http).send_message(FB, DirectMessage(PSID, "x", "k"))
    assert caught.value.code == "graph.permission_missing"


def test_an_expired_page_token_asks_to_reconnect(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        f"{V}/{PAGE}/messages",
        Answer(400, graph_error(190, "Error validating access token: Session has expired", 463)),
    )
    with pytest.raises(AuthExpired) as caught:
        facebook(server, http).send_message(FB, DirectMessage(PSID, "x", "k"))
    assert caught.value.code == "graph.token_expired"


def test_a_send_rate_limit_waits(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        f"{V}/{PAGE}/messages",
        Answer(
            400,
            graph_error(613, "Calls to this api have exceeded the rate limit."),
            {
                "X-Business-Use-Case-Usage": json.dumps(
                    {
                        PAGE: [
                            {
                                "type": "messenger",
                                "call_count": 100,
                                "estimated_time_to_regain_access": 7,
                            }
                        ]
                    }
                )
            },
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        facebook(server, http).send_message(FB, DirectMessage(PSID, "x", "k"))
    assert not caught.value.permanent and caught.value.retry_after == 420


def test_a_5xx_on_sending_is_an_unknown_outcome(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        f"{V}/{PAGE}/messages",
        Answer(
            500,
            graph_error(
                2,
                "An unexpected error has occurred. Please retry your request later.",
                kind="OAuthException",
            ),
        ),
    )
    with pytest.raises(OutcomeUnknown):
        facebook(server, http).send_message(FB, DirectMessage(PSID, "x", "k"))
    assert len(server.calls(f"{V}/{PAGE}/messages")) == 1


def test_it_finds_a_lost_messenger_message_in_the_conversation(
    server: ReplayServer, http: HttpClient
) -> None:
    conversation = messages(
        "t_10161",
        ("m_3", "Merci", PSID, "2026-03-02T10:05:00+0000"),
        ("m_2", "Bonjour Marie", PAGE, "2026-03-02T10:01:00+0000"),
        ("m_1", "Allô ?", PSID, "2026-03-02T09:00:00+0000"),
    )
    server.route("GET", f"{V}/{PAGE}/conversations", Answer(200, {"data": [conversation]}))
    found = facebook(server, http).find_message(
        FB, DirectMessage(PSID, "Bonjour Marie", "k"), datetime(2026, 3, 2, 9, 55, tzinfo=UTC)
    )
    assert [item.external_id for item in found] == ["m_2"]
    request = server.calls(f"{V}/{PAGE}/conversations")[0]
    assert request.param("user_id") == PSID and request.param("platform") == "messenger"


def test_it_reads_messenger_conversations_incrementally(
    server: ReplayServer, http: HttpClient
) -> None:
    first = messages(
        "t_10161",
        ("m_2", "Bonjour Marie", PAGE, "2026-03-02T10:01:00+0000"),
        ("m_1", "Allô ?", PSID, "2026-03-02T09:00:00+0000"),
    )
    server.route("GET", f"{V}/{PAGE}/conversations", Answer(200, {"data": [first]}))
    connector = facebook(server, http)
    one = connector.fetch_messages(FB, None)
    assert [item.text for item in one.items] == ["Allô ?", "Bonjour Marie"]
    assert one.items[0].author.id == PSID and one.items[0].kind is ItemKind.MESSAGE
    assert one.items[0].thread_id == "conversation:t_10161"
    assert connector.fetch_messages(FB, one.next_cursor).items == []
    later = messages(
        "t_10161",
        ("m_3", "Merci", PSID, "2026-03-02T10:05:00+0000"),
        *[
            (m["id"], m["message"], m["from"]["id"], m["created_time"])
            for m in first["messages"]["data"]
        ],
    )
    server.route("GET", f"{V}/{PAGE}/conversations", Answer(200, {"data": [later]}))
    assert [item.text for item in connector.fetch_messages(FB, one.next_cursor).items] == ["Merci"]


# --- Facebook comments ----------------------------------------------------------------------------


def fb_comment(cid: str, text: str, who: str, at: str, parent: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": cid,
        "message": text,
        "created_time": at,
        "from": {"id": who, "name": "Café Lumière" if who == PAGE else "Marie"},
        "permalink_url": f"https://www.facebook.com/{PAGE}/posts/1?comment_id={cid}",
    }
    if parent:
        found["parent"] = {"id": parent}
    return found


def test_it_reads_a_comment_thread_and_finds_the_pages_reply(
    server: ReplayServer, http: HttpClient
) -> None:
    top = fb_comment("1_100", "Double prélèvement", "77", "2026-03-02T08:00:00+0000")
    answer = fb_comment("1_101", "On rembourse", PAGE, "2026-03-02T10:00:00+0000", parent="1_100")
    server.route("GET", f"{V}/1_101", Answer(200, answer))
    server.route("GET", f"{V}/1_100", Answer(200, top))
    server.route(
        "GET",
        f"{V}/1_100/comments",
        Answer(200, {"data": [answer], "paging": {"cursors": {"before": "b", "after": "a"}}}),
    )
    connector = facebook(server, http)
    thread = connector.conversation(FB, "1_101")
    assert [item.external_id for item in thread.items] == ["1_100", "1_101"]
    assert [item.parent_id for item in thread.items] == [None, "1_100"]
    assert thread.complete
    found = connector.find_reply(
        FB, Reply("1_100", "On rembourse", "k"), datetime(2026, 3, 2, 9, 55, tzinfo=UTC)
    )
    assert [item.external_id for item in found] == ["1_101"]
    listing = server.calls(f"{V}/1_100/comments")[-1]
    assert listing.param("order") == "reverse_chronological"


# --- Instagram --------------------------------------------------------------------------------------


def ig_comment(
    cid: str, text: str, username: str, at: str, parent: str | None = None
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": cid,
        "text": text,
        "timestamp": at,
        "username": username,
        "from": {"id": IG if username == "cafelumiere" else "9001", "username": username},
        "media": {"id": "17900000000000001"},
        "like_count": 0,
    }
    if parent:
        found["parent_id"] = parent
    return found


def test_it_answers_an_instagram_comment_under_its_top_comment(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET",
        f"{V}/17858893269000002",
        Answer(200, {"id": "17858893269000002", "parent_id": "17858893269000001"}),
    )
    server.route("POST", f"{V}/17858893269000001/replies", Answer(200, {"id": "17858893269000009"}))
    published = instagram(server, http).reply(
        IGC, Reply("17858893269000002", "Merci !", "k", parent_kind=ItemKind.REPLY)
    )
    assert published.external_id == "17858893269000009"
    sent = {
        k: v[0]
        for k, v in parse_qs(
            server.calls(f"{V}/17858893269000001/replies")[0].body.decode()
        ).items()
    }
    assert sent["message"] == "Merci !"


def test_a_comment_under_an_instagram_post_stays_as_before(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST", f"{V}/17900000000000001/comments", Answer(200, {"id": "17858893269000010"})
    )
    instagram(server, http).reply(IGC, Reply("17900000000000001", "Bienvenue", "k"))
    assert server.calls(f"{V}/17900000000000001/comments")


def test_it_reads_an_instagram_comment_thread(server: ReplayServer, http: HttpClient) -> None:
    top = ig_comment("c1", "Livraison ?", "marie.l", "2026-03-02T08:00:00+0000")
    ours = ig_comment("c2", "Demain", "cafelumiere", "2026-03-02T10:00:00+0000", parent="c1")
    server.route("GET", f"{V}/c2", Answer(200, ours))
    server.route("GET", f"{V}/c1", Answer(200, top))
    server.route("GET", f"{V}/c1/replies", Answer(200, {"data": [ours]}))
    connector = instagram(server, http)
    thread = connector.conversation(IGC, "c2")
    assert [item.external_id for item in thread.items] == ["c1", "c2"]
    assert thread.items[1].parent_id == "c1" and thread.items[1].kind is ItemKind.REPLY
    found = connector.find_reply(
        IGC,
        Reply("c2", "Demain", "k", parent_kind=ItemKind.REPLY),
        datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    assert [item.external_id for item in found] == ["c2"]


def test_instagram_messages_go_through_the_page_and_keep_the_window(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        f"{V}/me/messages",
        Answer(200, {"recipient_id": "IGSID1", "message_id": "aWdfZAG1"}),
    )
    published = instagram(server, http).send_message(IGC, DirectMessage("IGSID1", "Bonjour", "k"))
    assert published.external_id == "aWdfZAG1"
    server.route(
        "POST",
        f"{V}/me/messages",
        Answer(
            400, graph_error(10, "(#10) This message is sent outside of allowed window.", 2534022)
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        instagram(server, http).send_message(IGC, DirectMessage("IGSID1", "x", "k"))
    assert caught.value.code == "graph.outside_window" and caught.value.permanent


def test_an_instagram_message_over_1000_bytes_is_refused_before_sending(
    server: ReplayServer, http: HttpClient
) -> None:
    with pytest.raises(ConnectorError) as caught:
        instagram(server, http).send_message(IGC, DirectMessage("IGSID1", "é" * 501, "k"))
    assert caught.value.code == "instagram.message_too_long"
    assert server.requests == []


def test_it_reads_instagram_conversations(server: ReplayServer, http: HttpClient) -> None:
    conversation = {
        "id": "aWdfZAG06",
        "updated_time": "2026-03-02T10:05:00+0000",
        "messages": {
            "data": [
                {
                    "id": "aWdfZAG1",
                    "message": "Hello",
                    "from": {"username": "marie.l", "id": "IGSID1"},
                    "to": {"data": [{"username": "cafelumiere", "id": IG}]},
                    "created_time": "2026-03-02T10:05:00+0000",
                }
            ]
        },
    }
    server.route("GET", f"{V}/me/conversations", Answer(200, {"data": [conversation]}))
    result = instagram(server, http).fetch_messages(IGC, None)
    assert [(item.author.handle, item.text) for item in result.items] == [("marie.l", "Hello")]
    assert server.calls(f"{V}/me/conversations")[0].param("platform") == "instagram"
