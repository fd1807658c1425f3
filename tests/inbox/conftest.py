"""Inbox fixtures: listening's stand-in text engine and items, ingest with the routing hook run as
after a real commit, and helpers to read the inbox back. Workspace A's own account is the persona
connection ``@brand_a@mastodon.social``: a Mastodon mention of ``@brand_a`` is for the inbox."""

from __future__ import annotations

from typing import Any

import pytest

from tests.listening.conftest import (  # noqa: F401  (fixtures used by these tests)
    NOW,
    brand_query,
    days_ago,
    engine,
    english,
    item,
    source,
)

BRAND = "brand_a@mastodon.social"


@pytest.fixture
def ingest(django_capture_on_commit_callbacks: Any) -> Any:
    """Ingest through listening's services and run the routing hook, as after a real commit."""
    from ambassade.listening import services

    def run(target: Any, items: list[Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return services.ingest(target, items)

    return run


def brand_reply(external_id: str, text: str, parent: str, **extra: Any) -> Any:
    """The brand answering natively on Mastodon (from its own account)."""
    return item(external_id, text, handle=BRAND, parent_id=parent, **extra)


@pytest.fixture
def people(personas: Any) -> dict[str, Any]:
    """One person per role in workspace A (Alice is the owner, Bob the editor)."""
    from ambassade.workspaces import services
    from ambassade.workspaces.models import Membership, Role

    found = {"owner": personas.alice, "editor": personas.bob}
    for role in (Role.MANAGER, Role.MODERATOR, Role.ANALYST, Role.APPROVER):
        user = services.create_user(f"{role}@example.com", "pw-long-enough-123", str(role))
        Membership.objects.create(workspace=personas.workspace_a, user=user, role=role)
        found[str(role)] = user
    return found
