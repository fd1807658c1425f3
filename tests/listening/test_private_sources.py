"""A feed on the private network is refused with a message in the reader's language that names the
setting allowing it (AMBASSADE_ALLOWED_PRIVATE_HOSTS), and fetched once an administrator allows it.
The "intranet" is a replay server on the loopback address (nothing else is ever contacted)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from ambassade.connectors.http import allow_private_destinations
from ambassade.listening import services
from ambassade.listening.models import Mention, Source
from tests.connectors.conftest import ReplayServer, Reply, fixture_bytes


@pytest.fixture
def intranet(personas: Any) -> Iterator[tuple[ReplayServer, Source]]:
    server = ReplayServer()
    server.route(
        "GET",
        "/feed.xml",
        Reply(200, fixture_bytes("rss", "blog.xml"), {"Content-Type": "application/rss+xml"}),
    )
    source = Source.objects.create(
        workspace=personas.workspace_a,
        name="Intranet",
        kind="rss",
        config={"url": server.url("/feed.xml")},
        interval=300,
    )
    yield server, source
    allow_private_destinations([])
    server.close()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", "les connecteurs ne la joignent que si un administrateur l’autorise"),
        ("en", "connectors reach it only if an administrator allows it"),
    ],
)
def test_a_private_feed_is_refused_in_the_readers_language(
    language: str, words: str, personas: Any, client: Any, intranet: Any
) -> None:
    server, source = intranet
    services.poll_source(source.pk)
    source.refresh_from_db()
    assert source.last_status == Source.Status.ERROR
    assert server.requests == []
    client.force_login(personas.alice)
    page = client.get(
        reverse("listening:sources", args=[personas.workspace_a.slug]),
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    assert words in page.replace("&#x27;", "’")
    assert "AMBASSADE_ALLOWED_PRIVATE_HOSTS" in page


def test_an_allowed_address_lets_the_feed_be_read(intranet: Any) -> None:
    _server, source = intranet
    allow_private_destinations(["127.0.0.1"])
    services.poll_source(source.pk)
    source.refresh_from_db()
    assert source.last_status == Source.Status.OK, str(source.last_error)
    assert Mention.objects.filter(source=source).count() == 2
