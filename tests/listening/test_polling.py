"""Polling: due sources claimed once, cursors stored with their items, errors recorded."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from django.utils import timezone

from ambassade.connectors import registry
from ambassade.connectors.base import (
    AuthExpired,
    Capability,
    Connector,
    ConnectorError,
    FetchResult,
)
from ambassade.listening import services, tasks
from ambassade.listening.models import Mention, Source
from tests.conftest import CONNECTION_TOKEN
from tests.listening.conftest import item


class FakeConnector(Connector):
    """Pages of two items; the cursor is the next page number. ``failure`` is raised instead."""

    kind: ClassVar[str] = "fake"
    label: ClassVar[str] = "Fake"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LISTEN})
    pages: ClassVar[int] = 2
    failure: ClassVar[Exception | None] = None
    calls: ClassVar[list[tuple[Any, Any]]] = []

    def fetch(self, config: Mapping[str, Any], credentials: Any, cursor: Any) -> FetchResult:
        FakeConnector.calls.append((credentials, cursor))
        if FakeConnector.failure is not None:
            raise FakeConnector.failure
        page = (cursor or {}).get("page", 0)
        items = [item(f"{page}-{i}", f"page {page} item {i}", source="fake") for i in range(2)]
        return FetchResult(items, {"page": page + 1}, more=page + 1 < FakeConnector.pages)


@pytest.fixture(autouse=True)
def fake_connector(monkeypatch: pytest.MonkeyPatch) -> type[FakeConnector]:
    registry.available()
    assert registry._cache is not None
    monkeypatch.setitem(registry._cache, "fake", FakeConnector)
    FakeConnector.failure = None
    FakeConnector.pages = 2
    FakeConnector.calls = []
    return FakeConnector


@pytest.fixture
def fake_source(personas: Any) -> Source:
    return Source.objects.create(
        workspace=personas.workspace_a,
        name="Fake",
        kind="fake",
        interval=600,
        connection=personas.connection,
        next_run_at=timezone.now() - timedelta(seconds=1),
    )


def test_it_polls_every_page_and_stores_the_cursor(fake_source: Source) -> None:
    result = services.poll_source(fake_source.id)
    assert result is not None and result.created == 4
    fake_source.refresh_from_db()
    assert fake_source.cursor == {"page": 2}
    assert fake_source.last_status == Source.Status.OK
    assert fake_source.next_run_at > timezone.now() + timedelta(seconds=590)
    # The connection's credentials were decrypted for the connector, and only for it.
    assert FakeConnector.calls[0] == ({"access_token": CONNECTION_TOKEN}, None)
    assert FakeConnector.calls[1][1] == {"page": 1}


def test_it_resumes_from_the_cursor(fake_source: Source) -> None:
    services.poll_source(fake_source.id)
    FakeConnector.pages = 3
    result = services.poll_source(fake_source.id)
    assert result is not None and result.created == 2
    assert Mention.objects.count() == 6


def test_it_claims_a_due_source_once(fake_source: Source) -> None:
    later = Source.objects.create(
        workspace=fake_source.workspace,
        name="Later",
        kind="fake",
        next_run_at=timezone.now() + timedelta(hours=1),
    )
    disabled = Source.objects.create(
        workspace=fake_source.workspace,
        name="Off",
        kind="fake",
        enabled=False,
        next_run_at=timezone.now() - timedelta(hours=1),
    )
    assert services.claim_due_sources() == [fake_source.id]
    assert services.claim_due_sources() == []
    assert later.id not in services.claim_due_sources() and disabled.id


def test_it_runs_the_periodic_task(fake_source: Source, monkeypatch: Any) -> None:
    polled: list[int] = []
    monkeypatch.setattr(tasks, "poll_source", lambda source_id: polled.append(source_id))
    assert tasks.poll_due_sources.call_local() == 1
    assert polled == [fake_source.id]
    assert tasks.poll_source is not None


def test_it_records_a_temporary_error_and_retries_later(fake_source: Source) -> None:
    FakeConnector.failure = ConnectorError("The network is busy.", retry_after=300)
    services.poll_source(fake_source.id)
    fake_source.refresh_from_db()
    assert fake_source.last_status == Source.Status.RETRYING
    assert fake_source.last_error == "The network is busy."
    assert (
        timedelta(seconds=290) < fake_source.next_run_at - timezone.now() < timedelta(seconds=310)
    )
    assert fake_source.cursor == {}


def test_it_records_a_permanent_error(fake_source: Source) -> None:
    FakeConnector.failure = ConnectorError("The feed does not exist.", permanent=True)
    services.poll_source(fake_source.id)
    fake_source.refresh_from_db()
    assert fake_source.last_status == Source.Status.ERROR


def test_it_marks_the_connection_when_the_token_expired(fake_source: Source, personas: Any) -> None:
    FakeConnector.failure = AuthExpired("The token was revoked.")
    services.poll_source(fake_source.id)
    fake_source.refresh_from_db()
    personas.connection.refresh_from_db()
    assert fake_source.last_status == Source.Status.NEEDS_RECONNECTION
    assert personas.connection.status == "needs_reconnection"
    assert personas.connection.last_error == "The token was revoked."
    # Not polled again until someone reconnects.
    Source.objects.filter(id=fake_source.id).update(next_run_at=timezone.now())
    assert services.claim_due_sources() == []


def test_it_keeps_the_items_of_pages_before_a_failure(fake_source: Source) -> None:
    original = FakeConnector.fetch

    def second_page_fails(self: Any, config: Any, credentials: Any, cursor: Any) -> Any:
        if cursor:
            raise ConnectorError("Timeout.")
        return original(self, config, credentials, cursor)

    FakeConnector.fetch = second_page_fails  # type: ignore[method-assign]
    try:
        services.poll_source(fake_source.id)
    finally:
        FakeConnector.fetch = original  # type: ignore[method-assign]
    fake_source.refresh_from_db()
    assert Mention.objects.count() == 2
    assert fake_source.cursor == {"page": 1}


def test_it_records_an_unknown_kind(personas: Any) -> None:
    source = Source.objects.create(workspace=personas.workspace_a, name="?", kind="nope")
    services.poll_source(source.id)
    source.refresh_from_db()
    assert source.last_status == Source.Status.ERROR


def test_it_skips_an_item_out_of_range_and_moves_on(
    fake_source: Source, fake_connector: type[FakeConnector], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One item with 10**20 followers failed its whole page on every poll, and the source never
    advanced (issue 10, item 3): it is skipped, said on the source, and the rest is stored."""
    original = FakeConnector.fetch

    def fetch(self: Any, config: Any, credentials: Any, cursor: Any) -> FetchResult:
        page = original(self, config, credentials, cursor)
        bad = item("huge", "lumiere huge", source="fake", followers=10**20)
        nul = item("nul", "lumi\x00ere \ud800", source="fake")
        return FetchResult([*page.items, bad, nul], page.next_cursor, more=page.more)

    monkeypatch.setattr(FakeConnector, "fetch", fetch)
    FakeConnector.pages = 1
    result = services.poll_source(fake_source.id)
    assert result is not None and result.created == 3
    fake_source.refresh_from_db()
    assert fake_source.cursor == {"page": 1} and fake_source.last_status == Source.Status.OK
    assert fake_source.last_error.code == "source.items_skipped"
    assert "1 item skipped" in fake_source.last_error.text
    assert "author_followers" in fake_source.last_error.text
    assert not Mention.objects.filter(external_id="huge").exists()
    assert Mention.objects.get(external_id="nul").text == "lumiere \ufffd"


