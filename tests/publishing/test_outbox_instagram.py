"""The outbox driving the real Instagram publisher against a local Graph server: the image goes out
once, fetched by Instagram from the product's public address (``/m/<token>``), and a container
still processing when an attempt runs out of time is taken up again by the next attempt."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from ambassade.connectors.http import HttpClient
from ambassade.connectors.instagram import InstagramPublisher
from ambassade.connectors.instagram import publish as instagram
from ambassade.publishing import services
from ambassade.publishing.models import Status, Variant
from ambassade.workspaces import services as workspace_services
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


class Instagram:
    """A Graph server for one business account: containers made from the image_url they are given,
    processed when ``processing`` says so, published at most once each."""

    def __init__(self, server: ReplayServer) -> None:
        self.containers: list[dict[str, str]] = []
        self.published: list[str] = []
        self.processing = False
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
        if CONTAINER_ID in self.published:
            code, words = "PUBLISHED", "Published: Media has been published."
        elif self.processing:
            code, words = "IN_PROGRESS", "In Progress: Media is still being processed."
        else:
            code, words = "FINISHED", "Finished: Media has been uploaded and it is ready."
        return Reply(200, {"status_code": code, "status": words, "id": CONTAINER_ID})

    def publish(self, request: Recorded) -> Reply:
        creation = parse_qs(request.body.decode())["creation_id"][0]
        assert creation == CONTAINER_ID and creation not in self.published
        self.published.append(creation)
        return Reply(200, {"id": MEDIA_ID})


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    replay = ReplayServer()
    yield replay
    replay.close()


@pytest.fixture(autouse=True)
def _fresh_worker() -> Iterator[None]:
    instagram.PENDING.clear()
    yield
    instagram.PENDING.clear()


def factory(sleep: Any = lambda seconds: None) -> Any:
    return lambda connection: InstagramPublisher(
        HttpClient(allow_private=True, timeout=2, sleep=lambda s: None), sleep=sleep
    )


def image_post(personas: Personas, server: ReplayServer) -> Variant:
    connection = workspace_services.connect_account(
        personas.workspace_a,
        network="instagram",
        account_name="cafe.lumiere",
        secret={"ig_user_id": IG, "access_token": "IGQWR-secret", "graph_url": server.base_url},
        actor=personas.alice,
    )
    post = services.create_post(
        personas.workspace_a, personas.bob, text=CAPTION, connections=[connection], scheduled_at=NOW
    )
    services.add_media(
        post,
        personas.bob,
        filename="tasse.jpg",
        content_type="image/jpeg",
        data=JPEG,
        alt_text="Une tasse fumante",
    )
    services.submit_post(post, personas.bob, now=NOW)
    return post.variants.get()


@override_settings(BASE_URL=BASE_URL)
def test_it_publishes_an_image_once_from_its_public_address(
    personas: Personas, server: ReplayServer, client: Any
) -> None:
    network = Instagram(server)
    variant = image_post(personas, server)
    assert services.publish_variant(variant.id, now=NOW, publisher_factory=factory()) == (
        "published"
    )
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
    assert services.publish_variant(variant.id, now=NOW, publisher_factory=factory()) == "skipped"
    assert len(server.calls(f"{USER}/media_publish")) == 1


@override_settings(BASE_URL=BASE_URL)
def test_it_takes_up_a_container_still_processing_when_the_attempt_ran_out_of_time(
    personas: Personas, server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A video can take Instagram minutes to process, longer than one attempt may last: the attempt
    gives up without publishing and the next one publishes the same container, never a second."""
    monkeypatch.setattr(services, "PUBLISH_DEADLINE", timedelta(seconds=1))
    network = Instagram(server)
    network.processing = True
    variant = image_post(personas, server)
    slow = factory(sleep=lambda seconds: time.sleep(0.3))
    assert services.publish_variant(variant.id, now=NOW, publisher_factory=slow) == "scheduled"
    variant.refresh_from_db()
    assert variant.status == Status.SCHEDULED and network.published == []
    assert len(network.containers) == 1
    network.processing = False
    later = variant.due_at
    assert later is not None and later > NOW
    assert services.publish_variant(variant.id, now=later, publisher_factory=slow) == "published"
    assert network.published == [CONTAINER_ID]
    assert len(network.containers) == 1  # the same container, not a new one
    assert len(server.calls(f"{USER}/media_publish")) == 1
    later += timedelta(minutes=10)
    assert services.publish_variant(variant.id, now=later, publisher_factory=slow) == "skipped"


@override_settings(BASE_URL="http://127.0.0.1:8000")
def test_it_refuses_an_instagram_image_while_the_server_has_no_public_address(
    personas: Personas, server: ReplayServer
) -> None:
    Instagram(server)
    with pytest.raises(services.ServiceError, match="set AMBASSADE_BASE_URL"):
        image_post(personas, server)
    assert server.requests == []
