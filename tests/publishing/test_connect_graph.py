"""Connecting a Facebook page, an Instagram business account, a Threads profile and a subreddit
with pasted credentials: the keys the publishers read, in the vault, never shown again."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ambassade.workspaces.models import Connection
from ambassade.workspaces.networks import network_label
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def connect_url(personas: Personas, network: str) -> str:
    url = reverse("publishing:connect", kwargs={"workspace_slug": personas.workspace_a.slug})
    return f"{url}?network={network}"


@pytest.mark.parametrize(
    ("network", "data", "account", "secret"),
    [
        (
            "facebook",
            {
                "account_name": "Café Lumière",
                "page_id": "108824017345866",
                "access_token": "EAAG-page-secret",
            },
            "Café Lumière",
            {"page_id": "108824017345866", "access_token": "EAAG-page-secret"},
        ),
        (
            "instagram",
            {
                "account_name": "cafelumiere",
                "ig_user_id": "17841405822304914",
                "access_token": "IGQ-secret",
            },
            "@cafelumiere",
            {"ig_user_id": "17841405822304914", "access_token": "IGQ-secret"},
        ),
        (
            "threads",
            {
                "account_name": "@cafelumiere",
                "threads_user_id": "25803290195963327",
                "access_token": "THQ-secret",
            },
            "@cafelumiere",
            {"threads_user_id": "25803290195963327", "access_token": "THQ-secret"},
        ),
        (
            "reddit",
            {
                "subreddit": "r/cafe",
                "username": "u/cafelumiere",
                "client_id": "p-jcoLKBynTLew",
                "client_secret": "gko_LXELoV07ZBNUXrvWZfzE3aI-secret",
                "refresh_token": "200-refresh-secret",
            },
            "r/cafe",
            {
                "subreddit": "cafe",
                "username": "cafelumiere",
                "client_id": "p-jcoLKBynTLew",
                "client_secret": "gko_LXELoV07ZBNUXrvWZfzE3aI-secret",
                "refresh_token": "200-refresh-secret",
            },
        ),
    ],
)
def test_it_stores_the_keys_each_publisher_reads(
    personas: Personas,
    client: Any,
    network: str,
    data: dict[str, str],
    account: str,
    secret: dict[str, str],
) -> None:
    from ambassade.connectors.publishers import PUBLISHERS

    assert network in PUBLISHERS, f"no {network} publisher is registered"
    client.force_login(personas.alice)
    form_page = client.get(connect_url(personas, network)).content.decode()
    for key in data:
        assert f'name="{key}"' in form_page
    response = client.post(connect_url(personas, network), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    connection = Connection.objects.get(network=network, account_name=account)
    assert connection.secret().reveal() == secret
    page = client.get(connect_url(personas, network)).content.decode()
    for value in secret.values():
        if "secret" in value:
            assert value not in page


@pytest.mark.parametrize(
    ("network", "field", "value", "words"),
    [
        ("facebook", "page_id", "facebook.com/cafe", "Give the number only"),
        ("instagram", "ig_user_id", "@cafe", "Give the number only"),
        ("reddit", "subreddit", "r/café lumière", "Give a subreddit name"),
    ],
)
def test_it_says_what_is_wrong_and_saves_nothing(
    personas: Personas, client: Any, network: str, field: str, value: str, words: str
) -> None:
    from ambassade.connectors.publishers import PUBLISHERS

    assert network in PUBLISHERS, f"no {network} publisher is registered"
    client.force_login(personas.alice)
    good = {
        "facebook": {"account_name": "Café", "page_id": "1", "access_token": "t-secret"},
        "instagram": {"account_name": "cafe", "ig_user_id": "1", "access_token": "t-secret"},
        "reddit": {
            "subreddit": "cafe",
            "username": "cafe",
            "client_id": "id",
            "client_secret": "s-secret",
            "refresh_token": "r-secret",
        },
    }[network]
    response = client.post(connect_url(personas, network), {**good, field: value})
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not Connection.objects.filter(network=network).exists()


def test_it_names_the_networks() -> None:
    assert network_label("facebook") == "Facebook page"
    assert network_label("instagram") == "Instagram"
    assert network_label("threads") == "Threads"
    assert network_label("reddit") == "Reddit"
    assert network_label("meta") == "meta"  # no longer offered
