"""The outbox driving the real Instagram publisher against a local Graph server: the image goes out
once, fetched by Instagram from the product's public address (``/m/<token>``); a container still
processing when an attempt runs out of time, or when its worker is killed, is stored with the
variant and taken up by the next attempt in any worker; and a lost ``media_publish`` of a post
without a caption is settled from the container's status."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from ambassade.connectors import _graph
from ambassade.connectors.http import HttpClient
from ambassade.connectors.instagram import InstagramPublisher
from ambassade.publishing import approvals, authoring, public_media
from ambassade.publishing.models import Status, Variant
from ambassade.publishing.outbox import engine as outbox_engine
from ambassade.publishing.outbox import posts as outbox
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.services import ServiceError
from tests.conftest import Personas
from tests.connectors.conftest import Recorded, ReplayServer, Reply
from tests.publishing.conftest import NOW

pytestmark = pytest.mark.django_db

IG = "17841405822304914"
USER = f"/v23.0/{IG}"
CONTAINER_ID = "17889455560051444"
MEDIA_ID = "17920238422030506"
BASE_URL = "https://ambassade.example.org"
CAPTION = "Nouvelle carte d'automne au Café Lumière ☕"
#: The start and end markers of a JPEG file (Instagram takes JPEG only; this fake never decodes it).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


class Killed(BaseException):
    """SIGKILL: nothing of the worker runs after it (not even an ``except Exception``)."""


class Instagram:
    """A Graph server for one business account: containers made from the image_url they are given,
    processed when ``processing`` says so, published at most once each. ``lose``: the answer of
    the next ``media_publish`` is a 500 (Graph's code 2), after (``"after"``) or before
    (``"before"``) the post is made; ``lagging``: a published container still says ``FINISHED``."""

    def __init__(self, server: ReplayServer) -> None:
        self.containers: list[dict[str, str]] = []
        self.published: list[str] = []
        self.processing = False
        self.lose = ""
        self.lagging = False
        #: The account's posts, newest first, as ``GET /{ig_user_id}/media`` lists them.
        self.media: list[dict[str, Any]] = []
        server.route("GET", f"{USER}/media", self.listing)
        server.route(
            "GET",
            f"{USER}/content_publishing_limit",
            Reply(200, {"data": [{"quota_usage": 2, "config": {"quota_total": 100}}]}),
        )
        server.route("POST", f"{USER}/media", self.create)
        server.route("GET", f"/v23.0/{CONTAINER_ID}", self.status)
        server.route("POST", f"{USER}/media_publish", self.publish)
        server.route(
            "GET",
            f"/v23.0/{MEDIA_ID}",
            Reply(200, {"permalink": "https://www.instagram.com/p/DGkRqL5Ms2x/", "id": MEDIA_ID}),
        )

    def create(self, request: Recorded) -> Reply:
        self.containers.append({k: v[0] for k, v in parse_qs(request.body.decode()).items()})
        return Reply(200, {"id": CONTAINER_ID})

    def status(self, request: Recorded) -> Reply:
        if CONTAINER_ID in self.published and not self.lagging:
            code, words = "PUBLISHED", "Published: Media has been published."
        elif self.processing:
            code, words = "IN_PROGRESS", "In Progress: Media is still being processed."
        else:
            code, words = "FINISHED", "Finished: Media has been uploaded and it is ready."
        return Reply(200, {"status_code": code, "status": words, "id": CONTAINER_ID})

    def publish(self, request: Recorded) -> Reply:
        creation = parse_qs(request.body.decode())["creation_id"][0]
        assert creation == CONTAINER_ID and creation not in self.published
        lose, self.lose = self.lose, ""
        unexpected = Reply(
            500,
            {
                "error": {
                    "message": "An unexpected error has occurred. Please retry your request later.",
                    "type": "OAuthException",
                    "is_transient": True,
                    "code": 2,
                    "fbtrace_id": "AqT0s8nBv3H6dZrW1e_XyQm",
                }
            },
        )
        if lose == "before":
            return unexpected
        self.published.append(creation)
        caption = self.containers[-1].get("caption", "")
        post = {
            "id": MEDIA_ID,
            "media_type": "IMAGE",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
            "permalink": "https://www.instagram.com/p/DGkRqL5Ms2x/",
        }
        if caption:
            post["caption"] = caption
        self.media.insert(0, post)
        return unexpected if lose == "after" else Reply(200, {"id": MEDIA_ID})

    def listing(self, request: Recorded) -> Reply:
        return Reply(
            200, {"data": self.media, "paging": {"cursors": {"before": "b", "after": "a"}}}
        )


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    replay = ReplayServer()
    yield replay
    replay.close()


def factory(sleep: Any = lambda seconds: None) -> Any:
    return lambda connection: InstagramPublisher(
        HttpClient(allow_private=True, timeout=2, sleep=lambda s: None), sleep=sleep
    )


def image_post(personas: Personas, server: ReplayServer, caption: str = CAPTION) -> Variant:
    connection = workspace_services.connect_account(
        personas.workspace_a,
        network="instagram",
        account_name="cafe.lumiere",
        secret={"ig_user_id": IG, "access_token": "IGQWR-secret", "graph_url": server.base_url},
        actor=personas.alice,
    )
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text=caption, connections=[connection], scheduled_at=NOW
    )
    authoring.add_media(
        post,
        personas.bob,
        filename="tasse.jpg",
        content_type="image/jpeg",
        data=JPEG,
        alt_text="Une tasse fumante",
    )
    approvals.submit_post(post, personas.bob, now=NOW)
    return post.variants.get()


@override_settings(BASE_URL=BASE_URL)
def test_it_publishes_an_image_once_from_its_public_address(
    personas: Personas, server: ReplayServer, client: Any
) -> None:
    network = Instagram(server)
    variant = image_post(personas, server)
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=factory()) == ("published")
    variant.refresh_from_db()
    assert variant.status == Status.PUBLISHED and variant.remote_id == MEDIA_ID
    assert variant.remote_url == "https://www.instagram.com/p/DGkRqL5Ms2x/"
    assert network.published == [CONTAINER_ID] and len(network.containers) == 1
    sent = network.containers[0]
    assert sent["caption"] == CAPTION and sent["alt_text"] == "Une tasse fumante"
    # Instagram fetches the image at the address it was given: the product's own, serving the file.
    address = urlsplit(sent["image_url"])
    assert f"{address.scheme}://{address.netloc}" == BASE_URL
    assert address.path.startswith("/m/")
    fetched = client.get(address.path)
    assert fetched.status_code == 200 and fetched.content == JPEG
    # Nothing more goes out on the next runs.
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=factory()) == "skipped"
    assert len(server.calls(f"{USER}/media_publish")) == 1


@override_settings(BASE_URL=BASE_URL)
def test_it_takes_up_a_container_still_processing_when_the_attempt_ran_out_of_time(
    personas: Personas, server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A video can take Instagram minutes to process, longer than one attempt may last: the attempt
    gives up without publishing and the next one publishes the same container, never a second."""
    monkeypatch.setattr(outbox_engine, "PUBLISH_DEADLINE", timedelta(seconds=1))
    network = Instagram(server)
    network.processing = True
    variant = image_post(personas, server)
    slow = factory(sleep=lambda seconds: time.sleep(0.3))
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=slow) == "scheduled"
    variant.refresh_from_db()
    assert variant.status == Status.SCHEDULED and network.published == []
    assert len(network.containers) == 1
    network.processing = False
    later = variant.due_at
    assert later is not None and later > NOW
    assert outbox.publish_variant(variant.id, now=later, publisher_factory=slow) == "published"
    assert network.published == [CONTAINER_ID]
    assert len(network.containers) == 1  # the same container, not a new one
    assert len(server.calls(f"{USER}/media_publish")) == 1
    later += timedelta(minutes=10)
    assert outbox.publish_variant(variant.id, now=later, publisher_factory=slow) == "skipped"


