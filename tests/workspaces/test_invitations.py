from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from ambassade.workspaces import services
from ambassade.workspaces.models import Invitation, Membership, Role
from tests.conftest import PASSWORD, Personas
from tests.workspaces.html import parse


def _invite(client: Any, personas: Personas, email: str, role: str = "editor") -> Any:
    client.force_login(personas.alice)
    return client.post(
        f"/w/{personas.workspace_a.slug}/members/invite/", {"email": email, "role": role}
    )


def _link(mail: Any) -> str:
    match = re.search(r"http://[^/\s]+(/invitations/[^/\s]+/)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_it_sends_an_invitation_by_email(
    personas: Personas, client: Any, mailoutbox: list[Any]
) -> None:
    response = _invite(client, personas, "Erin@Example.com")
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["erin@example.com"]
    assert "Brand A" in mail.subject or "Brand A" in mail.body
    token = _link(mail).split("/")[2]
    invitation = Invitation.objects.get(email="erin@example.com")
    # Only the hash is stored.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.filter(id=invitation.id).values().get())
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    assert personas.workspace_a.audit_entries.filter(action="member.invited").count() == 2


def test_it_writes_the_email_in_the_workspace_language(
    personas: Personas, client: Any, mailoutbox: list[Any]
) -> None:
    services.update_workspace(personas.workspace_a, personas.alice, language="fr")
    _invite(client, personas, "erin@example.com")
    assert "Bonjour" in mailoutbox[0].body


def test_it_creates_the_account_of_a_new_person(
    personas: Personas, client: Any, mailoutbox: list[Any]
) -> None:
    _invite(client, personas, "erin@example.com", "moderator")
    link = _link(mailoutbox[0])
    client.post("/logout/")
    page = parse(client.get(link).content)
    assert page.find("input", name="name") is not None
    # Errors are shown beside the field, and the input points at them.
    response = client.post(link, {"name": "Erin", "password1": "short", "password2": "short"})
    field = parse(response.content).find("input", name="password1")
    assert field.attrs["aria-invalid"] == "true"
    assert "id_password1_errors" in field.attrs["aria-describedby"]
    response = client.post(
        link, {"name": "Erin Leroy", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response["Location"] == f"/w/{personas.workspace_a.slug}/"
    membership = Membership.objects.get(user__email="erin@example.com")
    assert membership.role == Role.MODERATOR
    assert membership.user.get_full_name() == "Erin Leroy"
    assert client.get(response["Location"]).status_code == 200  # logged in
    # The link works once.
    client.post("/logout/")
    response = client.get(link)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_it_asks_an_existing_person_to_log_in_then_adds_them(
    personas: Personas, client: Any, mailoutbox: list[Any]
) -> None:
    _invite(client, personas, "charlie@example.com", "analyst")
    link = _link(mailoutbox[0])
    client.post("/logout/")
    page = parse(client.get(link).content)
    # The address is URL-encoded in the query string, so a path cannot add parameters of its own.
    login = page.find("a", href="/login/?" + urlencode({"next": link}))
    assert login is not None
    client.force_login(personas.charlie)
    assert "Accept the invitation" in client.get(link).content.decode()
    response = client.post(link)
    assert response["Location"] == f"/w/{personas.workspace_a.slug}/"
    assert Membership.objects.get(user=personas.charlie, workspace=personas.workspace_a).role == (
        "analyst"
    )


def test_it_refuses_someone_logged_in_with_another_address(personas: Personas, client: Any) -> None:
    client.force_login(personas.bob)
    link = f"/invitations/{personas.invitation_token}/"
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 403
        assert "for someone else" in response.content.decode()
    assert not Membership.objects.filter(user__email="dave@example.com").exists()


def test_it_explains_an_expired_link(personas: Personas, client: Any) -> None:
    Invitation.objects.filter(id=personas.invitation.id).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(f"/invitations/{personas.invitation_token}/")
    assert response.status_code == 410
    assert "has expired" in parse(response.content).find("h1").text
    response = client.post(
        f"/invitations/{personas.invitation_token}/",
        {"name": "Dave", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 410
    assert not Membership.objects.filter(user__email="dave@example.com").exists()


def test_it_explains_an_unknown_link(client: Any, db: Any) -> None:
    response = client.get("/invitations/not-a-real-token/")
    assert response.status_code == 404
    assert "not valid" in parse(response.content).find("h1").text


def test_it_revokes_an_invitation(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    url = f"/w/{personas.workspace_a.slug}/invitations/{personas.invitation.id}/revoke/"
    assert client.post(url).status_code == 302
    assert not Invitation.objects.filter(id=personas.invitation.id).exists()
    assert client.get(f"/invitations/{personas.invitation_token}/").status_code == 404
    assert personas.workspace_a.audit_entries.filter(action="invitation.revoked").exists()


def test_it_accepts_an_invitation_once_even_when_raced(personas: Personas) -> None:
    dave = services.create_user("dave@example.com", PASSWORD)
    services.accept_invitation(personas.invitation, dave)
    with pytest.raises(services.ServiceError):
        services.accept_invitation(personas.invitation, dave)


def test_it_refuses_to_invite_a_member_or_an_owner_by_a_manager(personas: Personas) -> None:
    with pytest.raises(services.ServiceError, match="already a member"):
        services.invite_member(
            personas.workspace_a, email="BOB@example.com", role="editor", invited_by=personas.alice
        )
    personas.bob_membership.role = Role.MANAGER
    personas.bob_membership.save()
    with pytest.raises(services.ServiceError, match="Only an owner"):
        services.invite_member(
            personas.workspace_a, email="x@example.com", role="owner", invited_by=personas.bob
        )


def test_it_replaces_a_pending_invitation_for_the_same_address(
    personas: Personas, mailoutbox: list[Any]
) -> None:
    _invitation, token = services.invite_member(
        personas.workspace_a, email="dave@example.com", role="editor", invited_by=personas.alice
    )
    assert Invitation.objects.filter(email="dave@example.com").count() == 1
    assert services.find_invitation(personas.invitation_token) is None
    assert services.find_invitation(token).role == "editor"


def test_it_keeps_no_invitation_when_the_email_cannot_be_sent(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mail", refuse)
    with pytest.raises(services.ServiceError, match="could not be sent"):
        services.invite_member(
            personas.workspace_a, email="erin@example.com", role="editor", invited_by=personas.alice
        )
    assert not Invitation.objects.filter(email="erin@example.com").exists()
    assert not personas.workspace_a.audit_entries.filter(object_repr="erin@example.com").exists()
    # A failed new invitation leaves the pending one of the same address in place.
    with pytest.raises(services.ServiceError):
        services.invite_member(
            personas.workspace_a, email="dave@example.com", role="editor", invited_by=personas.alice
        )
    assert services.find_invitation(personas.invitation_token) is not None