def test_a_connector_error_reads_in_the_language_of_whoever_opens_the_page(
    fake_source: Source, personas: Any, client: Any
) -> None:
    # A connector speaks no language: its error reached French pages in English (issue 10, 14).
    from django.urls import reverse
    from django.utils import translation

    FakeConnector.failure = ConnectorError(
        "The host name feeds.example could not be resolved.",
        code="http.unresolved",
        params={"host": "feeds.example"},
    )
    with translation.override("en"):  # the worker's language does not matter
        services.poll_source(fake_source.id)
    FakeConnector.failure = AuthExpired(
        "Mastodon refused the access token: gone",
        code="connector.token_refused",
        params={"network": "Mastodon", "detail": "gone"},
    )
    Source.objects.create(
        workspace=personas.workspace_a,
        name="Mentions",
        kind="fake",
        connection=personas.connection,
        next_run_at=timezone.now() - timedelta(hours=1),
    )
    with translation.override("en"):
        services.poll_source(Source.objects.get(name="Mentions").id)
    client.force_login(personas.alice)
    slug = personas.workspace_a.slug
    french = client.get(reverse("listening:sources", args=[slug]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Le nom d’hôte feeds.example est introuvable." in french.content.decode()
    assert "could not be resolved" not in french.content.decode()
    english = client.get(reverse("listening:sources", args=[slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert "The host name feeds.example could not be resolved." in english.content.decode()
    page = client.get(reverse("workspace_connections", args=[slug]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Mastodon a refusé le jeton d’accès : gone" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_poll_analyses_without_holding_the_write_lock(
    fake_source: Source, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first poll of a process loads the text models (tens of seconds on a loaded machine):
    it analyses outside any transaction, so SQLite's write lock stays free for the web requests
    (a login's throttle) and is taken only to store each page with its cursor."""
    from django.db import connection

    from ambassade.listening import analysis
    from tests import sqlite_lock

    seen: list[tuple[bool, bool]] = []
    real = analysis.analyse

    def analyse(texts: list[str]) -> Any:
        seen.append((connection.in_atomic_block, sqlite_lock.write_lock_free(path)))
        return real(texts)

    monkeypatch.setattr(analysis, "analyse", analyse)
    with sqlite_lock.file_database(tmp_path) as path:
        result = services.poll_source(fake_source.id)
        assert result is not None and result.created == 4
        assert Source.objects.get(pk=fake_source.pk).cursor == {"page": 2}
        assert Mention.objects.filter(source=fake_source).count() == 4
    # Two pages, each analysed with no transaction open and the lock free.
    assert seen == [(False, True), (False, True)]
