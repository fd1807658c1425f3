"""Inviting a saved segment to an event (docs/events.md, "Invitations").

:func:`invite_segment` takes the members of a segment as it is now and invites, by e-mail, each
one who may be written to about events: a known address, and consent to event e-mails (their
latest decision for the ``events`` purpose is ``granted``). A member is invited once per event
(merged identities are one member), an address once per event, and nobody who already registered
(by that address, or any account of that member). The rest are counted by reason
(:data:`REASONS`), never invited. All or nothing: one transaction, the event's row locked, so two
invitations of overlapping segments at once invite nobody twice. The e-mails go after the commit
through the shared claim-send-mark queue (``mail.INVITATIONS``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from ambassade.community.models import Consent, Identity, Segment
from ambassade.community.segments import SegmentError, segment_members
from ambassade.events.models import Event, Invitation, Rsvp
from ambassade.events.services import EventError, normalise_email
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import coded

__all__ = ["REASONS", "Outcome", "invite_segment"]

#: Why a member of the segment is not invited (worded as ``event.invite.<reason>``).
REASONS = ("no_address", "no_consent", "already_invited", "registered", "duplicate")


@dataclass
class Outcome:
    invited: int = 0
    left_out: dict[str, int] = field(default_factory=dict)


def _rows(event: Event, segment: Segment, now: dt.datetime) -> list[tuple[Any, ...]]:
    """``(member id, address, name, language, consent state, consent language)`` of each member
    of the segment now, one query."""
    try:
        members = segment_members(segment, now)
    except SegmentError:
        raise EventError(coded("event.segment_broken", segment=segment.name)) from None
    latest = (
        Consent.objects.filter(member=OuterRef("pk"), purpose=Consent.Purpose.EVENTS)
        .exclude(state=Consent.State.PENDING)
        .order_by("-recorded_at", "-id")
    )
    account = Identity.objects.filter(member=OuterRef("pk"), network="email").order_by("id")
    return list(
        members.annotate(
            c_state=Subquery(latest.values("state")[:1]),
            c_lang=Subquery(latest.values("lang")[:1]),
            account=Subquery(account.values("handle")[:1]),
        )
        .order_by("id")
        .values_list("id", "email", "account", "display_name", "language", "c_state", "c_lang")
    )


def invite_segment(
    event: Event, actor: Any, segment: Segment, *, now: dt.datetime | None = None
) -> Outcome:
    """Invite the members of ``segment`` who may be written to about events (module docstring).
    EventError, and nobody invited, when the event no longer takes RSVPs or the segment cannot
    be read."""
    now = now or timezone.now()
    if segment.workspace_id != event.workspace_id:
        raise EventError(coded("event.segment_unknown"))
    if not event.rsvp_open or now >= event.ends_at:
        raise EventError(coded("event.invite_closed"))
    rows = _rows(event, segment, now)
    outcome = Outcome(left_out=dict.fromkeys(REASONS, 0))
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        invited = locked.invitations.values_list("member_id", "email")
        members_invited = {member for member, _email in invited if member is not None}
        addresses = {email for _member, email in invited}
        registered = locked.rsvps.exclude(status=Rsvp.Status.CANCELLED)
        addresses_registered = set(registered.values_list("email", flat=True))
        members_registered = set(
            registered.filter(identity__isnull=False).values_list("identity__member_id", flat=True)
        )
        new: list[Invitation] = []
        for member_id, email, account, name, language, state, consent_lang in rows:
            address = normalise_email(email or account or "")
            reason = ""
            if not address:
                reason = "no_address"
            elif state != Consent.State.GRANTED:
                reason = "no_consent"
            elif member_id in members_invited:
                reason = "already_invited"
            elif member_id in members_registered or address in addresses_registered:
                reason = "registered"
            elif address in addresses:
                reason = "duplicate"  # another member with the same address: invited once
            if reason:
                outcome.left_out[reason] += 1
                continue
            addresses.add(address)
            members_invited.add(member_id)
            lang = (consent_lang or language or locked.workspace.language or "en").lower()
            new.append(
                Invitation(
                    workspace_id=locked.workspace_id,
                    event=locked,
                    member_id=member_id,
                    name=(name or "")[:200],
                    email=address,
                    lang="fr" if lang.startswith("fr") else "en",
                    segment_name=segment.name[:120],
                    invited_by=actor if getattr(actor, "is_authenticated", False) else None,
                    invited_at=now,
                )
            )
        Invitation.objects.bulk_create(new, batch_size=500)
        outcome.invited = len(new)
        outcome.left_out = {reason: n for reason, n in outcome.left_out.items() if n}
        workspace_services.record_audit(
            locked.workspace,
            actor,
            "events.event.invited",
            locked,
            details={
                "segment": segment.name,
                "invited": outcome.invited,
                "left_out": outcome.left_out,
            },
        )
        if new:
            from ambassade.events import tasks

            transaction.on_commit(lambda: tasks.send_invitations(locked.pk))
    return outcome
