"""Connecting accounts to publish to, with the credentials each network needs (kept in the vault,
never shown again)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ambassade.workspaces.models import Connection
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def connect_url(personas: Personas, network: str = "") -> str:
    url = reverse("publishing:connect", kwargs={"workspace_slug": personas.workspace_a.slug})
    return f"{url}?network={network}" if network else url


@pytest.mark.parametrize(
    ("network", "data", "account", "secret"),
    [
        (
            "bluesky",
            {"identifier": "@cafe.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
            "cafe.bsky.social",
            {"identifier": "@cafe.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
        ),
        (
            "telegram",
            {"chat_id": "@cafelumiere", "bot_token": "123:ABC-secret"},
            "@cafelumiere",
            {"chat_id": "@cafelumiere", "bot_token": "123:ABC-secret"},
        ),
        (
            "discord",
            {"account_name": "#news", "bot_token": "bot-secret", "channel_id": "118"},
            "#news",
            {"bot_token": "bot-secret", "channel_id": "118"},
        ),
        (
            "x",
            {"username": "@cafelumiere", "access_token": "x-user-secret"},
            "@cafelumiere",
            {"username": "cafelumiere", "access_token": "x-user-secret"},
        ),
        (
            "mastodon",
            {
                "instance": "https://mastodon.example",
                "account_name": "@cafe@mastodon.example",
                "access_token": "masto-secret",
            },
            "@cafe@mastodon.example",
            {"instance": "https://mastodon.example", "access_token": "masto-secret"},
        ),
        (
            "linkedin",
            {
                "account_name": "Café Lumière",
                "organization": "5515715",
                "access_token": "li-secret",
            },
            "Café Lumière",
            {"organization": "5515715", "access_token": "li-secret"},
        ),
    ],
)
def test_it_stores_each_network_s_credentials_in_the_vault(
    personas: Personas,
    client: Any,
    network: str,
    data: dict[str, str],
    account: str,
    secret: dict[str, str],
) -> None:
    client.force_login(personas.alice)
    response = client.post(connect_url(personas, network), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    connection = Connection.objects.get(network=network, account_name=account)
    assert connection.account_name == account
    assert connection.secret().reveal() == secret
    page = client.get(connect_url(personas, network)).content.decode()
    for value in secret.values():
        if "secret" in value or "ABC" in value or "abcd" in value:
            assert value not in page


def test_it_needs_a_webhook_or_a_bot_for_discord(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    response = client.post(connect_url(personas, "discord"), {"account_name": "#news"})
    assert (
        "Give a webhook address, or a bot token with its channel id." in response.content.decode()
    )
    assert not Connection.objects.filter(network="discord").exists()


def test_it_lets_only_owners_and_managers_connect(personas: Personas, client: Any) -> None:
    client.force_login(personas.bob)
    assert client.get(connect_url(personas, "telegram")).status_code == 403
    client.force_login(personas.alice)
    page = client.get(connect_url(personas)).content.decode()
    assert "?network=telegram" in page and "Telegram" in page
