"""Threads' metrics reader against a local server answering in the Threads API's documented formats
(graph.threads.net v1.0: a profile, ``threads_insights``, the ``threads`` edge, a media's
``insights``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.http import HttpClient
from ambassade.connectors.metrics import get_metrics_reader
from ambassade.connectors.threads.metrics import ThreadsMetrics
from tests.connectors.conftest import Recorded, ReplayServer, Reply

SINCE = datetime(2026, 11, 1, tzinfo=UTC)
CREDS = {"threads_user_id": "1789", "access_token": "THQ-secret"}


def user_insights(**totals: Any) -> dict[str, Any]:
    return {
        "data": [
            {
                "name": name,
                "period": "day",
                "title": name,
                "description": "",
                "total_value": {"value": value},
                "id": f"1789/insights/{name}/day",
            }
            for name, value in totals.items()
        ]
    }


def media_insights(media_id: str, **values: Any) -> dict[str, Any]:
    return {
        "data": [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": value}],
                "title": name.title(),
                "description": "",
                "id": f"{media_id}/insights/{name}/lifetime",
            }
            for name, value in values.items()
        ]
    }


def thread(media_id: str, timestamp: str, media_type: str = "TEXT_POST") -> dict[str, Any]:
    return {
        "id": media_id,
        "media_type": media_type,
        "text": f"Post {media_id}",
        "timestamp": timestamp,
        "permalink": f"https://www.threads.com/@cafelumiere/post/{media_id}",
    }


def profile_routes(server: ReplayServer, followers: Any = 321) -> None:
    server.route(
        "GET",
        "/v1.0/1789",
        Reply(200, {"id": "1789", "username": "cafelumiere", "name": "Café Lumière"}),
    )
    server.route(
        "GET", "/v1.0/1789/threads_insights", Reply(200, user_insights(followers_count=followers))
    )


def reader(server: ReplayServer, http: HttpClient) -> ThreadsMetrics:
    return ThreadsMetrics(http, endpoints={"api": server.base_url})


def test_the_registry_reads_threads_with_this_reader() -> None:
    assert get_metrics_reader("threads") is ThreadsMetrics


def test_a_poll_reads_followers_and_each_post_s_insights(
    server: ReplayServer, http: HttpClient
) -> None:
    profile_routes(server)
    server.route(
        "GET",
        "/v1.0/1789/threads",
        Reply(
            200,
            {
                "data": [
                    thread("m2", "2026-11-20T10:00:00+0000", "IMAGE"),
                    # Someone else's post reposted by the profile: not the brand's results.
                    thread("m9", "2026-11-19T10:00:00+0000", "REPOST_FACADE"),
                    thread("m1", "2026-11-02T10:00:00+0000"),
                    thread("m0", "2026-10-20T10:00:00+0000"),
                ],
                "paging": {
                    "cursors": {"before": "b", "after": "a"},
                    "next": "https://graph.threads.net/v1.0/1789/threads?after=a",
                },
            },
        ),
    )
    server.route(
        "GET",
        "/v1.0/m2/insights",
        Reply(
            200,
            media_insights("m2", views=1500, likes=70, replies=4, reposts=3, quotes=1, shares=2),
        ),
    )
    server.route(
        "GET",
        "/v1.0/m1/insights",
        # A value Threads did not compute yet, a string, a negative number: left out.
        Reply(200, media_insights("m1", views=None, likes="12", replies=-1, reposts=0)),
    )
    report = reader(server, http).read_account(CREDS, "", since=SINCE)
    stats = report.account
    assert (stats.handle, stats.id, stats.followers) == ("@cafelumiere", "1789", 321)
    assert stats.url == "https://www.threads.com/@cafelumiere"
    assert (stats.following, stats.posts) == (None, None)  # Threads gives neither
    assert [p.external_id for p in report.posts] == ["m2", "m1"]
    assert report.posts[0].metrics == {
        "views": 1500,
        "likes": 70,
        "replies": 4,
        "reposts": 3,
        "quotes": 1,
        "shares": 2,
    }
    assert report.posts[1].metrics == {"likes": 12, "reposts": 0}
    assert report.posts[0].url == "https://www.threads.com/@cafelumiere/post/m2"
    assert report.posts[0].published_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert {"reach", "impressions", "saves", "clicks"} <= report.hidden
    listing = server.calls("/v1.0/1789/threads")
    assert len(listing) == 1  # m0 is older than since: no second page
    assert listing[0].param("since") == str(int(SINCE.timestamp()))
    assert server.calls("/v1.0/1789/threads_insights")[0].param("metric") == "followers_count"
    assert server.calls("/v1.0/m2/insights")[0].param("metric") == (
        "views,likes,replies,reposts,quotes,shares"
    )
    assert server.calls("/v1.0/m9/insights") == [] and server.calls("/v1.0/m0/insights") == []


def test_pages_are_followed_up_to_max_posts(server: ReplayServer, http: HttpClient) -> None:
    profile_routes(server)
    first = [thread(f"a{i}", "2026-11-20T10:00:00+0000") for i in range(50)]
    second = [thread(f"b{i}", "2026-11-10T10:00:00+0000") for i in range(50)]

    def listing(request: Recorded) -> Reply:
        page = second if request.param("after") == "p2" else first
        return Reply(
            200,
            {
                "data": page,
                "paging": {"next": "https://graph.threads.net/v1.0/1789/threads?after=p2"},
            },
        )

    server.route("GET", "/v1.0/1789/threads", listing)

    def insights(request: Recorded) -> Reply:
        media_id = request.path.split("/")[2]
        return Reply(200, media_insights(media_id, likes=1))

    for prefix in ("a", "b"):
        for i in range(50):
            server.route("GET", f"/v1.0/{prefix}{i}/insights", insights)
    report = reader(server, http).read_account(CREDS, "", since=SINCE, max_posts=60)
    assert len(report.posts) == 60
    calls = server.calls("/v1.0/1789/threads")
    assert [c.param("after") for c in calls] == [None, "p2"]
    assert all(c.param("access_token") == "THQ-secret" for c in calls)
    assert len([r for r in server.requests if r.path.endswith("/insights")]) == 60


def test_a_post_deleted_after_the_listing_is_skipped(
    server: ReplayServer, http: HttpClient
) -> None:
    profile_routes(server)
    server.route(
        "GET",
        "/v1.0/1789/threads",
        Reply(200, {"data": [thread("m1", "2026-11-20T10:00:00+0000")], "paging": {}}),
    )
    server.route(
        "GET",
        "/v1.0/m1/insights",
        Reply(
            400,
            {
                "error": {
                    "message": "Unsupported get request.",
                    "type": "GraphMethodException",
                    "code": 100,
                    "error_subcode": 33,
                }
            },
        ),
    )
    report = reader(server, http).read_account(CREDS, "", since=SINCE)
    assert report.posts == [] and report.account.followers == 321


def test_a_rate_limit_waits_as_threads_says(server: ReplayServer, http: HttpClient) -> None:
    usage = {
        "1789": [{"type": "threads", "call_count": 100, "estimated_time_to_regain_access": 30}]
    }
    server.route(
        "GET",
        "/v1.0/1789",
        Reply(
            400,
            {"error": {"message": "Application request limit reached", "code": 4}},
            {"X-Business-Use-Case-Usage": json.dumps(usage)},
        ),
        Reply(200, {"id": "1789", "username": "cafelumiere"}),
    )
    server.route("GET", "/v1.0/1789/threads_insights", Reply(200, user_insights(followers_count=5)))
    server.route(
        "GET",
        "/v1.0/1789/threads",
        Reply(200, {"data": [thread("m1", "2026-11-20T10:00:00+0000")], "paging": {}}),
    )
    server.route(
        "GET",
        "/v1.0/m1/insights",
        Reply(429, {"error": {"message": "Too many calls", "code": 613}}, {"Retry-After": "7200"}),
    )
    threads = reader(server, http)
    with pytest.raises(ConnectorError) as limited:
        threads.read_account(CREDS, "", since=SINCE)
    assert not limited.value.permanent and limited.value.code == "graph.rate_limited"
    assert limited.value.retry_after == 1800
    # A limit met on a post's insights stops the poll too: nothing is stored half read.
    with pytest.raises(ConnectorError) as again:
        threads.read_account(CREDS, "", since=SINCE)
    assert not again.value.permanent and again.value.retry_after == 7200


def test_a_refused_token_and_a_missing_permission(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/v1.0/1789",
        Reply(
            400,
            {
                "error": {
                    "message": "Error validating access token: Session has expired",
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 463,
                }
            },
        ),
        Reply(200, {"id": "1789", "username": "cafelumiere"}),
    )
    server.route(
        "GET",
        "/v1.0/1789/threads_insights",
        Reply(
            400,
            {
                "error": {
                    "message": "(#10) Application does not have permission for this action",
                    "type": "OAuthException",
                    "code": 10,
                }
            },
        ),
    )
    threads = reader(server, http)
    with pytest.raises(AuthExpired) as expired:
        threads.read_account(CREDS, "", since=SINCE)
    assert expired.value.code == "graph.token_expired"
    assert "THQ-secret" not in str(expired.value)
    with pytest.raises(AuthExpired) as missing:
        threads.read_account(CREDS, "", since=SINCE)
    assert missing.value.code == "graph.permission_missing"
    with pytest.raises(AuthExpired):
        threads.read_account({"threads_user_id": "1789"}, "", since=SINCE)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1.0/1789", ["not", "a", "profile"]),
        ("/v1.0/1789", {"username": "no-id"}),
        ("/v1.0/1789/threads_insights", {"data": {"followers_count": 3}}),
        ("/v1.0/1789/threads", {"data": "nothing"}),
        ("/v1.0/m1/insights", {"error": None}),
        ("/v1.0/m1/insights", "<html>Gateway</html>"),
    ],
)
def test_a_malformed_answer_is_a_coded_error(
    server: ReplayServer, http: HttpClient, path: str, body: Any
) -> None:
    profile_routes(server)
    server.route(
        "GET",
        "/v1.0/1789/threads",
        Reply(200, {"data": [thread("m1", "2026-11-20T10:00:00+0000")], "paging": {}}),
    )
    server.route("GET", "/v1.0/m1/insights", Reply(200, media_insights("m1", likes=1)))
    server.route("GET", path, Reply(200, body))
    with pytest.raises(ConnectorError) as error:
        reader(server, http).read_account(CREDS, "", since=SINCE)
    assert error.value.code in ("connector.bad_answer", "http.not_json")
    assert error.value.params.get("network") in ("Threads", None)


def test_followers_out_of_range_are_left_out(server: ReplayServer, http: HttpClient) -> None:
    profile_routes(server, followers=-4)
    server.route("GET", "/v1.0/1789/threads", Reply(200, {"data": [], "paging": {}}))
    report = reader(server, http).read_account(CREDS, "", since=SINCE)
    assert report.account.followers is None and report.posts == []


def test_another_profile_cannot_be_read(server: ReplayServer, http: HttpClient) -> None:
    with pytest.raises(ConnectorError) as error:
        reader(server, http).read_account(CREDS, "@rival", since=SINCE)
    assert error.value.permanent and error.value.code == "metrics.not_public"
    assert server.requests == []
    own = reader(server, http)
    profile_routes(server)
    server.route("GET", "/v1.0/1789/threads", Reply(200, {"data": [], "paging": {}}))
    named = {**CREDS, "account_name": "cafelumiere"}
    assert own.read_account(named, "@cafelumiere", since=SINCE).account.handle == "@cafelumiere"


def test_a_long_list_of_reposts_is_cut_not_refused(server: ReplayServer, http: HttpClient) -> None:
    profile_routes(server)
    reposts = [thread(f"r{i}", "2026-11-20T10:00:00+0000", "REPOST_FACADE") for i in range(50)]
    server.route(
        "GET",
        "/v1.0/1789/threads",
        Reply(
            200,
            {
                "data": reposts,
                "paging": {"next": "https://graph.threads.net/v1.0/1789/threads?after=n"},
            },
        ),
    )
    report = reader(server, http).read_account(CREDS, "", since=SINCE, max_posts=100)
    assert report.posts == [] and report.account.followers == 321
    assert len(server.calls("/v1.0/1789/threads")) == 4  # 100 // 50 + 2 pages, then it stops
