"""What recipients do with a campaign e-mail: unsubscribe (one click, RFC 8058, or the public
page), open it (the pixel, when the campaign counts opens), click a link (``/l/<code>``).

Each lands once on the member's timeline (``email_unsubscribe``, ``email_open``,
``email_click``; source ``mailing.*`` with the recipient row's id), and an unsubscription is a
withdrawal of consent to e-mailing in the community's consent log, with its proof.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ambassade.community import activities, consent
from ambassade.community.models import Consent, Identity
from ambassade.mailing.models import CampaignLink, Recipient

__all__ = ["click", "opened", "recipient_for", "unsubscribe"]


def recipient_for(token: str) -> Recipient | None:
    if not token or len(token) > 64:
        return None
    return (
        Recipient.objects.select_related("campaign", "workspace", "member")
        .filter(token=token)
        .first()
    )


def _timeline(recipient: Recipient, kind: str, source: str) -> None:
    if recipient.member_id is None:
        return
    identity = Identity.objects.filter(member_id=recipient.member_id).order_by("id").first()
    if identity is not None:
        activities.record(identity, kind, timezone.now(), source, recipient.pk)


def unsubscribe(recipient: Recipient, *, address: str, agent: str, one_click: bool) -> bool:
    """The person asked to receive no more e-mails: consent withdrawn with the proof, once.
    Returns False when it was done already."""
    now = timezone.now()
    with transaction.atomic():
        changed = Recipient.objects.filter(pk=recipient.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=now
        )
        if not changed:
            return False
        member = recipient.member
        if member is not None and consent.has_consent(member, Consent.Purpose.EMAILING):
            how = "one-click (RFC 8058)" if one_click else "unsubscribe page"
            proof = " · ".join(
                [
                    f"unsubscribed {now.isoformat(timespec='seconds')} by {how}",
                    f"campaign #{recipient.campaign_id} sent to {recipient.email}",
                    f"IP {address or '?'}",
                    f"user agent {(agent or '?')[:300]}",
                ]
            )
            consent.record(
                member,
                None,
                Consent.Purpose.EMAILING,
                Consent.State.WITHDRAWN,
                proof=proof,
                source=Consent.Source.UNSUBSCRIBE,
                at=now,
            )
        _timeline(recipient, "email_unsubscribe", "mailing.unsubscribe")
    return True


def opened(recipient: Recipient) -> bool:
    """The open pixel was loaded: counted once, when the campaign counts opens."""
    if not recipient.campaign.track_opens:
        return False
    changed = Recipient.objects.filter(pk=recipient.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )
    if changed:
        _timeline(recipient, "email_open", "mailing.open")
    return bool(changed)


def click(code: str, params: Mapping[str, Any]) -> str | None:
    """A click on a campaign's link (``/l/<code>?r=<token>``): counted on the link, on the
    recipient, and once on their timeline. Returns where it leads, None for another code."""
    link = CampaignLink.objects.filter(code=code).values("id", "target", "campaign_id").first()
    if link is None:
        return None
    CampaignLink.objects.filter(pk=link["id"]).update(clicks=F("clicks") + 1)
    token = str(params.get("r") or "")
    recipient = recipient_for(token) if token else None
    if recipient is not None and recipient.campaign_id == link["campaign_id"]:
        now = timezone.now()
        Recipient.objects.filter(pk=recipient.pk).update(clicks=F("clicks") + 1)
        first = Recipient.objects.filter(pk=recipient.pk, clicked_at__isnull=True).update(
            clicked_at=now
        )
        if first:
            _timeline(recipient, "email_click", "mailing.click")
    return str(link["target"])
