"""Every write of the events app (docs/events.md): events, RSVPs with the capacity and the waiting
list, cancellation and promotion, check-in, and the e-mails (each queued once, then sent through the
shared claim-send-mark queue, so a restarted worker never sends one twice).

Errors are :class:`EventError` with a coded message, worded in ``events/messages.py``.
"""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from ambassade.community import activities
from ambassade.community import consent as community_consent
from ambassade.community.models import Consent, Identity, Member
from ambassade.events.models import Email, Event, FormThrottle, Rsvp
from ambassade.workspaces import formthrottle
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Workspace

__all__ = [
    "EDITABLE",
    "CheckIn",
    "EventError",
    "cancel",
    "check_in",
    "create_event",
    "private_token",
    "register",
    "rsvp_for_token",
    "ticket_token",
    "update_event",
]

EDITABLE = (
    "title_en",
    "title_fr",
    "description_en",
    "description_fr",
    "organiser",
    "format",
    "venue",
    "address",
    "online_url",
    "starts_at",
    "ends_at",
    "time_zone",
    "capacity",
    "waitlist",
    "rsvp_open",
    "reminder_hours",
    "followup_en",
    "followup_fr",
    "track_clicks",
    "track_opens",
)
#: RSVPs one address may send to one event in an hour (the public form's rate limit).
RSVPS_PER_HOUR = 10
#: Ticket codes: 8 characters without 0/O, 1/I/L, written ``ABCD-EFGH``.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_LINK_SALT = "ambassade.events.rsvp"
_TICKET_SALT = "ambassade.events.ticket"
_SOURCE_RSVP = "events.rsvp"
_SOURCE_ATTENDED = "events.attended"


class EventError(Exception):
    def __init__(self, message: StoredMessage) -> None:
        super().__init__(message.text)
        self.message = message


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFC", (email or "").strip()).casefold()[:254]


def _check(fields: dict[str, Any]) -> None:
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if starts and ends and ends <= starts:
        raise EventError(coded("event.ends_before_start"))
    if fields.get("format") == Event.Format.ONLINE and not fields.get("online_url"):
        raise EventError(coded("event.online_needs_link"))
    if fields.get("format") == Event.Format.PHYSICAL and not (
        fields.get("venue") or fields.get("address")
    ):
        raise EventError(coded("event.physical_needs_place"))


def create_event(
    workspace: Workspace, actor: Any, *, now: dt.datetime | None = None, **fields: Any
) -> Event:
    fields = {name: value for name, value in fields.items() if name in EDITABLE}
    fields.setdefault("time_zone", workspace.time_zone)
    _check(fields)
    with transaction.atomic():
        event = Event.objects.create(
            workspace=workspace,
            token=secrets.token_urlsafe(32),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=now or timezone.now(),
            updated_at=now or timezone.now(),
            **fields,
        )
        workspace_services.record_audit(workspace, actor, "events.event.created", event)
    return event


def update_event(event: Event, actor: Any, **fields: Any) -> list[Rsvp]:
    """Change ``event``; a capacity made larger gives seats to the waiting list, in order (they
    are e-mailed). Returns the RSVPs promoted."""
    fields = {name: value for name, value in fields.items() if name in EDITABLE}
    merged = {name: getattr(event, name) for name in EDITABLE} | fields
    _check(merged)
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.updated_at = timezone.now()
        locked.save()
        promoted = _fill_seats(locked)
        workspace_services.record_audit(locked.workspace, actor, "events.event.updated", locked)
    for name in fields:
        setattr(event, name, getattr(locked, name))
    _notify_after_commit([rsvp.pk for rsvp in promoted])
    return promoted


# --- RSVP ---------------------------------------------------------------------------------------


def throttled(event: Event, address: str, *, now: dt.datetime | None = None) -> bool:
    """Count one RSVP from ``address`` to ``event``; True when past :data:`RSVPS_PER_HOUR` this
    hour (the form is refused). Counted in the database (``workspaces/formthrottle.py``)."""
    return formthrottle.hit(
        FormThrottle, formthrottle.key(event.pk, address), RSVPS_PER_HOUR, now=now
    )


