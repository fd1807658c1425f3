"""``/m/<token>``: a post's media at a public, unguessable address, only while the post is
scheduled or published (Instagram and Threads fetch media from there)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from ambassade.publishing import approvals, authoring, public_media
from ambassade.publishing.models import Media, Status, Variant
from tests.conftest import Personas
from tests.publishing.conftest import NOW
from tests.publishing.samples import PNG

pytestmark = pytest.mark.django_db


def attach(personas: Personas) -> Media:
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="Photo", connections=[personas.connection]
    )
    return authoring.add_media(
        post, personas.bob, filename="a.png", content_type="image/png", data=PNG, alt_text="A dot"
    )


def schedule(personas: Personas, media: Media) -> None:
    post = media.post
    post.scheduled_at = NOW
    post.save(update_fields=["scheduled_at"])
    approvals.submit_post(post, personas.bob, now=NOW)


def path_of(media: Media) -> str:
    return "/m/" + public_media.token_for(media)


@override_settings(BASE_URL="https://ambassade.example.org")
def test_it_builds_the_address_on_the_base_url(personas: Personas) -> None:
    media = attach(personas)
    url = public_media.public_url(media)
    assert url == "https://ambassade.example.org" + path_of(media)
    # Unguessable: the id alone, or another medium's signature, names nothing.
    assert public_media.token_for(media) != str(media.pk)
    assert len(public_media.token_for(media).split(".", 1)[1]) >= 20


def test_it_serves_nothing_for_a_draft(personas: Personas, client: Any) -> None:
    media = attach(personas)
    assert client.get(path_of(media)).status_code == 404


def test_it_serves_the_file_of_a_scheduled_post_to_anyone(personas: Personas, client: Any) -> None:
    media = attach(personas)
    schedule(personas, media)
    response = client.get(path_of(media))
    assert response.status_code == 200
    assert response.content == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert client.post(path_of(media)).status_code == 405


def test_it_serves_a_published_post_but_not_a_failed_one(personas: Personas, client: Any) -> None:
    media = attach(personas)
    schedule(personas, media)
    Variant.objects.filter(post=media.post).update(status=Status.PUBLISHED)
    assert client.get(path_of(media)).status_code == 200
    Variant.objects.filter(post=media.post).update(status=Status.FAILED)
    assert client.get(path_of(media)).status_code == 404


def test_it_refuses_a_forged_or_borrowed_token(personas: Personas, client: Any) -> None:
    media = attach(personas)
    schedule(personas, media)
    token = public_media.token_for(media)
    number, signature = token.split(".", 1)
    other = attach(personas)  # another post's medium, a draft
    for forged in (
        f"{number}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{other.pk}.{signature}",
        number,
        "../" + token,
    ):
        assert client.get("/m/" + forged).status_code == 404, forged
    assert public_media.media_for(f"{other.pk}.{signature}") is None
