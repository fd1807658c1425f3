from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, InvalidConfig, ItemKind
from ambassade.connectors.http import HttpClient
from ambassade.connectors.youtube import YoutubeConnector
from ambassade.connectors.youtube.client import seconds_to_quota_reset

from .conftest import Recorded, ReplayServer, Reply, fixture_bytes, fixture_json

KEY = {"api_key": "AIzaSyTESTKEY0000000000000000000000000"}


def connector(server: ReplayServer, http: HttpClient) -> YoutubeConnector:
    return YoutubeConnector(http, endpoints={"api": server.url("/youtube/v3")})


def test_it_searches_videos(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/youtube/v3/search", Reply(200, fixture_bytes("youtube", "search.json")))
    result = connector(server, http).fetch({"mode": "search", "query": "aérolux"}, KEY, None)
    (video,) = result.items  # the channel result is not a message
    assert video.external_id == "video:dQw4w9WgXc1"
    assert video.url == "https://www.youtube.com/watch?v=dQw4w9WgXc1"
    assert (
        video.text
        == 'Test complet de la classe affaires Aérolux "Horizon"\n\nOn a testé le nouveau siège & le menu.'
    )
    assert video.author.name == "Voyages en Classe"
    request = server.requests[0]
    assert request.param("order") == "date" and request.param("type") == "video"
    assert request.param("key") == KEY["api_key"]
    assert request.param("publishedAfter") is None


def test_it_reads_comment_threads_incrementally(server: ReplayServer, http: HttpClient) -> None:
    page = fixture_json("youtube", "comment_threads.json")

    def threads(request: Recorded) -> Reply:
        return Reply(200, page)

    server.route("GET", "/youtube/v3/commentThreads", threads)
    yt = connector(server, http)
    config = {"mode": "video_comments", "video_id": "dQw4w9WgXc1"}
    first = yt.fetch(config, KEY, None)
    newer, _older = first.items
    assert newer.kind is ItemKind.COMMENT and newer.external_id == "comment:UgzNEWER1"
    assert newer.text == "Le siège a l'air très confortable 😍"
    assert newer.author.handle == "marie" and newer.author.id.startswith("UCmarie")
    assert newer.parent_id == "video:dQw4w9WgXc1"
    assert newer.url == "https://www.youtube.com/watch?v=dQw4w9WgXc1&lc=UgzNEWER1"
    assert newer.metrics == {"likes": 10, "replies": 2}
    assert server.requests[0].param("textFormat") == "plainText"
    # A new comment arrives on top; the next fetch returns it alone and stops at the mark.
    newest = dict(page["items"][0])
    newest["id"] = "UgzNEWEST"
    newest["snippet"] = {
        **newest["snippet"],
        "topLevelComment": {
            **newest["snippet"]["topLevelComment"],
            "id": "UgzNEWEST",
            "snippet": {
                **newest["snippet"]["topLevelComment"]["snippet"],
                "publishedAt": "2025-06-11T13:00:00Z",
                "textOriginal": "Réponse rapide du community manager, merci !",
            },
        },
    }
    page["items"] = [newest, *page["items"]]
    second = yt.fetch(config, KEY, first.next_cursor)
    assert [i.external_id for i in second.items] == ["comment:UgzNEWEST"]
    assert second.more is False


def test_it_reads_a_whole_channels_comments(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/youtube/v3/commentThreads",
        Reply(200, fixture_bytes("youtube", "comment_threads.json")),
    )
    connector(server, http).fetch({"mode": "channel_comments", "channel_id": "UCx"}, KEY, None)
    assert server.requests[0].param("allThreadsRelatedToChannelId") == "UCx"


def test_it_waits_for_the_quota_reset(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET", "/youtube/v3/search", Reply(403, fixture_bytes("youtube", "error_quota.json"))
    )
    with pytest.raises(ConnectorError, match="quota") as caught:
        connector(server, http).fetch({"query": "aérolux"}, KEY, None)
    assert not caught.value.permanent
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 25 * 3600


def test_the_quota_resets_at_midnight_pacific() -> None:
    # 2025-06-11 06:00 UTC is 23:00 the day before in Los Angeles (PDT): one hour left.
    assert seconds_to_quota_reset(datetime(2025, 6, 11, 6, 0, tzinfo=UTC)) == 3600


def test_it_asks_for_a_new_key_when_it_is_invalid(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET", "/youtube/v3/search", Reply(400, fixture_bytes("youtube", "error_key_invalid.json"))
    )
    with pytest.raises(AuthExpired, match="API key not valid") as caught:
        connector(server, http).fetch({"query": "aérolux"}, KEY, None)
    assert KEY["api_key"] not in repr(caught.value)


def test_it_reports_disabled_comments_as_permanent(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/youtube/v3/commentThreads",
        Reply(403, fixture_bytes("youtube", "error_comments_disabled.json")),
    )
    with pytest.raises(ConnectorError, match="disabled comments") as caught:
        connector(server, http).fetch({"mode": "video_comments", "video_id": "v"}, KEY, None)
    assert caught.value.permanent and not isinstance(caught.value, AuthExpired)


def test_it_reports_a_malformed_payload(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/youtube/v3/search", Reply(200, "<html>oops</html>"))
    with pytest.raises(ConnectorError, match="not valid JSON"):
        connector(server, http).fetch({"query": "aérolux"}, KEY, None)


@pytest.mark.parametrize(
    "cfg", [{"mode": "search"}, {"mode": "video_comments"}, {"mode": "live_chat", "query": "x"}]
)
def test_it_rejects_a_bad_config(cfg: dict[str, str], http: HttpClient) -> None:
    with pytest.raises(InvalidConfig):
        YoutubeConnector(http).check_config(cfg)