@override_settings(BASE_URL="http://127.0.0.1:8000")
def test_it_refuses_an_instagram_image_while_the_server_has_no_public_address(
    personas: Personas, server: ReplayServer
) -> None:
    Instagram(server)
    with pytest.raises(ServiceError, match="set AMBASSADE_BASE_URL"):
        image_post(personas, server)
    assert server.requests == []


@override_settings(BASE_URL=BASE_URL)
def test_it_reuses_in_another_worker_the_container_a_killed_worker_made(
    personas: Personas, server: ReplayServer
) -> None:
    """Worker 1 makes the container and is killed while Instagram processes it; worker 2 (its own
    process: nothing shared but the database) settles the attempt and publishes that container."""
    network = Instagram(server)
    network.processing = True
    variant = image_post(personas, server)

    def killed(seconds: float) -> None:
        raise Killed

    with pytest.raises(Killed):
        outbox.publish_variant(variant.id, now=NOW, publisher_factory=factory(sleep=killed))
    variant.refresh_from_db()
    assert variant.status == Status.PUBLISHING and len(network.containers) == 1
    # Stored before the worker died, as soon as Instagram made it.
    assert [c["id"] for c in variant.containers.values()] == [CONTAINER_ID]
    # Worker 2: the dead claim is swept, then reconciled from the container (still processing,
    # so not published), then published once Instagram is done, from the same container.
    later = NOW + outbox_engine.DEAD_AFTER + timedelta(seconds=5)
    assert outbox.expire_stuck(later) == 1
    later = (
        NOW + outbox_engine.PUBLISH_DEADLINE + outbox_engine.RECONCILE_DELAY + timedelta(seconds=1)
    )
    assert outbox.reconcile_variant(variant.id, now=later, publisher_factory=factory()) == (
        "scheduled"
    )
    assert [r for r in server.calls(f"{USER}/media") if r.method == "GET"] == []  # not read
    network.processing = False
    assert outbox.publish_variant(variant.id, now=later, publisher_factory=factory()) == (
        "published"
    )
    variant.refresh_from_db()
    assert variant.status == Status.PUBLISHED and variant.remote_id == MEDIA_ID
    assert len(network.containers) == 1  # no second container
    assert network.published == [CONTAINER_ID]
    assert len(server.calls(f"{USER}/media_publish")) == 1


