"""Instagram business publishing against a local server answering in the Graph API's formats:
media containers, their status, media_publish and the publishing quota."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from ambassade.connectors import _graph
from ambassade.connectors.base import AuthExpired, ConnectorError, Container, Draft, MediaUpload
from ambassade.connectors.http import HttpClient, OutcomeUnknown, deadline
from ambassade.connectors.instagram import InstagramPublisher
from ambassade.connectors.instagram import publish as module
from ambassade.connectors.publishers import get_publisher
from tests.connectors.conftest import Recorded, ReplayServer, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "instagram"
IG = "17841405822304914"
USER = f"/v23.0/{IG}"
CONTAINER = "/v23.0/17889455560051444"
MEDIA = "/v23.0/17920238422030506"
TOKEN = "IGQWRPx-instagram-secret-token"
CREDS = {"ig_user_id": IG, "access_token": TOKEN}
PUBLIC = "https://ambassade.example.org/m/"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def form(request: Recorded) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}


def image(name: str = "tasse.jpg", alt: str = "Une tasse fumante") -> MediaUpload:
    return MediaUpload(name, "image/jpeg", b"\xff\xd8", alt, public_url=PUBLIC + name)


def video(name: str = "clip.mp4") -> MediaUpload:
    return MediaUpload(name, "video/mp4", b"MP4", "", public_url=PUBLIC + name)


def publisher(server: ReplayServer, http: HttpClient, sleeps: list[float]) -> InstagramPublisher:
    return InstagramPublisher(http, endpoints={"api": server.base_url}, sleep=sleeps.append)


def kept_by_outbox() -> tuple[dict[str, Container], dict[str, Any]]:
    """A store of the containers each publish reports, and the Draft arguments that hand them to
    the next attempt, as the outbox does with the variant."""
    kept: dict[str, Container] = {}
    return kept, {"containers": kept, "on_container": kept.__setitem__}


def ready(server: ReplayServer, *statuses: str) -> None:
    """Every container answers these statuses in turn (the last one repeating)."""
    server.route(
        "GET", f"{USER}/content_publishing_limit", Reply(200, fixture("publishing_limit.json"))
    )
    server.route("GET", CONTAINER, *[Reply(200, fixture(f"container_{s}.json")) for s in statuses])
    server.route("POST", f"{USER}/media", Reply(200, fixture("container_created.json")))
    server.route("POST", f"{USER}/media_publish", Reply(200, fixture("media_published.json")))
    server.route("GET", MEDIA, Reply(200, fixture("permalink.json")))


@pytest.fixture
def quick() -> Iterator[HttpClient]:
    client = HttpClient(allow_private=True, timeout=0.3, sleep=lambda s: None)
    yield client
    client.close()


def test_it_is_registered() -> None:
    assert get_publisher("instagram") is InstagramPublisher
    assert InstagramPublisher.idempotent is False


def test_it_publishes_an_image_in_two_steps_once_the_container_is_ready(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "in_progress", "in_progress", "finished")
    client = publisher(server, http, sleeps)
    handle = client.upload_media(CREDS, image())
    assert server.requests == []  # Instagram fetches the file: nothing is uploaded
    published = client.publish(
        CREDS, Draft(text="Nouvelle carte #cafe", idempotency_key="k", media_ids=[handle])
    )
    assert published.external_id == "17920238422030506"
    assert published.url == "https://www.instagram.com/p/DGkRqL5Ms2x/"
    assert form(server.calls(f"{USER}/media")[0]) == {
        "image_url": PUBLIC + "tasse.jpg",
        "alt_text": "Une tasse fumante",
        "caption": "Nouvelle carte #cafe",
        "access_token": TOKEN,
    }
    assert server.calls(CONTAINER)[0].param("fields") == "status_code,status"
    assert len(server.calls(CONTAINER)) == 3 and sleeps == [1.0, 2.0]
    assert form(server.calls(f"{USER}/media_publish")[0]) == {
        "creation_id": "17889455560051444",
        "access_token": TOKEN,
    }
    assert client.containers == ["17889455560051444"]


def test_it_publishes_a_video_as_a_reel(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    client = publisher(server, http, sleeps)
    client.publish(
        CREDS,
        Draft(
            text="En vidéo", idempotency_key="k", media_ids=[client.upload_media(CREDS, video())]
        ),
    )
    sent = form(server.calls(f"{USER}/media")[0])
    assert sent["media_type"] == "REELS" and sent["video_url"] == PUBLIC + "clip.mp4"


def test_it_publishes_a_carousel_of_children_containers(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    ids = iter(["1801", "1802", "1803", "17889455560051444"])
    server.route("POST", f"{USER}/media", lambda request: Reply(200, {"id": next(ids)}))
    for child in ("1801", "1802", "1803"):
        server.route("GET", f"/v23.0/{child}", Reply(200, fixture("container_finished.json")))
    client = publisher(server, http, sleeps)
    handles = [client.upload_media(CREDS, m) for m in (image("a.jpg"), image("b.jpg", ""), video())]
    client.publish(CREDS, Draft(text="Trois", idempotency_key="k", media_ids=handles))
    created = [form(r) for r in server.calls(f"{USER}/media")]
    assert [c.get("is_carousel_item") for c in created[:3]] == ["true"] * 3
    assert "caption" not in created[0]
    assert created[2]["media_type"] == "VIDEO"
    assert created[3]["media_type"] == "CAROUSEL"
    assert created[3]["children"] == "1801,1802,1803"
    assert created[3]["caption"] == "Trois"
    assert [len(server.calls(f"/v23.0/{c}")) for c in ("1801", "1802", "1803")] == [1, 1, 1]
    assert form(server.calls(f"{USER}/media_publish")[0])["creation_id"] == "17889455560051444"


def test_it_refuses_a_text_alone_in_plain_words(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    with pytest.raises(ConnectorError) as caught:
        publisher(server, http, sleeps).publish(CREDS, Draft(text="Bonjour", idempotency_key="k"))
    assert caught.value.permanent
    assert caught.value.message == (
        "Instagram needs an image or a video: a text alone cannot be published there."
    )
    assert server.requests == []


@pytest.mark.parametrize(
    ("public_url", "words"),
    [
        ("", "Ambassade gave none for tasse.jpg"),
        ("http://127.0.0.1:8000/m/abc", "not reachable from the internet"),
        ("http://localhost:8000/m/abc", "not reachable from the internet"),
        ("http://192.168.1.20/m/abc", "not reachable from the internet"),
    ],
)
def test_it_needs_a_public_address_for_each_medium(public_url: str, words: str) -> None:
    media = MediaUpload("tasse.jpg", "image/jpeg", b"\xff\xd8", public_url=public_url)
    with pytest.raises(ConnectorError, match=words) as caught:
        InstagramPublisher().upload_media(CREDS, media)
    assert caught.value.permanent
    assert ("AMBASSADE_BASE_URL" in caught.value.message) is bool(public_url)


def test_it_explains_a_container_error_without_publishing(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "error")
    client = publisher(server, http, sleeps)
    with pytest.raises(ConnectorError) as caught:
        client.publish(
            CREDS,
            Draft(text="x", idempotency_key="k", media_ids=[client.upload_media(CREDS, image())]),
        )
    assert caught.value.permanent
    assert "could not fetch the media from Ambassade's address" in caught.value.message
    assert server.calls(f"{USER}/media_publish") == []


def test_it_prepares_again_after_an_expired_container(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "expired")
    client = publisher(server, http, sleeps)
    with pytest.raises(ConnectorError) as caught:
        client.publish(
            CREDS,
            Draft(text="x", idempotency_key="k", media_ids=[client.upload_media(CREDS, image())]),
        )
    assert caught.value.permanent is False and caught.value.retry_after is None
    assert "expire" in caught.value.message
    assert server.calls(f"{USER}/media_publish") == []


def test_it_waits_a_bounded_time_for_a_slow_container(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "in_progress")
    client = publisher(server, http, sleeps)
    with pytest.raises(ConnectorError, match="still processing") as caught:
        client.publish(
            CREDS,
            Draft(text="x", idempotency_key="k", media_ids=[client.upload_media(CREDS, image())]),
        )
    assert caught.value.permanent is False
    assert sum(sleeps) <= InstagramPublisher.max_wait + 10
    assert sum(sleeps) >= InstagramPublisher.max_wait
    assert server.calls(f"{USER}/media_publish") == []


def test_it_treats_a_used_up_quota_as_a_rate_limit(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    server.route(
        "GET", f"{USER}/content_publishing_limit", Reply(200, fixture("publishing_limit_used.json"))
    )
    client = publisher(server, http, sleeps)
    with pytest.raises(ConnectorError) as caught:
        client.publish(
            CREDS,
            Draft(text="x", idempotency_key="k", media_ids=[client.upload_media(CREDS, image())]),
        )
    assert caught.value.permanent is False
    assert caught.value.retry_after == module.QUOTA_WAIT
    assert "100 posts in 24 hours" in caught.value.message
    assert server.calls(f"{USER}/media") == []
    assert server.calls(f"{USER}/content_publishing_limit")[0].param("fields") == (
        "quota_usage,config"
    )


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected", "permanent", "wait", "words"),
    [
        (
            400,
            {
                "error": {
                    "message": "Error validating access token: Session has expired.",
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 463,
                    "fbtrace_id": "AzW1",
                }
            },
            {},
            AuthExpired,
            True,
            None,
            "it has expired",
        ),
        (
            400,
            "error_publish_limit.json",
            {},
            ConnectorError,
            False,
            module.QUOTA_WAIT,
            "limit of posts in 24 hours",
        ),
        (
            400,
            {
                "error": {
                    "message": "(#4) Application request limit reached",
                    "type": "OAuthException",
                    "is_transient": True,
                    "code": 4,
                    "fbtrace_id": "AzW2",
                }
            },
            {
                "X-Business-Use-Case-Usage": json.dumps(
                    {
                        IG: [
                            {
                                "type": "instagram",
                                "call_count": 100,
                                "total_cputime": 1,
                                "total_time": 1,
                                "estimated_time_to_regain_access": 5,
                            }
                        ]
                    }
                )
            },
            ConnectorError,
            False,
            300.0,
            "limits how often",
        ),
        (502, "Bad Gateway", {}, OutcomeUnknown, False, None, "Instagram failed (502)"),
    ],
)
def test_it_explains_errors_of_the_publishing_call(
    server: ReplayServer,
    http: HttpClient,
    sleeps: list[float],
    status: int,
    body: Any,
    headers: dict[str, str],
    expected: type,
    permanent: bool,
    wait: float | None,
    words: str,
) -> None:
    ready(server, "finished")
    if isinstance(body, str) and body.endswith(".json"):
        body = fixture(body)
    server.route("POST", f"{USER}/media_publish", Reply(status, body, headers))
    client = publisher(server, http, sleeps)
    with pytest.raises(expected) as caught:
        client.publish(
            CREDS,
            Draft(text="x", idempotency_key="k", media_ids=[client.upload_media(CREDS, image())]),
        )
    assert type(caught.value) is expected
    assert caught.value.permanent is permanent
    assert caught.value.retry_after == wait
    assert words in caught.value.message
    assert TOKEN not in str(caught.value)
    assert len(server.calls(f"{USER}/media_publish")) == 1


def test_it_does_not_know_after_a_timeout_of_the_publishing_call(
    server: ReplayServer, quick: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    server.route(
        "POST", f"{USER}/media_publish", Reply(200, fixture("media_published.json"), delay=0.8)
    )
    client = InstagramPublisher(quick, endpoints={"api": server.base_url}, sleep=sleeps.append)
    with pytest.raises(OutcomeUnknown):
        client.publish(
            CREDS,
            Draft(text="x", idempotency_key="k", media_ids=[client.upload_media(CREDS, image())]),
        )
    assert len(server.calls(f"{USER}/media_publish")) == 1
    assert client.containers == ["17889455560051444"]


def test_it_retries_a_container_whose_creation_timed_out(
    server: ReplayServer, quick: HttpClient, sleeps: list[float]
) -> None:
    # Before media_publish nothing is public: a lost answer there is simply asked again.
    ready(server, "finished")
    server.route(
        "POST",
        f"{USER}/media",
        Reply(200, fixture("container_created.json"), delay=0.8),
        Reply(200, fixture("container_created.json")),
    )
    client = InstagramPublisher(quick, endpoints={"api": server.base_url}, sleep=sleeps.append)
    published = client.publish(
        CREDS, Draft(text="x", idempotency_key="k", media_ids=[client.upload_media(CREDS, image())])
    )
    assert published.external_id == "17920238422030506"
    assert len(server.calls(f"{USER}/media")) == 2
    assert len(server.calls(f"{USER}/media_publish")) == 1


def test_it_reads_a_post_back_with_likes_and_comments(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    server.route("GET", MEDIA, Reply(200, fixture("media_with_metrics.json")))
    item = publisher(server, http, sleeps).read_back(CREDS, "17920238422030506")
    assert item is not None
    assert item.metrics == {"likes": 128, "comments": 9}
    assert item.text == "Nouvelle carte d'automne #cafe"
    assert item.url == "https://www.instagram.com/p/DGkRqL5Ms2x/"
    assert "like_count" in (server.calls(MEDIA)[0].param("fields") or "")


def test_it_reads_every_page_of_recent_posts(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    server.route(
        "GET",
        f"{USER}/media",
        Reply(200, fixture("media_1.json")),
        Reply(200, fixture("media_2.json")),
    )
    items = publisher(server, http, sleeps).recent_posts(
        CREDS, datetime(2026, 3, 2, 8, 55, tzinfo=UTC)
    )
    assert [item.external_id for item in items] == ["17920238422039999", "17920238422030506"]
    calls = server.calls(f"{USER}/media")
    assert len(calls) == 2
    assert calls[1].param("after") == "QVFIUjZAtYXh3"
    assert {c.param("access_token") for c in calls} == {TOKEN}


def test_it_finds_its_post_when_the_container_says_it_was_published(
    server: ReplayServer, quick: HttpClient, sleeps: list[float]
) -> None:
    # The answer to media_publish is lost; the container, published at most once, tells.
    ready(server, "finished", "published")
    server.route(
        "POST", f"{USER}/media_publish", Reply(200, fixture("media_published.json"), delay=0.8)
    )
    now = datetime.now(UTC)
    page = fixture("media_2.json")
    page["data"][0]["timestamp"] = now.strftime("%Y-%m-%dT%H:%M:%S+0000")
    page["data"][1]["timestamp"] = (now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    server.route("GET", f"{USER}/media", Reply(200, page))
    client = InstagramPublisher(quick, endpoints={"api": server.base_url}, sleep=sleeps.append)
    published = client.publish(
        CREDS,
        Draft(
            text="Nouvelle carte d'automne #cafe",
            idempotency_key="k",
            media_ids=[client.upload_media(CREDS, image())],
        ),
    )
    assert published.external_id == "17920238422030506"
    assert published.url == "https://www.instagram.com/p/DGkRqL5Ms2x/"
    assert len(server.calls(f"{USER}/media_publish")) == 1
    assert server.calls(CONTAINER)[-1].param("fields") == "status_code"
    # That container is spent: the same text and image later make a new post (a deliberate
    # repeat), not a pointer to this one.
    server.route("GET", CONTAINER, Reply(200, fixture("container_finished.json")))
    server.route("POST", f"{USER}/media_publish", Reply(200, fixture("media_published.json")))
    client.publish(
        CREDS,
        Draft(
            text="Nouvelle carte d'automne #cafe",
            idempotency_key="k2",
            media_ids=[client.upload_media(CREDS, image())],
        ),
    )
    assert [r.method for r in server.calls(f"{USER}/media")].count("POST") == 2
    assert len(server.calls(f"{USER}/media_publish")) == 2


def test_it_stops_waiting_when_the_attempt_runs_out_of_time(
    server: ReplayServer, http: HttpClient
) -> None:
    # The outbox bounds every attempt; a container still processing then is left for a later one.
    ready(server, "in_progress")
    client = InstagramPublisher(http, endpoints={"api": server.base_url}, sleep=time.sleep)
    media = [client.upload_media(CREDS, image())]
    with deadline(0.5), pytest.raises(ConnectorError) as caught:
        client.publish(CREDS, Draft(text="x", idempotency_key="k", media_ids=media))
    assert type(caught.value) is ConnectorError and caught.value.permanent is False
    assert "still processing the media when this attempt ran out of time" in caught.value.message
    assert server.calls(f"{USER}/media_publish") == []


def test_it_takes_up_the_container_an_earlier_attempt_left_processing(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "in_progress")
    kept, outbox = kept_by_outbox()
    first = InstagramPublisher(http, endpoints={"api": server.base_url}, sleep=time.sleep)
    media = [first.upload_media(CREDS, video())]
    with deadline(0.5), pytest.raises(ConnectorError, match="ran out of time"):
        first.publish(
            CREDS, Draft(text="En vidéo", idempotency_key="k1", media_ids=media, **outbox)
        )
    # Reported as soon as it was made, before any publishing call.
    assert [c.id for c in kept.values()] == ["17889455560051444"]
    assert all(c.publishes for c in kept.values())
    # The next attempt (a new publisher, as the outbox makes one per attempt) finds it ready.
    server.route("GET", CONTAINER, Reply(200, fixture("container_finished.json")))
    published = publisher(server, http, sleeps).publish(
        CREDS, Draft(text="En vidéo", idempotency_key="k2", media_ids=media, **outbox)
    )
    assert published.external_id == "17920238422030506"
    assert len(server.calls(f"{USER}/media")) == 1  # one container for both attempts
    assert form(server.calls(f"{USER}/media_publish")[0])["creation_id"] == "17889455560051444"
    # Another post with the same text and video (a deliberate repeat) has containers of its own.
    publisher(server, http, sleeps).publish(
        CREDS, Draft(text="En vidéo", idempotency_key="k3", media_ids=media)
    )
    assert len(server.calls(f"{USER}/media")) == 2


def test_it_makes_a_new_container_when_the_kept_one_expired(
    server: ReplayServer, http: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    # An earlier attempt made a container a day ago, and Instagram let it expire unpublished.
    server.route("GET", "/v23.0/17889455560099999", Reply(200, fixture("container_expired.json")))
    client = publisher(server, http, sleeps)
    media = [client.upload_media(CREDS, image())]
    shown = {"image_url": PUBLIC + "tasse.jpg", "alt_text": "Une tasse fumante", "caption": "x"}
    key = _graph.container_key(IG, shown)
    earlier = Container("17889455560099999", datetime.now(UTC) - timedelta(hours=25))
    kept = {key: earlier}
    published = client.publish(
        CREDS,
        Draft(
            text="x",
            idempotency_key="k",
            media_ids=media,
            containers=kept,
            on_container=kept.__setitem__,
        ),
    )
    assert published.external_id == "17920238422030506"
    assert len(server.calls("/v23.0/17889455560099999")) == 1  # read once, never published
    assert len(server.calls(f"{USER}/media")) == 1
    assert form(server.calls(f"{USER}/media_publish")[0])["creation_id"] == "17889455560051444"
    assert kept[key].id == "17889455560051444" and kept[key].created_at > earlier.created_at


def test_it_finds_the_post_an_earlier_attempt_published(
    server: ReplayServer, quick: HttpClient, sleeps: list[float]
) -> None:
    ready(server, "finished")
    server.route(
        "POST", f"{USER}/media_publish", Reply(200, fixture("media_published.json"), delay=0.8)
    )
    client = InstagramPublisher(quick, endpoints={"api": server.base_url}, sleep=sleeps.append)
    media = [client.upload_media(CREDS, image())]
    _kept, outbox = kept_by_outbox()
    draft = Draft(
        text="Nouvelle carte d'automne #cafe", idempotency_key="k", media_ids=media, **outbox
    )
    with pytest.raises(OutcomeUnknown):
        client.publish(CREDS, draft)  # the container still said FINISHED just after
    server.route("GET", CONTAINER, Reply(200, fixture("container_published.json")))
    page = fixture("media_2.json")
    page["data"][0]["timestamp"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
    server.route("GET", f"{USER}/media", Reply(200, page))
    again = InstagramPublisher(quick, endpoints={"api": server.base_url}, sleep=sleeps.append)
    published = again.publish(CREDS, draft)
    assert published.external_id == "17920238422030506"
    assert len(server.calls(f"{USER}/media_publish")) == 1
    assert [r.method for r in server.calls(f"{USER}/media")] == ["POST", "GET"]


def test_it_makes_no_new_container_while_the_kept_ones_state_cannot_be_read(
    server: ReplayServer, quick: HttpClient, sleeps: list[float]
) -> None:
    # The answer to media_publish was lost and the container could not be asked then; the next
    # attempt cannot read it either (Graph failing): a new container could publish the post twice.
    ready(server, "finished")
    server.route(
        "POST", f"{USER}/media_publish", Reply(200, fixture("media_published.json"), delay=0.8)
    )
    client = InstagramPublisher(quick, endpoints={"api": server.base_url}, sleep=sleeps.append)
    media = [client.upload_media(CREDS, image())]
    _kept, outbox = kept_by_outbox()
    draft = Draft(
        text="Nouvelle carte d'automne #cafe", idempotency_key="k", media_ids=media, **outbox
    )
    with pytest.raises(OutcomeUnknown):
        client.publish(CREDS, draft)
    unexpected = {
        "message": "An unexpected error has occurred. Please retry your request later.",
        "type": "OAuthException",
        "is_transient": True,
        "code": 2,
        "fbtrace_id": "AqT0s8nBv3H6dZrW1e_XyQm",
    }
    failing = Reply(500, {"error": unexpected})
    server.route(
        "GET", CONTAINER, failing, failing, failing, Reply(200, fixture("container_published.json"))
    )
    server.route("POST", f"{USER}/media_publish", Reply(200, fixture("media_published.json")))
    again = InstagramPublisher(quick, endpoints={"api": server.base_url}, sleep=sleeps.append)
    with pytest.raises(ConnectorError) as caught:
        again.publish(CREDS, draft)
    assert caught.value.permanent is False
    assert [r.method for r in server.calls(f"{USER}/media")] == ["POST"]
    assert len(server.calls(f"{USER}/media_publish")) == 1
    # Once Graph answers, the kept container tells: published, and the post is found.
    page = fixture("media_2.json")
    page["data"][0]["timestamp"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
    server.route("GET", f"{USER}/media", Reply(200, page))
    published = again.publish(CREDS, draft)
    assert published.external_id == "17920238422030506"
    assert len(server.calls(f"{USER}/media_publish")) == 1
