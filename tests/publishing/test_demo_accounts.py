"""The demo's accounts say why they cannot publish in each reader's language, rows stored by an
earlier version (plain text in the language the demo was built in) included."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.utils import translation

from ambassade.publishing.demo import _accounts
from ambassade.workspaces.models import Connection

MIGRATION = importlib.import_module("ambassade.publishing.migrations.0014_demo_account_coded")


def _reasons(connection: Connection) -> tuple[str, str]:
    connection.refresh_from_db()
    with translation.override("en"):
        english = connection.last_error.words()
    with translation.override("fr"):
        french = connection.last_error.words()
    return english, french


def test_it_words_the_demo_accounts_reason_in_the_reader_s_language(personas: Any) -> None:
    with translation.override("fr"):  # built by a French admin: stored coded all the same
        found = _accounts(personas.workspace_a, personas.alice)
    assert found
    for connection in found.values():
        assert connection.status == Connection.Status.NEEDS_RECONNECTION
        english, french = _reasons(connection)
        assert english.startswith("Demo account: it has no real token")
        assert french.startswith("Compte de démonstration : il n'a pas de vrai jeton")


def test_it_codes_the_reason_an_earlier_demo_stored_as_text(personas: Any) -> None:
    found = list(_accounts(personas.workspace_a, personas.alice).values())
    Connection.objects.filter(pk=found[0].pk).update(last_error=MIGRATION.FRENCH)
    Connection.objects.filter(pk=found[1].pk).update(last_error=MIGRATION.ENGLISH)
    Connection.objects.filter(pk=personas.connection.pk).update(last_error="Token expired")
    MIGRATION.code_the_demo_reason(apps, None)
    for connection in found[:2]:
        english, french = _reasons(connection)
        assert english == MIGRATION.ENGLISH
        assert french == MIGRATION.FRENCH
    personas.connection.refresh_from_db()
    assert personas.connection.last_error.words() == "Token expired"
