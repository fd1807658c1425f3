"""X publishing against a local server answering in the v2 API's formats."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, Draft, MediaUpload
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.x.publish import XPublisher
from tests.connectors.conftest import ReplayServer, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "x"
TWEETS = "/2/tweets"
CREDS = {"access_token": "x-user-secret-token", "username": "cafelumiere"}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def publisher(server: ReplayServer, http: HttpClient) -> XPublisher:
    return XPublisher(http, endpoints={"api": server.base_url})


def test_it_posts_with_media_and_alt_text(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", "/2/media/upload", Reply(200, fixture("media_upload.json")))
    server.route("POST", "/2/media/metadata", Reply(200, {"data": {"associated_metadata": True}}))
    server.route("POST", TWEETS, Reply(201, fixture("tweet_created.json")))
    client = publisher(server, http)
    media_id = client.upload_media(
        CREDS, MediaUpload("tasse.png", "image/png", b"\x89PNG", alt_text="Une tasse")
    )
    published = client.publish(
        CREDS, Draft(text="Nouvelle carte", idempotency_key="k", media_ids=[media_id])
    )
    assert published.external_id == "1895435478261383168"
    assert published.url == "https://x.com/cafelumiere/status/1895435478261383168"
    upload = server.calls("/2/media/upload")[0]
    assert b'name="media_category"\r\n\r\ntweet_image' in upload.body
    assert json.loads(server.calls("/2/media/metadata")[0].body) == {
        "id": "1880028106020515840",
        "metadata": {"alt_text": {"text": "Une tasse"}},
    }
    assert json.loads(server.calls(TWEETS)[0].body) == {
        "text": "Nouvelle carte",
        "media": {"media_ids": ["1880028106020515840"]},
    }
    assert server.calls(TWEETS)[0].headers["authorization"] == "Bearer x-user-secret-token"


@pytest.mark.parametrize(
    ("status", "name", "headers", "expected", "permanent", "words"),
    [
        (403, "error_403_duplicate.json", {}, ConnectorError, True, "identical to a recent post"),
        (401, "error_401.json", {}, AuthExpired, True, "refused the access token"),
        (429, "error_429.json", {"x-rate-limit-reset": "RESET"}, ConnectorError, False, "Rate"),
        (503, None, {}, OutcomeUnknown, False, "X failed (503)"),
    ],
)
def test_it_explains_x_errors(
    server: ReplayServer,
    http: HttpClient,
    status: int,
    name: str | None,
    headers: dict[str, str],
    expected: type,
    permanent: bool,
    words: str,
) -> None:
    reset = int(datetime.now(UTC).timestamp()) + 900
    headers = {k: str(reset) if v == "RESET" else v for k, v in headers.items()}
    server.route(
        "POST", TWEETS, Reply(status, fixture(name) if name else "Service Unavailable", headers)
    )
    with pytest.raises(expected) as caught:
        publisher(server, http).publish(CREDS, Draft(text="x", idempotency_key="k"))
    assert type(caught.value) is expected
    assert caught.value.permanent is permanent
    assert words in caught.value.message
    if status == 429:
        assert caught.value.retry_after is not None and 890 <= caught.value.retry_after <= 901
    assert len(server.calls(TWEETS)) == 1


def test_it_reads_the_account_posts_for_reconciliation(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", "/2/users/me", Reply(200, fixture("users_me.json")))
    server.route(
        "GET", "/2/users/1499999999999999999/tweets", Reply(200, fixture("user_tweets.json"))
    )
    items = publisher(server, http).recent_posts(
        {"access_token": "x-user-secret-token"}, datetime(2026, 3, 2, 8, 55, tzinfo=UTC)
    )
    assert [item.url for item in items] == ["https://x.com/cafelumiere/status/1895435478261383168"]
    listing = server.calls("/2/users/1499999999999999999/tweets")[0]
    assert listing.param("start_time") == "2026-03-02T08:55:00Z"


def _tweet(number: int) -> dict[str, Any]:
    return {
        "id": str(1895435478261383100 + number),
        "created_at": f"2026-03-02T09:{number // 60:02d}:{number % 60:02d}.000Z",
        "text": f"Post {number}",
    }


def test_it_follows_every_page_when_reading_the_account_back(
    server: ReplayServer, http: HttpClient
) -> None:
    # The post to find is on the third page: a client reading one page would publish it twice.
    pages = [
        Reply(
            200, {"data": [_tweet(n) for n in range(i, i + 100)], "meta": {"next_token": f"p{i}"}}
        )
        for i in (0, 100)
    ] + [Reply(200, {"data": [_tweet(200)], "meta": {"result_count": 1}})]
    server.route("GET", "/2/users/me", Reply(200, fixture("users_me.json")))
    server.route("GET", "/2/users/1499999999999999999/tweets", *pages)
    items = publisher(server, http).recent_posts(CREDS, datetime(2026, 3, 2, 8, 55, tzinfo=UTC))
    assert len(items) == 201
    assert items[-1].text == "Post 200"
    calls = server.calls("/2/users/1499999999999999999/tweets")
    assert [c.param("pagination_token") for c in calls] == [None, "p0", "p100"]
    assert {c.param("start_time") for c in calls} == {"2026-03-02T08:55:00Z"}


def test_it_refuses_to_guess_when_the_account_posted_too_much(
    server: ReplayServer, http: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ambassade.connectors.x import publish

    monkeypatch.setattr(publish, "RECENT_PAGES", 2)
    server.route("GET", "/2/users/me", Reply(200, fixture("users_me.json")))
    server.route(
        "GET",
        "/2/users/1499999999999999999/tweets",
        Reply(200, {"data": [_tweet(1)], "meta": {"next_token": "again"}}),
    )
    with pytest.raises(ConnectorError, match="could not be read to the end"):
        publisher(server, http).recent_posts(CREDS, datetime(2026, 3, 2, 8, 55, tzinfo=UTC))


def test_it_refuses_to_publish_with_a_listening_only_connection() -> None:
    with pytest.raises(ConnectorError) as caught:
        XPublisher().publish({"bearer_token": "app-only"}, Draft(text="x", idempotency_key="k"))
    assert caught.value.permanent and not isinstance(caught.value, AuthExpired)


def test_it_reads_a_post_back_with_its_metrics(server: ReplayServer, http: HttpClient) -> None:
    tweet = fixture("user_tweets.json")["data"][0]
    tweet["public_metrics"] = {
        "retweet_count": 4,
        "reply_count": 2,
        "like_count": 31,
        "quote_count": 0,
        "bookmark_count": 1,
        "impression_count": 1200,
    }
    server.route("GET", "/2/tweets/1895435478261383168", Reply(200, {"data": tweet}))
    item = publisher(server, http).read_back(CREDS, "1895435478261383168")
    assert item is not None
    assert item.metrics == {"likes": 31, "reposts": 4, "replies": 2, "quotes": 0}
    request = server.calls("/2/tweets/1895435478261383168")[0]
    assert request.param("tweet.fields") == "created_at,public_metrics"
