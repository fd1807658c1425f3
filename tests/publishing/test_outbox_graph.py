"""The outbox driving the real Facebook publisher against a local Graph server. Facebook takes no
idempotency key: after a lost answer the outbox reads the page's posts before anything else, and
the page ends with exactly one post whether or not the lost call had created it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest

from ambassade.connectors.facebook import FacebookPublisher
from ambassade.connectors.http import HttpClient
from ambassade.publishing import approvals, authoring
from ambassade.publishing.models import Status, Variant
from ambassade.publishing.outbox import posts as outbox
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.models import Connection
from tests.conftest import Personas
from tests.connectors.conftest import Recorded, ReplayServer, Reply
from tests.publishing.conftest import NOW

pytestmark = pytest.mark.django_db

PAGE = "108824017345866"
FEED = f"/v23.0/{PAGE}/feed"
LISTING = f"/v23.0/{PAGE}/published_posts"


class Page:
    """A page's feed as Graph keeps it: every post it took, newest first."""

    def __init__(self, server: ReplayServer, *, lose: str) -> None:
        self.posts: list[dict[str, Any]] = []
        self.lose = lose  # "answer": the post is made, the answer comes too late; "post": 504
        server.route("POST", FEED, self.feed)
        server.route("GET", LISTING, self.listing)

    def feed(self, request: Recorded) -> Reply:
        if self.lose == "post":
            self.lose = ""
            return Reply(504, "<html>Gateway Time-out</html>", {"Content-Type": "text/html"})
        message = parse_qs(request.body.decode())["message"][0]
        post = {
            "id": f"{PAGE}_1221456789012{len(self.posts):05d}",
            "message": message,
            "created_time": (NOW + timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        }
        self.posts.insert(0, post)
        if self.lose == "answer":
            self.lose = ""
            return Reply(200, {"id": post["id"]}, delay=0.8)
        return Reply(200, {"id": post["id"]})

    def listing(self, request: Recorded) -> Reply:
        return Reply(
            200, {"data": self.posts, "paging": {"cursors": {"before": "b", "after": "a"}}}
        )


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    replay = ReplayServer()
    yield replay
    replay.close()


def make(connection: Connection) -> Any:
    return FacebookPublisher(HttpClient(allow_private=True, timeout=0.3, sleep=lambda s: None))


def facebook_variant(personas: Personas, server: ReplayServer, text: str) -> Variant:
    connection = workspace_services.connect_account(
        personas.workspace_a,
        network="facebook",
        account_name="Café Lumière",
        secret={"page_id": PAGE, "access_token": "EAAG-page-token", "graph_url": server.base_url},
        actor=personas.alice,
    )
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text=text, connections=[connection], scheduled_at=NOW
    )
    approvals.submit_post(post, personas.bob, now=NOW)
    return post.variants.get()


def test_it_finds_the_post_a_lost_answer_had_made_and_never_posts_it_again(
    personas: Personas, server: ReplayServer
) -> None:
    page = Page(server, lose="answer")
    variant = facebook_variant(personas, server, "Nouvelle carte d'automne ☕")
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=make) == Status.UNKNOWN
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(variant.id, now=later, publisher_factory=make) == "published"
    # Nothing left to do: another run of the outbox finds nothing to claim.
    assert outbox.publish_variant(variant.id, now=later, publisher_factory=make) == "skipped"
    variant.refresh_from_db()
    assert len(page.posts) == 1 and len(server.calls(FEED)) == 1
    assert variant.status == Status.PUBLISHED
    assert variant.remote_id == page.posts[0]["id"]
    listing = server.calls(LISTING)[0]
    assert listing.param("access_token") == "EAAG-page-token"
    assert int(listing.param("since") or 0) <= int(NOW.timestamp())


def test_it_posts_once_when_the_lost_call_had_made_nothing(
    personas: Personas, server: ReplayServer
) -> None:
    page = Page(server, lose="post")
    variant = facebook_variant(personas, server, "Fermé lundi pour inventaire")
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=make) == Status.UNKNOWN
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(variant.id, now=later, publisher_factory=make) == "scheduled"
    assert outbox.publish_variant(variant.id, now=later, publisher_factory=make) == "published"
    variant.refresh_from_db()
    assert len(page.posts) == 1 and len(server.calls(FEED)) == 2
    assert variant.remote_id == page.posts[0]["id"]
