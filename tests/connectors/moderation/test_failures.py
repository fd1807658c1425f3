"""Every moderation action of every network, against a local server that answers every call with
the network's documented failure: an expired token, a missing permission, a rate limit. Each must
be the right kind of error (reconnect, or give up, or wait and retry) and read in plain words in
French and English — never a code, never "done".

The answers are the networks' documented error formats: Graph API ``{"error": {"code": 190…}}``,
Google ``{"error": {"errors": [{"reason": …}]}}``, Reddit ``{"message", "error"}``, Discord
``{"message", "code"}``, X problem+json, Mastodon ``{"error"}``, Bluesky XRPC ``{"error",
"message"}``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ambassade.connectors.base import (
    AuthExpired,
    ConnectorError,
    ModerationAction,
    ModerationRequest,
)
from ambassade.connectors.http import HttpClient
from ambassade.connectors.moderators import MODERATORS, get_moderator
from tests.connectors.answering.test_mastodon import creds as mastodon_creds
from tests.connectors.answering.test_meta import FB, IGC, graph_error
from tests.connectors.answering.test_youtube import API, CREDS, google_error
from tests.connectors.conftest import ReplayServer, fixture_json
from tests.connectors.conftest import Reply as Answer
from tests.connectors.publishing.test_bluesky import X as XRPC
from tests.connectors.publishing.test_bluesky import creds as bluesky_creds
from tests.connectors.publishing.test_reddit import NOW
from tests.connectors.publishing.test_reddit import creds as reddit_creds

A = ModerationAction


@dataclass
class Network:
    make: Callable[[ReplayServer, HttpClient], Any]
    creds: Callable[[ReplayServer], dict[str, Any]]
    targets: dict[A, str]
    failures: dict[str, Answer]
    item_id: str = ""
    ok_routes: tuple[tuple[str, str, Answer], ...] = ()


def cls(network: str) -> Any:
    return get_moderator(network)


GRAPH = {
    "expired": Answer(400, graph_error(190, "Error validating access token", 463)),
    "permission": Answer(403, graph_error(200, "Requires pages_manage_engagement permission")),
    "rate_limit": Answer(400, graph_error(613, "Calls to this api have exceeded the rate limit.")),
}
NETWORKS: dict[str, Network] = {
    "facebook": Network(
        lambda s, h: cls("facebook")(h, endpoints={"api": s.base_url}),
        lambda s: FB,
        {A.HIDE: "1_2", A.UNHIDE: "1_2", A.DELETE: "1_2", A.BAN: "654", A.UNBAN: "654"},
        GRAPH,
    ),
    "instagram": Network(
        lambda s, h: cls("instagram")(h, endpoints={"api": s.base_url}, sleep=lambda t: None),
        lambda s: IGC,
        {A.HIDE: "178", A.UNHIDE: "178", A.DELETE: "178"},
        GRAPH,
    ),
    "youtube": Network(
        lambda s, h: cls("youtube")(h, endpoints={"api": s.url(API), "token": s.url("/token")}),
        lambda s: CREDS,
        {A.HIDE: "Ugbad", A.UNHIDE: "Ugbad", A.HOLD: "Ugbad", A.APPROVE: "Ugbad", A.BAN: "UCx"},
        {
            "expired": Answer(401, google_error(401, "authError", "Invalid Credentials")),
            "permission": Answer(
                403, google_error(403, "insufficientPermissions", "Insufficient Permission")
            ),
            "rate_limit": Answer(
                403, google_error(403, "quotaExceeded", "You have exceeded your quota.")
            ),
        },
        item_id="comment:Ugbad",
    ),
    "reddit": Network(
        lambda s, h: cls("reddit")(h, clock=NOW.timestamp),
        lambda s: reddit_creds(s),
        {
            A.HIDE: "t1_abc",
            A.UNHIDE: "t1_abc",
            A.APPROVE: "t1_abc",
            A.BAN: "troll",
            A.UNBAN: "troll",
        },
        {
            "expired": Answer(401, {"message": "Unauthorized", "error": 401}),
            "permission": Answer(403, {"message": "Forbidden", "error": 403}),
            "rate_limit": Answer(
                429,
                {"message": "Too Many Requests", "error": 429},
                {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "30", "Retry-After": "30"},
            ),
        },
    ),
    "discord": Network(
        lambda s, h: cls("discord")(h, endpoints={"api": s.base_url}),
        lambda s: {"bot_token": "discord-bot-secret", "channel_id": "900", "guild_id": "42"},
        {A.DELETE: "901:777", A.MUTE: "555", A.UNMUTE: "555", A.BAN: "555", A.UNBAN: "555"},
        {
            "expired": Answer(401, {"message": "401: Unauthorized", "code": 0}),
            "permission": Answer(403, {"message": "Missing Permissions", "code": 50013}),
            "rate_limit": Answer(
                429,
                {"message": "You are being rate limited.", "retry_after": 2.5, "global": False},
                {"Retry-After": "3"},
            ),
        },
    ),
    "x": Network(
        lambda s, h: cls("x")(h, endpoints={"api": s.base_url}),
        lambda s: {"access_token": "x-user-secret", "user_id": "22449", "username": "cafe"},
        {A.HIDE: "146", A.UNHIDE: "146", A.MUTE: "1234", A.UNMUTE: "1234"},
        {
            "expired": Answer(
                401,
                {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                },
            ),
            "permission": Answer(
                403,
                {
                    "title": "Forbidden",
                    "type": "about:blank",
                    "status": 403,
                    "detail": "You are not permitted to perform this action.",
                },
            ),
            "rate_limit": Answer(
                429,
                {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
                {"x-rate-limit-reset": "0"},
            ),
        },
    ),
    "mastodon": Network(
        lambda s, h: cls("mastodon")(h),
        mastodon_creds,
        {A.MUTE: "110", A.UNMUTE: "110", A.BAN: "110", A.UNBAN: "110"},
        {
            "expired": Answer(401, {"error": "The access token is invalid"}),
            "permission": Answer(403, {"error": "This action is outside the authorized scopes"}),
            "rate_limit": Answer(
                429, {"error": "Too many requests"}, {"X-RateLimit-Reset": "2026-12-07T05:00:00Z"}
            ),
        },
    ),
    "bluesky": Network(
        lambda s, h: cls("bluesky")(h, endpoints={"pds": s.base_url}),
        bluesky_creds,
        {
            A.MUTE: "troll.bsky.social",
            A.UNMUTE: "troll.bsky.social",
            A.BAN: "troll.bsky.social",
            A.UNBAN: "troll.bsky.social",
        },
        {
            "expired": Answer(400, {"error": "ExpiredToken", "message": "Token has expired"}),
            "permission": Answer(
                401, {"error": "AuthMissing", "message": "Authentication Required"}
            ),
            "rate_limit": Answer(
                429,
                {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                {"ratelimit-reset": "0", "retry-after": "60"},
            ),
        },
        ok_routes=(("POST", XRPC + "com.atproto.server.createSession", Answer(200, "session")),),
    ),
}

CASES = [
    (network, action, failure)
    for network, spec in NETWORKS.items()
    for action in spec.targets
    for failure in ("expired", "permission", "rate_limit")
]


class FailEverywhere(dict):  # type: ignore[type-arg]
    """Routes for a ReplayServer: the ones set explicitly, and ``answer`` for every other call."""

    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(key) or [self.answer]


def session_routes(spec: Network) -> dict[tuple[str, str], list[Answer]]:
    """The calls that must succeed before the failure can show (Bluesky's session)."""
    routes = {}
    for method, path, answer in spec.ok_routes:
        if answer.body == "session":
            answer = Answer(200, fixture_json("bluesky", "create_session.json"))
        routes[(method, path)] = [answer]
    return routes


def test_every_network_and_action_is_in_the_matrix() -> None:
    assert set(NETWORKS) == set(MODERATORS)
    for network, spec in NETWORKS.items():
        assert set(spec.targets) == set(cls(network).moderates), network


@pytest.mark.parametrize(("network", "action", "failure"), CASES)
def test_a_refusal_is_the_right_kind_of_error_in_plain_words(
    server: ReplayServer, http: HttpClient, network: str, action: A, failure: str
) -> None:
    from ambassade.workspaces.messages import words_in

    spec = NETWORKS[network]
    routes = FailEverywhere(spec.failures[failure])
    routes.update(session_routes(spec))
    server.routes = routes
    moderator = spec.make(server, http)
    until = datetime.now(UTC) + timedelta(hours=1) if action in (A.MUTE, A.BAN) else None
    request = ModerationRequest(
        action, spec.targets[action], "key-1", item_id=spec.item_id, until=until
    )
    with pytest.raises(ConnectorError) as caught:
        moderator.moderate(spec.creds(server), request)
    error = caught.value
    if failure == "rate_limit":
        assert not error.permanent and not isinstance(error, AuthExpired), error
    elif failure == "expired":
        assert isinstance(error, AuthExpired), error
    else:  # a missing permission: a person must act (reconnect with the scope, or give the role)
        assert isinstance(error, AuthExpired) or error.permanent, error
    assert error.code, f"{network} {action} {failure}: no code"
    english, french = words_in("en", error), words_in("fr", error)
    assert english != french, f"{error.code} is not worded in French"
    secrets = [v for k, v in spec.creds(server).items() if "token" in k or "secret" in k]
    for text in (english, french):
        assert error.code not in text
        assert not any(str(secret) in text for secret in secrets if len(str(secret)) > 6)


# --- the undoing actions that the per-network files do not send --------------------------------


def test_youtube_unhides_by_publishing(server: ReplayServer, http: HttpClient) -> None:
    status = f"{API}/comments/setModerationStatus"
    server.route("POST", status, Answer(204))
    NETWORKS["youtube"].make(server, http).moderate(
        CREDS, ModerationRequest(A.UNHIDE, "Ugbad", "k")
    )
    sent = server.calls(status)[0]
    assert (sent.param("id"), sent.param("moderationStatus")) == ("Ugbad", "published")


def test_reddit_approves(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", "/api/approve", Answer(200, {}))
    NETWORKS["reddit"].make(server, http).moderate(
        reddit_creds(server), ModerationRequest(A.APPROVE, "t1_abc", "k")
    )
    assert b"t1_abc" in server.calls("/api/approve")[0].body


def test_x_unhides_a_reply(server: ReplayServer, http: HttpClient) -> None:
    server.route("PUT", "/2/tweets/146/hidden", Answer(200, {"data": {"hidden": False}}))
    spec = NETWORKS["x"]
    spec.make(server, http).moderate(spec.creds(server), ModerationRequest(A.UNHIDE, "146", "k"))
    assert json.loads(server.calls("/2/tweets/146/hidden")[0].body) == {"hidden": False}


def test_mastodon_unmutes_and_an_unconfirmed_unmute_is_not_done(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        "/api/v1/accounts/110/unmute",
        Answer(200, {"id": "110", "muting": False, "blocking": False}),
        Answer(200, {"id": "110", "muting": True, "blocking": False}),
    )
    moderator = NETWORKS["mastodon"].make(server, http)
    moderator.moderate(mastodon_creds(server), ModerationRequest(A.UNMUTE, "110", "k"))
    with pytest.raises(ConnectorError) as caught:
        moderator.moderate(mastodon_creds(server), ModerationRequest(A.UNMUTE, "110", "k"))
    assert caught.value.code == "connector.bad_answer"


def test_bluesky_unmutes(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        XRPC + "com.atproto.server.createSession",
        Answer(200, fixture_json("bluesky", "create_session.json")),
    )
    server.route("POST", XRPC + "app.bsky.graph.unmuteActor", Answer(200))
    NETWORKS["bluesky"].make(server, http).moderate(
        bluesky_creds(server), ModerationRequest(A.UNMUTE, "@troll.bsky.social", "k")
    )
    assert json.loads(server.calls(XRPC + "app.bsky.graph.unmuteActor")[0].body) == {
        "actor": "troll.bsky.social"
    }
