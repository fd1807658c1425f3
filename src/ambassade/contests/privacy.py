"""A person's contest entries, for the community's RGPD export and erasure (``export_person``,
``erase_person``, called with the person's accounts and e-mail addresses like the other apps'
``privacy`` modules).

Erasure blanks what names the person (the form's name and e-mail address, the handle) and detaches
the entry from their account and message. The entry code stays: it is pseudonymous, and the
published list of a drawn contest must still hash to what was published."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from ambassade.community.models import normalise_handle
from ambassade.contests.models import Entry
from ambassade.workspaces.models import Workspace

__all__ = ["erase_person", "export_person"]


def _entries(
    workspace: Workspace, accounts: Iterable[tuple[str, str]], emails: Iterable[str]
) -> QuerySet[Entry]:
    query = Q(pk__in=[])
    for network, handle in accounts:
        query |= Q(network=network, handle=normalise_handle(handle))
    addresses = [email.strip().casefold() for email in emails if email.strip()]
    if addresses:
        query |= Q(email__in=addresses)
    return Entry.objects.filter(workspace=workspace).filter(query)


def export_person(
    workspace: Workspace, accounts: Iterable[tuple[str, str]], emails: Iterable[str]
) -> list[dict[str, Any]]:
    return [
        {
            "contest": entry.contest.name,
            "code": entry.code,
            "via": entry.via,
            "network": entry.network,
            "handle": entry.handle,
            "name": entry.name,
            "email": entry.email,
            "entered_at": entry.entered_at.isoformat(),
            "counts": not entry.excluded,
            "won": entry.code in (entry.contest.results or []),
        }
        for entry in _entries(workspace, accounts, emails).select_related("contest").order_by("id")
    ]


def erase_person(
    workspace: Workspace, accounts: Iterable[tuple[str, str]], emails: Iterable[str]
) -> int:
    return _entries(workspace, list(accounts), list(emails)).update(
        name="", email="", handle="", identity=None, mention=None
    )
