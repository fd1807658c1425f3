"""Short links on the product's own address: created once when a variant is published (a retry
sends the same text), counted per post and network, nothing about the person kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ambassade.publishing import approvals, authoring
from ambassade.publishing.models import ShortLink, Variant
from ambassade.publishing.outbox import posts as outbox
from tests.conftest import Personas
from tests.publishing.conftest import NOW, FakePublisher

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(personas: Personas, settings: Any) -> Variant:
    settings.BASE_URL = "https://ambassade.example"
    post = authoring.create_post(
        personas.workspace_a,
        personas.bob,
        text="La carte : https://cafe.example/carte et https://cafe.example/horaires",
        connections=[personas.connection],
        scheduled_at=NOW,
        utm_campaign="automne",
        shorten_links=True,
    )
    approvals.submit_post(post, personas.bob, now=NOW)
    return post.variants.get()


def test_it_sends_short_links_that_lead_to_the_tagged_address(
    linked: Variant, fake: FakePublisher, factory: Any, client: Any
) -> None:
    from ambassade.connectors.base import ConnectorError

    fake.outcomes = [ConnectorError("Bad gateway.", permanent=False), None]
    outbox.publish_variant(linked.id, now=NOW, publisher_factory=factory)
    later = NOW.replace(minute=NOW.minute + 1)
    outbox.publish_variant(linked.id, now=later, publisher_factory=factory)
    first, second = (draft.text for draft in fake.calls)
    assert first == second  # the retry sends the same links
    links = list(ShortLink.objects.order_by("id"))
    assert len(links) == 2
    assert first == (
        f"La carte : https://ambassade.example/l/{links[0].code} et "
        f"https://ambassade.example/l/{links[1].code}"
    )
    assert links[0].target == (
        "https://cafe.example/carte?utm_source=mastodon&utm_medium=social&utm_campaign=automne"
    )
    client.logout()
    response = client.get(f"/l/{links[0].code}", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302 and response["Location"] == links[0].target
    client.get(f"/l/{links[0].code}")
    links[0].refresh_from_db()
    assert links[0].clicks == 2
    assert client.get("/l/nope").status_code == 404


def test_it_counts_previews_at_the_short_length_without_creating_links(
    personas: Personas, client: Any, settings: Any
) -> None:
    settings.BASE_URL = "https://ambassade.example"
    client.force_login(personas.bob)
    check = reverse("publishing:check", kwargs={"workspace_slug": personas.workspace_a.slug})
    body = client.post(
        check,
        {
            "text": "Voir https://cafe.example/une/tres/longue/adresse/de/page",
            "accounts": [personas.connection.pk],
            "shorten_links": "on",
        },
    ).content.decode()
    assert "https://ambassade.example/l/xxxxxxxx" in body
    assert not ShortLink.objects.exists()


def test_it_shows_the_clicks_on_the_post_page(
    linked: Variant, fake: FakePublisher, factory: Any, client: Any, personas: Personas
) -> None:
    outbox.publish_variant(linked.id, now=NOW, publisher_factory=factory)
    link = ShortLink.objects.first()
    assert link is not None
    ShortLink.objects.filter(id=link.id).update(clicks=41)
    client.force_login(personas.bob)
    page = client.get(
        reverse(
            "publishing:post",
            kwargs={"workspace_slug": personas.workspace_a.slug, "post_id": linked.post_id},
        )
    ).content.decode()
    assert "Clicks" in page and ">41<" in page
