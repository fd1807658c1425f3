from __future__ import annotations

from typing import Any

import pytest

from ambassade.connectors.base import ConnectorError, InvalidConfig, ItemKind
from ambassade.connectors.hackernews import HackerNewsConnector
from ambassade.connectors.http import HttpClient

from .conftest import Recorded, ReplayServer, Reply, fixture_bytes, fixture_json

PATH = "/api/v1/search_by_date"


class Algolia:
    """Enough of Algolia's behaviour: newest first, numericFilters on created_at_i, pages of 2."""

    def __init__(self, hits: list[dict[str, Any]]) -> None:
        self.hits = hits

    def __call__(self, request: Recorded) -> Reply:
        hits = sorted(self.hits, key=lambda h: -h["created_at_i"])
        flt = request.param("numericFilters")
        if flt:
            floor = int(flt.split(">=")[1])
            hits = [h for h in hits if h["created_at_i"] >= floor]
        page = int(request.param("page") or 0)
        pages = (len(hits) + 1) // 2
        return Reply(
            200,
            {
                "hits": hits[page * 2 : page * 2 + 2],
                "page": page,
                "nbPages": pages,
                "hitsPerPage": 2,
            },
        )


def connector(server: ReplayServer, http: HttpClient) -> HackerNewsConnector:
    return HackerNewsConnector(http, endpoints={"api": server.url("/api/v1")})


def test_it_reads_stories_and_comments(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", PATH, Reply(200, fixture_bytes("hackernews", "search_by_date.json")))
    result = connector(server, http).fetch({"query": "aerolux"}, None, None)
    comment, story = result.items
    assert comment.kind is ItemKind.COMMENT and comment.external_id == "44200005"
    assert (
        comment.text
        == "I flew Aerolux last week: the Wi-Fi worked & the crew was great.\nWould fly again."
    )
    assert comment.parent_id == "44200001" and comment.thread_id == "44200001"
    assert comment.url == "https://news.ycombinator.com/item?id=44200005"
    assert story.kind is ItemKind.POST
    assert story.text == "Ask HN: Has anyone used Aerolux's API?\n\nLooking for docs."
    assert story.metrics == {"points": 12, "comments": 4}
    assert story.author.url == "https://news.ycombinator.com/user?id=skyhacker"
    # The first fetch reads the newest page only: listening starts now.
    assert result.more is False and result.next_cursor["mark"] == 1749629100
    assert server.requests[0].param("tags") == "(story,comment)"
    assert server.requests[0].param("numericFilters") is None


def test_it_reads_a_backlog_page_by_page_without_repeats(
    server: ReplayServer, http: HttpClient
) -> None:
    hits: list[dict[str, Any]] = fixture_json("hackernews", "hits.json")
    algolia = Algolia(hits[3:])  # only the oldest story exists at first
    server.route("GET", PATH, algolia)
    hn = connector(server, http)
    first = hn.fetch({"query": "aerolux"}, None, None)
    assert [i.external_id for i in first.items] == ["44200001"]
    algolia.hits = hits  # three more arrive, more than a page
    second = hn.fetch({"query": "aerolux"}, None, first.next_cursor)
    assert [i.external_id for i in second.items] == ["44200005", "44200003"]
    assert second.more is True
    third = hn.fetch({"query": "aerolux"}, None, second.next_cursor)
    assert [i.external_id for i in third.items] == ["44200002"]
    assert third.more is False
    assert server.requests[-1].param("numericFilters") == "created_at_i>=1749628800"
    fourth = hn.fetch({"query": "aerolux"}, None, third.next_cursor)
    assert fourth.items == [] and fourth.next_cursor == third.next_cursor


def test_it_keeps_items_from_the_same_second_apart(server: ReplayServer, http: HttpClient) -> None:
    hits: list[dict[str, Any]] = fixture_json("hackernews", "hits.json")
    algolia = Algolia([hits[1]])
    server.route("GET", PATH, algolia)
    hn = connector(server, http)
    first = hn.fetch({"query": "aerolux"}, None, None)
    algolia.hits = [hits[1], hits[2]]  # a comment posted the same second
    second = hn.fetch({"query": "aerolux"}, None, first.next_cursor)
    assert [i.external_id for i in second.items] == ["44200002"]
    third = hn.fetch({"query": "aerolux"}, None, second.next_cursor)
    assert third.items == []


def test_it_reports_errors(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", PATH, Reply(400, fixture_bytes("hackernews", "error_400.json")))
    with pytest.raises(ConnectorError, match="invalid numericFilters") as caught:
        connector(server, http).fetch({"query": "aerolux"}, None, None)
    assert caught.value.permanent
    server.route("GET", PATH, Reply(200, {"hits": "nope"}))
    with pytest.raises(ConnectorError, match="list of hits"):
        connector(server, http).fetch({"query": "aerolux"}, None, None)
    server.route("GET", PATH, Reply(429, "", {"Retry-After": "5"}))
    with pytest.raises(ConnectorError) as caught:
        connector(server, http).fetch({"query": "aerolux"}, None, None)
    assert caught.value.retry_after == 5


def test_it_needs_a_query(http: HttpClient) -> None:
    with pytest.raises(InvalidConfig):
        HackerNewsConnector(http).check_config({"query": " "})
