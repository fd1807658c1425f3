"""Withdrawing consent to event e-mails from the link in them.

Every e-mail about an RSVP (ticket, place in line, reminder, follow-up) carries a link of its own:
a signed RSVP id under its own salt, so it does not open the ticket, and it keeps working after the
person cancels or registers again. The page behind it shows the event's title and the organiser's
name, nothing else of the workspace; it acts only on POST (mail scanners open links). Withdrawing
records a ``withdrawn`` consent to events on the person's member, with the date and where it came
from (the link, the RSVP, the address and browser), stops the follow-up of every RSVP of that
address in the workspace, and cancels this RSVP too when the person asks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ambassade.community import consent as community_consent
from ambassade.community.models import Consent
from ambassade.events import services
from ambassade.events.models import Invitation, Rsvp

__all__ = [
    "Withdrawn",
    "invitation_for_token",
    "invitation_url",
    "rsvp_for_token",
    "token",
    "url",
    "withdraw",
    "withdraw_invitation",
]

_SALT = "ambassade.events.consent"


def _sign(kind: str, pk: int) -> str:
    return signing.Signer(salt=_SALT, sep=".").sign(f"{kind}{pk}")


def _unsign(kind: str, value: str) -> int | None:
    """The id signed for ``kind`` (``C`` a registration, ``I`` an invitation), or None."""
    try:
        raw = signing.Signer(salt=_SALT, sep=".").unsign(value[:100])
    except signing.BadSignature:
        return None
    digits = raw[len(kind) :]
    if not raw.startswith(kind) or not digits.isascii() or not digits.isdigit():
        return None
    return int(digits)


def token(rsvp: Rsvp) -> str:
    return _sign("C", rsvp.pk)


def rsvp_for_token(value: str) -> Rsvp | None:
    pk = _unsign("C", value)
    if pk is None:
        return None
    return Rsvp.objects.select_related("event", "identity__member").filter(pk=pk).first()


def url(rsvp: Rsvp) -> str:
    return settings.BASE_URL + reverse("events:withdraw", kwargs={"withdraw_token": token(rsvp)})


def invitation_token(invitation: Invitation) -> str:
    """The same link for an invitation (``I`` and its id, under the same salt)."""
    return _sign("I", invitation.pk)


def invitation_for_token(value: str) -> Invitation | None:
    pk = _unsign("I", value)
    if pk is None:
        return None
    return Invitation.objects.select_related("event", "member").filter(pk=pk).first()


def invitation_url(invitation: Invitation) -> str:
    return settings.BASE_URL + reverse(
        "events:withdraw", kwargs={"withdraw_token": invitation_token(invitation)}
    )


def withdraw_invitation(
    invitation: Invitation, *, address: str = "", agent: str = "", now: dt.datetime | None = None
) -> Withdrawn:
    """The person invited withdraws their consent to the organiser's event e-mails (idempotent)."""
    now = now or timezone.now()
    member = invitation.member
    with transaction.atomic():
        Rsvp.objects.filter(
            workspace_id=invitation.workspace_id, email=invitation.email, consent=True
        ).update(consent=False)
        if member is None:
            return Withdrawn(False, False)
        latest = (
            member.consents.filter(purpose=Consent.Purpose.EVENTS)
            .exclude(state=Consent.State.PENDING)
            .order_by("-recorded_at", "-id")
            .first()
        )
        if latest is not None and latest.state == Consent.State.WITHDRAWN:
            return Withdrawn(False, False)
        proof = " · ".join(
            [
                f"withdrawn from the link in the invitation #{invitation.pk} "
                f"(event #{invitation.event_id}, {invitation.event.title_en})"[:300],
                f"at {now.isoformat(timespec='seconds')}",
                f"for {invitation.email}",
                f"IP {address or '?'}",
                f"user agent {(agent or '?')[:300]}",
            ]
        )
        community_consent.record(
            member,
            None,
            Consent.Purpose.EVENTS,
            Consent.State.WITHDRAWN,
            proof=proof,
            source=Consent.Source.UNSUBSCRIBE,
            at=now,
        )
    return Withdrawn(True, False)


@dataclass
class Withdrawn:
    recorded: bool  # a withdrawal was added to the member's consent log (False: it was there)
    cancelled: bool  # the RSVP was cancelled now


def withdraw(
    rsvp: Rsvp,
    *,
    cancel: bool = False,
    address: str = "",
    agent: str = "",
    now: dt.datetime | None = None,
) -> Withdrawn:
    """The person withdraws their consent to the organiser's event e-mails (and cancels ``rsvp``
    when ``cancel``). Idempotent: a second click records nothing more."""
    now = now or timezone.now()
    recorded = False
    with transaction.atomic():
        Rsvp.objects.filter(workspace_id=rsvp.workspace_id, email=rsvp.email, consent=True).update(
            consent=False
        )
        member = rsvp.identity.member if rsvp.identity is not None else None
        latest = (
            member.consents.filter(purpose=Consent.Purpose.EVENTS)
            .exclude(state=Consent.State.PENDING)
            .order_by("-recorded_at", "-id")
            .first()
            if member is not None
            else None
        )
        if member is not None and (latest is None or latest.state != Consent.State.WITHDRAWN):
            proof = " · ".join(
                [
                    f"withdrawn from the link in the e-mails of RSVP #{rsvp.pk} "
                    f"(event #{rsvp.event_id}, {rsvp.event.title_en})"[:300],
                    f"at {now.isoformat(timespec='seconds')}",
                    f"for {rsvp.email}",
                    f"IP {address or '?'}",
                    f"user agent {(agent or '?')[:300]}",
                ]
            )
            community_consent.record(
                member,
                None,
                Consent.Purpose.EVENTS,
                Consent.State.WITHDRAWN,
                proof=proof,
                source=Consent.Source.UNSUBSCRIBE,
                at=now,
            )
            recorded = True
    cancelled = False
    if cancel and rsvp.active and rsvp.event.phase(now) != "past":
        services.cancel(rsvp, now=now)
        cancelled = True
    return Withdrawn(recorded, cancelled)
