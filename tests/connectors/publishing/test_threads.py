"""Threads publishing against a local server answering in the Threads API's formats."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, Container, Draft, MediaUpload
from ambassade.connectors.base import Reply as ReplyTo
from ambassade.connectors.http import HttpClient, OutcomeUnknown, deadline
from ambassade.connectors.publishers import get_publisher
from ambassade.connectors.threads import ThreadsPublisher
from ambassade.connectors.threads import publish as module
from tests.connectors.conftest import Recorded, ReplayServer, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "threads"
UID = "25803290195963327"
USER = f"/v1.0/{UID}"
CONTAINER = "/v1.0/17890123456789012"
POST = "/v1.0/18051234567890123"
TOKEN = "THQWJ-threads-secret-token"
CREDS = {"threads_user_id": UID, "access_token": TOKEN}
PUBLIC = "https://ambassade.example.org/m/"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def form(request: Recorded) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}


def publisher(server: ReplayServer, http: HttpClient, sleeps: list[float]) -> ThreadsPublisher:
    return ThreadsPublisher(http, endpoints={"api": server.base_url}, sleep=sleeps.append)


def ready(server: ReplayServer, *statuses: str) -> None:
    server.route(
        "GET", f"{USER}/threads_publishing_limit", Reply(200, fixture("publishing_limit.json"))
    )
    server.route("POST", f"{USER}/threads", Reply(200, fixture("container_created.json")))
    server.route("GET", CONTAINER, *[Reply(200, fixture(f"container_{s}.json")) for s in statuses])
    server.route("POST", f"{USER}/threads_publish", Reply(200, fixture("thread_published.json")))
    server.route("GET", POST, Reply(200, fixture("permalink.json")))


@pytest.fixture
def quick() -> Iterator[HttpClient]:
    client = HttpClient(allow_private=True, timeout=0.3, sleep=lambda s: None)
    yield client
    client.close()


def test_it_is_registered() -> None:
    assert get_publisher("threads") is ThreadsPublisher
    assert ThreadsPublisher.idempotent is False


def test_it_publishes_a_text_with_its_topic_tag(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "in_progress", "finished")
    published = publisher(server, http, sleeps).publish(
        CREDS,
        Draft(text="Nouvelle carte ☕", idempotency_key="k", options={"topic_tag": "Café"}),
    )
    assert published.external_id == "18051234567890123"
    assert published.url == "https://www.threads.com/@cafelumiere/post/DGkX1a2Bc3D"
    assert form(server.calls(f"{USER}/threads")[0]) == {
        "media_type": "TEXT",
        "text": "Nouvelle carte ☕",
        "topic_tag": "Café",
        "access_token": TOKEN,
    }
    assert server.calls(CONTAINER)[0].param("fields") == "status,error_message"
    assert sleeps == [1.0]
    assert form(server.calls(f"{USER}/threads_publish")[0]) == {
        "creation_id": "17890123456789012",
        "access_token": TOKEN,
    }


def test_it_publishes_an_image_with_its_alt_text(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    client = publisher(server, http, sleeps)
    handle = client.upload_media(
        CREDS, MediaUpload("a.png", "image/png", b"\x89PNG", "Une tasse", PUBLIC + "a")
    )
    client.publish(CREDS, Draft(text="Photo", idempotency_key="k", media_ids=[handle]))
    assert form(server.calls(f"{USER}/threads")[0]) == {
        "media_type": "IMAGE",
        "image_url": PUBLIC + "a",
        "alt_text": "Une tasse",
        "text": "Photo",
        "access_token": TOKEN,
    }


def test_it_publishes_a_carousel(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    ids = iter(["3001", "3002", "17890123456789012"])
    server.route("POST", f"{USER}/threads", lambda request: Reply(200, {"id": next(ids)}))
    for child in ("3001", "3002"):
        server.route("GET", f"/v1.0/{child}", Reply(200, fixture("container_finished.json")))
    client = publisher(server, http, sleeps)
    handles = [
        client.upload_media(CREDS, MediaUpload("a.jpg", "image/jpeg", b"", "", PUBLIC + "a")),
        client.upload_media(CREDS, MediaUpload("b.mp4", "video/mp4", b"", "", PUBLIC + "b")),
    ]
    client.publish(CREDS, Draft(text="Deux", idempotency_key="k", media_ids=handles))
    created = [form(r) for r in server.calls(f"{USER}/threads")]
    assert created[0]["is_carousel_item"] == "true" and created[0]["media_type"] == "IMAGE"
    assert created[1]["media_type"] == "VIDEO" and created[1]["video_url"] == PUBLIC + "b"
    assert "text" not in created[0]
    assert created[2]["media_type"] == "CAROUSEL" and created[2]["children"] == "3001,3002"
    assert created[2]["text"] == "Deux"
    assert client.containers == ["3001", "3002", "17890123456789012"]


def test_it_replies_with_reply_to_id(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    publisher(server, http, sleeps).reply(
        CREDS, ReplyTo(in_reply_to="18050000000000001", text="Merci !", idempotency_key="k")
    )
    sent = form(server.calls(f"{USER}/threads")[0])
    assert sent["reply_to_id"] == "18050000000000001" and sent["media_type"] == "TEXT"


def test_it_treats_a_used_up_quota_as_a_rate_limit(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    server.route(
        "GET", f"{USER}/threads_publishing_limit", Reply(200, fixture("publishing_limit_used.json"))
    )
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http, sleeps).publish(CREDS, Draft(text="x", idempotency_key="k"))
    assert caught.value.permanent is False and caught.value.retry_after == module.QUOTA_WAIT
    assert "250 posts in 24 hours" in caught.value.message
    assert server.calls(f"{USER}/threads") == []


@pytest.mark.parametrize(
    ("status", "words", "permanent"),
    [
        ("error", "downloading the video from Ambassade's address failed", True),
        ("expired", "expire", False),
    ],
)
def test_it_stops_on_a_container_that_failed_or_expired(
    server: ReplayServer,
    http: HttpClient,
    sleeps: list[float],
    status: str,
    words: str,
    permanent: bool,
) -> None:
    ready(server, status)
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http, sleeps).publish(CREDS, Draft(text="x", idempotency_key="k"))
    assert words in caught.value.message and caught.value.permanent is permanent
    assert "FAILED_" not in caught.value.message  # Threads' code, not words for a person
    assert server.calls(f"{USER}/threads_publish") == []


@pytest.mark.parametrize(
    ("code", "words", "permanent"),
    [
        ("INVALID_DURATION", "the video is too long or too short for Threads", True),
        (
            "INVALID_ASPEC_RATIO",
            "the video's aspect ratio is not one Threads accepts",
            True,
        ),  # Threads' own spelling
        ("UNKNOWN", "Threads had an internal error, a later attempt may work", False),
        ("SOMETHING_NEW", "SOMETHING_NEW", True),
    ],
)
def test_it_explains_each_container_error_in_plain_words(
    server: ReplayServer,
    http: HttpClient,
    sleeps: list[float],
    code: str,
    words: str,
    permanent: bool,
) -> None:
    ready(server, "error")
    failed = {"status": "ERROR", "id": "17890123456789012", "error_message": code}
    server.route("GET", CONTAINER, Reply(200, failed))
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http, sleeps).publish(CREDS, Draft(text="x", idempotency_key="k"))
    assert caught.value.message == f"Threads could not process the media: {words}."
    assert caught.value.permanent is permanent
    assert server.calls(f"{USER}/threads_publish") == []


def test_it_asks_for_reconnection_when_the_token_expired(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    server.route("POST", f"{USER}/threads", Reply(400, fixture("error_190.json")))
    with pytest.raises(AuthExpired, match="it has expired") as caught:
        publisher(server, http, sleeps).publish(CREDS, Draft(text="x", idempotency_key="k"))
    assert TOKEN not in str(caught.value)


def test_it_waits_for_the_reset_of_a_rate_limit(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    server.route(
        "POST",
        f"{USER}/threads_publish",
        Reply(
            400,
            {"error": {"message": "(#17) User request limit reached", "code": 17, "type": "x"}},
            {"X-App-Usage": '{"call_count":100,"estimated_time_to_regain_access":12}'},
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http, sleeps).publish(CREDS, Draft(text="x", idempotency_key="k"))
    assert caught.value.permanent is False and caught.value.retry_after == 720.0


def test_it_does_not_know_after_a_5xx_of_the_publishing_call(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    server.route(
        "POST",
        f"{USER}/threads_publish",
        Reply(500, {"error": {"code": 2, "message": "Service temporarily unavailable"}}),
    )
    with pytest.raises(OutcomeUnknown, match="Threads failed"):
        publisher(server, http, sleeps).publish(CREDS, Draft(text="x", idempotency_key="k"))
    assert len(server.calls(f"{USER}/threads_publish")) == 1


def test_it_does_not_know_after_a_timeout_of_the_publishing_call(
    server: ReplayServer, quick: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    server.route(
        "POST", f"{USER}/threads_publish", Reply(200, fixture("thread_published.json"), delay=0.8)
    )
    client = ThreadsPublisher(quick, endpoints={"api": server.base_url}, sleep=sleeps.append)
    with pytest.raises(OutcomeUnknown):
        client.publish(CREDS, Draft(text="x", idempotency_key="k"))
    assert len(server.calls(f"{USER}/threads_publish")) == 1


def test_it_reads_a_post_back_with_its_insights(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    server.route("GET", POST, Reply(200, fixture("thread.json")))
    server.route("GET", f"{POST}/insights", Reply(200, fixture("insights.json")))
    item = publisher(server, http, sleeps).read_back(CREDS, "18051234567890123")
    assert item is not None
    assert item.metrics == {"views": 1520, "likes": 87, "replies": 12, "reposts": 5, "quotes": 1}
    assert item.text == "Nouvelle carte d'automne ☕"
    assert server.calls(f"{POST}/insights")[0].param("metric") == (
        "views,likes,replies,reposts,quotes"
    )


def test_it_skips_insights_quietly_without_the_scope(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    server.route("GET", POST, Reply(200, fixture("thread.json")))
    server.route("GET", f"{POST}/insights", Reply(403, fixture("error_10_permission.json")))
    item = publisher(server, http, sleeps).read_back(CREDS, "18051234567890123")
    assert item is not None and item.metrics == {}
    assert item.url == "https://www.threads.com/@cafelumiere/post/DGkX1a2Bc3D"


def test_it_reads_every_page_of_recent_posts(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    server.route(
        "GET",
        f"{USER}/threads",
        Reply(200, fixture("threads_1.json")),
        Reply(200, fixture("threads_2.json")),
    )
    since = datetime(2026, 3, 2, 8, 55, tzinfo=UTC)
    items = publisher(server, http, sleeps).recent_posts(CREDS, since)
    assert [item.external_id for item in items] == ["18051234567899999", "18051234567890123"]
    calls = server.calls(f"{USER}/threads")
    assert len(calls) == 2
    assert calls[0].param("since") == str(int(since.timestamp()))
    assert calls[1].param("after") == "QVFIUk2"
    assert {c.param("access_token") for c in calls} == {TOKEN}


def test_it_finds_its_post_when_the_container_says_it_was_published(
    server: ReplayServer, quick: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished", "published")
    server.route(
        "POST", f"{USER}/threads_publish", Reply(200, fixture("thread_published.json"), delay=0.8)
    )
    listing = fixture("threads_2.json")
    listing["data"][0]["timestamp"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
    server.route("GET", f"{USER}/threads", Reply(200, listing))
    client = ThreadsPublisher(quick, endpoints={"api": server.base_url}, sleep=sleeps.append)
    published = client.publish(
        CREDS, Draft(text="Nouvelle carte d'automne ☕", idempotency_key="k")
    )
    assert published.external_id == "18051234567890123"
    assert len(server.calls(f"{USER}/threads_publish")) == 1
    # That container is spent: the same text later makes a new post (a deliberate repeat), not a
    # pointer to this one.
    server.route("GET", CONTAINER, Reply(200, fixture("container_finished.json")))
    server.route("POST", f"{USER}/threads_publish", Reply(200, fixture("thread_published.json")))
    client.publish(CREDS, Draft(text="Nouvelle carte d'automne ☕", idempotency_key="k2"))
    assert [r.method for r in server.calls(f"{USER}/threads")].count("POST") == 2
    assert len(server.calls(f"{USER}/threads_publish")) == 2


def test_it_leaves_it_unknown_when_the_container_is_not_published(
    server: ReplayServer, quick: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    server.route(
        "POST", f"{USER}/threads_publish", Reply(200, fixture("thread_published.json"), delay=0.8)
    )
    client = ThreadsPublisher(quick, endpoints={"api": server.base_url}, sleep=sleeps.append)
    with pytest.raises(OutcomeUnknown):
        client.publish(CREDS, Draft(text="x", idempotency_key="k"))
    # Not even listed: nothing says it went out.
    assert [r for r in server.calls(f"{USER}/threads") if r.method == "GET"] == []
    assert len(server.calls(f"{USER}/threads_publish")) == 1


def test_it_takes_up_the_container_an_earlier_attempt_left_processing(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "in_progress")
    video = MediaUpload("clip.mp4", "video/mp4", b"MP4", "", PUBLIC + "clip")
    first = ThreadsPublisher(http, endpoints={"api": server.base_url}, sleep=time.sleep)
    media = [first.upload_media(CREDS, video)]
    # The outbox stores each container reported and hands it to the next attempt.
    kept: dict[str, Container] = {}
    outbox: dict[str, Any] = {"containers": kept, "on_container": kept.__setitem__}
    with deadline(0.5), pytest.raises(ConnectorError, match="ran out of time"):
        first.publish(
            CREDS, Draft(text="En vidéo", idempotency_key="k1", media_ids=media, **outbox)
        )
    assert [c.id for c in kept.values()] == ["17890123456789012"]
    server.route("GET", CONTAINER, Reply(200, fixture("container_finished.json")))
    published = publisher(server, http, sleeps).publish(
        CREDS, Draft(text="En vidéo", idempotency_key="k2", media_ids=media, **outbox)
    )
    assert published.external_id == "18051234567890123"
    assert [r.method for r in server.calls(f"{USER}/threads")] == ["POST"]
    assert form(server.calls(f"{USER}/threads_publish")[0])["creation_id"] == "17890123456789012"


@pytest.mark.parametrize("status", ["finished", "published", "expired", "in_progress"])
def test_it_tells_the_outbox_a_containers_status(
    server: ReplayServer, http: HttpClient, sleeps: list[float], status: str
) -> None:
    server.route("GET", CONTAINER, Reply(200, fixture(f"container_{status}.json")))
    found = publisher(server, http, sleeps).container_status(CREDS, "17890123456789012")
    assert found == fixture(f"container_{status}.json")["status"]
    assert server.calls(CONTAINER)[0].param("fields") == "status"
    assert server.calls(CONTAINER)[0].param("access_token") == TOKEN


def test_it_leaves_it_unknown_when_two_posts_without_text_fit(
    server: ReplayServer, quick: HttpClient, sleeps: list[float]
) -> None:
    # Published, but another post with the same (empty) text went out meanwhile: which one is
    # this post is for the outbox to tell, not a guess.
    ready(server, "finished", "published")
    server.route(
        "POST", f"{USER}/threads_publish", Reply(200, fixture("thread_published.json"), delay=0.8)
    )
    listing = fixture("threads_2.json")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
    twin = {**listing["data"][0], "id": "18051234567891111", "text": "", "timestamp": now}
    listing["data"] = [{**listing["data"][0], "text": "", "timestamp": now}, twin]
    server.route("GET", f"{USER}/threads", Reply(200, listing))
    client = ThreadsPublisher(quick, endpoints={"api": server.base_url}, sleep=sleeps.append)
    video = MediaUpload("clip.mp4", "video/mp4", b"MP4", "", PUBLIC + "clip")
    with pytest.raises(OutcomeUnknown):
        client.publish(
            CREDS,
            Draft(text="", idempotency_key="k", media_ids=[client.upload_media(CREDS, video)]),
        )
    assert len(server.calls(f"{USER}/threads_publish")) == 1
    assert [r.method for r in server.calls(f"{USER}/threads")] == ["POST", "GET"]