def purge_throttles(now: dt.datetime | None = None) -> int:
    return formthrottle.purge(FormThrottle, now)


def _new_code(taken: set[str]) -> str:
    while True:
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if code not in taken:
            return code


def _confirmed(event: Event) -> int:
    return event.rsvps.filter(status=Rsvp.Status.CONFIRMED).count()


def seats_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return max(0, event.capacity - _confirmed(event))


def identity_for_email(workspace: Workspace, email: str, name: str) -> Identity | None:
    """The person behind ``email`` in the community: the member who has this address (their
    ``email`` account, or the address on their record), else a new member with an ``email``
    account. The member's address is filled when it had none."""
    found = Identity.objects.filter(workspace=workspace, network="email", handle=email).first()
    if found is None:
        member = (
            Member.objects.filter(workspace=workspace, email__iexact=email).order_by("id").first()
        )
        if member is not None:
            found = member.identities.order_by("id").first()
            if found is None or found.network != "email":
                found = _email_account(workspace, member, email, name) or found
        else:
            found = activities.identity_for(workspace, "email", email, name=name)
    if found is not None:
        Member.objects.filter(pk=found.member_id, email="").update(email=email)
    return found


def _email_account(workspace: Workspace, member: Member, email: str, name: str) -> Identity | None:
    try:
        with transaction.atomic():
            return Identity.objects.create(
                workspace=workspace, member=member, network="email", handle=email, name=name[:200]
            )
    except IntegrityError:
        return Identity.objects.filter(workspace=workspace, network="email", handle=email).first()


@dataclass
class Registered:
    rsvp: Rsvp
    created: bool


def register(
    event: Event,
    *,
    name: str,
    email: str,
    lang: str,
    consent: bool,
    address: str = "",
    agent: str = "",
    now: dt.datetime | None = None,
) -> Registered:
    """An RSVP from the public form: a seat while there is one, else the waiting list (or a
    refusal when the event has none). The same address again gives back its RSVP (a cancelled
    one is taken up again as new). The person is matched to a member by e-mail (made one when
    unknown), the RSVP lands on their timeline, and a consent to event e-mails is recorded with
    its proof. The e-mail with the ticket (or the place in line) goes after the commit."""
    now = now or timezone.now()
    if not event.rsvp_open or now >= event.ends_at:
        raise EventError(coded("event.rsvp_closed"))
    address_email = normalise_email(email)
    lang = "fr" if lang.startswith("fr") else "en"
    name = " ".join(name.split())[:120]
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        existing = Rsvp.objects.filter(event=locked, email=address_email).first()
        if existing is not None and existing.active:
            return Registered(existing, False)
        full = locked.capacity is not None and _confirmed(locked) >= locked.capacity
        if full and not locked.waitlist:
            raise EventError(coded("event.full"))
        status = Rsvp.Status.WAITLISTED if full else Rsvp.Status.CONFIRMED
        identity = identity_for_email(locked.workspace, address_email, name)
        if existing is not None:  # cancelled before: in again, at the back of the line
            rsvp = existing
            rsvp.name, rsvp.lang, rsvp.status = name, lang, status
            rsvp.registered_at, rsvp.cancelled_at = now, None
            rsvp.nonce = secrets.token_urlsafe(16)
            rsvp.consent = rsvp.consent or consent
            rsvp.identity = identity
            rsvp.save()
        else:
            taken = set(Rsvp.objects.filter(event=locked).values_list("code", flat=True))
            rsvp = Rsvp.objects.create(
                workspace_id=locked.workspace_id,
                event=locked,
                name=name,
                email=address_email,
                lang=lang,
                status=status,
                code=_new_code(taken),
                nonce=secrets.token_urlsafe(16),
                identity=identity,
                consent=consent,
                registered_at=now,
            )
        if identity is not None:
            activities.record(identity, "rsvp", now, _SOURCE_RSVP, rsvp.pk)
            if consent:
                _record_consent(identity, locked, rsvp, address, agent, now)
    _notify_after_commit([rsvp.pk])
    return Registered(rsvp, True)


