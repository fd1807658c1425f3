from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, InvalidConfig, ItemKind
from ambassade.connectors.http import HttpClient
from ambassade.connectors.mastodon import MastodonConnector

from .conftest import Recorded, ReplayServer, Reply, fixture_bytes, fixture_json

TOKEN = {"access_token": "mastodon-user-token"}
TAG = "/api/v1/timelines/tag/aerolux"
PARENT = "113000000000000002"
PARENT_URI = "https://mastodon.example/users/camille/statuses/1130000000000000029"


def config(server: ReplayServer, **extra: object) -> dict[str, object]:
    return {"instance": server.base_url, "mode": "hashtag", "tag": "#aerolux", **extra}


def test_it_reads_a_hashtag_timeline(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", TAG, Reply(200, fixture_bytes("mastodon", "tag_page1.json")))
    result = MastodonConnector(http).fetch(config(server), None, None)
    first, second = result.items
    assert (
        first.external_id == "https://mastodon.example/users/camille/statuses/1130000000000000029"
    )
    assert first.url == "https://mastodon.example/@camille/1130000000000000029"
    assert first.text == "Deuxième vol avec #Aerolux et toujours aussi ponctuel !"
    assert first.html is not None and "<script" not in first.html
    assert first.author.handle == "camille@mastodon.example"
    assert first.author.followers == 842
    assert first.metrics == {"replies": 1, "reposts": 3, "likes": 12}
    assert first.kind is ItemKind.POST and first.lang == "fr"
    assert second.author.handle == "jdoe@social.example.org"
    assert second.text.startswith("complaint\n\nLost my bag again #aerolux\nSecond day")
    assert result.next_cursor == {"min_id": "113000000000000002"}
    assert "authorization" not in server.requests[0].headers  # public timeline, no token needed


def test_it_pages_forwards_with_min_id(server: ReplayServer, http: HttpClient) -> None:
    def timeline(request: Recorded) -> Reply:
        if request.param("min_id") == "113000000000000002":
            link = (
                f'<{server.url(TAG)}?max_id=113000000000000003>; rel="next", '
                f'<{server.url(TAG)}?min_id=113000000000000003>; rel="prev"'
            )
            return Reply(200, fixture_bytes("mastodon", "tag_page2.json"), {"Link": link})
        if request.param("min_id") == "113000000000000003":
            return Reply(200, [])
        return Reply(200, fixture_bytes("mastodon", "tag_page1.json"))

    server.route("GET", TAG, timeline)
    (parent,) = [s for s in fixture_json("mastodon", "tag_page1.json") if s["id"] == PARENT]
    server.route("GET", f"/api/v1/statuses/{PARENT}", Reply(200, parent))
    connector = MastodonConnector(http)
    first = connector.fetch(config(server), TOKEN, None)
    second = connector.fetch(config(server), TOKEN, first.next_cursor)
    (reply,) = second.items
    # The parent came in an earlier page: its identity (the URI) is asked of the server.
    assert reply.kind is ItemKind.REPLY and reply.parent_id == first.items[0].external_id
    assert reply.parent_id == PARENT_URI
    assert second.next_cursor == {"min_id": "113000000000000003"}
    third = connector.fetch(config(server), TOKEN, second.next_cursor)
    assert third.items == [] and third.next_cursor == second.next_cursor
    assert server.requests[1].headers["authorization"] == "Bearer mastodon-user-token"


def test_it_reads_mentions_from_notifications(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET", "/api/v1/notifications", Reply(200, fixture_bytes("mastodon", "notifications.json"))
    )
    result = MastodonConnector(http).fetch(config(server, mode="notifications"), TOKEN, None)
    (mention,) = result.items
    assert mention.kind is ItemKind.MESSAGE  # a direct mention
    assert mention.text == "@aerolux where is my bag?"
    assert result.next_cursor == {"min_id": "501"}
    assert server.requests[0].query["types[]"] == ["mention"]


def test_it_filters_search_results_by_the_cursor(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/api/v2/search", Reply(200, fixture_bytes("mastodon", "search.json")))
    connector = MastodonConnector(http)
    cfg = config(server, mode="search", query="aerolux")
    result = connector.fetch(cfg, TOKEN, {"min_id": "113000000000000002"})
    # The parent is in the same answer (though older than the cursor): no lookup.
    assert [i.parent_id for i in result.items] == [PARENT_URI]
    # When the account was made, as the network says (contests leave out accounts made later).
    assert result.items[0].author.created_at == datetime(2022, 11, 3, tzinfo=UTC)
    assert not server.calls(f"/api/v1/statuses/{PARENT}")
    assert result.next_cursor == {"min_id": "113000000000000003"}
    assert server.requests[0].param("type") == "statuses"


def test_it_leaves_a_reply_unlinked_when_its_parent_cannot_be_read(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", TAG, Reply(200, fixture_bytes("mastodon", "tag_page2.json")))
    server.route("GET", f"/api/v1/statuses/{PARENT}", Reply(404, {"error": "Record not found"}))
    result = MastodonConnector(http).fetch(config(server), None, None)
    (reply,) = result.items
    # Deleted or private: the local id is no identity anywhere else, so it is not passed on.
    assert reply.kind is ItemKind.REPLY and reply.parent_id is None
    assert reply.raw["in_reply_to_id"] == PARENT


def test_it_needs_a_token_to_search(server: ReplayServer, http: HttpClient) -> None:
    with pytest.raises(AuthExpired):
        MastodonConnector(http).fetch(config(server, mode="search", query="x"), None, None)


@pytest.mark.parametrize("name,status", [("error_401.json", 401), ("error_403_scope.json", 403)])
def test_it_asks_for_reconnection_when_the_token_is_refused(
    server: ReplayServer, http: HttpClient, name: str, status: int
) -> None:
    server.route("GET", "/api/v1/notifications", Reply(status, fixture_bytes("mastodon", name)))
    with pytest.raises(AuthExpired):
        MastodonConnector(http).fetch(config(server, mode="notifications"), TOKEN, None)


def test_it_honours_mastodons_rate_limit_reset(server: ReplayServer, http: HttpClient) -> None:
    headers = {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "2099-01-01T00:00:00.000Z",
    }
    server.route("GET", TAG, Reply(429, fixture_bytes("mastodon", "error_429.json"), headers))
    with pytest.raises(ConnectorError) as caught:
        MastodonConnector(http).fetch(config(server), None, None)
    assert caught.value.retry_after is not None and caught.value.retry_after > 1e6
    assert not caught.value.permanent


def test_it_reports_a_malformed_payload(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", TAG, Reply(200, {"unexpected": "object"}))
    with pytest.raises(ConnectorError, match="list"):
        MastodonConnector(http).fetch(config(server), None, None)
    server.route("GET", TAG, Reply(200, [{"id": "1", "content": "<p>no date</p>"}]))
    with pytest.raises(ConnectorError, match="created_at"):
        MastodonConnector(http).fetch(config(server), None, None)


@pytest.mark.parametrize(
    "cfg",
    [
        {"mode": "hashtag", "tag": "x"},
        {"instance": "https://m.example", "mode": "firehose"},
        {"instance": "https://m.example", "mode": "hashtag", "tag": "#"},
        {"instance": "https://m.example", "mode": "search"},
    ],
)
def test_it_rejects_a_bad_config(cfg: dict[str, str], http: HttpClient) -> None:
    with pytest.raises(InvalidConfig):
        MastodonConnector(http).check_config(cfg)


# --- against mastodon-mock, a third-party stateful Mastodon API server --------------------------


@pytest.fixture(scope="module")
def mock_instance() -> Iterator[str]:
    from mastodon_mock.testing import MockServer

    with MockServer() as instance:
        yield instance.base_url


def post_status(instance: str, token: str, text: str, **extra: object) -> dict[str, object]:
    with httpx.Client(base_url=instance) as client:
        response = client.post(
            "/api/v1/statuses",
            json={"status": text, **extra},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
        body: dict[str, object] = response.json()
        return body


def test_it_follows_a_live_hashtag_timeline(mock_instance: str, http: HttpClient) -> None:
    connector = MastodonConnector(http)
    cfg = {"instance": mock_instance, "mode": "hashtag", "tag": "ambassadetest"}
    assert connector.fetch(cfg, None, None).items == []
    post_status(mock_instance, "bob_token", "Premier message #ambassadetest")
    first = connector.fetch(cfg, None, None)
    assert [i.text for i in first.items] == ["Premier message #ambassadetest"]
    assert first.items[0].author.handle.startswith("bob@")
    post_status(mock_instance, "carol_token", "Second message #ambassadetest", visibility="public")
    second = connector.fetch(cfg, None, first.next_cursor)
    assert [i.text for i in second.items] == ["Second message #ambassadetest"]
    assert connector.fetch(cfg, None, second.next_cursor).items == []


def test_a_live_reply_names_its_parent_as_listening_knows_it(
    mock_instance: str, http: HttpClient
) -> None:
    connector = MastodonConnector(http)
    cfg = {"instance": mock_instance, "mode": "hashtag", "tag": "fildiscussion"}
    start = connector.fetch(cfg, None, None)
    parent = post_status(mock_instance, "bob_token", "Une question #fildiscussion")
    first = connector.fetch(cfg, None, start.next_cursor)
    post_status(
        mock_instance, "carol_token", "Une réponse #fildiscussion", in_reply_to_id=parent["id"]
    )
    second = connector.fetch(cfg, None, first.next_cursor)
    (asked,), (answer,) = first.items, second.items
    assert answer.kind is ItemKind.REPLY
    assert answer.parent_id == asked.external_id != parent["id"]


def test_it_reads_live_mentions(mock_instance: str, http: HttpClient) -> None:
    connector = MastodonConnector(http)
    cfg = {"instance": mock_instance, "mode": "notifications"}
    start = connector.fetch(cfg, {"access_token": "alice_token"}, None)
    post_status(mock_instance, "bob_token", "@alice vous avez perdu ma valise")
    result = connector.fetch(cfg, {"access_token": "alice_token"}, start.next_cursor)
    assert [i.text for i in result.items] == ["@alice vous avez perdu ma valise"]


def test_it_searches_a_live_server(mock_instance: str, http: HttpClient) -> None:
    connector = MastodonConnector(http)
    cfg = {"instance": mock_instance, "mode": "search", "query": "valisezzz"}
    creds = {"access_token": "alice_token"}
    assert connector.fetch(cfg, creds, None).items == []
    post_status(mock_instance, "bob_token", "Ma valisezzz est perdue")
    first = connector.fetch(cfg, creds, None)
    assert [i.text for i in first.items] == ["Ma valisezzz est perdue"]
    post_status(mock_instance, "carol_token", "La valisezzz est retrouvée")
    second = connector.fetch(cfg, creds, first.next_cursor)
    assert [i.text for i in second.items] == ["La valisezzz est retrouvée"]


def test_it_pages_forwards_through_a_live_backlog(mock_instance: str, http: HttpClient) -> None:
    class SmallPages(MastodonConnector):
        page_size = 3

    connector = SmallPages(http)
    cfg = {"instance": mock_instance, "mode": "hashtag", "tag": "backlogtest"}
    post_status(mock_instance, "alice_token", "Début #backlogtest")
    start = connector.fetch(cfg, None, None)
    for n in range(5):  # more than a page
        post_status(mock_instance, "bob_token", f"Message {n} #backlogtest")
    first = connector.fetch(cfg, None, start.next_cursor)
    assert len(first.items) == 3 and first.more
    second = connector.fetch(cfg, None, first.next_cursor)
    assert len(second.items) == 2 and not second.more
    texts = {i.text for i in first.items + second.items}
    assert texts == {f"Message {n} #backlogtest" for n in range(5)}


def test_it_gets_auth_expired_from_a_live_server(mock_instance: str, http: HttpClient) -> None:
    with pytest.raises(AuthExpired):
        MastodonConnector(http).fetch(
            {"instance": mock_instance, "mode": "notifications"},
            {"access_token": "revoked-token"},
            None,
        )
