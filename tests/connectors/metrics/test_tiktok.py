"""TikTok's metrics reader against a local server answering in the Display API v2's documented
formats (``/v2/user/info/``, ``/v2/video/list/``, the ``error`` object of every answer)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.http import HttpClient
from ambassade.connectors.metrics import get_metrics_reader
from ambassade.connectors.tiktok import TikTokMetrics
from tests.connectors.conftest import Recorded, ReplayServer, Reply

SINCE = datetime(2026, 11, 1, tzinfo=UTC)
CREDS = {"access_token": "act.tiktok-secret", "open_id": "723f24d7-e717-40f8", "username": "cafe"}
OK = {"code": "ok", "message": "", "log_id": "20261125194722CBE87ED59D524E727021"}


def user_info(**extra: Any) -> dict[str, Any]:
    return {
        "data": {
            "user": {
                "open_id": "723f24d7-e717-40f8",
                "username": "cafe",
                "display_name": "Café Lumière",
                "profile_deep_link": "https://vm.tiktok.com/ZMabc/",
                "follower_count": 8800,
                "following_count": 31,
                "video_count": 57,
                **extra,
            }
        },
        "error": OK,
    }


def video(video_id: str, when: str, **counts: Any) -> dict[str, Any]:
    return {
        "id": video_id,
        "title": f"Vidéo {video_id}",
        "video_description": "#cafe",
        "create_time": int(datetime.fromisoformat(when).timestamp()),
        "share_url": f"https://www.tiktok.com/@cafe/video/{video_id}",
        "view_count": 12000,
        "like_count": 900,
        "comment_count": 40,
        "share_count": 25,
        **counts,
    }


def videos(items: list[dict[str, Any]], cursor: int = 0, more: bool = False) -> dict[str, Any]:
    return {"data": {"videos": items, "cursor": cursor, "has_more": more}, "error": OK}


def reader(server: ReplayServer, http: HttpClient) -> TikTokMetrics:
    return TikTokMetrics(http, endpoints={"api": server.base_url})


def test_the_registry_reads_tiktok_with_this_reader() -> None:
    assert get_metrics_reader("tiktok") is TikTokMetrics


def test_a_poll_reads_the_account_and_its_videos(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/v2/user/info/", Reply(200, user_info()))
    server.route(
        "POST",
        "/v2/video/list/",
        Reply(
            200,
            videos(
                [
                    video("7301", "2026-11-20T10:00:00+00:00"),
                    video("7300", "2026-11-03T10:00:00+00:00", like_count=None, title=""),
                    video("7200", "2026-10-03T10:00:00+00:00"),
                ],
                cursor=1698000000000,
                more=True,
            ),
        ),
    )
    report = reader(server, http).read_account(CREDS, "", since=SINCE)
    stats = report.account
    assert (stats.handle, stats.name, stats.url) == (
        "@cafe",
        "Café Lumière",
        "https://www.tiktok.com/@cafe",
    )
    assert (stats.followers, stats.following, stats.posts) == (8800, 31, 57)
    assert [p.external_id for p in report.posts] == ["7301", "7300"]
    assert report.posts[0].metrics == {"views": 12000, "likes": 900, "comments": 40, "shares": 25}
    assert "likes" not in report.posts[1].metrics
    assert report.posts[1].text == "#cafe"  # no title: the description
    assert report.posts[0].url == "https://www.tiktok.com/@cafe/video/7301"
    assert report.hidden == frozenset({"reach", "impressions", "saves", "reposts", "clicks"})
    assert len(server.calls("/v2/video/list/")) == 1  # 7200 is older: no second page
    info = server.calls("/v2/user/info/")[0]
    assert info.headers["authorization"] == "Bearer act.tiktok-secret"
    assert "follower_count" in (info.param("fields") or "")
    listing = server.calls("/v2/video/list/")[0]
    assert "view_count" in (listing.param("fields") or "")
    assert json.loads(listing.body) == {"max_count": 20}


def test_pages_follow_the_cursor(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/v2/user/info/", Reply(200, user_info()))

    def listing(request: Recorded) -> Reply:
        cursor = json.loads(request.body).get("cursor")
        if cursor == 111:
            return Reply(200, videos([video("2", "2026-11-10T10:00:00+00:00")], 0, False))
        return Reply(200, videos([video("1", "2026-11-20T10:00:00+00:00")], 111, True))

    server.route("POST", "/v2/video/list/", listing)
    report = reader(server, http).read_account(CREDS, "", since=SINCE)
    assert [p.external_id for p in report.posts] == ["1", "2"]
    bodies = [json.loads(c.body) for c in server.calls("/v2/video/list/")]
    assert bodies == [{"max_count": 20}, {"max_count": 20, "cursor": 111}]


def test_a_rate_limit_waits(server: ReplayServer, http: HttpClient) -> None:
    limited = {
        "error": {
            "code": "rate_limit_exceeded",
            "message": "API rate limit was exceeded, only 600 requests are allowed per minute.",
            "log_id": "x",
        }
    }
    server.route(
        "GET",
        "/v2/user/info/",
        Reply(429, limited, {"Retry-After": "600"}),
        Reply(429, limited),
    )
    tiktok = reader(server, http)
    with pytest.raises(ConnectorError) as told:
        tiktok.read_account(CREDS, "", since=SINCE)
    assert not told.value.permanent and told.value.code == "connector.rate_limited"
    assert told.value.retry_after == 600
    with pytest.raises(ConnectorError) as default:
        tiktok.read_account(CREDS, "", since=SINCE)
    assert default.value.retry_after == 60


def test_a_refused_token_asks_for_reconnection(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/v2/user/info/",
        Reply(
            401,
            {
                "error": {
                    "code": "access_token_invalid",
                    "message": "The access token is invalid or not found in the request.",
                    "log_id": "y",
                }
            },
        ),
        Reply(200, user_info()),
    )
    server.route(
        "POST",
        "/v2/video/list/",
        Reply(
            401,
            {
                "error": {
                    "code": "scope_not_authorized",
                    "message": "The user did not authorize the scope required for completing "
                    "this request.",
                    "log_id": "z",
                }
            },
        ),
    )
    tiktok = reader(server, http)
    with pytest.raises(AuthExpired) as refused:
        tiktok.read_account(CREDS, "", since=SINCE)
    assert refused.value.code == "connector.token_refused"
    assert "act.tiktok-secret" not in str(refused.value)
    with pytest.raises(AuthExpired) as scope:
        tiktok.read_account(CREDS, "", since=SINCE)
    assert "scope" in str(scope.value.params["detail"])
    with pytest.raises(AuthExpired):
        tiktok.read_account({"open_id": "x"}, "", since=SINCE)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v2/user/info/", {"data": {"user": {"username": "no-id"}}, "error": OK}),
        ("GET", "/v2/user/info/", {"data": None, "error": OK}),
        ("GET", "/v2/user/info/", {"data": {}, "error": {"code": "internal_error"}}),
        ("POST", "/v2/video/list/", {"data": {"videos": "none"}, "error": OK}),
        ("POST", "/v2/video/list/", "<html>Bad gateway</html>"),
    ],
)
def test_a_malformed_answer_is_a_coded_error(
    server: ReplayServer, http: HttpClient, method: str, path: str, body: Any
) -> None:
    server.route("GET", "/v2/user/info/", Reply(200, user_info()))
    server.route("POST", "/v2/video/list/", Reply(200, videos([])))
    server.route(method, path, Reply(200, body))
    with pytest.raises(ConnectorError) as error:
        reader(server, http).read_account(CREDS, "", since=SINCE)
    assert error.value.code in ("connector.bad_answer", "http.not_json")


def test_odd_values_are_left_out_and_another_account_refused(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/v2/user/info/", Reply(200, user_info(follower_count=-1)))
    server.route(
        "POST",
        "/v2/video/list/",
        Reply(
            200,
            videos(
                [
                    video("9", "2026-11-20T10:00:00+00:00", view_count="many"),
                    {"id": "10", "create_time": "yesterday"},
                    {"id": "11", "create_time": True},
                    "junk",
                ]
            ),
        ),
    )
    report = reader(server, http).read_account(CREDS, "@cafe", since=SINCE)
    assert report.account.followers is None
    assert [p.external_id for p in report.posts] == ["9"]
    assert "views" not in report.posts[0].metrics
    with pytest.raises(ConnectorError) as other:
        reader(server, http).read_account(CREDS, "@rival", since=SINCE)
    assert other.value.permanent and other.value.code == "metrics.own_only"
