"""Community fixtures: listening's stand-in text engine and items, and people of every role in A."""

from __future__ import annotations

from typing import Any

import pytest

from tests.listening.conftest import (  # noqa: F401  (fixtures used by these tests)
    brand_query,
    engine,
    english,
    source,
)


@pytest.fixture
def ingest(django_capture_on_commit_callbacks: Any) -> Any:
    """Ingest through listening's services and run the routing hook, as after a real commit."""
    from ambassade.listening import services

    def run(target: Any, items: list[Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return services.ingest(target, items)

    return run


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
