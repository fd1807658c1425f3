"""Every view that brings a person back to the page a form was posted from (``next``) stays on this
site, whatever ``next`` says (``workspaces/redirects.py``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from ambassade.workspaces.redirects import MAX_NEXT, safe_next
from tests.conftest import Personas
from tests.inbox.samples import samples as inbox_samples
from tests.publishing.samples import post_of_a

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "http:/evil.example/",
    "javascript:alert(1)",
    "//testserver/w/",  # scheme-relative, even to this host
    "/" + "a" * MAX_NEXT,
    "1e9",
    "",
]


@pytest.mark.parametrize("value", OFF_SITE)
def test_it_refuses_anything_but_a_path_of_this_site(value: str) -> None:
    request = RequestFactory().post("/here/", {"next": value})
    assert safe_next(request, "/fallback/") == "/fallback/"


def test_it_keeps_a_path_of_this_site_with_its_query() -> None:
    request = RequestFactory().post("/here/", {"next": "/w/a/inbox/?status=open&page=2#top"})
    assert safe_next(request, "/fallback/") == "/w/a/inbox/?status=open&page=2#top"
    assert safe_next(RequestFactory().get("/x/?next=/w/a/"), "/f/") == "/w/a/"
    assert safe_next(RequestFactory().get("/x/?back=/w/a/"), "/f/", field="back") == "/w/a/"


def _views(p: Personas) -> list[tuple[str, dict[str, Any]]]:
    slug = p.workspace_a.slug
    conversation = inbox_samples(p).conversation.pk
    post = post_of_a(p).pk
    inbox = [
        reverse(f"inbox:{name}", args=[slug, conversation])
        for name in ("status", "assign", "take", "labels")
    ]
    return [
        (reverse("community:members_tags", args=[slug]), {"member": "1", "action": "add"}),
        (reverse("publishing:post_reschedule", args=[slug, post]), {"date": "x"}),
        (reverse("crisis:notifications_read", args=[slug]), {}),
        *[(url, {"status": "closed"}) for url in inbox],
        (reverse("inbox:availability", args=[slug]), {"available": "1"}),
        (reverse("inbox:view_create", args=[slug]), {"name": ""}),
    ]


def test_it_keeps_every_view_with_next_on_this_site(personas: Personas, client: Any) -> None:
    client = personas.client_for(client, personas.alice)
    views = _views(personas)
    assert len(views) == 9
    for value in [
        "https://evil.example/x",
        "//evil.example/x",
        "/\\evil.example",
        "//testserver/x",  # this host, but scheme-relative: only paths are followed
        "/w/" + "a" * MAX_NEXT,  # a path, but longer than any page of ours
    ]:
        for url, data in views:
            response = client.post(url, {**data, "next": value})
            assert response.status_code == 302, url
            location = response["Location"]
            assert location.startswith("/") and location[1:2] not in ("/", "\\"), (url, location)
            assert "evil" not in location and len(location) < MAX_NEXT, (url, location[:80])
    # A path of this site is followed, by each of them.
    here = f"/w/{personas.workspace_a.slug}/?from=test"
    for url, data in views:
        assert client.post(url, {**data, "next": here})["Location"] == here, url


def test_it_keeps_the_login_and_language_switch_on_this_site(
    personas: Personas, client: Any
) -> None:
    from tests.conftest import PASSWORD

    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"email": "alice@example.com", "password": PASSWORD},
    )
    assert response.status_code == 302 and "evil" not in response["Location"]
    response = client.post(reverse("set_language"), {"language": "fr", "next": "//evil.example/"})
    assert response.status_code == 302 and "evil" not in response["Location"]
