"""Links sent by e-mail point at the server's real address: AMBASSADE_BASE_URL when it is set, else the
address and port `serve` or `demo` listen on (tests/test_demo.py checks a password-reset mail end to end)."""

from __future__ import annotations

from typing import Any

import pytest

from ambassade.config import serving


@pytest.fixture
def unset(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Any:
    monkeypatch.delenv("AMBASSADE_BASE_URL", raising=False)
    monkeypatch.delenv("AMBASSADE_BASE_URL_FILE", raising=False)
    settings.BASE_URL = "http://127.0.0.1:8000"
    return settings


def test_it_follows_the_port_served_on(unset: Any) -> None:
    assert serving.use_listening_address("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert unset.BASE_URL == "http://127.0.0.1:8123"


def test_it_names_the_machine_for_a_wildcard_address_and_brackets_ipv6(unset: Any) -> None:
    import socket

    assert serving.listening_url("0.0.0.0", 80) == f"http://{socket.gethostname()}:80"  # noqa: S104
    assert serving.listening_url("::1", 8080) == "http://[::1]:8080"


def test_it_answers_to_the_name_it_sends(unset: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """`demo --host 0.0.0.0` is reached by the machine's name: refusing that Host would make every
    link it sends a 400."""
    import socket

    monkeypatch.delenv("AMBASSADE_ALLOWED_HOSTS", raising=False)
    unset.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    serving.use_listening_address("0.0.0.0", 8123)  # noqa: S104
    hosts = unset.ALLOWED_HOSTS
    assert hosts == ["127.0.0.1", "localhost", socket.gethostname()]
    monkeypatch.setenv("AMBASSADE_ALLOWED_HOSTS", "social.example.com")
    unset.ALLOWED_HOSTS = ["social.example.com"]
    serving.use_listening_address("0.0.0.0", 8123)  # noqa: S104
    hosts = unset.ALLOWED_HOSTS
    assert hosts == ["social.example.com"]


def test_it_keeps_the_configured_base_url(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setenv("AMBASSADE_BASE_URL", "https://social.example.com")
    settings.BASE_URL = "https://social.example.com"
    assert serving.use_listening_address("127.0.0.1", 8123) == "https://social.example.com"


@pytest.mark.django_db
def test_invitation_and_password_reset_mails_use_it(
    unset: Any, client: Any, mailoutbox: list[Any], fast_hasher: None
) -> None:
    from ambassade.workspaces import services

    owner = services.create_user("owner@example.com", "a long passphrase 42", "Owner")
    _org, workspace = services.create_organisation(
        name="Org", kind="company", owner=owner, workspace_name="Brand"
    )
    client.get("/login/")  # the URLs are loaded before `serve` knows its port, as in the product
    serving.use_listening_address("127.0.0.1", 8123)
    services.invite_member(workspace, email="new@example.com", role="editor", invited_by=owner)
    client.post("/password-reset/", {"email": "owner@example.com"})
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert "http://127.0.0.1:8123/" in message.body, message.body
        assert ":8000" not in message.body