def _record_consent(
    identity: Identity, event: Event, rsvp: Rsvp, address: str, agent: str, now: dt.datetime
) -> None:
    """The box ticked on the public form: consent to the brand's event e-mails, with the facts
    that prove it (in no language: the source says where it was given)."""
    proof = " · ".join(
        [
            f"ticked on the RSVP form of event #{event.pk} ({event.title_en})"[:300],
            f"at {now.isoformat(timespec='seconds')}",
            f"for {rsvp.email} (RSVP #{rsvp.pk}, form in {rsvp.lang})",
            f"IP {address or '?'}",
            f"user agent {(agent or '?')[:300]}",
        ]
    )
    community_consent.record(
        identity.member,
        None,
        Consent.Purpose.EVENTS,
        Consent.State.GRANTED,
        proof=proof,
        source=Consent.Source.PUBLIC_PAGE,
        at=now,
    )


def _fill_seats(event: Event) -> list[Rsvp]:
    """Give free seats to the waiting list, first come first served (the event row is locked)."""
    if not event.waitlist and event.capacity is not None:
        return []
    free = None if event.capacity is None else event.capacity - _confirmed(event)
    line = event.rsvps.filter(status=Rsvp.Status.WAITLISTED).order_by("registered_at", "id")
    chosen = list(line if free is None else line[: max(0, free)])
    if chosen:
        Rsvp.objects.filter(pk__in=[r.pk for r in chosen]).update(status=Rsvp.Status.CONFIRMED)
        for rsvp in chosen:
            rsvp.status = Rsvp.Status.CONFIRMED
    return chosen


def cancel(rsvp: Rsvp, actor: Any = None, *, now: dt.datetime | None = None) -> Rsvp | None:
    """Cancel ``rsvp`` (from the person's private link, or by the team); the first in line gets
    the seat and an e-mail. Idempotent. Returns the RSVP promoted, if any."""
    now = now or timezone.now()
    promoted: list[Rsvp] = []
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=rsvp.event_id)
        changed = Rsvp.objects.filter(pk=rsvp.pk).exclude(status=Rsvp.Status.CANCELLED)
        if changed.update(status=Rsvp.Status.CANCELLED, cancelled_at=now):
            if event.phase(now) != "past":
                promoted = _fill_seats(event)
            if actor is not None:
                workspace_services.record_audit(
                    event.workspace,
                    actor,
                    "events.rsvp.cancelled",
                    event,
                    details={"rsvp": rsvp.pk},
                )
    rsvp.refresh_from_db()
    _notify_after_commit([rsvp.pk, *(r.pk for r in promoted)])
    return promoted[0] if promoted else None


def describe(rsvp_ids: list[int], slug: str) -> dict[int, tuple[str, str]]:
    """An RSVP or an attendance on the member's timeline: the event's title in the reader's
    language, linked to the event's page."""
    rows = Rsvp.objects.filter(pk__in=rsvp_ids).select_related("event")
    return {
        rsvp.pk: (rsvp.event.title, reverse("events:event", args=[slug, rsvp.event_id]))
        for rsvp in rows
    }


# --- links and tickets ----------------------------------------------------------------------------


def private_token(rsvp: Rsvp) -> str:
    """The secret part of the person's private link: their ticket, and cancellation."""
    return signing.Signer(salt=_LINK_SALT, sep=".").sign(f"{rsvp.pk}-{rsvp.nonce}")


def rsvp_for_token(token: str) -> Rsvp | None:
    try:
        raw = signing.Signer(salt=_LINK_SALT, sep=".").unsign(token[:200])
    except signing.BadSignature:
        return None
    pk, _sep, nonce = raw.partition("-")
    if not pk.isdigit() or not nonce:
        return None
    return (
        Rsvp.objects.select_related("event", "event__workspace")
        .filter(pk=int(pk), nonce=nonce)
        .first()
    )


