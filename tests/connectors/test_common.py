"""Every polling connector, the same failures: what the app sees must not depend on the network."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from ambassade.connectors.base import AuthExpired, Connector, ConnectorError
from ambassade.connectors.bluesky import BlueskyConnector
from ambassade.connectors.hackernews import HackerNewsConnector
from ambassade.connectors.http import HttpClient
from ambassade.connectors.mastodon import MastodonConnector
from ambassade.connectors.reddit import RedditConnector
from ambassade.connectors.rss import RssConnector
from ambassade.connectors.x import XConnector
from ambassade.connectors.youtube import YoutubeConnector

from .conftest import ReplayServer, Reply, fixture_bytes

FIXTURES = {
    "rss": ("rss", "blog.xml"),
    "mastodon": ("mastodon", "notifications.json"),
    "bluesky": ("bluesky", "search_posts.json"),
    "reddit": ("reddit", "search.json"),
    "youtube": ("youtube", "search.json"),
    "hackernews": ("hackernews", "search_by_date.json"),
    "x": ("x", "search_recent.json"),
}


@dataclass
class Case:
    make: Callable[[HttpClient, str], Connector]
    config: Callable[[str], dict[str, Any]]
    credentials: dict[str, Any] | None
    path: str


CASES = {
    "rss": Case(
        lambda http, base: RssConnector(http), lambda base: {"url": base + "/feed"}, None, "/feed"
    ),
    "mastodon": Case(
        lambda http, base: MastodonConnector(http),
        lambda base: {"instance": base, "mode": "notifications"},
        {"access_token": "tok-mastodon"},
        "/api/v1/notifications",
    ),
    "bluesky": Case(
        lambda http, base: BlueskyConnector(http, endpoints={"public": base, "pds": base}),
        lambda base: {"query": "aerolux"},
        None,
        "/xrpc/app.bsky.feed.searchPosts",
    ),
    "reddit": Case(
        lambda http, base: RedditConnector(http, endpoints={"auth": base, "api": base}),
        lambda base: {"query": "aerolux"},
        {
            "client_id": "i",
            "client_secret": "s",
            "access_token": "tok-reddit",
            "expires_at": time.time() + 3600,
        },
        "/search",
    ),
    "youtube": Case(
        lambda http, base: YoutubeConnector(http, endpoints={"api": base}),
        lambda base: {"query": "aerolux"},
        {"api_key": "tok-youtube"},
        "/search",
    ),
    "hackernews": Case(
        lambda http, base: HackerNewsConnector(http, endpoints={"api": base}),
        lambda base: {"query": "aerolux"},
        None,
        "/search_by_date",
    ),
    "x": Case(
        lambda http, base: XConnector(http, endpoints={"api": base}),
        lambda base: {"query": "aerolux"},
        {"bearer_token": "tok-x"},
        "/2/tweets/search/recent",
    ),
}
KINDS = sorted(CASES)


def run(case: Case, http: HttpClient, server: ReplayServer) -> None:
    case.make(http, server.base_url).fetch(case.config(server.base_url), case.credentials, None)


@pytest.mark.parametrize("kind", KINDS)
def test_its_cursor_survives_a_json_round_trip(
    kind: str, server: ReplayServer, http: HttpClient
) -> None:
    case = CASES[kind]
    server.route("GET", case.path, Reply(200, fixture_bytes(*FIXTURES[kind])))
    connector = case.make(http, server.base_url)
    config = case.config(server.base_url)
    first = connector.fetch(config, case.credentials, None)
    assert first.items
    stored = json.loads(json.dumps(first.next_cursor))  # as the app's JSON column keeps it
    assert stored == first.next_cursor
    second = connector.fetch(config, case.credentials, stored)
    assert second.items == []  # the same answer again: nothing new


@pytest.mark.parametrize("kind", KINDS)
def test_it_turns_401_into_auth_expired(kind: str, server: ReplayServer, http: HttpClient) -> None:
    case = CASES[kind]
    if kind == "reddit":  # a 401 with a stored token first gets a new token; refuse that too
        server.route("POST", "/api/v1/access_token", Reply(401, {"error": "invalid_client"}))
    server.route("GET", case.path, Reply(401, {"error": "Unauthorized"}))
    with pytest.raises(AuthExpired):
        run(case, http, server)


@pytest.mark.parametrize("kind", KINDS)
def test_it_turns_429_into_retry_after(kind: str, server: ReplayServer, http: HttpClient) -> None:
    case = CASES[kind]
    server.route(
        "GET", case.path, Reply(429, {"error": "Too many requests"}, {"Retry-After": "90"})
    )
    with pytest.raises(ConnectorError) as caught:
        run(case, http, server)
    assert caught.value.retry_after == 90 and not caught.value.permanent
    assert len(server.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_it_retries_5xx_then_reports_a_temporary_error(
    kind: str, server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    case = CASES[kind]
    server.route(
        "GET", case.path, Reply(502, "<html>Bad gateway</html>", {"Content-Type": "text/html"})
    )
    with pytest.raises(ConnectorError) as caught:
        run(case, http, server)
    assert not caught.value.permanent and len(sleeps) == 2 and len(server.requests) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_it_reports_a_timeout_as_temporary(kind: str, server: ReplayServer) -> None:
    case = CASES[kind]
    server.route("GET", case.path, Reply(200, "{}", delay=0.3))
    client = HttpClient(allow_private=True, timeout=0.05, max_retries=0)
    with client as http, pytest.raises(ConnectorError, match="did not answer in time") as caught:
        run(case, http, server)
    assert not caught.value.permanent


@pytest.mark.parametrize("kind", KINDS)
def test_it_reports_a_malformed_payload(kind: str, server: ReplayServer, http: HttpClient) -> None:
    case = CASES[kind]
    server.route(
        "GET",
        case.path,
        Reply(200, b"\x00\x01 not what was expected", {"Content-Type": "application/json"}),
    )
    with pytest.raises(ConnectorError):
        run(case, http, server)


@pytest.mark.parametrize("kind", KINDS)
def test_it_refuses_a_private_address_by_default(kind: str, server: ReplayServer) -> None:
    case = CASES[kind]
    server.route("GET", case.path, Reply(200, "{}"))
    with HttpClient() as http, pytest.raises(ConnectorError, match="private") as caught:
        run(case, http, server)
    assert caught.value.permanent and server.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_it_keeps_tokens_out_of_errors(kind: str, server: ReplayServer, http: HttpClient) -> None:
    case = CASES[kind]
    secrets = {k: v for k, v in (case.credentials or {}).items() if "token" in k or "key" in k}
    token = next(iter(secrets.values()), "")
    server.route(
        "GET",
        case.path,
        Reply(400, {"error": f"bad request with {token}", "message": f"echo {token}"}),
    )
    with pytest.raises(ConnectorError) as caught:
        run(case, http, server)
    if token:
        assert str(token) not in str(caught.value) and str(token) not in repr(caught.value)
