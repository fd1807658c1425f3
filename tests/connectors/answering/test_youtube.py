"""YouTube comment replies and threads (comments.insert, commentThreads.insert, comments.list)
against a local server answering in the YouTube Data API v3's formats, errors included."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, ItemKind, Reply
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.youtube.account import YoutubeAccount
from tests.connectors.conftest import ReplayServer
from tests.connectors.conftest import Reply as Answer

CREDS = {"access_token": "ya29.youtube-secret", "channel_id": "UCcafe"}
API = "/youtube/v3"


def snippet(
    cid: str,
    text: str,
    channel: str,
    *,
    parent: str | None = None,
    at: str = "2026-03-02T09:00:00Z",
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "kind": "youtube#comment",
        "etag": "e",
        "id": cid,
        "snippet": {
            "channelId": "UCcafe",
            "videoId": "vid123",
            "textDisplay": text,
            "textOriginal": text,
            "authorDisplayName": "@" + channel.lower(),
            "authorChannelUrl": f"http://www.youtube.com/@{channel.lower()}",
            "authorChannelId": {"value": channel},
            "canRate": True,
            "viewerRating": "none",
            "likeCount": 0,
            "publishedAt": at,
            "updatedAt": at,
        },
    }
    if parent:
        found["snippet"]["parentId"] = parent
    return found


def thread(top: dict[str, Any], replies: int = 0) -> dict[str, Any]:
    return {
        "kind": "youtube#commentThread",
        "etag": "t",
        "id": top["id"],
        "snippet": {
            "channelId": "UCcafe",
            "videoId": "vid123",
            "topLevelComment": top,
            "canReply": True,
            "totalReplyCount": replies,
            "isPublic": True,
        },
    }


def listing(kind: str, *items: Any, next_token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": kind,
        "etag": "l",
        "pageInfo": {"totalResults": len(items), "resultsPerPage": 100},
        "items": list(items),
    }
    if next_token:
        body["nextPageToken"] = next_token
    return body


def google_error(status: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": "youtube.commentThread", "reason": reason}],
        }
    }


def account(server: ReplayServer, http: HttpClient) -> YoutubeAccount:
    return YoutubeAccount(http, endpoints={"api": server.url(API), "token": server.url("/token")})


def test_it_replies_under_the_top_level_comment(server: ReplayServer, http: HttpClient) -> None:
    reply_of_marie = snippet("Ugreply1", "Et le remboursement ?", "UCmarie", parent="Ugtop")
    server.route(
        "GET",
        f"{API}/comments",
        Answer(200, listing("youtube#commentListResponse", reply_of_marie)),
    )
    server.route(
        "POST",
        f"{API}/comments",
        Answer(200, snippet("Ugtop.ours", "Il part demain !", "UCcafe", parent="Ugtop")),
    )
    published = account(server, http).reply(
        CREDS, Reply("comment:Ugreply1", "Il part demain !", "k")
    )
    assert published.external_id == "comment:Ugtop.ours"
    assert published.url == "https://www.youtube.com/watch?v=vid123&lc=Ugtop.ours"
    insert = server.calls(f"{API}/comments")[-1]
    assert insert.method == "POST" and insert.param("part") == "snippet"
    assert json.loads(insert.body) == {
        "snippet": {"parentId": "Ugtop", "textOriginal": "Il part demain !"}
    }
    assert insert.headers["authorization"] == "Bearer ya29.youtube-secret"


def test_a_comment_on_a_video_starts_a_thread(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        f"{API}/commentThreads",
        Answer(200, thread(snippet("Ugnew", "Merci à tous", "UCcafe"))),
    )
    published = account(server, http).reply(CREDS, Reply("video:vid123", "Merci à tous", "k"))
    assert published.external_id == "comment:Ugnew"
    assert json.loads(server.calls(f"{API}/commentThreads")[0].body) == {
        "snippet": {
            "videoId": "vid123",
            "topLevelComment": {"snippet": {"textOriginal": "Merci à tous"}},
        }
    }


@pytest.mark.parametrize(
    ("status", "reason", "code"),
    [
        (403, "commentsDisabled", "youtube.comments_disabled"),
        (404, "parentCommentNotFound", "youtube.parent_gone"),
        (400, "commentTextTooLong", "youtube.text_refused"),
    ],
)
def test_youtubes_refusals_are_permanent_and_named(
    server: ReplayServer, http: HttpClient, status: int, reason: str, code: str
) -> None:
    server.route(
        "GET",
        f"{API}/comments",
        Answer(200, listing("youtube#commentListResponse", snippet("Ugtop", "x", "UCmarie"))),
    )
    server.route("POST", f"{API}/comments", Answer(status, google_error(status, reason, "refused")))
    with pytest.raises(ConnectorError) as caught:
        account(server, http).reply(CREDS, Reply("comment:Ugtop", "x", "k"))
    assert caught.value.permanent and caught.value.code == code


def test_a_token_without_the_scope_asks_to_reconnect(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET",
        f"{API}/comments",
        Answer(200, listing("youtube#commentListResponse", snippet("Ugtop", "x", "UCmarie"))),
    )
    server.route(
        "POST",
        f"{API}/comments",
        Answer(
            403,
            google_error(
                403, "insufficientPermissions", "Request had insufficient authentication scopes."
            ),
        ),
    )
    with pytest.raises(AuthExpired) as caught:
        account(server, http).reply(CREDS, Reply("comment:Ugtop", "x", "k"))
    assert caught.value.code == "youtube.scope_missing"


def test_an_expired_token_is_renewed_once(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        f"{API}/comments",
        Answer(401, google_error(401, "authError", "Invalid Credentials")),
        Answer(200, listing("youtube#commentListResponse", snippet("Ugtop", "x", "UCmarie"))),
    )
    server.route(
        "POST",
        "/token",
        Answer(
            200,
            {
                "access_token": "ya29.fresh",
                "expires_in": 3599,
                "scope": "https://www.googleapis.com/auth/youtube.force-ssl",
                "token_type": "Bearer",
            },
        ),
    )
    server.route(
        "POST", f"{API}/comments", Answer(200, snippet("Ugtop.ours", "x", "UCcafe", parent="Ugtop"))
    )
    connector = account(server, http)
    creds = {
        **CREDS,
        "refresh_token": "1//refresh-secret",
        "client_id": "cid.apps.googleusercontent.com",
        "client_secret": "gsecret",
    }
    connector.reply(creds, Reply("comment:Ugtop", "x", "k"))
    assert connector.refreshed is not None and connector.refreshed["access_token"] == "ya29.fresh"
    token_request = parse_qs(server.calls("/token")[0].body.decode())
    assert token_request["grant_type"] == ["refresh_token"]
    assert server.calls(f"{API}/comments")[-1].headers["authorization"] == "Bearer ya29.fresh"


def test_an_expired_token_without_a_refresh_token_asks_to_reconnect(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET", f"{API}/comments", Answer(401, google_error(401, "authError", "Invalid Credentials"))
    )
    with pytest.raises(AuthExpired):
        account(server, http).reply(CREDS, Reply("comment:Ugtop", "x", "k"))


def test_the_spent_quota_waits_until_it_resets(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        f"{API}/comments",
        Answer(
            403,
            google_error(
                403,
                "quotaExceeded",
                "The request cannot be completed because you have exceeded your quota.",
            ),
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        account(server, http).reply(CREDS, Reply("comment:Ugtop", "x", "k"))
    assert not caught.value.permanent and caught.value.code == "youtube.quota"
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 25 * 3600


def test_a_5xx_after_inserting_is_an_unknown_outcome(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET",
        f"{API}/comments",
        Answer(200, listing("youtube#commentListResponse", snippet("Ugtop", "x", "UCmarie"))),
    )
    server.route(
        "POST", f"{API}/comments", Answer(500, google_error(500, "backendError", "Backend Error"))
    )
    with pytest.raises(OutcomeUnknown):
        account(server, http).reply(CREDS, Reply("comment:Ugtop", "x", "k"))
    assert len([c for c in server.calls(f"{API}/comments") if c.method == "POST"]) == 1


def test_it_reads_a_thread_oldest_first_and_finds_the_channels_reply(
    server: ReplayServer, http: HttpClient
) -> None:
    top = snippet("Ugtop", "Double prélèvement", "UCmarie", at="2026-03-02T08:00:00Z")
    ours = snippet("Ugtop.2", "On rembourse", "UCcafe", parent="Ugtop", at="2026-03-02T09:30:00Z")
    theirs = snippet(
        "Ugtop.1", "Toujours rien", "UCmarie", parent="Ugtop", at="2026-03-02T09:00:00Z"
    )

    def comments(request: Any) -> Answer:
        if request.param("parentId"):
            return Answer(200, listing("youtube#commentListResponse", ours, theirs))
        return Answer(200, listing("youtube#commentListResponse", top))

    server.route("GET", f"{API}/comments", comments)
    server.route(
        "GET",
        f"{API}/commentThreads",
        Answer(200, listing("youtube#commentThreadListResponse", thread(top, 2))),
    )
    connector = account(server, http)
    conversation = connector.conversation(CREDS, "comment:Ugtop")
    assert [item.text for item in conversation.items] == [
        "Double prélèvement",
        "Toujours rien",
        "On rembourse",
    ]
    assert [item.parent_id for item in conversation.items] == [
        "video:vid123",
        "comment:Ugtop",
        "comment:Ugtop",
    ]
    assert conversation.complete and conversation.items[2].kind is ItemKind.REPLY
    found = connector.find_reply(
        CREDS, Reply("comment:Ugtop", "On rembourse", "k"), datetime(2026, 3, 2, 9, tzinfo=UTC)
    )
    assert [item.external_id for item in found] == ["comment:Ugtop.2"]
