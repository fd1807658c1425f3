"""The limits each account's server reports (Mastodon's max_characters) are what the composer and
the submit check count against."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ambassade.connectors.http import HttpClient
from ambassade.connectors.mastodon.publish import MastodonPublisher
from ambassade.publishing import accounts, approvals, authoring
from ambassade.publishing.models import ChannelLimits
from ambassade.workspaces.models import Connection
from ambassade.workspaces.services import ServiceError
from tests.conftest import Personas
from tests.connectors.conftest import ReplayServer, Reply

pytestmark = pytest.mark.django_db

INSTANCE = {
    "domain": "mastodon.example",
    "title": "Mastodon Example",
    "version": "4.3.2",
    "configuration": {
        "urls": {"streaming": "wss://mastodon.example"},
        "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
        "statuses": {
            "max_characters": 1000,
            "max_media_attachments": 4,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": [
                "image/jpeg",
                "image/png",
                "image/gif",
                "image/webp",
                "video/mp4",
            ],
            "description_limit": 1500,
            "image_size_limit": 16777216,
            "image_matrix_limit": 33177600,
            "video_size_limit": 103809024,
        },
        "polls": {"max_options": 4, "max_characters_per_option": 50},
    },
}


@pytest.fixture
def server() -> Any:
    replay = ReplayServer()
    yield replay
    replay.close()


def test_it_counts_against_the_server_s_own_limit(
    personas: Personas, server: ReplayServer, client: Any
) -> None:
    connection = Connection.objects.get(id=personas.connection.id)
    connection.set_secret({"access_token": "tok-1234", "instance": server.base_url})
    connection.save()
    server.route("GET", "/api/v2/instance", Reply(200, INSTANCE))

    def factory(connection: Connection) -> MastodonPublisher:
        return MastodonPublisher(HttpClient(allow_private=True, timeout=2))

    assert accounts.refresh_limits(connection.id, publisher_factory=factory)
    stored = ChannelLimits.objects.get(connection=connection)
    assert stored.limits["max_length"] == 1000 and "video/mp4" in stored.limits["mime_types"]
    limits = accounts.limits_for(Connection.objects.get(id=connection.id))
    assert limits is not None and limits.max_length == 1000
    client.force_login(personas.bob)
    check = reverse("publishing:check", kwargs={"workspace_slug": personas.workspace_a.slug})
    body = client.post(check, {"text": "é" * 700, "accounts": [connection.pk]}).content.decode()
    assert "700 of 1000 characters" in body and "is-over" not in body
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="é" * 700, connections=[connection]
    )
    approvals.submit_post(post, personas.bob)  # 700 fits this server, not the default 500


def test_it_keeps_the_defaults_when_the_server_cannot_say(
    personas: Personas, server: ReplayServer
) -> None:
    connection = Connection.objects.get(id=personas.connection.id)
    connection.set_secret({"access_token": "tok-1234", "instance": server.base_url})
    connection.save()
    server.route("GET", "/api/v2/instance", Reply(503, "down"))

    def factory(connection: Connection) -> MastodonPublisher:
        return MastodonPublisher(HttpClient(allow_private=True, timeout=2, sleep=lambda s: None))

    assert not accounts.refresh_limits(connection.id, publisher_factory=factory)
    assert accounts.limits_for(connection) is None
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="é" * 700, connections=[connection]
    )
    with pytest.raises(ServiceError, match="Mastodon accepts 500"):
        approvals.submit_post(post, personas.bob)
