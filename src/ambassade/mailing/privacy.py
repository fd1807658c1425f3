"""A person's campaign e-mails, for the community's RGPD export and erasure (``export_person``,
``erase_person``, called with the person's accounts and e-mail addresses like the other apps'
``privacy`` modules). Erasure deletes their recipient rows: the campaign's figures keep counting
what was sent (``Campaign.total``), not to whom."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from ambassade.mailing.models import Recipient
from ambassade.workspaces.models import Workspace

__all__ = ["erase_person", "export_person"]


def _rows(
    workspace: Workspace, emails: Iterable[str], members: Iterable[int] = ()
) -> QuerySet[Recipient]:
    addresses = [email.strip() for email in emails if email and email.strip()]
    query = Q(pk__in=[])
    for address in addresses:
        query |= Q(email__iexact=address)
    ids = list(members)
    if ids:
        query |= Q(member_id__in=ids)
    return Recipient.objects.filter(workspace=workspace).filter(query)


def export_person(
    workspace: Workspace, emails: Iterable[str], members: Iterable[int] = ()
) -> list[dict[str, Any]]:
    return [
        {
            "campaign": row.campaign.name,
            "email": row.email,
            "language": row.lang,
            "state": row.state,
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            "opened_at": row.opened_at.isoformat() if row.opened_at else None,
            "clicked_at": row.clicked_at.isoformat() if row.clicked_at else None,
            "clicks": row.clicks,
            "bounce": row.bounce,
            "unsubscribed_at": row.unsubscribed_at.isoformat() if row.unsubscribed_at else None,
        }
        for row in _rows(workspace, emails, members).select_related("campaign").order_by("id")
    ]


def erase_person(workspace: Workspace, emails: Iterable[str], members: Iterable[int] = ()) -> int:
    deleted, _by_model = _rows(workspace, list(emails), list(members)).delete()
    return int(deleted)
