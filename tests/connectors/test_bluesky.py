from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, InvalidConfig, ItemKind
from ambassade.connectors.bluesky import BlueskyConnector
from ambassade.connectors.http import HttpClient

from .conftest import Recorded, ReplayServer, Reply, fixture_bytes

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
CREATE = "/xrpc/com.atproto.server.createSession"
REFRESH = "/xrpc/com.atproto.server.refreshSession"
ACCOUNT = {"identifier": "aerolux.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}


def connector(server: ReplayServer, http: HttpClient) -> BlueskyConnector:
    return BlueskyConnector(http, endpoints={"public": server.base_url, "pds": server.base_url})


def test_it_searches_the_public_appview(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", SEARCH, Reply(200, fixture_bytes("bluesky", "search_posts.json")))
    result = connector(server, http).fetch({"query": "aérolux", "lang": "fr"}, None, None)
    reply, post = result.items
    assert (
        reply.external_id == "at://did:plc:jdoe0000000000000000000/app.bsky.feed.post/3lrnew2aaaa2k"
    )
    assert reply.url == "https://bsky.app/profile/jdoe.bsky.social/post/3lrnew2aaaa2k"
    assert reply.kind is ItemKind.REPLY and reply.lang == "en"
    assert reply.parent_id == "at://did:plc:aerolux/app.bsky.feed.post/3lrroot"
    assert post.author.handle == "camille.example.fr" and post.author.id.startswith("did:plc:")
    assert reply.author.created_at == datetime(2023, 4, 1, tzinfo=UTC)
    assert post.text == "Très bon vol avec Aérolux, merci !"
    assert post.metrics == {"replies": 0, "reposts": 1, "likes": 5, "quotes": 0}
    request = server.requests[0]
    assert request.param("sort") == "latest" and request.param("lang") == "fr"
    assert "authorization" not in request.headers


def test_it_creates_a_session_once_and_hands_it_back(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("POST", CREATE, Reply(200, fixture_bytes("bluesky", "create_session.json")))

    def search(request: Recorded) -> Reply:
        if request.param("since"):
            return Reply(200, fixture_bytes("bluesky", "search_posts_new.json"))
        return Reply(200, fixture_bytes("bluesky", "search_posts.json"))

    server.route("GET", SEARCH, search)
    bsky = connector(server, http)
    first = bsky.fetch({"query": "aérolux"}, ACCOUNT, None)
    assert json.loads(server.requests[0].body) == {
        "identifier": "aerolux.bsky.social",
        "password": "abcd-efgh-ijkl-mnop",
    }
    assert (
        server.requests[1].headers["authorization"] == "Bearer eyJhbGciOiJFUzI1NksifQ.access1.sig"
    )
    assert first.credentials is not None
    stored = dict(first.credentials)
    assert stored["refresh_jwt"] == "eyJhbGciOiJFUzI1NksifQ.refresh1.sig"
    second = bsky.fetch({"query": "aérolux"}, stored, first.next_cursor)
    assert [i.text for i in second.items] == ["Et le retour aussi ✈️"]
    assert second.credentials is None  # the stored session was still good
    assert server.requests[-1].param("since") == "2025-06-11T09:00:00.000000Z"
    assert len(server.calls(CREATE)) == 1


def test_it_refreshes_an_expired_session(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", REFRESH, Reply(200, fixture_bytes("bluesky", "refresh_session.json")))

    def search(request: Recorded) -> Reply:
        if request.headers["authorization"].endswith("access1.sig"):
            return Reply(400, fixture_bytes("bluesky", "error_expired.json"))
        return Reply(200, fixture_bytes("bluesky", "search_posts.json"))

    server.route("GET", SEARCH, search)
    stored = {**ACCOUNT, "access_jwt": "eyJ.access1.sig", "refresh_jwt": "eyJ.refresh1.sig"}
    result = connector(server, http).fetch({"query": "aérolux"}, stored, None)
    assert len(result.items) == 2
    assert result.credentials is not None
    assert result.credentials["access_jwt"].endswith("access2.sig")
    assert server.calls(REFRESH)[0].headers["authorization"] == "Bearer eyJ.refresh1.sig"


def test_it_asks_for_reconnection_when_the_app_password_is_revoked(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("POST", CREATE, Reply(401, fixture_bytes("bluesky", "error_bad_password.json")))
    with pytest.raises(AuthExpired, match="Invalid identifier or password") as caught:
        connector(server, http).fetch({"query": "aérolux"}, ACCOUNT, None)
    assert "abcd-efgh-ijkl-mnop" not in repr(caught.value)


def test_it_says_public_search_needs_an_account(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", SEARCH, Reply(403, fixture_bytes("bluesky", "error_403.json")))
    with pytest.raises(ConnectorError, match="connect a Bluesky account") as caught:
        connector(server, http).fetch({"query": "aérolux"}, None, None)
    assert caught.value.permanent


def test_it_reports_a_bad_query_as_permanent(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", SEARCH, Reply(400, fixture_bytes("bluesky", "error_bad_query.json")))
    with pytest.raises(ConnectorError, match="q must not be empty") as caught:
        connector(server, http).fetch({"query": "aérolux"}, None, None)
    assert caught.value.permanent and not isinstance(caught.value, AuthExpired)


def test_it_honours_the_ratelimit_reset(server: ReplayServer, http: HttpClient) -> None:
    headers = {
        "ratelimit-limit": "3000",
        "ratelimit-remaining": "0",
        "ratelimit-reset": str(int(time.time()) + 120),
    }
    server.route("GET", SEARCH, Reply(429, fixture_bytes("bluesky", "error_429.json"), headers))
    with pytest.raises(ConnectorError) as caught:
        connector(server, http).fetch({"query": "aérolux"}, None, None)
    assert caught.value.retry_after is not None and 100 <= caught.value.retry_after <= 120


def test_it_reports_a_malformed_payload(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", SEARCH, Reply(200, {"feed": []}))
    with pytest.raises(ConnectorError, match="list of posts"):
        connector(server, http).fetch({"query": "aérolux"}, None, None)


def test_it_needs_a_query(http: HttpClient) -> None:
    with pytest.raises(InvalidConfig):
        BlueskyConnector(http).check_config({})
