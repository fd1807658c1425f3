from __future__ import annotations

import base64

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, InvalidConfig, ItemKind
from ambassade.connectors.http import HttpClient
from ambassade.connectors.reddit import RedditConnector

from .conftest import Recorded, ReplayServer, Reply, fixture_bytes

APP = {"client_id": "app-id", "client_secret": "app-secret"}
NOW = 1_750_000_000.0
TOKEN = "/api/v1/access_token"


def connector(server: ReplayServer, http: HttpClient) -> RedditConnector:
    return RedditConnector(
        http,
        endpoints={"auth": server.base_url, "api": server.url("/oauth")},
        clock=lambda: NOW,
    )


def test_it_gets_an_app_token_then_searches(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", TOKEN, Reply(200, fixture_bytes("reddit", "access_token.json")))
    server.route("GET", "/oauth/search", Reply(200, fixture_bytes("reddit", "search.json")))
    result = connector(server, http).fetch({"query": "aérolux"}, APP, None)
    question, news = result.items
    assert question.external_id == "t3_1l8bbbb" and question.kind is ItemKind.POST
    assert question.text == "Aérolux vs Air Concorde pour Montréal ?\n\nLequel choisir cet été ?"
    assert question.url.startswith("https://www.reddit.com/r/france/comments/1l8bbbb/")
    assert question.author.handle == "voyageur_75"
    assert question.metrics == {"score": 42, "comments": 7}
    assert news.author.handle == ""  # [deleted]
    assert news.text == "Aerolux announces Lisbon route\n\nhttps://news.example.com/lisbon"
    token_call, search_call = server.requests
    assert token_call.body == b"grant_type=client_credentials"
    assert (
        token_call.headers["authorization"]
        == "Basic " + base64.b64encode(b"app-id:app-secret").decode()
    )
    assert search_call.headers["authorization"].startswith("Bearer eyJ")
    assert search_call.param("sort") == "new" and search_call.param("raw_json") == "1"
    # The token is handed back for the vault, with its expiry.
    assert result.credentials is not None
    assert result.credentials["client_id"] == "app-id"
    assert result.credentials["expires_at"] == NOW + 86400


def test_it_reuses_a_stored_token(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET", "/oauth/r/travel/comments", Reply(200, fixture_bytes("reddit", "comments.json"))
    )
    creds = {**APP, "access_token": "stored", "expires_at": NOW + 3600}
    result = connector(server, http).fetch(
        {"mode": "comments", "subreddit": "r/travel"}, creds, None
    )
    newer, older = result.items
    assert newer.kind is ItemKind.COMMENT and newer.thread_id == "t3_1l8abcd"
    assert newer.text == "Same here, still waiting for my refund & no answer."
    assert older.parent_id == "t1_mx0"
    assert result.credentials is None
    assert [r.path for r in server.requests] == ["/oauth/r/travel/comments"]


def test_it_renews_a_token_revoked_early(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", TOKEN, Reply(200, fixture_bytes("reddit", "access_token.json")))

    def search(request: Recorded) -> Reply:
        if request.headers["authorization"] == "Bearer stored":
            return Reply(401, fixture_bytes("reddit", "error_401.json"))
        return Reply(200, fixture_bytes("reddit", "search.json"))

    server.route("GET", "/oauth/search", search)
    creds = {**APP, "access_token": "stored", "expires_at": NOW + 3600}
    result = connector(server, http).fetch({"query": "aérolux"}, creds, None)
    assert len(result.items) == 2 and result.credentials is not None


def test_it_asks_for_reconnection_when_the_app_is_refused(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("POST", TOKEN, Reply(401, fixture_bytes("reddit", "error_401.json")))
    with pytest.raises(AuthExpired) as caught:
        connector(server, http).fetch({"query": "aérolux"}, APP, None)
    assert "app-secret" not in repr(caught.value)


def test_it_pages_backwards_until_the_mark(server: ReplayServer, http: HttpClient) -> None:
    def search(request: Recorded) -> Reply:
        return Reply(200, fixture_bytes("reddit", "search.json"))

    server.route("GET", "/oauth/search", search)
    creds = {**APP, "access_token": "stored", "expires_at": NOW + 3600}
    reddit = connector(server, http)
    # The mark sits below the whole page: the page is new and a next page exists, so more=True.
    result = reddit.fetch({"query": "aérolux"}, creds, {"mark": 1.0, "seen": []})
    assert len(result.items) == 2 and result.more is True
    assert result.next_cursor["walk"]["page"] == "t3_1l8aaaa"
    reddit.fetch({"query": "aérolux"}, creds, result.next_cursor)
    assert server.requests[-1].param("after") == "t3_1l8aaaa"


def test_it_reports_a_private_subreddit_as_permanent(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET",
        "/oauth/r/secret/comments",
        Reply(403, fixture_bytes("reddit", "error_403_private.json")),
    )
    creds = {**APP, "access_token": "stored", "expires_at": NOW + 3600}
    with pytest.raises(ConnectorError, match="private") as caught:
        connector(server, http).fetch({"mode": "comments", "subreddit": "secret"}, creds, None)
    assert caught.value.permanent and not isinstance(caught.value, AuthExpired)


def test_it_honours_reddits_rate_limit_headers(server: ReplayServer, http: HttpClient) -> None:
    headers = {"x-ratelimit-used": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "37"}
    server.route(
        "GET", "/oauth/search", Reply(429, fixture_bytes("reddit", "error_429.json"), headers)
    )
    creds = {**APP, "access_token": "stored", "expires_at": NOW + 3600}
    with pytest.raises(ConnectorError) as caught:
        connector(server, http).fetch({"query": "aérolux"}, creds, None)
    assert caught.value.retry_after == 37


def test_it_reports_a_malformed_listing(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/oauth/search", Reply(200, {"kind": "Listing"}))
    creds = {**APP, "access_token": "stored", "expires_at": NOW + 3600}
    with pytest.raises(ConnectorError, match="Listing"):
        connector(server, http).fetch({"query": "aérolux"}, creds, None)


@pytest.mark.parametrize(
    "cfg", [{"mode": "search"}, {"mode": "comments"}, {"mode": "hot", "query": "x"}]
)
def test_it_rejects_a_bad_config(cfg: dict[str, str], http: HttpClient) -> None:
    with pytest.raises(InvalidConfig):
        RedditConnector(http).check_config(cfg)
