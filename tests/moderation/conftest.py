"""Moderation fixtures: listening's stand-in text engine and items, a Reddit source and account of
workspace A, rules, and a network in memory (``MemoryModerator``)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.listening.conftest import engine, english, source  # noqa: F401  (fixtures)


@pytest.fixture
def reddit_source(personas: Any) -> Any:
    from ambassade.listening.models import Source

    return Source.objects.create(workspace=personas.workspace_a, name="r/cafe", kind="reddit")


@pytest.fixture
def reddit_account(personas: Any) -> Any:
    from ambassade.workspaces import services

    return services.connect_account(
        personas.workspace_a,
        network="reddit",
        account_name="u/cafe_mod",
        secret={
            "access_token": "reddit-secret",
            "refresh_token": "r",
            "client_id": "c",
            "username": "cafe_mod",
        },
        actor=personas.alice,
    )


@pytest.fixture
def network() -> Any:
    from ambassade.connectors.moderators import MemoryModerator

    return MemoryModerator(network="reddit")


@pytest.fixture
def ingest(django_capture_on_commit_callbacks: Any) -> Any:
    """Ingest through listening and run the routing hook, as after a real commit (the tasks the
    commit would enqueue are not run: the tests send actions themselves)."""
    from ambassade.listening import services
    from ambassade.moderation import services as moderation

    def run(target: Any, items: list[Any]) -> Any:
        original = moderation._enqueue
        moderation._enqueue = lambda action_id: None  # type: ignore[assignment]
        try:
            with django_capture_on_commit_callbacks(execute=True):
                return services.ingest(target, items)
        finally:
            moderation._enqueue = original  # type: ignore[assignment]

    return run


@pytest.fixture
def no_enqueue(monkeypatch: pytest.MonkeyPatch) -> None:
    from ambassade.moderation import services

    monkeypatch.setattr(services, "_enqueue", lambda action_id: None)


def make_rule(workspace: Any, **fields: Any) -> Any:
    from ambassade.moderation import services
    from ambassade.moderation.models import Rule

    defaults: dict[str, Any] = {"name": "Insults", "mode": "on", "actions": ["hide"]}
    defaults.update(fields)
    return Rule.objects.create(
        workspace=workspace, position=services.next_position(workspace), **defaults
    )
