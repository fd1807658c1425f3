"""YouTube and Reddit moderation against a local server answering in each API's format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest

from ambassade.connectors.base import (
    AuthExpired,
    ConnectorError,
    ModerationAction,
    ModerationRequest,
)
from ambassade.connectors.http import HttpClient
from ambassade.connectors.reddit.moderate import RedditModerator
from ambassade.connectors.youtube.moderate import YoutubeModerator
from tests.connectors.answering.test_youtube import API, CREDS, google_error
from tests.connectors.conftest import ReplayServer
from tests.connectors.conftest import Reply as Answer
from tests.connectors.publishing.test_reddit import NOW, creds

A = ModerationAction
STATUS = f"{API}/comments/setModerationStatus"


def youtube(server: ReplayServer, http: HttpClient) -> YoutubeModerator:
    return YoutubeModerator(http, endpoints={"api": server.url(API), "token": server.url("/token")})


def ask(action: A, target: str, **kw: Any) -> ModerationRequest:
    return ModerationRequest(action, target, "key-1", **kw)


def test_youtube_rejects_holds_publishes_and_bans(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", STATUS, Answer(204))
    moderator = youtube(server, http)
    moderator.moderate(CREDS, ask(A.HIDE, "comment:Ugbad"))
    moderator.moderate(CREDS, ask(A.HOLD, "Ugbad"))
    moderator.moderate(CREDS, ask(A.APPROVE, "Ugbad"))
    moderator.moderate(CREDS, ask(A.BAN, "UCtroll", item_id="comment:Ugbad"))
    sent = [
        (r.param("id"), r.param("moderationStatus"), r.param("banAuthor"))
        for r in server.calls(STATUS)
    ]
    assert sent == [
        ("Ugbad", "rejected", None),
        ("Ugbad", "heldForReview", None),
        ("Ugbad", "published", None),
        ("Ugbad", "rejected", "true"),
    ]
    assert server.calls(STATUS)[0].headers["authorization"] == "Bearer ya29.youtube-secret"


def test_youtube_cannot_delete_another_persons_comment_nor_unban(
    server: ReplayServer, http: HttpClient
) -> None:
    moderator = youtube(server, http)
    for action in (A.DELETE, A.UNBAN, A.MUTE):
        with pytest.raises(ConnectorError) as caught:
            moderator.moderate(CREDS, ask(action, "Ugbad"))
        assert caught.value.code == "connector.moderation_unsupported"
    with pytest.raises(ConnectorError) as caught:
        moderator.moderate(CREDS, ask(A.BAN, "UCtroll"))
    assert caught.value.code == "youtube.ban_needs_comment"
    assert server.requests == []


def test_youtube_refusals_in_plain_words(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        STATUS,
        Answer(403, google_error(403, "forbidden", "The comment could not be updated.")),
        Answer(404, google_error(404, "commentNotFound", "The comment was not found.")),
        Answer(403, google_error(403, "insufficientPermissions", "Insufficient Permission")),
        Answer(403, google_error(403, "quotaExceeded", "You have exceeded your quota.")),
    )
    moderator = youtube(server, http)
    with pytest.raises(ConnectorError) as forbidden:
        moderator.moderate(CREDS, ask(A.HIDE, "Ugbad"))
    assert forbidden.value.permanent and forbidden.value.code == "youtube.moderation_forbidden"
    assert moderator.moderate(CREDS, ask(A.HIDE, "Ugbad")).already  # gone: hidden from all
    with pytest.raises(AuthExpired):
        moderator.moderate(CREDS, ask(A.HIDE, "Ugbad"))
    with pytest.raises(ConnectorError) as quota:
        moderator.moderate(CREDS, ask(A.HIDE, "Ugbad"))
    assert not quota.value.permanent and quota.value.code == "youtube.quota"


def test_youtube_renews_an_expired_token_once(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        STATUS,
        Answer(401, google_error(401, "authError", "Invalid Credentials")),
        Answer(204),
    )
    server.route("POST", "/token", Answer(200, {"access_token": "ya29.fresh", "expires_in": 3599}))
    moderator = youtube(server, http)
    given = {**CREDS, "refresh_token": "1//r", "client_id": "c", "client_secret": "s"}
    moderator.moderate(given, ask(A.HIDE, "Ugbad"))
    assert server.calls(STATUS)[-1].headers["authorization"] == "Bearer ya29.fresh"


# --- Reddit ---------------------------------------------------------------------------------------


def reddit(http: HttpClient) -> RedditModerator:
    return RedditModerator(http, clock=NOW.timestamp)


def form(server: ReplayServer, path: str, index: int = 0) -> dict[str, str]:
    body = server.calls(path)[index].body.decode()
    return {key: values[0] for key, values in parse_qs(body).items()}


def test_reddit_removes_and_approves_as_moderator(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", "/api/remove", Answer(200, {}))
    server.route("POST", "/api/approve", Answer(200, {}))
    moderator = reddit(http)
    moderator.moderate(creds(server), ask(A.HIDE, "t1_kq7abc"))
    moderator.moderate(creds(server), ask(A.UNHIDE, "kq7abc"))
    assert form(server, "/api/remove") == {"id": "t1_kq7abc", "spam": "false"}
    assert form(server, "/api/approve") == {"id": "t1_kq7abc"}
    assert (
        server.calls("/api/remove")[0].headers["authorization"] == "Bearer still-valid-access-token"
    )


def test_reddit_bans_for_some_days_in_the_items_subreddit(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET",
        "/api/info",
        Answer(
            200,
            {
                "kind": "Listing",
                "data": {"children": [{"kind": "t1", "data": {"subreddit": "paris"}}]},
            },
        ),
    )
    server.route("POST", "/r/paris/api/friend", Answer(200, {"json": {"errors": []}}))
    server.route("POST", "/r/paris/api/unfriend", Answer(200, {}))
    moderator = reddit(http)
    until = datetime.now(UTC) + timedelta(days=7, hours=1)
    result = moderator.moderate(
        creds(server),
        ask(A.BAN, "u/troll42", item_id="t1_kq7abc", until=until, reason="Insults (article 2)"),
    )
    sent = form(server, "/r/paris/api/friend")
    assert sent["type"] == "banned" and sent["name"] == "troll42" and sent["duration"] == "8"
    assert sent["ban_message"] == "Insults (article 2)"
    assert result.lifts_itself and result.until is not None
    moderator.moderate(creds(server), ask(A.UNBAN, "troll42", options={"subreddit": "r/paris"}))
    assert form(server, "/r/paris/api/unfriend")["name"] == "troll42"


def test_reddit_refusals(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        "/r/cafelumiere/api/friend",
        Answer(
            200, {"json": {"errors": [["USER_DOESNT_EXIST", "that user doesn't exist", "name"]]}}
        ),
    )
    server.route("POST", "/api/remove", Answer(403, {"message": "Forbidden", "error": 403}))
    moderator = reddit(http)
    with pytest.raises(ConnectorError) as refused:
        moderator.moderate(creds(server), ask(A.BAN, "ghost"))
    assert refused.value.permanent and refused.value.code == "reddit.moderation_refused"
    assert "USER_DOESNT_EXIST" in str(refused.value.params["detail"])
    with pytest.raises(ConnectorError) as not_a_moderator:
        moderator.moderate(creds(server), ask(A.HIDE, "t1_x"))
    assert not_a_moderator.value.permanent and not_a_moderator.value.code == "reddit.access_refused"
    with pytest.raises(ConnectorError) as unsupported:
        moderator.moderate(creds(server), ask(A.DELETE, "t1_x"))
    assert unsupported.value.code == "connector.moderation_unsupported"


def test_reddit_a_rate_limit_waits(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST", "/api/remove", Answer(429, {"message": "Too Many Requests"}, {"Retry-After": "30"})
    )
    with pytest.raises(ConnectorError) as caught:
        reddit(http).moderate(creds(server), ask(A.HIDE, "t1_x"))
    assert not caught.value.permanent and caught.value.retry_after == 30
