"""Facebook and Instagram moderation against a local server answering in the Graph API's format."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from ambassade.connectors.base import (
    AuthExpired,
    ConnectorError,
    ModerationAction,
    ModerationRequest,
)
from ambassade.connectors.facebook.moderate import FacebookModerator
from ambassade.connectors.http import HttpClient
from ambassade.connectors.instagram.moderate import InstagramModerator
from ambassade.connectors.moderators import get_moderator
from tests.connectors.answering.test_meta import FB, IGC, PAGE, V, graph_error
from tests.connectors.conftest import ReplayServer
from tests.connectors.conftest import Reply as Answer

A = ModerationAction
COMMENT = "1088240173_99887766"


def fb(server: ReplayServer, http: HttpClient) -> FacebookModerator:
    return FacebookModerator(http, endpoints={"api": server.base_url})


def ig(server: ReplayServer, http: HttpClient) -> InstagramModerator:
    return InstagramModerator(http, endpoints={"api": server.base_url}, sleep=lambda s: None)


def ask(action: A, target: str = COMMENT, **kw: object) -> ModerationRequest:
    return ModerationRequest(action, target, "key-1", **kw)  # type: ignore[arg-type]


def test_they_are_the_registered_moderators() -> None:
    assert get_moderator("facebook") is FacebookModerator
    assert get_moderator("instagram") is InstagramModerator


def test_facebook_hides_and_unhides_a_comment(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", f"{V}/{COMMENT}", Answer(200, {"success": True}))
    moderator = fb(server, http)
    assert not moderator.moderate(FB, ask(A.HIDE)).already
    moderator.moderate(FB, ask(A.UNHIDE))
    sent = [parse_qs(r.body.decode()) for r in server.calls(f"{V}/{COMMENT}")]
    assert [s["is_hidden"] for s in sent] == [["true"], ["false"]]


def test_facebook_deletes_and_a_comment_already_gone_is_done(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "DELETE",
        f"{V}/{COMMENT}",
        Answer(200, {"success": True}),
        Answer(400, graph_error(100, "Object does not exist", 33, "GraphMethodException")),
    )
    moderator = fb(server, http)
    assert not moderator.moderate(FB, ask(A.DELETE)).already
    assert moderator.moderate(FB, ask(A.DELETE)).already


def test_facebook_bans_and_unbans_from_the_page(server: ReplayServer, http: HttpClient) -> None:
    person = "6543210987654321"
    server.route("POST", f"{V}/{PAGE}/blocked", Answer(200, {person: True}))
    server.route("DELETE", f"{V}/{PAGE}/blocked", Answer(200, {"success": True}))
    moderator = fb(server, http)
    moderator.moderate(FB, ask(A.BAN, person))
    moderator.moderate(FB, ask(A.UNBAN, person))
    assert parse_qs(server.calls(f"{V}/{PAGE}/blocked")[0].body.decode())["user"] == [person]
    assert server.calls(f"{V}/{PAGE}/blocked")[1].param("user") == person


def test_facebook_a_missing_permission_asks_for_reconnection(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        f"{V}/{COMMENT}",
        Answer(403, graph_error(200, "Requires pages_manage_engagement permission")),
    )
    with pytest.raises(AuthExpired) as caught:
        fb(server, http).moderate(FB, ask(A.HIDE))
    assert caught.value.code == "graph.permission_missing"
    assert "EAAG-page-secret" not in str(caught.value)


def test_facebook_an_expired_token_and_a_rate_limit(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        f"{V}/{COMMENT}",
        Answer(400, graph_error(190, "Error validating access token", 463)),
        Answer(400, graph_error(613, "Calls to this api have exceeded the rate limit.")),
    )
    moderator = fb(server, http)
    with pytest.raises(AuthExpired) as expired:
        moderator.moderate(FB, ask(A.HIDE))
    assert expired.value.code == "graph.token_expired"
    with pytest.raises(ConnectorError) as limited:
        moderator.moderate(FB, ask(A.HIDE))
    assert not limited.value.permanent and limited.value.retry_after


def test_facebook_refuses_what_it_cannot_do_without_calling(
    server: ReplayServer, http: HttpClient
) -> None:
    with pytest.raises(ConnectorError) as caught:
        fb(server, http).moderate(FB, ask(A.MUTE, "6543210987654321"))
    assert caught.value.permanent and caught.value.code == "connector.moderation_unsupported"
    assert server.requests == []


def test_facebook_an_unconfirmed_answer_is_not_done(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", f"{V}/{COMMENT}", Answer(200, {"success": False}))
    with pytest.raises(ConnectorError):
        fb(server, http).moderate(FB, ask(A.HIDE))


def test_instagram_hides_unhides_and_deletes(server: ReplayServer, http: HttpClient) -> None:
    comment = "17858893269000001"
    server.route("POST", f"{V}/{comment}", Answer(200, {"success": True}))
    server.route(
        "DELETE",
        f"{V}/{comment}",
        Answer(200, {"success": True}),
        Answer(404, graph_error(100, "Unsupported delete request", 33, "GraphMethodException")),
    )
    moderator = ig(server, http)
    moderator.moderate(IGC, ask(A.HIDE, comment))
    moderator.moderate(IGC, ask(A.UNHIDE, comment))
    assert not moderator.moderate(IGC, ask(A.DELETE, comment)).already
    assert moderator.moderate(IGC, ask(A.DELETE, comment)).already
    hides = [parse_qs(r.body.decode())["hide"] for r in server.calls(f"{V}/{comment}")[:2]]
    assert hides == [["true"], ["false"]]
    assert moderator.moderation_actions(IGC) == {A.HIDE, A.UNHIDE, A.DELETE}
    with pytest.raises(ConnectorError) as caught:
        moderator.moderate(IGC, ask(A.BAN, "someone"))
    assert caught.value.code == "connector.moderation_unsupported"
