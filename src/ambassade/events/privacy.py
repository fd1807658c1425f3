"""A person's RSVPs, for the community's RGPD export and erasure (``export_person``,
``erase_person``, called with the person's accounts and e-mail addresses like the other apps'
``privacy`` modules).

Erasure blanks the name and e-mail address, detaches the RSVP from their account and changes its
private link's secret (their ticket link no longer opens). The RSVP stays, without anyone in it,
so that the event's figures (registered, checked in) do not change. Invitations sent to their
addresses are exported too, and erased the same way (no name, a placeholder address, no member: a
queued one is then never sent)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from ambassade.events.models import Invitation, Rsvp
from ambassade.workspaces.models import Workspace

__all__ = ["erase_person", "export_invitations", "export_person"]


def _rsvps(
    workspace: Workspace, accounts: Iterable[tuple[str, str]], emails: Iterable[str]
) -> QuerySet[Rsvp]:
    accounts = list(accounts)
    addresses = {email.strip().casefold() for email in emails if email.strip()}
    addresses |= {handle for network, handle in accounts if network == "email"}
    query = Q(pk__in=[])
    for network, handle in accounts:
        query |= Q(identity__network=network, identity__handle=handle)
    if addresses:
        query |= Q(email__in=sorted(addresses))
    return Rsvp.objects.filter(workspace=workspace).filter(query)


def _addresses(accounts: Iterable[tuple[str, str]], emails: Iterable[str]) -> list[str]:
    found = {email.strip().casefold() for email in emails if email.strip()}
    found |= {handle for network, handle in accounts if network == "email"}
    return sorted(found)


def _invitations(
    workspace: Workspace, accounts: Iterable[tuple[str, str]], emails: Iterable[str]
) -> QuerySet[Invitation]:
    return Invitation.objects.filter(workspace=workspace, email__in=_addresses(accounts, emails))


def export_person(
    workspace: Workspace, accounts: Iterable[tuple[str, str]], emails: Iterable[str]
) -> list[dict[str, Any]]:
    return [
        {
            "event": rsvp.event.title_en,
            "event_starts_at": rsvp.event.starts_at.isoformat(),
            "name": rsvp.name,
            "email": rsvp.email,
            "language": rsvp.lang,
            "status": rsvp.status,
            "ticket_code": rsvp.code,
            "agreed_to_event_emails": rsvp.consent,
            "registered_at": rsvp.registered_at.isoformat(),
            "cancelled_at": rsvp.cancelled_at.isoformat() if rsvp.cancelled_at else None,
            "checked_in_at": rsvp.checked_in_at.isoformat() if rsvp.checked_in_at else None,
        }
        for rsvp in _rsvps(workspace, accounts, emails).select_related("event").order_by("id")
    ]


def export_invitations(
    workspace: Workspace, accounts: Iterable[tuple[str, str]], emails: Iterable[str]
) -> list[dict[str, Any]]:
    return [
        {
            "invitation_to": invitation.event.title_en,
            "event_starts_at": invitation.event.starts_at.isoformat(),
            "name": invitation.name,
            "email": invitation.email,
            "language": invitation.lang,
            "segment": invitation.segment_name,
            "invited_at": invitation.invited_at.isoformat(),
            "email_state": invitation.state,
            "sent_at": invitation.sent_at.isoformat() if invitation.sent_at else None,
        }
        for invitation in _invitations(workspace, list(accounts), list(emails))
        .select_related("event")
        .order_by("id")
    ]


def erase_person(
    workspace: Workspace, accounts: Iterable[tuple[str, str]], emails: Iterable[str]
) -> int:
    erased = 0
    for rsvp in _rsvps(workspace, list(accounts), list(emails)).only("id"):
        # Each its own placeholder address: (event, email) stays unique.
        erased += Rsvp.objects.filter(pk=rsvp.pk).update(
            name="",
            email=f"erased-{rsvp.pk}@invalid",
            identity=None,
            nonce=secrets.token_urlsafe(16),
            consent=False,
        )
    for invitation in _invitations(workspace, list(accounts), list(emails)).only("id"):
        erased += Invitation.objects.filter(pk=invitation.pk).update(
            name="", email=f"erased-{invitation.pk}@invalid", member=None, error=""
        )
    return erased
