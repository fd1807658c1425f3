from __future__ import annotations

import pytest

from ambassade.connectors.base import ConnectorError, InvalidConfig, ItemKind
from ambassade.connectors.http import HttpClient
from ambassade.connectors.rss import RssConnector

from .conftest import Recorded, ReplayServer, Reply, fixture_bytes

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def test_it_reads_a_feed(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/feed", Reply(200, fixture_bytes("rss", "blog.xml"), RSS))
    result = RssConnector(http).fetch({"url": server.url("/feed")}, None, None)
    first, second = result.items
    assert first.source == "rss"
    assert first.external_id == "https://blog.example.fr/?p=102"
    assert first.url == "https://blog.example.fr/2025/06/vol-paris-montreal"
    assert first.text.startswith(
        "Vol Paris–Montréal : un service impeccable\n\nUn équipage aux petits soins"
    )
    assert first.created_at.isoformat() == "2025-06-10T06:30:00+00:00"
    assert first.author.name == "Camille Martin"
    assert first.lang == "fr"
    assert first.kind is ItemKind.ARTICLE
    assert first.metrics == {"comments": 4}
    assert first.html is not None
    assert "<script" not in first.html and "onerror" not in first.html
    assert "<strong>aux petits soins</strong>" in first.html
    assert "&amp;" not in second.text and "valise & aucun" in second.text


def test_it_returns_only_new_entries_and_uses_a_conditional_get(
    server: ReplayServer, http: HttpClient
) -> None:
    def feed(request: Recorded) -> Reply:
        if request.headers.get("if-none-match") == '"v2"':
            return Reply(304)
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(200, fixture_bytes("rss", "blog_updated.xml"), {**RSS, "ETag": '"v2"'})
        return Reply(
            200,
            fixture_bytes("rss", "blog.xml"),
            {**RSS, "ETag": '"v1"', "Last-Modified": "Wed, 11 Jun 2025 07:00:00 GMT"},
        )

    server.route("GET", "/feed", feed)
    connector = RssConnector(http)
    config = {"url": server.url("/feed"), "kind": "review"}
    first = connector.fetch(config, None, None)
    assert len(first.items) == 2 and first.items[0].kind is ItemKind.REVIEW
    assert first.next_cursor["etag"] == '"v1"'
    second = connector.fetch(config, None, first.next_cursor)
    assert [i.external_id for i in second.items] == ["https://blog.example.fr/?p=103"]
    assert server.requests[1].headers["if-modified-since"] == "Wed, 11 Jun 2025 07:00:00 GMT"
    third = connector.fetch(config, None, second.next_cursor)
    assert third.items == [] and third.next_cursor == second.next_cursor


def test_it_unwraps_google_alerts_links(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/alerts",
        Reply(
            200, fixture_bytes("rss", "google_alerts.xml"), {"Content-Type": "application/atom+xml"}
        ),
    )
    (item,) = RssConnector(http).fetch({"url": server.url("/alerts")}, None, None).items
    assert item.url == "https://news.example.com/aerolux-lisbonne"
    assert item.text.startswith(
        "Aérolux annonce une nouvelle liaison vers Lisbonne\n\nLa compagnie Aérolux"
    )
    assert item.created_at.isoformat() == "2025-06-11T07:12:05+00:00"


def test_it_says_when_the_address_is_not_a_feed(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/",
        Reply(200, fixture_bytes("rss", "not_a_feed.html"), {"Content-Type": "text/html"}),
    )
    with pytest.raises(ConnectorError, match="RSS or Atom") as caught:
        RssConnector(http).fetch({"url": server.url("/")}, None, None)
    assert caught.value.permanent


def test_it_reports_a_server_error_as_temporary(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/feed", Reply(503, "Service Unavailable"))
    with pytest.raises(ConnectorError) as caught:
        RssConnector(http).fetch({"url": server.url("/feed")}, None, None)
    assert not caught.value.permanent


def test_it_sends_basic_auth_for_a_private_feed(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/feed", Reply(200, fixture_bytes("rss", "blog.xml"), RSS))
    RssConnector(http).fetch({"url": server.url("/feed")}, {"username": "u", "password": "p"}, None)
    assert server.requests[0].headers["authorization"] == "Basic dTpw"


def test_it_refuses_a_feed_on_a_private_address_by_default(server: ReplayServer) -> None:
    server.route("GET", "/feed", Reply(200, fixture_bytes("rss", "blog.xml"), RSS))
    with HttpClient() as http, pytest.raises(ConnectorError, match="private"):
        RssConnector(http).fetch({"url": server.url("/feed")}, None, None)
    assert server.requests == []


@pytest.mark.parametrize("config", [{}, {"url": "ftp://x"}, {"url": "https://x", "kind": "tweet"}])
def test_it_rejects_a_bad_config(config: dict[str, str], http: HttpClient) -> None:
    with pytest.raises(InvalidConfig):
        RssConnector(http).check_config(config)


@pytest.mark.parametrize("count", ["²", "١٢", "9" * 40])
def test_it_skips_a_comment_count_that_is_not_a_plain_number(
    count: str, server: ReplayServer, http: HttpClient
) -> None:
    feed = fixture_bytes("rss", "blog.xml").replace(
        b"<slash:comments>4</slash:comments>",
        f"<slash:comments>{count}</slash:comments>".encode(),
    )
    server.route("GET", "/feed", Reply(200, feed, RSS))
    first, _second = RssConnector(http).fetch({"url": server.url("/feed")}, None, None).items
    assert first.metrics == {}


def test_it_stores_an_item_that_links_to_a_network_as_that_network(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/feed", Reply(200, fixture_bytes("rss", "networks.xml"), RSS))
    items = RssConnector(http).fetch({"url": server.url("/feed")}, None, None).items
    assert {item.external_id: item.source for item in items} == {
        "n1": "youtube",
        "n2": "youtube",
        "n3": "reddit",
        "n4": "x",
        "n5": "x",
        "n6": "bluesky",
        "n7": "linkedin",
        "n8": "facebook",
        "n9": "instagram",
        "n10": "tiktok",
        "n11": "rss",  # a blog
        "n12": "rss",  # shaped like a Mastodon status, but the feed is not Mastodon's
        "n13": "rss",  # a host that only ends like youtube.com
    }
    assert all(item.kind is ItemKind.ARTICLE for item in items)  # the source's kind, as before


def test_it_stores_the_statuses_of_a_mastodon_feed_as_mastodon(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/@cafelumiere.rss", Reply(200, fixture_bytes("rss", "mastodon.xml"), RSS))
    result = RssConnector(http).fetch({"url": server.url("/@cafelumiere.rss")}, None, None)
    assert [(item.source, item.text) for item in result.items] == [
        ("mastodon", "Nouveau menu d'automne dans tous nos cafés"),
        ("mastodon", "Merci pour vos messages !"),
        ("rss", "Profil"),  # the profile's address is not a status
    ]
