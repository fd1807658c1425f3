"""The metrics readers against a local server answering in each network's documented formats."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest

from ambassade.connectors.base import AuthExpired, Capability, ConnectorError
from ambassade.connectors.bluesky.metrics import BlueskyMetrics
from ambassade.connectors.facebook.metrics import FacebookMetrics
from ambassade.connectors.http import HttpClient
from ambassade.connectors.instagram.metrics import InstagramMetrics
from ambassade.connectors.mastodon.metrics import MastodonMetrics
from ambassade.connectors.metrics import (
    METRICS_READERS,
    POST_METRICS,
    MetricsReader,
    get_metrics_reader,
)
from ambassade.connectors.reddit.metrics import RedditMetrics
from ambassade.connectors.youtube.metrics import YoutubeMetrics
from tests.connectors.conftest import Recorded, ReplayServer, Reply
from tests.connectors.metrics import samples

SINCE = datetime(2026, 11, 1, tzinfo=UTC)


def test_every_reader_declares_the_capability_and_speaks_the_product_names() -> None:
    for network in METRICS_READERS:
        cls = get_metrics_reader(network)
        assert cls.kind == network
        assert Capability.METRICS in cls.capabilities
        assert isinstance(cls(), MetricsReader)
        for name in importlib.import_module(cls.__module__).HIDDEN:
            assert name in POST_METRICS, (network, name)


# --- Mastodon ----------------------------------------------------------------------------------


def test_mastodon_own_account_pages_back_to_since(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET", "/api/v1/accounts/verify_credentials", Reply(200, samples.mastodon_account())
    )
    first = [
        samples.mastodon_status(
            str(200 - i), f"2026-11-{20 - i:02d}T10:00:00.000Z", favourites=i, reblogs=1, replies=2
        )
        for i in range(40)
        if 20 - i >= 1
    ]
    # 20 statuses in November on the first page (a short page: the last one).
    older = samples.mastodon_status("100", "2026-10-30T10:00:00.000Z", favourites=99)
    server.route("GET", "/api/v1/accounts/109302/statuses", Reply(200, [*first, older]))
    reader = MastodonMetrics(http, endpoints={"instance": server.base_url})
    report = reader.read_account({"access_token": "tok-secret"}, "", since=SINCE)
    assert report.account.followers == 1234
    assert report.account.following == 56
    assert report.account.posts == 789
    assert report.account.handle == "cafe_lumiere@mastodon.example"
    assert len(report.posts) == 20
    assert report.posts[0].metrics == {"likes": 0, "reposts": 1, "replies": 2}
    assert report.posts[0].external_id.endswith("/statuses/200")
    assert report.posts[0].text == "Nouvelle carte d'hiver"
    assert {"impressions", "reach", "clicks"} <= report.hidden
    call = server.calls("/api/v1/accounts/109302/statuses")[0]
    assert call.param("exclude_reblogs") == "true"
    assert call.param("exclude_replies") == "true"
    assert call.headers["authorization"] == "Bearer tok-secret"


def test_mastodon_follows_max_id_over_full_pages(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET", "/api/v1/accounts/verify_credentials", Reply(200, samples.mastodon_account())
    )
    page1 = [samples.mastodon_status(str(1000 - i), "2026-11-20T10:00:00.000Z") for i in range(40)]
    page2 = [samples.mastodon_status("900", "2026-11-10T10:00:00.000Z")]

    def statuses(request: Recorded) -> Reply:
        return Reply(200, page2 if request.param("max_id") == "961" else page1)

    server.route("GET", "/api/v1/accounts/109302/statuses", statuses)
    reader = MastodonMetrics(http, endpoints={"instance": server.base_url})
    report = reader.read_account({"access_token": "t"}, "", since=SINCE)
    assert len(report.posts) == 41
    assert [c.param("max_id") for c in server.calls("/api/v1/accounts/109302/statuses")] == [
        None,
        "961",
    ]


def test_mastodon_public_account_is_looked_up_without_a_token(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET", "/api/v1/accounts/lookup", Reply(200, samples.mastodon_account(acct="rival"))
    )
    server.route("GET", "/api/v1/accounts/109302/statuses", Reply(200, []))
    reader = MastodonMetrics(http, endpoints={"instance": server.base_url})
    report = reader.read_account({"access_token": "ours"}, "@rival@other.example", since=SINCE)
    assert report.account.handle == "rival@other.example"
    assert report.posts == []
    lookup = server.calls("/api/v1/accounts/lookup")[0]
    assert lookup.param("acct") == "rival"
    assert "authorization" not in lookup.headers


def test_mastodon_unknown_account_and_rate_limit(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/api/v1/accounts/lookup",
        Reply(404, {"error": "Record not found"}),
        Reply(
            429,
            {"error": "Too many requests"},
            {"X-RateLimit-Reset": "2099-01-01T00:00:00.000Z", "Retry-After": "120"},
        ),
    )
    reader = MastodonMetrics(http, endpoints={"instance": server.base_url})
    with pytest.raises(ConnectorError) as gone:
        reader.read_account(None, "nobody@mastodon.example", since=SINCE)
    assert gone.value.permanent and gone.value.code == "metrics.no_account"
    with pytest.raises(ConnectorError) as limited:
        reader.read_account(None, "nobody@mastodon.example", since=SINCE)
    assert not limited.value.permanent and limited.value.retry_after == 120
    with pytest.raises(ConnectorError) as bad:
        reader.read_account(None, "justaname", since=SINCE)
    assert bad.value.code == "metrics.bad_handle"
    with pytest.raises(AuthExpired):
        reader.read_account({}, "", since=SINCE)


# --- Bluesky -----------------------------------------------------------------------------------


def test_bluesky_profile_and_own_posts_only(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/xrpc/app.bsky.actor.getProfile", Reply(200, samples.bluesky_profile()))
    feed = [
        {
            "post": samples.bluesky_post(
                "3k1", "2026-11-20T09:00:00.000Z", likes=10, reposts=2, replies=3, quotes=1
            )
        },
        # A repost by the brand of someone else's post: not the brand's result.
        {
            "post": samples.bluesky_post(
                "3k2", "2026-11-19T09:00:00.000Z", did="did:plc:other", likes=500
            ),
            "reason": {
                "$type": "app.bsky.feed.defs#reasonRepost",
                "by": {"did": "did:plc:cafelumiere"},
            },
        },
        {"post": samples.bluesky_post("3k3", "2026-10-19T09:00:00.000Z", likes=7)},
    ]
    server.route(
        "GET", "/xrpc/app.bsky.feed.getAuthorFeed", Reply(200, {"feed": feed, "cursor": "next"})
    )
    reader = BlueskyMetrics(http, endpoints={"public": server.base_url})
    report = reader.read_account(
        {"identifier": "cafelumiere.bsky.social", "app_password": "x"}, "", since=SINCE
    )
    assert (report.account.followers, report.account.following, report.account.posts) == (
        2048,
        12,
        345,
    )
    assert [p.external_id for p in report.posts] == [
        "at://did:plc:cafelumiere/app.bsky.feed.post/3k1"
    ]
    assert report.posts[0].metrics == {"likes": 10, "reposts": 2, "replies": 3, "quotes": 1}
    assert report.posts[0].url == "https://bsky.app/profile/cafelumiere.bsky.social/post/3k1"
    # The older post stopped the walk: one page read although a cursor was given.
    assert len(server.calls("/xrpc/app.bsky.feed.getAuthorFeed")) == 1
    call = server.calls("/xrpc/app.bsky.feed.getAuthorFeed")[0]
    assert (
        call.param("filter") == "posts_no_replies" and call.param("actor") == "did:plc:cafelumiere"
    )
    assert "authorization" not in call.headers


def test_bluesky_unknown_profile(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/xrpc/app.bsky.actor.getProfile",
        Reply(400, {"error": "InvalidRequest", "message": "Profile not found"}),
    )
    reader = BlueskyMetrics(http, endpoints={"public": server.base_url})
    with pytest.raises(ConnectorError) as error:
        reader.read_account(None, "nobody.bsky.social", since=SINCE)
    assert error.value.permanent and error.value.code == "metrics.no_account"


# --- YouTube -----------------------------------------------------------------------------------


def test_youtube_channel_by_handle_with_an_api_key(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", "/youtube/v3/channels", Reply(200, samples.youtube_channel()))
    server.route(
        "GET",
        "/youtube/v3/playlistItems",
        Reply(
            200,
            samples.youtube_playlist(
                [
                    ("vid1", "2026-11-20T10:00:00Z"),
                    ("vid2", "2026-11-02T10:00:00Z"),
                    ("vid0", "2026-10-01T10:00:00Z"),
                ],
                next_token="more",
            ),
        ),
    )
    server.route(
        "GET",
        "/youtube/v3/videos",
        Reply(
            200,
            {
                "items": [
                    samples.youtube_video("vid2", "2026-11-02T10:00:00Z", "300", None, "4"),
                    samples.youtube_video("vid1", "2026-11-20T10:00:00Z", "1000", "50", "6"),
                ]
            },
        ),
    )
    reader = YoutubeMetrics(http, endpoints={"api": server.url("/youtube/v3")})
    report = reader.read_account(
        {"api_key": "AIza-secret"}, "https://www.youtube.com/@rival", since=SINCE
    )
    assert report.account.followers == 12300
    assert report.account.posts == 42
    assert report.account.handle == "@cafelumiere"
    assert [p.external_id for p in report.posts] == ["video:vid1", "video:vid2"]
    assert report.posts[0].metrics == {"views": 1000, "likes": 50, "comments": 6}
    assert report.posts[1].metrics == {"views": 300, "comments": 4}  # likes hidden by the owner
    channels = server.calls("/youtube/v3/channels")[0]
    assert channels.param("forHandle") == "@rival" and channels.param("key") == "AIza-secret"
    assert (
        server.calls("/youtube/v3/playlistItems")[0].param("playlistId")
        == "UUcafelumiere0000000000a"
    )
    assert server.calls("/youtube/v3/videos")[0].param("id") == "vid1,vid2"
    assert len(server.calls("/youtube/v3/playlistItems")) == 1  # vid0 is older: no second page


def test_youtube_own_channel_with_a_token_and_hidden_subscribers(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/youtube/v3/channels", Reply(200, samples.youtube_channel(hidden=True)))
    server.route("GET", "/youtube/v3/playlistItems", Reply(200, samples.youtube_playlist([])))
    reader = YoutubeMetrics(http, endpoints={"api": server.url("/youtube/v3")})
    report = reader.read_account({"access_token": "ya29"}, "", since=SINCE)
    assert report.account.followers is None
    call = server.calls("/youtube/v3/channels")[0]
    assert call.param("mine") == "true" and call.headers["authorization"] == "Bearer ya29"
    assert server.calls("/youtube/v3/videos") == []


def test_youtube_spent_quota_waits(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/youtube/v3/channels",
        Reply(
            403,
            {
                "error": {
                    "code": 403,
                    "message": "quota",
                    "errors": [{"reason": "quotaExceeded", "domain": "youtube.quota"}],
                }
            },
        ),
    )
    reader = YoutubeMetrics(http, endpoints={"api": server.url("/youtube/v3")})
    with pytest.raises(ConnectorError) as error:
        reader.read_account({"api_key": "k"}, "UCcafelumiere0000000000a", since=SINCE)
    assert not error.value.permanent and error.value.retry_after and error.value.retry_after > 0
    assert server.calls("/youtube/v3/channels")[0].param("id") == "UCcafelumiere0000000000a"


# --- Reddit ------------------------------------------------------------------------------------


def test_reddit_user_with_an_application_token(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        "/api/v1/access_token",
        Reply(200, {"access_token": "app-token", "token_type": "bearer", "expires_in": 86400}),
    )
    server.route("GET", "/user/rival/about", Reply(200, samples.reddit_user()))
    nov = datetime(2026, 11, 15, tzinfo=UTC).timestamp()
    oct_ = datetime(2026, 10, 15, tzinfo=UTC).timestamp()
    server.route(
        "GET",
        "/user/rival/submitted",
        Reply(
            200,
            samples.reddit_listing(
                [("a1", nov, 42, 7), ("a2", nov - 60, -3, 1), ("a0", oct_, 1, 1)], after="t3_a0"
            ),
        ),
    )
    reader = RedditMetrics(http, endpoints={"oauth": server.base_url, "www": server.base_url})
    report = reader.read_account(
        {"client_id": "cid", "client_secret": "csecret"}, "u/rival", since=SINCE
    )
    assert report.account.followers == 321
    assert report.account.handle == "u/cafelumiere"
    assert [p.external_id for p in report.posts] == ["t3_a1", "t3_a2"]
    assert report.posts[0].metrics == {"score": 42, "comments": 7}
    assert report.posts[1].metrics == {"comments": 1}  # a negative score is not a count
    assert report.posts[0].url == "https://www.reddit.com/r/cafe/comments/a1/post/"
    assert "views" in report.hidden
    assert server.calls("/user/rival/submitted")[0].headers["authorization"] == "Bearer app-token"
    assert report.credentials is not None and report.credentials["access_token"] == "app-token"


def test_reddit_community_and_missing_one(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST", "/api/v1/access_token", Reply(200, {"access_token": "t", "expires_in": 86400})
    )
    server.route(
        "GET",
        "/r/cafe/about",
        Reply(
            200,
            {
                "kind": "t5",
                "data": {
                    "display_name": "cafe",
                    "name": "t5_x",
                    "title": "Café",
                    "subscribers": 9000,
                },
            },
        ),
    )
    server.route("GET", "/r/cafe/new", Reply(200, samples.reddit_listing([])))
    reader = RedditMetrics(http, endpoints={"oauth": server.base_url, "www": server.base_url})
    report = reader.read_account(
        {"client_id": "c", "client_secret": "s"}, "https://www.reddit.com/r/cafe/", since=SINCE
    )
    assert (report.account.handle, report.account.followers) == ("r/cafe", 9000)
    with pytest.raises(ConnectorError) as error:
        reader.read_account({"client_id": "c", "client_secret": "s"}, "r/gone", since=SINCE)
    assert error.value.permanent and error.value.code == "metrics.no_account"
    with pytest.raises(AuthExpired):
        RedditMetrics(http).read_account(None, "u/x", since=SINCE)


# --- Facebook and Instagram (own accounts only) --------------------------------------------------


def _insights(**values: int) -> dict[str, object]:
    return {
        "data": [
            {"name": name, "period": "lifetime", "values": [{"value": value}]}
            for name, value in values.items()
        ]
    }


def test_facebook_page_with_post_insights(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/v23.0/1234",
        Reply(
            200,
            {
                "id": "1234",
                "name": "Café Lumière",
                "link": "https://www.facebook.com/cafelumiere",
                "followers_count": 5400,
                "fan_count": 5000,
            },
        ),
    )
    server.route(
        "GET",
        "/v23.0/1234/published_posts",
        Reply(
            200,
            {
                "data": [
                    {
                        "id": "1234_1",
                        "message": "Hiver",
                        "created_time": "2026-11-20T10:00:00+0000",
                        "permalink_url": "https://www.facebook.com/1234/posts/1",
                        "shares": {"count": 3},
                        "reactions": {"data": [], "summary": {"total_count": 40}},
                        "comments": {"data": [], "summary": {"total_count": 5}},
                        "insights": _insights(post_total_media_view_unique=900, post_clicks=31),
                    },
                ],
                "paging": {},
            },
        ),
    )
    reader = FacebookMetrics(http, endpoints={"api": server.base_url})
    report = reader.read_account({"access_token": "EAAB", "page_id": "1234"}, "", since=SINCE)
    assert report.account.followers == 5400
    assert report.posts[0].metrics == {
        "reactions": 40,
        "comments": 5,
        "shares": 3,
        "reach": 900,
        "clicks": 31,
    }
    assert "post_total_media_view_unique" in (
        server.calls("/v23.0/1234/published_posts")[0].param("fields") or ""
    )
    with pytest.raises(ConnectorError) as error:
        reader.read_account({"access_token": "EAAB", "page_id": "1234"}, "rival-page", since=SINCE)
    assert error.value.code == "metrics.not_public"


def test_instagram_account_with_media_insights(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        "/v23.0/1789",
        Reply(
            200,
            {
                "id": "1789",
                "username": "cafelumiere",
                "followers_count": 800,
                "follows_count": 20,
                "media_count": 64,
            },
        ),
    )
    server.route(
        "GET",
        "/v23.0/1789/media",
        Reply(
            200,
            {
                "data": [
                    {
                        "id": "m1",
                        "caption": "Latte",
                        "timestamp": "2026-11-20T10:00:00+0000",
                        "permalink": "https://www.instagram.com/p/m1/",
                        "media_type": "IMAGE",
                        "like_count": 70,
                        "comments_count": 4,
                        "insights": _insights(reach=1500, saved=12, shares=6, views=2100),
                    },
                    {
                        "id": "m0",
                        "caption": "Old",
                        "timestamp": "2026-10-20T10:00:00+0000",
                        "like_count": 1,
                        "comments_count": 0,
                    },
                ],
                "paging": {"next": "https://graph.facebook.com/v23.0/1789/media?after=x"},
            },
        ),
    )
    reader = InstagramMetrics(http, endpoints={"api": server.base_url})
    report = reader.read_account({"access_token": "IGQ", "ig_user_id": "1789"}, "", since=SINCE)
    assert (report.account.followers, report.account.posts) == (800, 64)
    assert [p.external_id for p in report.posts] == ["m1"]
    assert report.posts[0].metrics == {
        "likes": 70,
        "comments": 4,
        "reach": 1500,
        "saves": 12,
        "shares": 6,
        "views": 2100,
    }
    assert len(server.calls("/v23.0/1789/media")) == 1
