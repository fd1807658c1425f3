from __future__ import annotations

from typing import Any

import pytest

from ambassade.workspaces import services
from ambassade.workspaces.models import Membership, Role
from tests.conftest import Personas
from tests.workspaces.html import parse


def test_it_lists_members_in_constant_queries(
    personas: Personas, client: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(personas.alice)
    url = f"/w/{personas.workspace_a.slug}/members/"
    with django_assert_max_num_queries(12) as before:
        client.get(url)
    for n in range(5):
        user = services.create_user(f"p{n}@example.com", None, f"Person {n}")
        Membership.objects.create(workspace=personas.workspace_a, user=user, role=Role.ANALYST)
        services.invite_member(
            personas.workspace_a,
            email=f"i{n}@example.com",
            role="editor",
            invited_by=personas.alice,
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(url)
    rows = parse(response.content).find_all("tr")
    assert len(rows) == 1 + 7 + 1 + 6  # header + members, header + invitations


def test_it_shows_editors_the_members_without_controls(personas: Personas, client: Any) -> None:
    client.force_login(personas.bob)
    page = parse(client.get(f"/w/{personas.workspace_a.slug}/members/").content)
    assert page.find("form", action=f"/w/{personas.workspace_a.slug}/members/invite/") is None
    assert page.find("select") is None
    assert "Alice Martin" in page.text
    assert "dave@example.com" not in page.text  # invitations are for managers


def test_it_changes_a_role_and_writes_the_audit_log(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    url = f"/w/{personas.workspace_a.slug}/members/{personas.bob_membership.id}/role/"
    assert client.post(url, {"role": "manager"}).status_code == 302
    personas.bob_membership.refresh_from_db()
    assert personas.bob_membership.role == "manager"
    entry = personas.workspace_a.audit_entries.get(action="member.role_changed")
    assert entry.actor == personas.alice
    assert entry.details == {"from": "editor", "to": "manager"}
    assert entry.object_repr == "Bob Durand <bob@example.com>"


def test_it_keeps_owners_out_of_managers_reach(personas: Personas) -> None:
    personas.bob_membership.role = Role.MANAGER
    personas.bob_membership.save()
    with pytest.raises(services.ServiceError):
        services.change_role(personas.alice_membership, "editor", personas.bob)
    with pytest.raises(services.ServiceError):
        services.remove_member(personas.alice_membership, personas.bob)
    bob = Membership.objects.get(id=personas.bob_membership.id)
    with pytest.raises(services.ServiceError):
        services.change_role(bob, "owner", personas.bob)


def test_it_keeps_at_least_one_owner(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    url = f"/w/{personas.workspace_a.slug}/members/{personas.alice_membership.id}/role/"
    response = client.post(url, {"role": "editor"}, follow=True)
    assert "at least one owner" in response.content.decode()
    personas.alice_membership.refresh_from_db()
    assert personas.alice_membership.role == "owner"
    services.change_role(personas.bob_membership, "owner", personas.alice)
    services.change_role(personas.alice_membership, "editor", personas.alice)


def test_it_removes_a_member(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    url = f"/w/{personas.workspace_a.slug}/members/{personas.bob_membership.id}/remove/"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(id=personas.bob_membership.id).exists()
    assert personas.workspace_a.audit_entries.filter(action="member.removed").exists()
    client.force_login(personas.bob)
    assert client.get(f"/w/{personas.workspace_a.slug}/").status_code == 404


def test_it_forbids_editors_to_manage_members(personas: Personas, client: Any) -> None:
    client.force_login(personas.bob)
    base = f"/w/{personas.workspace_a.slug}"
    assert client.post(f"{base}/members/invite/", {"email": "x@example.com"}).status_code == 403
    url = f"{base}/members/{personas.alice_membership.id}/remove/"
    assert client.post(url).status_code == 403
    assert Membership.objects.filter(id=personas.alice_membership.id).exists()