def ticket_token(rsvp: Rsvp) -> str:
    """What the ticket's QR code holds: the event and the ticket code, signed, so a code read at
    the door is one Ambassade issued (``E12:ABCD-EFGH:signature``)."""
    return signing.Signer(salt=_TICKET_SALT, sep=":").sign(f"E{rsvp.event_id}:{rsvp.code}")


def code_from_scan(event: Event, text: str) -> str | None:
    """The ticket code in what was scanned or typed: a signed QR token of this event, or a code
    typed by hand (``abcd efgh``, ``ABCD-EFGH``). None for a token of another event or forged."""
    text = (text or "").strip()[:200]
    if text.count(":") >= 2:
        try:
            raw = signing.Signer(salt=_TICKET_SALT, sep=":").unsign(text)
        except signing.BadSignature:
            return None
        prefix, _sep, code = raw.partition(":")
        return code if prefix == f"E{event.pk}" else None
    letters = "".join(c for c in text.upper() if c.isalnum())
    if len(letters) != 8:
        return None
    return f"{letters[:4]}-{letters[4:]}"


def public_url(event: Event) -> str:
    return settings.BASE_URL + reverse("events:public", kwargs={"event_token": event.token})


def ticket_url(rsvp: Rsvp) -> str:
    return settings.BASE_URL + reverse("events:ticket", kwargs={"rsvp_token": private_token(rsvp)})


# --- check-in -----------------------------------------------------------------------------------


@dataclass
class CheckIn:
    """What the door sees: ``outcome`` is ``checked_in``, ``already``, ``waitlisted``,
    ``cancelled`` or ``unknown``."""

    outcome: str
    rsvp: Rsvp | None = None


