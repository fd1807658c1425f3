from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from ambassade.workspaces import throttle
from ambassade.workspaces.models import LoginThrottle
from tests.conftest import PASSWORD, Personas
from tests.workspaces.html import parse


def _login(client: Any, email: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post("/login/", {"email": email, "password": password}, REMOTE_ADDR=address)


def test_it_hashes_passwords_with_argon2() -> None:
    assert django_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_it_logs_in_by_email_whatever_its_case(personas: Personas, client: Any) -> None:
    response = _login(client, "Alice@Example.COM", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 302  # one workspace: straight to it


def test_it_shows_a_clear_error_beside_the_form(personas: Personas, client: Any) -> None:
    response = _login(client, "alice@example.com", "wrong password")
    assert response.status_code == 200
    page = parse(response.content)
    alert = page.find("div", role="alert")
    assert alert is not None
    assert "do not match an account" in alert.text
    email = page.find("input", name="email")
    assert email is not None and email.attrs["value"] == "alice@example.com"


def test_it_locks_an_account_after_repeated_failures(personas: Personas, client: Any) -> None:
    for _ in range(throttle.MAX_FAILURES):
        assert "do not match" in _login(client, "alice@example.com", "nope").content.decode()
    # Locked now, even with the right password, and the message says so.
    response = _login(client, "alice@example.com", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed attempts" in parse(response.content).find("div", role="alert").text
    # Another address is not locked; neither is another account from this address.
    assert _login(client, "alice@example.com", PASSWORD, address="10.9.9.9").status_code == 302
    client.post("/logout/")
    assert _login(client, "bob@example.com", PASSWORD).status_code == 302


def test_it_unlocks_after_the_lock_time(personas: Personas, client: Any) -> None:
    for _ in range(throttle.MAX_FAILURES):
        _login(client, "alice@example.com", "nope")
    LoginThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert _login(client, "alice@example.com", PASSWORD).status_code == 302
    assert not LoginThrottle.objects.exists()  # success clears the count


def test_it_counts_failures_within_a_window(personas: Personas, client: Any) -> None:
    for _ in range(throttle.MAX_FAILURES - 1):
        _login(client, "alice@example.com", "nope")
    LoginThrottle.objects.update(first_failure_at=timezone.now() - throttle.WINDOW)
    _login(client, "alice@example.com", "nope")  # a new window starts
    row = LoginThrottle.objects.get()
    assert row.failures == 1 and row.locked_until is None


def test_it_logs_out_with_post_only(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/")["Location"].startswith("/login/")


def test_it_resets_a_password_by_email(
    personas: Personas, client: Any, mailoutbox: list[Any]
) -> None:
    response = client.post("/password-reset/", {"email": "bob@example.com"})
    assert response["Location"] == "/password-reset/sent/"
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert mailoutbox[0].to == ["bob@example.com"]
    link = re.search(r"http://\S+/password-reset/\S+/", body)
    assert link and link.group(0).startswith(django_settings.BASE_URL)
    path = link.group(0)[len(django_settings.BASE_URL) :]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    new = "a brand new passphrase 7"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response["Location"] == "/password-reset/done/"
    personas.bob.refresh_from_db()
    assert personas.bob.check_password(new)
    assert "no longer works" in client.get(path, follow=True).content.decode()


def test_it_sends_no_email_for_an_unknown_address(client: Any, db: Any, mailoutbox: Any) -> None:
    response = client.post("/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and mailoutbox == []


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}, "Se connecter à Ambassade"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}, "Log in to Ambassade"),
    ],
)
def test_it_speaks_the_browser_language(
    client: Any, db: Any, headers: dict[str, str], expected: str
) -> None:
    page = parse(client.get("/login/", **headers).content)
    assert page.find("h1").text == expected
    assert page.find("html").attrs["lang"] == headers["HTTP_ACCEPT_LANGUAGE"][:2]


def test_it_changes_a_password_and_keeps_the_session(personas: Personas, client: Any) -> None:
    client.force_login(personas.bob)
    new = "another long passphrase 8"
    response = client.post(
        "/password-change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == "/password-change/done/"
    personas.bob.refresh_from_db()
    assert personas.bob.check_password(new)
    assert client.get("/password-change/done/").status_code == 200
