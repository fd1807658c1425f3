"""Facebook page publishing against a local server answering in the Graph API's formats."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from ambassade.connectors import _graph
from ambassade.connectors.base import AuthExpired, ConnectorError, Draft, MediaUpload, Reply
from ambassade.connectors.facebook import FacebookPublisher
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.publishers import get_publisher
from tests.connectors.conftest import Recorded, ReplayServer
from tests.connectors.conftest import Reply as Answer

FIXTURES = Path(__file__).parent / "fixtures" / "facebook"
PAGE = "108824017345866"
BASE = f"/v23.0/{PAGE}"
FEED = f"{BASE}/feed"
TOKEN = "EAAGm0PX4ZCpsBAfb-page-secret-token"
CREDS = {"page_id": PAGE, "access_token": TOKEN}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def form(request: Recorded) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}


def publisher(server: ReplayServer, http: HttpClient) -> FacebookPublisher:
    return FacebookPublisher(http, endpoints={"api": server.base_url})


@pytest.fixture
def quick() -> Iterator[HttpClient]:
    client = HttpClient(allow_private=True, timeout=0.3, sleep=lambda s: None)
    yield client
    client.close()


def test_it_is_registered() -> None:
    assert get_publisher("facebook") is FacebookPublisher
    assert FacebookPublisher.idempotent is False


def test_it_posts_a_text_with_a_link_to_the_page_feed(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("POST", FEED, Answer(200, fixture("feed_created.json")))
    published = publisher(server, http).publish(
        CREDS,
        Draft(
            text="Nouvelle carte ☕", idempotency_key="k", options={"link": "https://cafe.example"}
        ),
    )
    assert published.external_id == f"{PAGE}_122145678901234567"
    assert published.url == f"https://www.facebook.com/{PAGE}/posts/122145678901234567"
    request = server.calls(FEED)[0]
    assert form(request) == {
        "message": "Nouvelle carte ☕",
        "link": "https://cafe.example",
        "access_token": TOKEN,
    }
    assert request.param("access_token") is None  # the token travels in the body, not the URL


def test_it_uploads_photos_unpublished_then_attaches_them(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        f"{BASE}/photos",
        Answer(200, {"id": "122145678900011111"}),
        Answer(200, {"id": "122145678900022222"}),
    )
    server.route("POST", FEED, Answer(200, fixture("feed_created.json")))
    client = publisher(server, http)
    ids = [
        client.upload_media(CREDS, MediaUpload("a.jpg", "image/jpeg", b"\xff\xd8A", "Une tasse")),
        client.upload_media(CREDS, MediaUpload("b.png", "image/png", b"\x89PNG", "")),
    ]
    client.publish(CREDS, Draft(text="Deux photos", idempotency_key="k", media_ids=ids))
    uploads = server.calls(f"{BASE}/photos")
    assert b'name="published"\r\n\r\nfalse' in uploads[0].body
    assert b'name="alt_text_custom"\r\n\r\nUne tasse' in uploads[0].body
    assert b"\xff\xd8A" in uploads[0].body
    assert b"alt_text_custom" not in uploads[1].body
    assert uploads[0].param("access_token") == TOKEN
    sent = form(server.calls(FEED)[0])
    assert json.loads(sent["attached_media[0]"]) == {"media_fbid": "122145678900011111"}
    assert json.loads(sent["attached_media[1]"]) == {"media_fbid": "122145678900022222"}
    assert sent["message"] == "Deux photos"


def test_it_publishes_one_video_with_the_text_as_description(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("POST", f"{BASE}/videos", Answer(200, fixture("video_created.json")))
    client = publisher(server, http)
    key = client.upload_media(CREDS, MediaUpload("clip.mp4", "video/mp4", b"MP4DATA"))
    assert server.requests == []  # uploading a video publishes it: nothing before publish
    published = client.publish(CREDS, Draft(text="En vidéo", idempotency_key="k", media_ids=[key]))
    assert published.external_id == "1421534345587812"
    assert published.url == f"https://www.facebook.com/{PAGE}/videos/1421534345587812/"
    body = server.calls(f"{BASE}/videos")[0].body
    assert b"MP4DATA" in body and b'name="description"\r\n\r\nEn vid\xc3\xa9o' in body


def test_it_refuses_a_video_with_photos_and_more_than_ten_photos(
    server: ReplayServer, http: HttpClient
) -> None:
    client = publisher(server, http)
    key = client.upload_media(CREDS, MediaUpload("clip.mp4", "video/mp4", b"MP4"))
    with pytest.raises(ConnectorError, match="10 photos or one video") as caught:
        client.publish(CREDS, Draft(text="x", idempotency_key="k", media_ids=[key, "123"]))
    assert caught.value.permanent
    with pytest.raises(ConnectorError, match="at most 10 photos"):
        client.publish(
            CREDS, Draft(text="x", idempotency_key="k", media_ids=[str(n) for n in range(11)])
        )
    assert server.requests == []


@pytest.mark.parametrize(
    ("status", "name", "headers", "expected", "permanent", "words", "wait"),
    [
        (400, "error_190_463.json", {}, AuthExpired, True, "it has expired", None),
        (400, "error_190_460.json", {}, AuthExpired, True, "password changed", None),
        (403, "error_200_permission.json", {}, AuthExpired, True, "permission is missing", None),
        (
            400,
            "error_32_page_limit.json",
            {
                "X-Business-Use-Case-Usage": json.dumps(
                    {
                        PAGE: [
                            {
                                "type": "pages",
                                "call_count": 100,
                                "total_cputime": 12,
                                "total_time": 14,
                                "estimated_time_to_regain_access": 17,
                            }
                        ]
                    }
                )
            },
            ConnectorError,
            False,
            "Page request limit reached",
            17 * 60,
        ),
        (
            403,
            "error_4_app_limit.json",
            {"X-App-Usage": '{"call_count":100,"total_cputime":20,"total_time":31}'},
            ConnectorError,
            False,
            "Application request limit",
            _graph.DEFAULT_RATE_WAIT,
        ),
        (400, "error_506_duplicate.json", {}, ConnectorError, True, "identical", None),
        (500, "error_2_service.json", {}, OutcomeUnknown, False, "Facebook failed (500)", None),
        (503, None, {}, OutcomeUnknown, False, "Facebook failed (503)", None),
    ],
)
def test_it_explains_graph_errors(
    server: ReplayServer,
    http: HttpClient,
    status: int,
    name: str | None,
    headers: dict[str, str],
    expected: type,
    permanent: bool,
    words: str,
    wait: float | None,
) -> None:
    server.route("POST", FEED, Answer(status, fixture(name) if name else "Unavailable", headers))
    with pytest.raises(expected) as caught:
        publisher(server, http).publish(CREDS, Draft(text="x", idempotency_key="k"))
    assert type(caught.value) is expected
    assert caught.value.permanent is permanent
    assert words in caught.value.message
    assert caught.value.retry_after == wait
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    assert len(server.calls(FEED)) == 1  # a post is never resent blindly


def test_it_says_a_duplicate_in_plain_words(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", FEED, Answer(400, fixture("error_506_duplicate.json")))
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http).publish(CREDS, Draft(text="x", idempotency_key="k"))
    assert caught.value.message == (
        "Facebook refuses a text identical to the account's previous post."
    )


def test_it_knows_nothing_was_sent_when_the_server_cannot_be_reached(quick: HttpClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = FacebookPublisher(quick, endpoints={"api": f"http://127.0.0.1:{port}"})
    with pytest.raises(ConnectorError) as caught:
        client.publish(CREDS, Draft(text="x", idempotency_key="k"))
    assert type(caught.value) is ConnectorError  # not sent: a plain retry is safe
    assert caught.value.permanent is False


def test_it_does_not_know_after_a_timeout_once_the_post_was_sent(
    server: ReplayServer, quick: HttpClient
) -> None:
    server.route("POST", FEED, Answer(200, fixture("feed_created.json"), delay=0.8))
    with pytest.raises(OutcomeUnknown):
        FacebookPublisher(quick, endpoints={"api": server.base_url}).publish(
            CREDS, Draft(text="x", idempotency_key="k")
        )
    assert len(server.calls(FEED)) == 1


def test_it_reads_a_post_back_with_its_reactions_comments_and_shares(
    server: ReplayServer, http: HttpClient
) -> None:
    post_id = f"{PAGE}_122145678901234567"
    server.route("GET", f"/v23.0/{post_id}", Answer(200, fixture("post_with_metrics.json")))
    item = publisher(server, http).read_back(CREDS, post_id)
    assert item is not None
    assert item.metrics == {"reactions": 42, "comments": 7, "shares": 3}
    assert item.created_at == datetime(2026, 3, 2, 9, 0, 3, tzinfo=UTC)
    assert item.url == f"https://www.facebook.com/{PAGE}/posts/122145678901234567"
    fields = server.calls(f"/v23.0/{post_id}")[0].param("fields") or ""
    assert "reactions.summary(total_count).limit(0)" in fields and "shares" in fields


def test_it_reads_back_nothing_for_a_deleted_post(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", f"/v23.0/{PAGE}_999", Answer(400, fixture("error_100_33.json")))
    assert publisher(server, http).read_back(CREDS, f"{PAGE}_999") is None


def test_it_reads_every_page_of_recent_posts_with_its_own_token(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "GET",
        f"{BASE}/published_posts",
        Answer(200, fixture("published_posts_1.json")),
        Answer(200, fixture("published_posts_2.json")),
    )
    items = publisher(server, http).recent_posts(CREDS, datetime(2026, 3, 2, 8, 55, tzinfo=UTC))
    assert [item.external_id for item in items] == [
        f"{PAGE}_122145678901239999",
        f"{PAGE}_122145678901238888",
        f"{PAGE}_122145678901234567",
    ]
    assert items[2].text == "Nouvelle carte d'automne ☕ https://cafe.example/carte"
    calls = server.calls(f"{BASE}/published_posts")
    # The second page met a post older than `since`: no third call.
    assert len(calls) == 2
    assert calls[0].param("since") == str(int(datetime(2026, 3, 2, 8, 55, tzinfo=UTC).timestamp()))
    assert calls[1].param("after") == "QVFIUmxCdTVkbE9ySVRrWkVmQ2V3"
    # The address Facebook wrote carries another token: ours is sent, to our host only.
    assert {c.param("access_token") for c in calls} == {TOKEN}


def test_it_refuses_to_guess_when_the_page_posted_too_much(
    server: ReplayServer, http: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ambassade.connectors.facebook import publish

    monkeypatch.setattr(publish, "RECENT_PAGES", 2)
    page = fixture("published_posts_1.json")
    server.route("GET", f"{BASE}/published_posts", Answer(200, page))
    with pytest.raises(ConnectorError, match="could not be read to the end") as caught:
        publisher(server, http).recent_posts(CREDS, datetime(2026, 3, 2, 8, 55, tzinfo=UTC))
    assert caught.value.permanent


def test_it_comments_under_a_post_as_the_page(server: ReplayServer, http: HttpClient) -> None:
    post_id = f"{PAGE}_122145678901234567"
    server.route(
        "POST", f"/v23.0/{post_id}/comments", Answer(200, {"id": "122145678901234567_9988"})
    )
    published = publisher(server, http).reply(
        CREDS, Reply(in_reply_to=post_id, text="Merci !", idempotency_key="k")
    )
    assert published.external_id == "122145678901234567_9988"
    assert form(server.calls(f"/v23.0/{post_id}/comments")[0])["message"] == "Merci !"


def test_it_uses_the_configured_version_and_address(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", f"/v24.0/{PAGE}/feed", Answer(200, fixture("feed_created.json")))
    client = FacebookPublisher(http)  # default endpoint: the credentials name the server
    client.publish(
        {**CREDS, "api_version": "v24.0", "graph_url": server.base_url + "/"},
        Draft(text="x", idempotency_key="k"),
    )
    assert len(server.calls(f"/v24.0/{PAGE}/feed")) == 1


def test_it_asks_for_reconnection_without_a_token() -> None:
    with pytest.raises(AuthExpired):
        FacebookPublisher().publish({"page_id": PAGE}, Draft(text="x", idempotency_key="k"))


def test_it_says_when_the_page_does_not_exist(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", FEED, Answer(400, fixture("error_100_33.json")))
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http).publish(CREDS, Draft(text="x", idempotency_key="k"))
    assert caught.value.permanent
    assert caught.value.message.startswith("Facebook knows no such page, account or post:")
