from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from ambassade.workspaces.models import Connection, Membership, Role
from ambassade.workspaces.permissions import (
    ACTIONS,
    actions_for_role,
    can,
    declare,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)
from tests.conftest import Personas

# The table of issue 2 and docs/workspaces.md: who may do what.
EXPECTED = {
    "workspace.view": {"owner", "manager", "editor", "moderator", "analyst", "approver"},
    "workspace.manage": {"owner", "manager"},
    "members.manage": {"owner", "manager"},
    "owners.manage": {"owner"},
    "connections.view": {"owner", "manager", "editor", "moderator", "analyst"},
    "connections.manage": {"owner", "manager"},
    "audit.view": {"owner", "manager"},
}


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_it_gives_each_action_to_the_expected_roles(action: str) -> None:
    assert ACTIONS[action].roles == EXPECTED[action]


@pytest.mark.parametrize("role", list(Role))
def test_it_answers_can_from_the_membership_role(role: Role, personas: Personas) -> None:
    personas.bob_membership.role = role
    personas.bob_membership.save()
    for action in EXPECTED:
        assert can(personas.bob, personas.workspace_a, action) == (role in EXPECTED[action])
    assert actions_for_role(role) >= {a for a, roles in EXPECTED.items() if role in roles}


def test_it_denies_everything_to_non_members_anonymous_and_inactive(personas: Personas) -> None:
    for action in EXPECTED:
        assert not can(personas.charlie, personas.workspace_a, action)
        assert not can(AnonymousUser(), personas.workspace_a, action)
    personas.alice.is_active = False
    assert not can(personas.alice, personas.workspace_a, "workspace.view")


def test_it_refuses_an_undeclared_action(personas: Personas) -> None:
    with pytest.raises(KeyError):
        can(personas.alice, personas.workspace_a, "members.invit")
    with pytest.raises(KeyError):
        workspace_view("no.such.action")


def test_it_refuses_to_redeclare_an_action_with_other_roles() -> None:
    assert declare("audit.view", "again", {"owner", "manager"}) == "audit.view"
    with pytest.raises(ValueError, match="already declared"):
        declare("audit.view", "again", {"owner"})
    with pytest.raises(ValueError, match="unknown roles"):
        declare("test.nobody", "x", {"admin"})


def _view(request: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse(f"{request.workspace.slug} {request.membership.role} {kwargs}")


def test_it_resolves_the_workspace_and_checks_the_role(personas: Personas) -> None:
    factory = RequestFactory()
    view = workspace_view("audit.view")(_view)
    request = factory.get("/")
    request.user = personas.alice
    response = view(request, workspace_slug=personas.workspace_a.slug, item_id=3)
    assert response.content.decode() == "brand-a owner {'item_id': 3}"

    request = factory.get("/")
    request.user = personas.bob
    with pytest.raises(PermissionDenied):
        view(request, workspace_slug=personas.workspace_a.slug)

    request = factory.get("/")
    request.user = personas.charlie
    with pytest.raises(Http404):
        view(request, workspace_slug=personas.workspace_a.slug)

    request = factory.get("/w/x/")
    request.user = AnonymousUser()
    response = view(request, workspace_slug=personas.workspace_a.slug)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_filters_querysets_by_the_request_workspace(personas: Personas) -> None:
    request = RequestFactory().get("/")
    request.workspace = personas.workspace_b
    assert list(workspace_queryset(request, Connection)) == []
    assert list(workspace_queryset(request, Membership.objects.all())) == list(
        personas.workspace_b.memberships.all()
    )
    with pytest.raises(Http404):
        get_workspace_object_or_404(request, Connection, id=personas.connection.id)
    request.workspace = personas.workspace_a
    assert get_workspace_object_or_404(request, Connection, id=personas.connection.id) == (
        personas.connection
    )
    del request.workspace
    with pytest.raises(RuntimeError):
        workspace_queryset(request, Connection)


def test_it_lists_every_action_of_the_app_in_this_table() -> None:
    from ambassade.workspaces import permissions

    declared = {
        value
        for name, value in vars(permissions).items()
        if name.isupper() and isinstance(value, str) and value in ACTIONS
    }
    assert declared == set(EXPECTED)


def test_it_documents_the_table_as_it_is_in_the_code() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "workspaces.md").read_text(encoding="utf-8")
    roles = [str(role) for role in Role]  # the documented column order
    documented = {}
    for line in doc.splitlines():
        match = re.match(r"^\| `([a-z_.]+)` \|(.*)\|[^|]*\|$", line)
        if match:
            cells = [cell.strip() for cell in match.group(2).split("|")]
            documented[match.group(1)] = {
                role for role, cell in zip(roles, cells, strict=True) if cell == "✓"
            }
    assert documented == EXPECTED
