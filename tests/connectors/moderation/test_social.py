"""Discord, X, Mastodon and Bluesky moderation against a local server answering in each API's
documented format."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest

from ambassade.connectors.base import (
    AuthExpired,
    ConnectorError,
    ModerationAction,
    ModerationRequest,
)
from ambassade.connectors.bluesky.moderate import BlueskyModerator
from ambassade.connectors.discord.moderate import DiscordModerator
from ambassade.connectors.http import HttpClient
from ambassade.connectors.mastodon.moderate import MastodonModerator
from ambassade.connectors.moderators import MODERATORS, get_moderator
from ambassade.connectors.responders import capabilities
from ambassade.connectors.x.moderate import XModerator
from tests.connectors.answering.test_mastodon import creds as mastodon_creds
from tests.connectors.conftest import ReplayServer, fixture_json
from tests.connectors.conftest import Reply as Answer
from tests.connectors.publishing.test_bluesky import X as XRPC
from tests.connectors.publishing.test_bluesky import creds as bluesky_creds

A = ModerationAction
BOT = {"bot_token": "discord-bot-secret", "channel_id": "900", "guild_id": "42"}


def ask(action: A, target: str, **kw: Any) -> ModerationRequest:
    return ModerationRequest(action, target, "key-1", **kw)


def test_every_moderator_declares_the_capability_and_keeps_the_contract() -> None:
    for network in MODERATORS:
        cls = get_moderator(network)
        assert "moderate" in cls.capabilities
        assert "moderate" in capabilities()[network]
        assert cls.moderates, network  # type: ignore[attr-defined]


# --- Discord --------------------------------------------------------------------------------------


def discord(server: ReplayServer, http: HttpClient) -> DiscordModerator:
    return DiscordModerator(http, endpoints={"api": server.base_url})


def test_discord_deletes_times_out_and_bans(server: ReplayServer, http: HttpClient) -> None:
    server.route("DELETE", "/channels/901/messages/777", Answer(204))
    server.route("PATCH", "/guilds/42/members/555", Answer(200, {"user": {"id": "555"}}))
    server.route("PUT", "/guilds/42/bans/555", Answer(204))
    server.route(
        "DELETE",
        "/guilds/42/bans/555",
        Answer(204),
        Answer(404, {"message": "Unknown Ban", "code": 10026}),
    )
    moderator = discord(server, http)
    moderator.moderate(BOT, ask(A.DELETE, "901:777", reason="Insultes (article 2)"))
    deleted = server.calls("/channels/901/messages/777")[0]
    assert deleted.headers["authorization"] == "Bot discord-bot-secret"
    assert unquote(deleted.headers["x-audit-log-reason"]) == "Insultes (article 2)"
    muted = moderator.moderate(
        BOT, ask(A.MUTE, "555", until=datetime.now(UTC) + timedelta(days=90))
    )
    assert muted.lifts_itself and muted.until is not None
    assert muted.until - datetime.now(UTC) <= timedelta(days=28)
    moderator.moderate(BOT, ask(A.UNMUTE, "555"))
    bodies = [json.loads(r.body) for r in server.calls("/guilds/42/members/555")]
    assert bodies[0]["communication_disabled_until"].startswith(str(muted.until.date()))
    assert bodies[1] == {"communication_disabled_until": None}
    banned = moderator.moderate(BOT, ask(A.BAN, "555"))
    assert not banned.lifts_itself
    assert json.loads(server.calls("/guilds/42/bans/555")[0].body) == {"delete_message_seconds": 0}
    assert not moderator.moderate(BOT, ask(A.UNBAN, "555")).already
    assert moderator.moderate(BOT, ask(A.UNBAN, "555")).already


def test_discord_finds_the_server_of_the_channel(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/channels/901", Answer(200, {"id": "901", "guild_id": "43", "type": 0}))
    server.route("PUT", "/guilds/43/bans/555", Answer(204))
    bot = {"bot_token": "discord-bot-secret", "channel_id": "900"}
    discord(server, http).moderate(bot, ask(A.BAN, "555", item_id="901:777"))
    assert server.calls("/guilds/43/bans/555")


def test_discord_refusals(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "DELETE",
        "/channels/900/messages/777",
        Answer(404, {"message": "Unknown Message", "code": 10008}),
        Answer(403, {"message": "Missing Permissions", "code": 50013}),
        Answer(
            429,
            {"message": "You are being rate limited.", "retry_after": 2.5, "global": False},
            {"Retry-After": "3"},
        ),
        Answer(401, {"message": "401: Unauthorized", "code": 0}),
    )
    moderator = discord(server, http)
    assert moderator.moderate(BOT, ask(A.DELETE, "777")).already
    with pytest.raises(ConnectorError) as permission:
        moderator.moderate(BOT, ask(A.DELETE, "777"))
    assert permission.value.code == "discord.missing_permission"
    # A role to give the bot, not a login to renew: the connection must not ask for reconnection.
    assert permission.value.permanent and not isinstance(permission.value, AuthExpired)
    with pytest.raises(ConnectorError) as limited:
        moderator.moderate(BOT, ask(A.DELETE, "777"))
    assert not limited.value.permanent and limited.value.retry_after == 3
    with pytest.raises(AuthExpired) as expired:
        moderator.moderate(BOT, ask(A.DELETE, "777"))
    assert expired.value.code == "discord.token_refused"
    with pytest.raises(ConnectorError) as hide:
        moderator.moderate(BOT, ask(A.HIDE, "777"))
    assert hide.value.code == "connector.moderation_unsupported"
    assert (
        moderator.moderation_actions({"webhook_url": "https://discord.com/api/webhooks/1/x"})
        == set()
    )


# --- X --------------------------------------------------------------------------------------------


def x(server: ReplayServer, http: HttpClient) -> XModerator:
    return XModerator(http, endpoints={"api": server.base_url})


XC = {"access_token": "x-user-secret", "user_id": "2244994945", "username": "cafelumiere"}


def test_x_hides_a_reply_and_mutes_by_handle(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "PUT", "/2/tweets/1460323737035677698/hidden", Answer(200, {"data": {"hidden": True}})
    )
    server.route(
        "GET",
        "/2/users/by/username/troll42",
        Answer(200, {"data": {"id": "1234", "name": "T", "username": "troll42"}}),
    )
    server.route("POST", "/2/users/2244994945/muting", Answer(200, {"data": {"muting": True}}))
    server.route(
        "DELETE", "/2/users/2244994945/muting/1234", Answer(200, {"data": {"muting": False}})
    )
    moderator = x(server, http)
    moderator.moderate(XC, ask(A.HIDE, "1460323737035677698"))
    assert json.loads(server.calls("/2/tweets/1460323737035677698/hidden")[0].body) == {
        "hidden": True
    }
    moderator.moderate(XC, ask(A.MUTE, "@troll42"))
    assert json.loads(server.calls("/2/users/2244994945/muting")[0].body) == {
        "target_user_id": "1234"
    }
    moderator.moderate(XC, ask(A.UNMUTE, "1234"))
    assert server.calls("/2/users/2244994945/muting/1234")


def test_x_refusals(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "PUT",
        "/2/tweets/1/hidden",
        Answer(
            401,
            {
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": "Unauthorized",
            },
        ),
        Answer(
            429,
            {"title": "Too Many Requests", "detail": "Too Many Requests"},
            {"x-rate-limit-reset": "0"},
        ),
    )
    moderator = x(server, http)
    with pytest.raises(AuthExpired):
        moderator.moderate(XC, ask(A.HIDE, "1"))
    with pytest.raises(ConnectorError) as limited:
        moderator.moderate(XC, ask(A.HIDE, "1"))
    assert not limited.value.permanent
    for action in (A.DELETE, A.BAN):
        with pytest.raises(ConnectorError) as caught:
            moderator.moderate(XC, ask(action, "1"))
        assert caught.value.code == "connector.moderation_unsupported"


# --- Mastodon -------------------------------------------------------------------------------------


def relationship(**state: bool) -> dict[str, Any]:
    return {"id": "110", "following": False, "muting": False, "blocking": False, **state}


def test_mastodon_mutes_for_a_while_and_blocks(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET", "/api/v1/accounts/lookup", Answer(200, {"id": "110", "acct": "troll@example.social"})
    )
    server.route("POST", "/api/v1/accounts/110/mute", Answer(200, relationship(muting=True)))
    server.route("POST", "/api/v1/accounts/110/block", Answer(200, relationship(blocking=True)))
    server.route("POST", "/api/v1/accounts/110/unblock", Answer(200, relationship()))
    moderator = MastodonModerator(http)
    creds = mastodon_creds(server)
    until = datetime.now(UTC) + timedelta(hours=24)
    muted = moderator.moderate(creds, ask(A.MUTE, "@troll@example.social", until=until))
    assert muted.lifts_itself and muted.until == until
    assert server.calls("/api/v1/accounts/lookup")[0].param("acct") == "troll@example.social"
    sent = parse_qs(server.calls("/api/v1/accounts/110/mute")[0].body.decode())
    assert 86_000 < int(sent["duration"][0]) <= 86_400
    moderator.moderate(creds, ask(A.BAN, "110"))
    moderator.moderate(creds, ask(A.UNBAN, "110"))
    assert (
        server.calls("/api/v1/accounts/110/block")[0].headers["authorization"]
        == "Bearer mastodon-secret-token"
    )


def test_mastodon_refusals(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/api/v1/accounts/lookup", Answer(404, {"error": "Record not found"}))
    server.route(
        "POST",
        "/api/v1/accounts/110/block",
        Answer(403, {"error": "This action is outside the authorized scopes"}),
        Answer(200, relationship()),
    )
    moderator = MastodonModerator(http)
    creds = mastodon_creds(server)
    with pytest.raises(ConnectorError) as unknown:
        moderator.moderate(creds, ask(A.MUTE, "@ghost@example.social"))
    assert unknown.value.permanent
    with pytest.raises(AuthExpired):
        moderator.moderate(creds, ask(A.BAN, "110"))
    with pytest.raises(ConnectorError) as unconfirmed:  # answered, but not blocking
        moderator.moderate(creds, ask(A.BAN, "110"))
    assert not unconfirmed.value.permanent
    with pytest.raises(ConnectorError) as hide:
        moderator.moderate(creds, ask(A.HIDE, "110"))
    assert hide.value.code == "connector.moderation_unsupported"


# --- Bluesky --------------------------------------------------------------------------------------

TROLL = "did:plc:troll0000000000000000000"


def bluesky(server: ReplayServer, http: HttpClient) -> BlueskyModerator:
    server.route(
        "POST",
        XRPC + "com.atproto.server.createSession",
        Answer(200, fixture_json("bluesky", "create_session.json")),
    )
    return BlueskyModerator(http, endpoints={"pds": server.base_url})


def profile(blocking: str | None = None) -> dict[str, Any]:
    viewer: dict[str, Any] = {"muted": False, "blockedBy": False}
    if blocking:
        viewer["blocking"] = blocking
    return {"did": TROLL, "handle": "troll.bsky.social", "viewer": viewer}


def test_bluesky_mutes_and_blocks_with_a_record(server: ReplayServer, http: HttpClient) -> None:
    moderator = bluesky(server, http)
    me = fixture_json("bluesky", "create_session.json")["did"]
    block = f"at://{me}/app.bsky.graph.block/3lblockrkey"
    server.route("POST", XRPC + "app.bsky.graph.muteActor", Answer(200))
    server.route(
        "GET",
        XRPC + "app.bsky.actor.getProfile",
        Answer(200, profile()),
        Answer(200, profile(block)),
        Answer(200, profile(block)),
        Answer(200, profile()),
    )
    server.route(
        "POST", XRPC + "com.atproto.repo.createRecord", Answer(200, {"uri": block, "cid": "bafy"})
    )
    server.route("POST", XRPC + "com.atproto.repo.deleteRecord", Answer(200, {}))
    creds = bluesky_creds(server)
    moderator.moderate(creds, ask(A.MUTE, "@troll.bsky.social"))
    assert json.loads(server.calls(XRPC + "app.bsky.graph.muteActor")[0].body) == {
        "actor": "troll.bsky.social"
    }
    assert not moderator.moderate(creds, ask(A.BAN, "troll.bsky.social")).already
    created = json.loads(server.calls(XRPC + "com.atproto.repo.createRecord")[0].body)
    assert created["repo"] == me and created["collection"] == "app.bsky.graph.block"
    assert (
        created["record"]["subject"] == TROLL
        and created["record"]["$type"] == "app.bsky.graph.block"
    )
    assert moderator.moderate(creds, ask(A.BAN, "troll.bsky.social")).already
    moderator.moderate(creds, ask(A.UNBAN, "troll.bsky.social"))
    deleted = json.loads(server.calls(XRPC + "com.atproto.repo.deleteRecord")[0].body)
    assert deleted == {"repo": me, "collection": "app.bsky.graph.block", "rkey": "3lblockrkey"}
    assert moderator.moderate(creds, ask(A.UNBAN, "troll.bsky.social")).already
    assert len(server.calls(XRPC + "com.atproto.repo.createRecord")) == 1


def test_bluesky_refusals(server: ReplayServer, http: HttpClient) -> None:
    moderator = bluesky(server, http)
    server.route(
        "POST",
        XRPC + "app.bsky.graph.muteActor",
        Answer(
            429,
            fixture_json("bluesky", "error_429.json"),
            {"ratelimit-reset": "0", "retry-after": "60"},
        ),
    )
    with pytest.raises(ConnectorError) as limited:
        moderator.moderate(bluesky_creds(server), ask(A.MUTE, "troll.bsky.social"))
    assert not limited.value.permanent
    with pytest.raises(ConnectorError) as hide:
        moderator.moderate(bluesky_creds(server), ask(A.DELETE, "at://x/app.bsky.feed.post/1"))
    assert hide.value.code == "connector.moderation_unsupported"