@override_settings(BASE_URL=BASE_URL)
def test_it_settles_a_lost_publish_of_a_post_without_caption_from_its_container(
    personas: Personas, server: ReplayServer
) -> None:
    """The answer to media_publish is lost and the container still said FINISHED just after, so
    the attempt's outcome is unknown; the post has no words to find it by, and the container's
    status settles it without asking a person."""
    network = Instagram(server)
    # Older posts without a caption, which must not be taken for this one.
    network.media = [
        {
            "id": "17920238422011111",
            "media_type": "IMAGE",
            "timestamp": (datetime.now(UTC) - timedelta(hours=3)).strftime(
                "%Y-%m-%dT%H:%M:%S+0000"
            ),
            "permalink": "https://www.instagram.com/p/DGaaaaaaaaa/",
        }
    ]
    network.lose, network.lagging = "after", True
    variant = image_post(personas, server, caption="")
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=factory()) == (
        Status.UNKNOWN
    )
    assert network.published == [CONTAINER_ID]
    network.lagging = False
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(variant.id, now=later, publisher_factory=factory()) == (
        "published"
    )
    variant.refresh_from_db()
    assert variant.status == Status.PUBLISHED and variant.error == ""
    assert variant.remote_id == MEDIA_ID
    assert variant.remote_url == "https://www.instagram.com/p/DGkRqL5Ms2x/"
    assert len(server.calls(f"{USER}/media_publish")) == 1
    check = variant.attempts_log.get(is_check=True)
    assert check.outcome == "found"
    assert outbox.publish_variant(variant.id, now=later, publisher_factory=factory()) == "skipped"


