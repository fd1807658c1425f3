"""LinkedIn's metrics reader against a local server answering in the Community Management API's
documented formats (versioned ``/rest/``: ``networkSizes``, the Posts API's ``q=author`` finder,
``organizationalEntityShareStatistics``, the service error bodies)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.http import HttpClient
from ambassade.connectors.linkedin.metrics import LinkedInMetrics
from ambassade.connectors.metrics import get_metrics_reader
from tests.connectors.conftest import Recorded, ReplayServer, Reply

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
SINCE = datetime(2026, 11, 1, tzinfo=UTC)
ORG = "urn:li:organization:2414183"
CREDS = {"access_token": "AQX-secret", "organization": "2414183", "account_name": "Café Lumière"}
SIZE = "/rest/networkSizes/urn%3Ali%3Aorganization%3A2414183"
STATS = "/rest/organizationalEntityShareStatistics"


def ms(when: str) -> int:
    return int(datetime.fromisoformat(when).timestamp() * 1000)


def post(urn: str, when: str, text: str = "Nouvelle carte", **extra: Any) -> dict[str, Any]:
    return {
        "id": urn,
        "author": ORG,
        "commentary": text,
        "visibility": "PUBLIC",
        "lifecycleState": "PUBLISHED",
        "publishedAt": ms(when),
        "createdAt": ms(when),
        "lastModifiedAt": ms(when),
        "distribution": {"feedDistribution": "MAIN_FEED"},
        **extra,
    }


def posts_page(elements: list[dict[str, Any]], start: int = 0) -> dict[str, Any]:
    return {"paging": {"start": start, "count": 50, "links": []}, "elements": elements}


def statistics(urn: str, **totals: Any) -> dict[str, Any]:
    kind = "ugcPost" if urn.startswith("urn:li:ugcPost:") else "share"
    return {
        "organizationalEntity": ORG,
        kind: urn,
        "totalShareStatistics": {
            "uniqueImpressionsCount": 400,
            "shareCount": 2,
            "engagement": 0.0875,
            "clickCount": 20,
            "likeCount": 12,
            "impressionCount": 560,
            "commentCount": 3,
            **totals,
        },
    }


def page_routes(server: ReplayServer) -> None:
    server.route("GET", SIZE, Reply(200, {"firstDegreeSize": 2612}))


def reader(server: ReplayServer, http: HttpClient) -> LinkedInMetrics:
    return LinkedInMetrics(http, endpoints={"api": server.base_url}, now=lambda: NOW)


def test_the_registry_reads_linkedin_with_this_reader() -> None:
    assert get_metrics_reader("linkedin") is LinkedInMetrics


def test_a_poll_reads_followers_and_each_post_s_statistics(
    server: ReplayServer, http: HttpClient
) -> None:
    page_routes(server)
    server.route(
        "GET",
        "/rest/posts",
        Reply(
            200,
            posts_page(
                [
                    post("urn:li:share:7001", "2026-11-20T10:00:00+00:00", "Hiver \\(menu\\)"),
                    post("urn:li:ugcPost:7000", "2026-11-05T10:00:00+00:00"),
                    post("urn:li:share:6999", "2026-11-04T10:00:00+00:00", lifecycleState="DRAFT"),
                    post("urn:li:share:6900", "2026-10-20T10:00:00+00:00"),
                ]
            ),
        ),
    )
    server.route(
        "GET",
        STATS,
        Reply(
            200,
            {
                "paging": {"start": 0, "count": 10, "links": []},
                "elements": [
                    statistics("urn:li:ugcPost:7000", likeCount=1, clickCount=None),
                    statistics("urn:li:share:7001"),
                    # Not asked for: left out.
                    statistics("urn:li:share:1", likeCount=999),
                ],
            },
        ),
    )
    report = reader(server, http).read_account(CREDS, "", since=SINCE)
    stats = report.account
    assert (stats.handle, stats.id, stats.followers) == ("Café Lumière", ORG, 2612)
    assert stats.url == "https://www.linkedin.com/company/2414183/"
    assert (stats.following, stats.posts) == (None, None)
    assert [p.external_id for p in report.posts] == ["urn:li:share:7001", "urn:li:ugcPost:7000"]
    assert report.posts[0].metrics == {
        "impressions": 560,
        "reach": 400,
        "clicks": 20,
        "likes": 12,
        "comments": 3,
        "shares": 2,
    }  # engagement, a ratio, is not a count
    assert "clicks" not in report.posts[1].metrics and report.posts[1].metrics["likes"] == 1
    assert report.posts[0].text == "Hiver (menu)"
    assert report.posts[0].url == "https://www.linkedin.com/feed/update/urn:li:share:7001/"
    assert report.posts[0].published_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert report.hidden == frozenset({"saves", "views", "reposts"})
    size = server.calls(SIZE)[0]
    assert size.param("edgeType") == "COMPANY_FOLLOWED_BY_MEMBER"
    assert size.headers["authorization"] == "Bearer AQX-secret"
    assert size.headers["linkedin-version"].isdigit()
    assert size.headers["x-restli-protocol-version"] == "2.0.0"
    listing = server.calls("/rest/posts")[0]
    assert (listing.param("q"), listing.param("author"), listing.param("sortBy")) == (
        "author",
        ORG,
        "CREATED",
    )
    call = server.calls(STATS)[0]
    assert call.param("q") == "organizationalEntity" and call.param("organizationalEntity") == ORG
    assert call.param("shares") == "List(urn:li:share:7001)"
    assert call.param("ugcPosts") == "List(urn:li:ugcPost:7000)"


def test_posts_are_paged_and_statistics_asked_in_batches(
    server: ReplayServer, http: HttpClient
) -> None:
    page_routes(server)
    first = [post(f"urn:li:share:{900 - i}", "2026-11-20T10:00:00+00:00") for i in range(50)]
    second = [post(f"urn:li:share:{800 - i}", "2026-11-10T10:00:00+00:00") for i in range(10)]

    def listing(request: Recorded) -> Reply:
        return Reply(200, posts_page(second if request.param("start") == "50" else first))

    def stats(request: Recorded) -> Reply:
        urns = (request.param("shares") or "")[len("List(") : -1].split(",")
        return Reply(200, {"elements": [statistics(urn) for urn in urns]})

    server.route("GET", "/rest/posts", listing)
    server.route("GET", STATS, stats)
    report = reader(server, http).read_account(CREDS, "", since=SINCE)
    assert len(report.posts) == 60 and all(p.metrics["likes"] == 12 for p in report.posts)
    assert [c.param("start") for c in server.calls("/rest/posts")] == ["0", "50"]
    assert len(server.calls(STATS)) == 3  # 20 posts a call


def test_a_rate_limit_waits_until_midnight_utc_or_as_told(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET",
        SIZE,
        Reply(429, {"status": 429, "message": "Resource level throttle APPLICATION DAY limit"}),
        Reply(429, {"status": 429, "message": "Too many requests"}, {"Retry-After": "7200"}),
    )
    linkedin = reader(server, http)
    with pytest.raises(ConnectorError) as daily:
        linkedin.read_account(CREDS, "", since=SINCE)
    assert not daily.value.permanent and daily.value.code == "connector.rate_limited"
    assert daily.value.retry_after == 6 * 3600  # 18:00 UTC to midnight
    with pytest.raises(ConnectorError) as told:
        linkedin.read_account(CREDS, "", since=SINCE)
    assert told.value.retry_after == 7200


def test_a_refused_token_and_a_refused_page(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET",
        SIZE,
        Reply(
            401,
            {"serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN", "message": "revoked"},
        ),
        Reply(200, {"firstDegreeSize": 10}),
    )
    server.route(
        "GET",
        "/rest/posts",
        Reply(200, posts_page([post("urn:li:share:1", "2026-11-20T10:00:00+00:00")])),
    )
    server.route(
        "GET",
        STATS,
        Reply(
            403,
            {
                "serviceErrorCode": 100,
                "code": "ACCESS_DENIED",
                "message": "Not enough permissions to access: "
                "organizationalEntityShareStatistics.GET.20250901",
                "status": 403,
            },
        ),
    )
    linkedin = reader(server, http)
    with pytest.raises(AuthExpired) as revoked:
        linkedin.read_account(CREDS, "", since=SINCE)
    assert revoked.value.code == "linkedin.token_refused"
    assert "AQX-secret" not in str(revoked.value)
    # A role that may publish but not read statistics: permanent, not a reconnection.
    with pytest.raises(ConnectorError) as refused:
        linkedin.read_account(CREDS, "", since=SINCE)
    assert not isinstance(refused.value, AuthExpired)
    assert refused.value.permanent and refused.value.code == "linkedin.statistics_refused"
    with pytest.raises(AuthExpired):
        linkedin.read_account({"organization": "1"}, "", since=SINCE)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (SIZE, {"firstDegree": 3}),
        (SIZE, [1, 2]),
        ("/rest/posts", {"elements": {"id": "urn:li:share:1"}}),
        (STATS, {"elements": None}),
        (STATS, "<html>Service unavailable</html>"),
    ],
)
def test_a_malformed_answer_is_a_coded_error(
    server: ReplayServer, http: HttpClient, path: str, body: Any
) -> None:
    page_routes(server)
    server.route(
        "GET",
        "/rest/posts",
        Reply(200, posts_page([post("urn:li:share:1", "2026-11-20T10:00:00+00:00")])),
    )
    server.route("GET", STATS, Reply(200, {"elements": [statistics("urn:li:share:1")]}))
    server.route("GET", path, Reply(200, body))
    with pytest.raises(ConnectorError) as error:
        reader(server, http).read_account(CREDS, "", since=SINCE)
    assert error.value.code in ("connector.bad_answer", "http.not_json")


def test_odd_posts_are_skipped_and_odd_counts_left_out(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", SIZE, Reply(200, {"firstDegreeSize": "lots"}))
    server.route(
        "GET",
        "/rest/posts",
        Reply(
            200,
            posts_page(
                [
                    post("urn:li:share:5", "2026-11-20T10:00:00+00:00"),
                    {"id": "urn:li:share:6", "publishedAt": "yesterday"},
                    {"id": "not-a-urn", "publishedAt": ms("2026-11-20T10:00:00+00:00")},
                    {"id": "urn:li:share:7", "publishedAt": True},
                    "junk",
                ]
            ),
        ),
    )
    server.route(
        "GET",
        STATS,
        Reply(200, {"elements": [statistics("urn:li:share:5", likeCount=-2, commentCount="x")]}),
    )
    report = reader(server, http).read_account(CREDS, "", since=SINCE)
    assert report.account.followers is None
    assert [p.external_id for p in report.posts] == ["urn:li:share:5"]
    assert "likes" not in report.posts[0].metrics and "comments" not in report.posts[0].metrics


def test_no_posts_no_statistics_call_and_no_other_page(
    server: ReplayServer, http: HttpClient
) -> None:
    page_routes(server)
    server.route("GET", "/rest/posts", Reply(200, posts_page([])))
    report = reader(server, http).read_account(CREDS, "2414183", since=SINCE)
    assert report.posts == [] and server.calls(STATS) == []
    with pytest.raises(ConnectorError) as error:
        reader(server, http).read_account(CREDS, "urn:li:organization:1", since=SINCE)
    assert error.value.code == "metrics.not_public"
