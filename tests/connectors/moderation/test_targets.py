"""A moderation target is a network's id or handle: ASCII digits where the network uses numbers
('²'.isdigit() is true, and no network has such an id), and nothing that could walk out of the
API path it is put in."""

from __future__ import annotations

import pytest

from ambassade.connectors._moderation import graph_id, numeric_id
from ambassade.connectors.base import ConnectorError, ModerationAction, ModerationRequest
from ambassade.connectors.discord.moderate import DiscordModerator
from ambassade.connectors.http import HttpClient
from ambassade.connectors.mastodon.moderate import MastodonModerator
from ambassade.connectors.moderators import get_moderator
from ambassade.connectors.x.moderate import XModerator
from tests.connectors.answering.test_mastodon import creds as mastodon_creds
from tests.connectors.conftest import ReplayServer
from tests.connectors.conftest import Reply as Answer

A = ModerationAction
XC = {"access_token": "x-user-secret", "user_id": "2244994945", "username": "cafelumiere"}
BOT = {"bot_token": "discord-bot-secret", "channel_id": "900", "guild_id": "42"}


def ask(action: A, target: str) -> ModerationRequest:
    return ModerationRequest(action, target, "key-1")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("110", True),
        ("0" * 20, True),
        ("²", False),
        ("١٢٣", False),
        ("12³", False),
        ("", False),
        ("1" * 21, False),
        ("-1", False),
        (" 1", False),
    ],
)
def test_numeric_ids_are_ascii_digits(value: str, expected: bool) -> None:
    assert numeric_id(value) is expected


def test_mastodon_looks_up_a_target_of_other_digits_instead_of_using_it_as_an_id(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/api/v1/accounts/lookup", Answer(200, {"id": "110", "acct": "x²"}))
    server.route("POST", "/api/v1/accounts/110/mute", Answer(200, {"id": "110", "muting": True}))
    MastodonModerator(http).moderate(mastodon_creds(server), ask(A.MUTE, "²"))
    assert server.calls("/api/v1/accounts/lookup")[0].param("acct") == "²"
    assert [r.path for r in server.requests] == [
        "/api/v1/accounts/lookup",
        "/api/v1/accounts/110/mute",
    ]


def test_mastodon_refuses_an_id_from_lookup_that_is_not_one(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/api/v1/accounts/lookup", Answer(200, {"id": "../../admin", "acct": "t"}))
    with pytest.raises(ConnectorError) as caught:
        MastodonModerator(http).moderate(
            mastodon_creds(server), ask(A.BAN, "@troll@example.social")
        )
    assert caught.value.code == "mastodon.account_unknown" and caught.value.permanent
    assert len(server.requests) == 1


def test_x_looks_up_a_target_of_other_digits_and_refuses_what_is_no_user_name(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/2/users/by/username/troll_42", Answer(200, {"data": {"id": "1234"}}))
    server.route("GET", "/2/users/me", Answer(200, {"data": {"id": "2244994945"}}))
    server.route("POST", "/2/users/2244994945/muting", Answer(200, {"data": {"muting": True}}))
    moderator = XModerator(http, endpoints={"api": server.base_url})
    moderator.moderate(XC, ask(A.MUTE, "@troll_42"))
    for target in ("²", "troll/../../2/tweets", "a" * 16, "@"):
        with pytest.raises(ConnectorError) as caught:
            moderator.moderate(XC, ask(A.MUTE, target))
        assert caught.value.code == "connector.moderation_bad_target" and caught.value.permanent
    for target in ("²", "14603237/../1"):
        with pytest.raises(ConnectorError) as caught:
            moderator.moderate(XC, ask(A.HIDE, target))
        assert caught.value.code == "connector.moderation_bad_target"
    assert not server.calls("/2/users/by/username/²")
    assert all("hidden" not in r.path for r in server.requests)


def test_discord_refuses_a_member_or_message_that_is_no_snowflake(
    server: ReplayServer, http: HttpClient
) -> None:
    moderator = DiscordModerator(http, endpoints={"api": server.base_url})
    for action, target in (
        (A.BAN, "5²5"),
        (A.MUTE, "../channels/1"),
        (A.DELETE, "901:7²7"),
        (A.DELETE, "9x1:777"),
    ):
        with pytest.raises(ConnectorError) as caught:
            moderator.moderate(BOT, ask(action, target))
        assert caught.value.code == "connector.moderation_bad_target"
    assert server.requests == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1088240173_99887766", True),
        ("17895695668004550", True),
        ("1_2_3", True),
        ("", False),
        ("_1", False),
        ("1__2", False),
        ("../me/accounts", False),
        ("123/blocked", False),
        ("12²", False),
        ("123?fields=access_token", False),
    ],
)
def test_graph_ids_are_digits_joined_by_underscores(value: str, expected: bool) -> None:
    assert graph_id(value) is expected


@pytest.mark.parametrize("network", ["facebook", "instagram"])
def test_meta_refuses_a_target_that_would_leave_its_path_without_calling(
    network: str, server: ReplayServer, http: HttpClient
) -> None:
    creds = {"access_token": "page-secret", "page_id": "1088240173", "ig_user_id": "17841400"}
    moderator = get_moderator(network)(http, endpoints={"api": server.base_url})
    for target in ("../me/accounts", "1088240173_1/../../me", "12²"):
        with pytest.raises(ConnectorError) as caught:
            moderator.moderate(creds, ask(A.HIDE, target))
        assert caught.value.code == "connector.moderation_bad_target" and caught.value.permanent
    assert server.requests == []
