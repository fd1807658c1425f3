"""The suggested replies' panel and endpoint: shown to who may reply, escaped, in French."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ambassade.suggestions import services
from tests.suggestions.helpers import conversation


@pytest.fixture(autouse=True)
def fresh_indexes() -> Any:
    services.forget()
    yield
    services.forget()


@pytest.fixture
def asking(personas: Any) -> Any:
    conversation(
        personas.workspace_a,
        "t1",
        [("in", "is the app down?"), ("out", "We're on it <script>alert(1)</script> & back soon")],
    )
    return conversation(personas.workspace_a, "new", [("in", "the app is down")])


def test_it_shows_the_suggestions_escaped_with_an_insert_button(
    personas: Any, asking: Any, client: Any
) -> None:
    client.force_login(personas.bob)
    url = reverse("suggestions:conversation", args=[personas.workspace_a.slug, asking.pk])
    html = client.get(url).content.decode()
    assert "We&#x27;re on it &lt;script&gt;alert(1)&lt;/script&gt; &amp; back soon" in html
    assert "<script>alert" not in html
    assert 'data-suggestion-insert data-text="We&#x27;re on it &lt;script&gt;' in html


def test_it_words_the_panel_in_french(personas: Any, asking: Any, client: Any) -> None:
    client.force_login(personas.bob)
    url = reverse("suggestions:conversation", args=[personas.workspace_a.slug, asking.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Réponses suggérées" in html and "Insérer" in html


def test_the_conversation_page_loads_the_panel_for_who_may_reply(
    personas: Any, asking: Any, client: Any, people: Any
) -> None:
    page = reverse("inbox:conversation", args=[personas.workspace_a.slug, asking.pk])
    endpoint = reverse("suggestions:conversation", args=[personas.workspace_a.slug, asking.pk])
    client.force_login(personas.bob)
    html = client.get(page).content.decode()
    assert f'hx-get="{endpoint}"' in html
    assert "data-reply-text" in html and "composer-missing" not in html  # the composer sends
    client.force_login(people["analyst"])
    html = client.get(page).content.decode()
    # Neither suggestions nor a composer: the page says how to answer.
    assert f'hx-get="{endpoint}"' not in html and "composer-missing" in html
    assert client.get(endpoint).status_code == 403