def check_in(
    event: Event,
    actor: Any,
    *,
    text: str = "",
    rsvp_id: int | None = None,
    now: dt.datetime | None = None,
) -> CheckIn:
    """Check in the ticket scanned or typed (``text``) or picked from the list (``rsvp_id``).
    Idempotent: a second scan says when the first one was. Attendance lands on the person's
    timeline (weight 5 in engagement)."""
    now = now or timezone.now()
    rsvps = Rsvp.objects.filter(event=event).select_related("identity")
    if rsvp_id is not None:
        rsvp = rsvps.filter(pk=rsvp_id).first()
    else:
        code = code_from_scan(event, text)
        rsvp = rsvps.filter(code=code).first() if code else None
    if rsvp is None:
        return CheckIn("unknown")
    if rsvp.status == Rsvp.Status.CANCELLED:
        return CheckIn("cancelled", rsvp)
    if rsvp.status == Rsvp.Status.WAITLISTED:
        return CheckIn("waitlisted", rsvp)
    with transaction.atomic():
        done = Rsvp.objects.filter(pk=rsvp.pk, checked_in_at__isnull=True).update(
            checked_in_at=now,
            checked_in_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if done and rsvp.identity is not None:
            activities.record(rsvp.identity, "event", now, _SOURCE_ATTENDED, rsvp.pk)
    rsvp.refresh_from_db()
    return CheckIn("checked_in" if done else "already", rsvp)


def undo_check_in(rsvp: Rsvp, actor: Any) -> bool:
    """A check-in made by mistake: undone, and off the person's timeline."""
    with transaction.atomic():
        done = Rsvp.objects.filter(pk=rsvp.pk, checked_in_at__isnull=False).update(
            checked_in_at=None, checked_in_by=None
        )
        if done:
            from ambassade.community.models import Activity

            Activity.objects.filter(
                workspace_id=rsvp.workspace_id, source=_SOURCE_ATTENDED, source_id=rsvp.pk
            ).delete()
            workspace_services.record_audit(
                rsvp.event.workspace,
                actor,
                "events.rsvp.check_in_undone",
                rsvp.event,
                details={"rsvp": rsvp.pk},
            )
    return bool(done)


# --- e-mails ------------------------------------------------------------------------------------


def _notify_after_commit(rsvp_ids: list[int]) -> None:
    from ambassade.events import tasks

    for rsvp_id in rsvp_ids:
        transaction.on_commit(lambda rsvp_id=rsvp_id: tasks.notify_rsvp(rsvp_id))


#: The longest a reminder may go before the event (a week).
MAX_REMINDER_HOURS = 168


def due_reminders(now: dt.datetime | None = None) -> list[int]:
    """Confirmed RSVPs of events starting within their reminder's hours, not reminded yet."""
    now = now or timezone.now()
    soon = Event.objects.filter(
        reminder_hours__gt=0,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(hours=MAX_REMINDER_HOURS),
    ).values_list("id", "starts_at", "reminder_hours")
    due = [pk for pk, starts, hours in soon if starts - dt.timedelta(hours=hours) <= now]
    if not due:
        return []
    return list(
        Rsvp.objects.filter(
            event_id__in=due, status=Rsvp.Status.CONFIRMED, reminded_at__isnull=True
        )
        .exclude(email="")
        .values_list("id", flat=True)[:500]
    )


def due_followups() -> list[int]:
    """Attendees (checked in, agreed to event e-mails) of events whose follow-up was asked for,
    not sent yet."""
    return list(
        Rsvp.objects.filter(
            event__followup_requested_at__isnull=False,
            checked_in_at__isnull=False,
            consent=True,
            followed_up_at__isnull=True,
        )
        .exclude(email="")
        .values_list("id", flat=True)[:500]
    )


def unnotified() -> list[int]:
    """RSVPs whose person was not told of their status yet (a worker stopped before sending)."""
    return list(
        Rsvp.objects.exclude(email="")
        .exclude(notified_status=F("status"))
        .values_list("id", flat=True)[:500]
    )


def request_followup(event: Event, actor: Any, *, now: dt.datetime | None = None) -> int:
    """Send the follow-up to the event's attendees who agreed to event e-mails, once each (a
    second request sends it only to those who had not got it, as attendees checked in late).
    Returns how many are to receive it."""
    now = now or timezone.now()
    if event.phase(now) == "upcoming":
        raise EventError(coded("event.followup_too_early"))
    if not (event.followup_en.strip() or event.followup_fr.strip()):
        raise EventError(coded("event.followup_empty"))
    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(followup_requested_at=now)
        event.followup_requested_at = now
        workspace_services.record_audit(event.workspace, actor, "events.event.followup", event)
    pending = list(
        event.rsvps.filter(checked_in_at__isnull=False, consent=True, followed_up_at__isnull=True)
        .exclude(email="")
        .values_list("id", flat=True)
    )
    from ambassade.events import tasks

    for rsvp_id in pending:
        transaction.on_commit(lambda rsvp_id=rsvp_id: tasks.send_followup(rsvp_id))
    return len(pending)


def enqueue(rsvp_id: int, what: str, *, now: dt.datetime | None = None) -> int | None:
    """Make the e-mail ``what`` (``status``, ``reminder``, ``followup``) of an RSVP due, once: one
    conditional UPDATE of the RSVP's marker and its :class:`Email` row in one transaction, so two
    workers, or a worker started again, never queue it twice. Returns the e-mail's id; None when
    there is nothing to send (queued already, or no longer due). ``mail.QUEUE`` sends it."""
    now = now or timezone.now()
    rows = Rsvp.objects.filter(pk=rsvp_id).exclude(email="")
    told = ""
    with transaction.atomic():
        if what == "status":
            found = rows.values_list("status", "notified_status").first()
            if found is None or found[0] == found[1]:
                return None
            told, previous = found
            won = rows.filter(status=told, notified_status=previous).update(notified_status=told)
        elif what == "reminder":
            won = rows.filter(status=Rsvp.Status.CONFIRMED, reminded_at__isnull=True).update(
                reminded_at=now
            )
        elif what == "followup":
            won = rows.filter(
                checked_in_at__isnull=False, consent=True, followed_up_at__isnull=True
            ).update(followed_up_at=now)
        else:
            raise ValueError(what)
        if not won:
            return None
        workspace_id = Rsvp.objects.filter(pk=rsvp_id).values_list("workspace_id", flat=True)[0]
        email = Email.objects.create(
            workspace_id=workspace_id, rsvp_id=rsvp_id, what=what, status=told, created_at=now
        )
    return email.pk
