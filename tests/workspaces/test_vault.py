from __future__ import annotations

import sys
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.db import connection as db
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from ambassade.workspaces import services, vault
from ambassade.workspaces.models import Connection
from tests.conftest import CONNECTION_TOKEN, Personas
from tests.workspaces.html import parse


def test_it_stores_ciphertext_only(personas: Personas) -> None:
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT token_ciphertext FROM workspaces_connection WHERE id = %s",
            [personas.connection.id],
        )
        (raw,) = cursor.fetchone()
    raw = bytes(raw)
    assert CONNECTION_TOKEN.encode() not in raw
    assert raw.startswith(b"gAAAA")  # a Fernet token
    stored = Connection.objects.get(id=personas.connection.id)
    assert stored.secret().reveal() == {"access_token": CONNECTION_TOKEN}


def test_it_hides_the_secret_in_repr_and_str(personas: Personas) -> None:
    connection = Connection.objects.get(id=personas.connection.id)
    secret = connection.secret()
    for text in (repr(connection), str(connection), repr(secret), str(secret), f"{secret}"):
        assert CONNECTION_TOKEN not in text
    assert repr(secret) == "<secret>"
    assert "token_ciphertext" not in repr(connection)


def test_it_rotates_keys(personas: Personas, settings: Any) -> None:
    old = list(settings.VAULT_KEYS)
    new = Fernet.generate_key()
    settings.VAULT_KEYS = [new, *old]
    connection = Connection.objects.get(id=personas.connection.id)
    ciphertext = bytes(connection.token_ciphertext)
    assert connection.secret().reveal()["access_token"] == CONNECTION_TOKEN  # old key decrypts
    rotated = vault.rotate(ciphertext)
    settings.VAULT_KEYS = [new]
    assert vault.decrypt(rotated).reveal()["access_token"] == CONNECTION_TOKEN
    with pytest.raises(vault.VaultError):
        vault.decrypt(ciphertext)


