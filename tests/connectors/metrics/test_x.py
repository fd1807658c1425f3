"""X's metrics reader against a local server answering in the X API v2's documented formats
(``GET /2/users/me`` with ``public_metrics``, ``GET /2/users/:id/tweets`` with the public,
non-public and organic metrics, the problem bodies of 401, 403 and 429)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.http import HttpClient
from ambassade.connectors.metrics import get_metrics_reader
from ambassade.connectors.x.metrics import XMetrics
from tests.connectors.conftest import Recorded, ReplayServer, Reply

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SINCE = datetime(2026, 11, 1, tzinfo=UTC)
CREDS = {"access_token": "x-user-token-secret"}
USER_ID = "2244994945"


def me(**metrics: Any) -> dict[str, Any]:
    counts = {
        "followers_count": 5120,
        "following_count": 80,
        "tweet_count": 930,
        "listed_count": 12,
        "like_count": 400,
        "media_count": 50,
        **metrics,
    }
    return {
        "data": {
            "id": USER_ID,
            "name": "Café Lumière",
            "username": "cafelumiere",
            "public_metrics": counts,
        }
    }


def tweet(tweet_id: str, created_at: str, *, private: bool = True, **public: Any) -> dict[str, Any]:
    counts = {
        "retweet_count": 3,
        "reply_count": 4,
        "like_count": 50,
        "quote_count": 1,
        "bookmark_count": 6,
        "impression_count": 2100,
        **public,
    }
    body: dict[str, Any] = {
        "id": tweet_id,
        "edit_history_tweet_ids": [tweet_id],
        "text": f"Post {tweet_id}",
        "created_at": created_at,
        "public_metrics": counts,
    }
    if private:
        body["non_public_metrics"] = {
            "impression_count": 2150,
            "url_link_clicks": 12,
            "user_profile_clicks": 5,
            "engagements": 70,
        }
        body["organic_metrics"] = {
            "impression_count": 2100,
            "like_count": 50,
            "reply_count": 4,
            "retweet_count": 3,
            "url_link_clicks": 11,
            "user_profile_clicks": 5,
        }
    return body


def timeline(tweets: list[dict[str, Any]], next_token: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"result_count": len(tweets)}
    if tweets:
        meta["newest_id"], meta["oldest_id"] = tweets[0]["id"], tweets[-1]["id"]
    if next_token:
        meta["next_token"] = next_token
    body: dict[str, Any] = {"meta": meta}
    if tweets:  # X leaves "data" out of an empty page
        body["data"] = tweets
    return body


def reader(server: ReplayServer, http: HttpClient) -> XMetrics:
    return XMetrics(http, endpoints={"api": server.base_url}, now=lambda: NOW)


TWEETS = f"/2/users/{USER_ID}/tweets"


def test_the_registry_reads_x_with_this_reader() -> None:
    assert get_metrics_reader("x") is XMetrics


def test_a_poll_reads_the_account_and_its_posts_metrics(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/2/users/me", Reply(200, me()))
    server.route(
        "GET",
        TWEETS,
        Reply(
            200,
            timeline(
                [
                    tweet("1860000000000000002", "2026-11-20T10:00:00.000Z"),
                    # Organic metrics only (no non-public object): clicks from the organic ones.
                    {
                        **tweet("1860000000000000001", "2026-11-02T10:00:00.000Z", private=False),
                        "organic_metrics": {"url_link_clicks": 2, "impression_count": 90},
                    },
                ]
            ),
        ),
    )
    report = reader(server, http).read_account(CREDS, "", since=SINCE)
    stats = report.account
    assert (stats.handle, stats.id, stats.name) == ("@cafelumiere", USER_ID, "Café Lumière")
    assert (stats.followers, stats.following, stats.posts) == (5120, 80, 930)
    assert stats.url == "https://x.com/cafelumiere"
    assert [p.external_id for p in report.posts] == ["1860000000000000002", "1860000000000000001"]
    assert report.posts[0].metrics == {
        "likes": 50,
        "reposts": 3,
        "replies": 4,
        "quotes": 1,
        "saves": 6,
        "impressions": 2150,  # the non-public count, promoted views included
        "clicks": 12,
    }
    assert report.posts[1].metrics["clicks"] == 2
    assert report.posts[1].metrics["impressions"] == 2100  # public_metrics.impression_count
    assert report.posts[0].url == "https://x.com/cafelumiere/status/1860000000000000002"
    assert report.posts[0].published_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert report.hidden == frozenset({"reach", "shares"})
    call = server.calls(TWEETS)[0]
    assert call.headers["authorization"] == "Bearer x-user-token-secret"
    assert call.param("start_time") == "2026-11-01T00:00:00Z"
    assert call.param("exclude") == "retweets,replies"
    assert call.param("max_results") == "100"
    assert set((call.param("tweet.fields") or "").split(",")) == {
        "created_at",
        "public_metrics",
        "non_public_metrics",
        "organic_metrics",
    }
    assert "public_metrics" in (server.calls("/2/users/me")[0].param("user.fields") or "")


def test_the_listing_starts_within_x_s_30_days_and_follows_pages(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/2/users/me", Reply(200, me()))
    first = [tweet(str(2000 - i), "2026-11-20T10:00:00.000Z") for i in range(100)]
    second = [tweet(str(1800 - i), "2026-11-10T10:00:00.000Z") for i in range(100)]

    def pages(request: Recorded) -> Reply:
        if request.param("pagination_token") == "p2":
            return Reply(200, timeline(second, next_token="p3"))
        if request.param("pagination_token") == "p3":
            # What X answers past the posts it has non-public metrics for: an empty page with a
            # token. The walk stops there.
            return Reply(200, timeline([], next_token="p4"))
        return Reply(200, timeline(first, next_token="p2"))

    server.route("GET", TWEETS, pages)
    long_ago = NOW - timedelta(days=45)
    report = reader(server, http).read_account(CREDS, "", since=long_ago, max_posts=250)
    assert len(report.posts) == 200
    calls = server.calls(TWEETS)
    assert [c.param("pagination_token") for c in calls] == [None, "p2", "p3"]
    # Not 45 days back: X gives private metrics for 30 days only.
    assert calls[0].param("start_time") == (NOW - timedelta(days=30, hours=-1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    limited = reader(server, http).read_account(CREDS, "", since=long_ago, max_posts=150)
    assert len(limited.posts) == 150
    assert len(server.calls(TWEETS)) == 5  # two more pages, then max_posts reached


def test_a_rate_limit_waits_until_x_s_reset(server: ReplayServer, http: HttpClient) -> None:
    reset = int(datetime.now(UTC).timestamp()) + 3600
    server.route("GET", "/2/users/me", Reply(200, me()))
    server.route(
        "GET",
        TWEETS,
        Reply(
            429,
            {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank"},
            {
                "x-rate-limit-limit": "5",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(reset),
            },
        ),
    )
    with pytest.raises(ConnectorError) as limited:
        reader(server, http).read_account(CREDS, "", since=SINCE)
    assert not limited.value.permanent
    assert limited.value.retry_after is not None and 3500 < limited.value.retry_after <= 3600
    assert len(server.calls(TWEETS)) == 1  # a wait past the seam's backoff is not slept through


def test_a_refused_token_asks_for_reconnection(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/2/users/me",
        Reply(
            401,
            {
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": "Unauthorized",
            },
        ),
    )
    with pytest.raises(AuthExpired) as refused:
        reader(server, http).read_account(CREDS, "", since=SINCE)
    assert refused.value.code == "connector.token_refused"
    assert "x-user-token-secret" not in str(refused.value)
    # An app-only connection (a bearer token for listening) has no account to read.
    with pytest.raises(ConnectorError) as listen_only:
        reader(server, http).read_account({"bearer_token": "b"}, "", since=SINCE)
    assert listen_only.value.code == "x.listen_only"


def test_the_paid_access_refusal_is_a_coded_message(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/2/users/me", Reply(200, me()))
    server.route(
        "GET",
        TWEETS,
        Reply(
            403,
            {
                "client_id": "29137394",
                "detail": "When authenticating requests to the Twitter API v2 endpoints, you must "
                "use keys and tokens from a Twitter developer App that is attached to a Project.",
                "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
                "title": "Client Forbidden",
                "required_enrollment": "Appropriate Level of API Access",
                "reason": "client-not-enrolled",
                "type": "https://api.twitter.com/2/problems/client-not-enrolled",
            },
        ),
    )
    with pytest.raises(ConnectorError) as refused:
        reader(server, http).read_account(CREDS, "", since=SINCE)
    assert refused.value.permanent and refused.value.code == "x.metrics_not_in_plan"
    assert "developer App" in str(refused.value.params["detail"])


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/2/users/me", {"data": {"username": "no-id"}}),
        ("/2/users/me", ["a", "list"]),
        (TWEETS, {"data": {"id": "1"}, "meta": {}}),
        (TWEETS, "<html>over capacity</html>"),
    ],
)
def test_a_malformed_answer_is_a_coded_error(
    server: ReplayServer, http: HttpClient, path: str, body: Any
) -> None:
    server.route("GET", "/2/users/me", Reply(200, me()))
    server.route("GET", TWEETS, Reply(200, timeline([])))
    server.route("GET", path, Reply(200, body))
    with pytest.raises(ConnectorError) as error:
        reader(server, http).read_account(CREDS, "", since=SINCE)
    assert error.value.code in ("connector.bad_answer", "http.not_json")


def test_odd_values_are_left_out_and_odd_posts_skipped(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/2/users/me", Reply(200, me(followers_count="many", tweet_count=-1)))
    server.route(
        "GET",
        TWEETS,
        Reply(
            200,
            {
                "data": [
                    tweet("3", "2026-11-20T10:00:00.000Z", like_count=None, quote_count=True),
                    {"id": "4", "text": "no date"},
                    "not a post",
                    tweet("5", "2026-10-01T10:00:00.000Z"),  # before since
                ],
                "meta": {"result_count": 4},
            },
        ),
    )
    report = reader(server, http).read_account(CREDS, "", since=SINCE)
    assert (report.account.followers, report.account.posts, report.account.following) == (
        None,
        None,
        80,
    )
    assert [p.external_id for p in report.posts] == ["3"]
    assert "likes" not in report.posts[0].metrics and "quotes" not in report.posts[0].metrics


def test_another_account_is_not_read(server: ReplayServer, http: HttpClient) -> None:
    with pytest.raises(ConnectorError) as error:
        reader(server, http).read_account(CREDS, "@rival", since=SINCE)
    assert error.value.permanent and error.value.code == "metrics.own_only"
    assert server.requests == []
    server.route("GET", "/2/users/me", Reply(200, me()))
    server.route("GET", TWEETS, Reply(200, timeline([])))
    named = {**CREDS, "account_name": "@CafeLumiere"}
    assert reader(server, http).read_account(named, "@cafelumiere", since=SINCE).posts == []
