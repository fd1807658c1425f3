from __future__ import annotations

import time

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, InvalidConfig, ItemKind
from ambassade.connectors.http import HttpClient
from ambassade.connectors.x import XConnector

from .conftest import Recorded, ReplayServer, Reply, fixture_bytes

PATH = "/2/tweets/search/recent"
CREDS = {"bearer_token": "AAAAAAAAAAAAAAAAAAAAAbearer"}
CONFIG = {"query": "aerolux -is:retweet"}


def connector(server: ReplayServer, http: HttpClient) -> XConnector:
    return XConnector(http, endpoints={"api": server.base_url})


def test_it_reads_recent_search_with_authors(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", PATH, Reply(200, fixture_bytes("x", "search_recent.json")))
    result = connector(server, http).fetch(CONFIG, CREDS, None)
    reply, post = result.items
    assert reply.kind is ItemKind.REPLY and reply.parent_id == "1932770000000000001"
    assert reply.thread_id == "1932770000000000001"
    assert reply.author.handle == "jdoe" and reply.author.followers == 87
    assert reply.url == "https://x.com/jdoe/status/1932770000000000002"
    assert post.author.name == "Camille ✈️" and post.lang == "fr"
    assert post.metrics["likes"] == 14 and post.metrics["impressions"] == 532
    request = server.requests[0]
    assert request.headers["authorization"] == "Bearer AAAAAAAAAAAAAAAAAAAAAbearer"
    assert request.param("expansions") == "author_id"
    assert "public_metrics" in (request.param("user.fields") or "")
    assert request.param("since_id") is None
    assert result.next_cursor["mark"] == 1932770000000000002  # exact: ids are not floats


def test_it_asks_only_for_newer_posts(server: ReplayServer, http: HttpClient) -> None:
    def search(request: Recorded) -> Reply:
        if request.param("since_id") == "1932770000000000002":
            return Reply(200, fixture_bytes("x", "search_recent_new.json"))
        if request.param("since_id") == "1932770000000000009":
            return Reply(200, fixture_bytes("x", "search_recent_empty.json"))
        return Reply(200, fixture_bytes("x", "search_recent.json"))

    server.route("GET", PATH, search)
    x = connector(server, http)
    first = x.fetch(CONFIG, CREDS, None)
    second = x.fetch(CONFIG, CREDS, first.next_cursor)
    assert [i.external_id for i in second.items] == ["1932770000000000009"]
    third = x.fetch(CONFIG, CREDS, second.next_cursor)
    assert third.items == [] and third.next_cursor["mark"] == 1932770000000000009


def test_it_drops_a_since_id_older_than_seven_days(server: ReplayServer, http: HttpClient) -> None:
    def search(request: Recorded) -> Reply:
        if request.param("since_id"):
            return Reply(400, fixture_bytes("x", "error_400_since_id.json"))
        return Reply(200, fixture_bytes("x", "search_recent.json"))

    server.route("GET", PATH, search)
    result = connector(server, http).fetch(CONFIG, CREDS, {"mark": 1700000000000000000})
    assert len(result.items) == 2


def test_it_asks_for_reconnection_on_401(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", PATH, Reply(401, fixture_bytes("x", "error_401.json")))
    with pytest.raises(AuthExpired):
        connector(server, http).fetch(CONFIG, CREDS, None)


def test_it_reports_a_forbidden_client_as_permanent(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", PATH, Reply(403, fixture_bytes("x", "error_403.json")))
    with pytest.raises(ConnectorError, match="attached to a Project") as caught:
        connector(server, http).fetch(CONFIG, CREDS, None)
    assert caught.value.permanent and not isinstance(caught.value, AuthExpired)


def test_it_waits_for_the_rate_limit_reset(server: ReplayServer, http: HttpClient) -> None:
    reset = str(int(time.time()) + 600)
    headers = {
        "x-rate-limit-limit": "450",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": reset,
    }
    server.route("GET", PATH, Reply(429, fixture_bytes("x", "error_429.json"), headers))
    with pytest.raises(ConnectorError) as caught:
        connector(server, http).fetch(CONFIG, CREDS, None)
    assert caught.value.retry_after is not None and 590 <= caught.value.retry_after <= 600


def test_it_retries_5xx_then_gives_up_temporarily(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    server.route("GET", PATH, Reply(503, {"title": "Service Unavailable"}))
    with pytest.raises(ConnectorError) as caught:
        connector(server, http).fetch(CONFIG, CREDS, None)
    assert not caught.value.permanent and len(sleeps) == 2


def test_it_needs_a_token_and_a_query(server: ReplayServer, http: HttpClient) -> None:
    with pytest.raises(AuthExpired):
        connector(server, http).fetch(CONFIG, {}, None)
    with pytest.raises(InvalidConfig):
        connector(server, http).check_config({"query": "x" * 513})


def test_it_reports_a_malformed_payload(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", PATH, Reply(200, {"data": [{"id": "1", "text": "no date"}]}))
    with pytest.raises(ConnectorError, match="created_at"):
        connector(server, http).fetch(CONFIG, CREDS, None)
