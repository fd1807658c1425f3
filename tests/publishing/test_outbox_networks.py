"""The outbox driving the real Mastodon and Bluesky publishers against local servers: a timeout after
the post was received ends in exactly one post, never two."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from ambassade.connectors.bluesky.publish import BlueskyPublisher
from ambassade.connectors.http import HttpClient
from ambassade.connectors.mastodon.publish import MastodonPublisher
from ambassade.publishing import approvals, authoring
from ambassade.publishing.models import Status, Variant
from ambassade.publishing.outbox import posts as outbox
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.models import Connection
from tests.conftest import Personas
from tests.connectors.conftest import Recorded, ReplayServer, Reply
from tests.connectors.publishing.test_bluesky import DID, Pds
from tests.connectors.publishing.test_mastodon import fixture
from tests.publishing.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    replay = ReplayServer()
    yield replay
    replay.close()


def factory(publisher_class: type, timeout: float = 0.3) -> Any:
    def make(connection: Connection) -> Any:
        return publisher_class(
            HttpClient(allow_private=True, timeout=timeout, sleep=lambda s: None)
        )

    return make


def schedule(personas: Personas, connection: Connection, text: str) -> Variant:
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text=text, connections=[connection], scheduled_at=NOW
    )
    approvals.submit_post(post, personas.bob, now=NOW)
    return post.variants.get()


def test_it_publishes_once_on_mastodon_despite_a_lost_answer(
    personas: Personas, server: ReplayServer
) -> None:
    connection = workspace_services.connect_account(
        personas.workspace_a,
        network="mastodon",
        account_name="@cafe@mastodon.example",
        secret={"access_token": "tok-123456", "instance": server.base_url},
        actor=personas.alice,
    )
    created: dict[str, Any] = {}
    slow = {"first": True}

    def statuses(request: Recorded) -> Reply:
        key = request.headers["idempotency-key"]
        if key not in created:
            status = fixture("status_created.json")
            status["id"] = str(1000 + len(created))
            created[key] = status
        if slow["first"]:  # the server creates the status, but the answer comes too late
            slow["first"] = False
            return Reply(200, created[key], delay=0.8)
        return Reply(200, created[key])

    server.route("POST", "/api/v1/statuses", statuses)
    variant = schedule(personas, connection, "Bonjour Mastodon")
    make = factory(MastodonPublisher)
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=make) == Status.UNKNOWN
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(variant.id, now=later, publisher_factory=make) == "scheduled"
    assert outbox.publish_variant(variant.id, now=later, publisher_factory=make) == "published"
    variant.refresh_from_db()
    assert len(created) == 1
    keys = [r.headers["idempotency-key"] for r in server.calls("/api/v1/statuses")]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert variant.remote_id == "1000"
    assert variant.attempts == 2


def test_it_publishes_once_on_bluesky_and_stores_the_new_session(
    personas: Personas, server: ReplayServer
) -> None:
    connection = workspace_services.connect_account(
        personas.workspace_a,
        network="bluesky",
        account_name="cafe-lumiere.bsky.social",
        secret={
            "identifier": "cafe-lumiere.bsky.social",
            "app_password": "abcd-efgh-ijkl-mnop",
            "service": server.base_url,
        },
        actor=personas.alice,
    )
    pds = Pds(server)
    first = {"slow": True}

    def create(request: Recorded) -> Reply:
        reply = pds.create_record(request)
        if first["slow"]:
            first["slow"] = False
            return Reply(reply.status, reply.body, delay=0.8)
        return reply

    server.route("POST", "/xrpc/com.atproto.repo.createRecord", create)
    variant = schedule(personas, connection, "Bonjour Bluesky #cafe")
    make = factory(BlueskyPublisher)
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=make) == Status.UNKNOWN
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(variant.id, now=later, publisher_factory=make) == "scheduled"
    assert outbox.publish_variant(variant.id, now=later, publisher_factory=make) == "published"
    variant.refresh_from_db()
    assert len(pds.records) == 1
    assert variant.remote_id.startswith(f"at://{DID}/app.bsky.feed.post/")
    connection.refresh_from_db()
    stored = connection.secret().reveal()
    assert stored["access_jwt"].endswith("access-1.sig") and stored["did"] == DID
    assert "account_name" not in stored
    # The session opened by the first attempt was saved even though its outcome was unknown, so
    # the retry reused it: createSession is rate-limited per account.
    sessions = server.calls("/xrpc/com.atproto.server.createSession")
    assert len(sessions) == 1
    assert json.loads(sessions[0].body)["identifier"] == "cafe-lumiere.bsky.social"


def test_it_marks_the_connection_when_mastodon_refuses_the_token(
    personas: Personas, server: ReplayServer
) -> None:
    Connection.objects.filter(id=personas.connection.id).update(account_name="@brand_a@127.0.0.1")
    connection = Connection.objects.get(id=personas.connection.id)
    connection.set_secret({"access_token": "tok-0x91ab", "instance": server.base_url})
    connection.save()
    server.route("POST", "/api/v1/statuses", Reply(401, {"error": "The access token was revoked"}))
    variant = schedule(personas, connection, "Bonjour")
    assert (
        outbox.publish_variant(variant.id, now=NOW, publisher_factory=factory(MastodonPublisher))
        == "failed"
    )
    connection.refresh_from_db()
    variant.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_RECONNECTION
    assert "The access token was revoked" in variant.error
    assert "must be reconnected" in variant.error
