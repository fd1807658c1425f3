"""A person's RSVPs, for the community's RGPD export and erasure (``export_person``,
``erase_person``, called with the person's accounts and e-mail addresses like the other apps'
``privacy`` modules).

Erasure blanks the name and e-mail address, detaches the RSVP from their account and changes its
private link's secret (their ticket link no longer opens). The RSVP stays, without anyone in it,
so that the event's figures (registered, checked in) do not change."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from ambassade.events.models import Rsvp
from ambassade.workspaces.models import Workspace

__all__ = ["erase_person", "export_person"]


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
    return erased