def test_it_never_shows_the_token_on_pages(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    for url in (
        f"/w/{personas.workspace_a.slug}/",
        f"/w/{personas.workspace_a.slug}/connections/",
        f"/w/{personas.workspace_a.slug}/audit/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert CONNECTION_TOKEN not in response.content.decode()
    page = parse(client.get(f"/w/{personas.workspace_a.slug}/connections/").content)
    rows = page.find_all("tr")
    assert "@brand_a@mastodon.social" in rows[1].text and "Connected" in rows[1].text


def test_it_connects_from_the_form_without_echoing_the_token(
    personas: Personas, client: Any
) -> None:
    client.force_login(personas.alice)
    url = f"/w/{personas.workspace_a.slug}/connections/new/"
    token = "bsky-app-password-77c1"
    # An invalid form (no account name) is shown again without the token.
    response = client.post(url, {"network": "bluesky", "access_token": token})
    assert response.status_code == 200
    assert token not in response.content.decode()
    response = client.post(
        url, {"network": "bluesky", "account_name": "brand.bsky.social", "access_token": token}
    )
    assert response.status_code == 302
    connection = Connection.objects.get(network="bluesky")
    assert connection.workspace == personas.workspace_a
    assert connection.secret().reveal() == {"access_token": token}
    assert personas.workspace_a.audit_entries.filter(action="connection.added").count() == 2


# Built at run time so the source lines shown in the report do not contain the value itself.
LEAKY = "-".join(["leaky", "token", "9d2e"])


def _call_failing_view(request: Any) -> str:
    from ambassade.workspaces.views import connection_create

    try:
        connection_create(request, workspace_slug="brand-a")
    except RuntimeError:
        return ExceptionReporter(request, *sys.exc_info()).get_traceback_html()
    raise AssertionError("the view should have failed")


@pytest.mark.parametrize("debug", [False, True])
def test_it_keeps_the_token_out_of_error_pages(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, settings: Any, debug: bool
) -> None:
    settings.DEBUG = debug

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("network down")

    monkeypatch.setattr(services, "connect_account", fail)
    request = RequestFactory().post(
        "/w/brand-a/connections/new/",
        {"network": "mastodon", "account_name": "@b", "access_token": LEAKY},
    )
    request.user = personas.alice
    request._dont_enforce_csrf_checks = True
    html = _call_failing_view(request)
    assert "network down" in html
    assert LEAKY not in html


def test_it_marks_a_connection_for_reconnection_once(personas: Personas) -> None:
    assert services.mark_needs_reconnection(personas.connection.id, "401 token revoked")
    assert not services.mark_needs_reconnection(personas.connection.id, "401 again")
    connection = Connection.objects.get(id=personas.connection.id)
    assert connection.status == Connection.Status.NEEDS_RECONNECTION
    assert connection.last_error == "401 again"
    entries = personas.workspace_a.audit_entries.filter(action="connection.needs_reconnection")
    assert entries.count() == 1 and entries[0].actor is None


def test_it_offers_to_reconnect_a_refused_account(personas: Personas, client: Any) -> None:
    services.mark_needs_reconnection(personas.connection.id, "401")
    client.force_login(personas.alice)
    page = parse(client.get(f"/w/{personas.workspace_a.slug}/connections/").content)
    link = page.find("a", class_="button button-small")
    assert link is not None and "Reconnect" in link.text
    form = parse(client.get(link.attrs["href"]).content)
    assert form.find("input", name="account_name").attrs["value"] == "@brand_a@mastodon.social"
    assert form.find("input", name="access_token").attrs.get("value", "") == ""
    response = client.post(
        link.attrs["href"],
        {"network": "mastodon", "account_name": "@brand_a@mastodon.social", "access_token": "new"},
    )
    assert response.status_code == 302
    connection = Connection.objects.get(id=personas.connection.id)
    assert connection.status == Connection.Status.CONNECTED and connection.last_error == ""
    assert connection.secret().reveal() == {"access_token": "new"}


# Binary fields that hold no secret (a medium's bytes, a report's PDF, a report's logo, a member's packed score
# history); any other binary field is vault output and must be named ``*_ciphertext``, or ``rotate_vault`` would
# miss it.
NOT_SECRETS = {
    "publishing.Media.data",
    "crisis.Crisis.report_pdf",
    "analytics.Report.logo",
    "community.ScoreHistory.points",
}


def test_every_binary_field_is_a_ciphertext_the_rotation_finds_or_listed_as_no_secret() -> None:
    from django.apps import apps
    from django.db import models

    binaries = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.BinaryField)
    }
    found = {f"{model._meta.label}.{name}" for model, name in vault.ciphertext_fields()}
    assert "workspaces.Connection.token_ciphertext" in found
    assert binaries - found == NOT_SECRETS & binaries, binaries - found - NOT_SECRETS


def test_rotate_vault_re_encrypts_every_secret_with_the_new_key(
    personas: Personas, settings: Any, capsys: Any
) -> None:
    from django.core.management import call_command

    from ambassade.crisis.models import Channel

    hook = Channel(workspace=personas.workspace_a, name="ops", kind=Channel.Kind.WEBHOOK)
    hook.set_webhook("https://hooks.example/ops", "s3cret-hook")
    hook.save()
    old = list(settings.VAULT_KEYS)
    new = Fernet.generate_key()
    settings.VAULT_KEYS = [new, *old]
    call_command("rotate_vault")
    assert "secrets re-encrypted" in capsys.readouterr().out
    settings.VAULT_KEYS = [new]  # the old key is gone: everything still reads
    assert Connection.objects.get(id=personas.connection.id).secret().reveal() == {
        "access_token": CONNECTION_TOKEN
    }
    assert Channel.objects.get(id=hook.id).webhook().reveal()["secret"] == "s3cret-hook"


def test_rotate_vault_changes_nothing_when_one_secret_cannot_be_read(
    personas: Personas, settings: Any
) -> None:
    from django.core.management import CommandError, call_command

    old = list(settings.VAULT_KEYS)
    stranger = Connection.objects.create(
        workspace=personas.workspace_a,
        network="bluesky",
        account_name="other.bsky.social",
        token_ciphertext=Fernet(Fernet.generate_key()).encrypt(b'{"access_token":"x"}'),
    )
    before = bytes(Connection.objects.get(id=personas.connection.id).token_ciphertext)
    settings.VAULT_KEYS = [Fernet.generate_key(), *old]
    with pytest.raises(CommandError) as caught:
        call_command("rotate_vault")
    assert f"workspaces.Connection.token_ciphertext of row {stranger.id}" in str(caught.value)
    assert bytes(Connection.objects.get(id=personas.connection.id).token_ciphertext) == before
