"""The composer as a person meets it (issue #10, item 19): every network over its limit is named,
the counter agrees with the check made on submit, and an empty composer shows no error before
anything is typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ambassade.publishing.models import Post
from ambassade.workspaces import services as workspace_services
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def _url(personas: Personas, name: str) -> str:
    return reverse(f"publishing:{name}", kwargs={"workspace_slug": personas.workspace_a.slug})


@pytest.fixture
def bluesky(personas: Personas) -> Any:
    return workspace_services.connect_account(
        personas.workspace_a,
        network="bluesky",
        account_name="cafe-lumiere.bsky.social",
        secret={"identifier": "cafe-lumiere.bsky.social", "app_password": "x"},
        actor=personas.alice,
    )


def _alert(body: str) -> str:
    start = body.index('class="notice notice-error" role="alert"')
    return body[start : body.index("</div>", start)]


def test_the_banner_names_every_network_over_its_limit(
    personas: Personas, bluesky: Any, client: Any
) -> None:
    client.force_login(personas.bob)
    response = client.post(
        _url(personas, "compose"),
        {
            "text": "Une très longue annonce. " * 24,  # 600 characters: over 500 and 300
            "accounts": [personas.connection.pk, bluesky.pk],
            "submit": "1",
        },
    )
    assert response.status_code == 200
    alert = _alert(response.content.decode())
    assert "@brand_a@mastodon.social" in alert and "accepts 500" in alert
    assert "cafe-lumiere.bsky.social" in alert and "accepts 300" in alert
    # Saved as a draft, nothing scheduled; the page now edits that draft, so that submitting it
    # again after a fix does not make a second one.
    post = Post.objects.get()
    assert {v.status for v in post.variants.all()} == {"draft"}
    edit = reverse(
        "publishing:post_edit",
        kwargs={"workspace_slug": personas.workspace_a.slug, "post_id": post.pk},
    )
    assert f'<form method="post" action="{edit}"' in response.content.decode()


def test_the_counter_counts_what_the_submit_check_counts(
    personas: Personas, bluesky: Any, client: Any
) -> None:
    """The form keeps the text without its surrounding spaces and line breaks: so does the
    counter, or it says 301/300 for a text that the submit check accepts."""
    client.force_login(personas.bob)
    text = "a" * 300 + "\r\n"
    body = client.post(
        _url(personas, "check"), {"text": text, "accounts": [bluesky.pk]}
    ).content.decode()
    assert f'id="tabcount-{bluesky.pk}" class="pub-tabcount"' in body
    assert ">300/300<" in body and "is-over" not in body
    response = client.post(
        _url(personas, "compose"), {"text": text, "accounts": [bluesky.pk], "submit": "1"}
    )
    assert response.status_code == 302


def test_an_empty_composer_shows_no_error_before_typing(personas: Personas, client: Any) -> None:
    client.force_login(personas.bob)
    body = client.post(
        _url(personas, "check"), {"text": "", "accounts": [personas.connection.pk]}
    ).content.decode()
    assert "error-text" not in body
    assert "0/500" in body
    # Once something was written and is still missing on submit, the error is there.
    response = client.post(
        _url(personas, "compose"),
        {"text": "", "accounts": [personas.connection.pk], "submit": "1"},
    )
    assert "The post is empty" in response.content.decode()