@override_settings(BASE_URL=BASE_URL)
def test_it_publishes_the_same_container_once_when_the_lost_call_published_nothing(
    personas: Personas, server: ReplayServer
) -> None:
    """A 500 of media_publish before anything was made: the container says FINISHED, not
    published, so the outbox publishes that very container again, once, without a person."""
    network = Instagram(server)
    network.lose = "before"
    variant = image_post(personas, server, caption="")
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=factory()) == (
        Status.UNKNOWN
    )
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(variant.id, now=later, publisher_factory=factory()) == (
        "scheduled"
    )
    assert [r for r in server.calls(f"{USER}/media") if r.method == "GET"] == []
    assert outbox.publish_variant(variant.id, now=later, publisher_factory=factory()) == (
        "published"
    )
    variant.refresh_from_db()
    assert variant.remote_id == MEDIA_ID and network.published == [CONTAINER_ID]
    assert len(network.containers) == 1
    assert len(server.calls(f"{USER}/media_publish")) == 2


@override_settings(BASE_URL=BASE_URL)
def test_it_makes_a_new_container_when_the_stored_one_expired(
    personas: Personas, server: ReplayServer
) -> None:
    network = Instagram(server)
    variant = image_post(personas, server)
    # An attempt made a container for this variant yesterday; Instagram let it expire.
    expired = "17889455560099999"
    server.route(
        "GET",
        f"/v23.0/{expired}",
        Reply(200, {"status_code": "EXPIRED", "status": "Expired", "id": expired}),
    )
    shown = {
        "image_url": public_media.public_url(variant.post.media.get()),
        "alt_text": "Une tasse fumante",
        "caption": CAPTION,
    }
    key = _graph.container_key(IG, shown)
    Variant.objects.filter(id=variant.id).update(
        containers={
            key: {
                "id": expired,
                "created_at": (datetime.now(UTC) - timedelta(hours=25)).isoformat(),
                "publishes": True,
            }
        }
    )
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=factory()) == ("published")
    variant.refresh_from_db()
    assert len(server.calls(f"/v23.0/{expired}")) == 1
    assert network.published == [CONTAINER_ID] and len(network.containers) == 1
    assert variant.containers[key]["id"] == CONTAINER_ID


def _recent(media_id: str, minutes_ago: float) -> dict[str, Any]:
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return {
        "id": media_id,
        "media_type": "IMAGE",
        "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "permalink": f"https://www.instagram.com/p/{media_id[-6:]}/",
    }


@override_settings(BASE_URL=BASE_URL)
@pytest.mark.parametrize("other_is_known", [True, False])
def test_it_never_takes_another_posts_media_for_a_post_without_caption(
    personas: Personas, server: ReplayServer, other_is_known: bool
) -> None:
    """Another post without a caption went out on the account a minute before: when it is known
    as another variant's, the post is the remaining one; when it is not, the variant is
    published without an address rather than pointing at a post that may not be its own."""
    network = Instagram(server)
    network.media = [_recent("17920238422022222", 1)]
    first = image_post(personas, server, caption="")
    if other_is_known:
        Variant.objects.filter(id=first.id).update(
            status=Status.PUBLISHED, remote_id="17920238422022222"
        )
    else:
        Variant.objects.filter(id=first.id).update(status=Status.DRAFT)
    second = authoring.create_post(
        personas.workspace_a,
        personas.bob,
        text="",
        connections=[first.connection],
        scheduled_at=NOW,
    )
    authoring.add_media(
        second,
        personas.bob,
        filename="tasse.jpg",
        content_type="image/jpeg",
        data=JPEG,
        alt_text="Une tasse fumante",
    )
    approvals.submit_post(second, personas.bob, now=NOW)
    variant = second.variants.get()
    network.lose, network.lagging = "after", True
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=factory()) == (
        Status.UNKNOWN
    )
    network.lagging = False
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(variant.id, now=later, publisher_factory=factory()) == (
        "published"
    )
    variant.refresh_from_db()
    assert variant.status == Status.PUBLISHED
    assert len(server.calls(f"{USER}/media_publish")) == 1
    check = variant.attempts_log.get(is_check=True)
    if other_is_known:
        assert variant.remote_id == MEDIA_ID
    else:
        assert variant.remote_id == "" and variant.remote_url == ""
        assert "cannot be told apart" in check.message
