"""The events' e-mails, in the person's language (the one they registered in): their ticket or
place in line (and the seat when it comes), the cancellation, the reminder and the follow-up.

Each becomes due once on its RSVP (``services.enqueue``: one conditional UPDATE of the RSVP's
marker, and an :class:`~ambassade.events.models.Email` row), then goes through the shared
claim-send-mark queue (``workspaces/mailqueue.py``): a worker killed before sending leaves it
claimed, resumed by the next run after :data:`QUEUE`'s ``stale``; one killed while sending leaves
it "perhaps sent", never sent again. An SMTP refusal puts it back for the next run (every five
minutes), failed after ``max_attempts``."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambassade.community.models import Consent
from ambassade.events import services, tracking, withdrawal
from ambassade.events.calendar import ics
from ambassade.events.models import Email, Invitation, Rsvp
from ambassade.workspaces import mailqueue

__all__ = ["INVITATIONS", "QUEUE", "send", "send_invitations", "send_pending"]

log = logging.getLogger(__name__)

WHAT = ("status", "reminder", "followup")
QUEUE = mailqueue.Queue(Email, stale=timedelta(minutes=10), max_attempts=5)
#: The invitations (``invitations.invite_segment``): each row is one e-mail.
INVITATIONS = mailqueue.Queue(Invitation, stale=timedelta(minutes=10), max_attempts=5)


def _subject(rsvp: Rsvp, kind: str) -> str:
    title = rsvp.event.title_in(rsvp.lang)
    subjects = {
        Rsvp.Status.CONFIRMED: _("Your ticket: %(event)s"),
        Rsvp.Status.WAITLISTED: _("You are on the waiting list: %(event)s"),
        Rsvp.Status.CANCELLED: _("Your registration is cancelled: %(event)s"),
        "reminder": _("Reminder: %(event)s"),
        "followup": _("Thank you for coming: %(event)s"),
    }
    return subjects[kind] % {"event": title}


def fill(template: str, rsvp: Rsvp) -> str:
    """The follow-up's variables, by a fixed substitution (never ``str.format``)."""
    values = {"{name}": rsvp.name, "{event}": rsvp.event.title_in(rsvp.lang)}
    for variable, value in values.items():
        template = template.replace(variable, value)
    return template


def _message(rsvp: Rsvp, kind: str, email: Email) -> EmailMultiAlternatives:
    event = rsvp.event
    lang = rsvp.lang
    track = tracking.Tracker(event, email)
    with translation.override(lang), timezone.override(event.time_zone):
        context: dict[str, Any] = {
            "rsvp": rsvp,
            "event": event,
            "title": event.title_in(lang),
            "kind": kind,
            "ticket_url": track.ticket(services.ticket_url(rsvp)),
            "public_url": track.url(services.public_url(event)),
            "online_url": track.url(event.online_url),
            "withdraw_url": withdrawal.url(rsvp),
            "confirmed": rsvp.status == Rsvp.Status.CONFIRMED,
        }
        if kind == "followup":
            text = event.followup_fr if lang == "fr" else event.followup_en
            context["text"] = track.text(fill(text or event.followup_en or event.followup_fr, rsvp))
        body = render_to_string("events/email/notice.txt", context)
        message = EmailMultiAlternatives(
            _subject(rsvp, kind), body, settings.DEFAULT_FROM_EMAIL, [rsvp.email]
        )
        if event.track_opens:
            message.attach_alternative(tracking.html_body(body, lang, track.pixel()), "text/html")
        if kind in (Rsvp.Status.CONFIRMED, "reminder"):
            message.attach(
                "event.ics",
                ics(event, lang, url=services.public_url(event), with_link=True),
                "text/calendar; method=PUBLISH; charset=utf-8",
            )
    return message


def _send_email(email_id: int) -> dict[str, Any]:
    """Write and send one queued e-mail from its RSVP as it is now."""
    email = Email.objects.select_related("rsvp__event__workspace").get(pk=email_id)
    rsvp = email.rsvp
    if not rsvp.email:
        raise mailqueue.Skip  # erased since
    if email.what == "status" and rsvp.status != email.status:
        raise mailqueue.Skip  # the status changed since: its own e-mail tells the new one
    kind = rsvp.status if email.what == "status" else email.what
    _message(rsvp, kind, email).send()
    return {"sent_at": timezone.now()}


def send(rsvp_id: int, what: str) -> bool:
    """Send the e-mail ``what`` of an RSVP if it is due and not sent yet. True when sent."""
    email_id = services.enqueue(rsvp_id, what)
    if email_id is None:
        return False
    worker = mailqueue.worker_id()
    claimed = mailqueue.claim(QUEUE, Email.objects.filter(pk=email_id), worker)
    return mailqueue.send_claimed(QUEUE, claimed, worker, _send_email).sent == 1


def send_pending() -> mailqueue.Result:
    """Every queued e-mail: those a stopped worker left claimed, and those to try again."""
    return mailqueue.run(QUEUE, Email.objects.all(), _send_email, limit=500)


def _invitation_message(invitation: Invitation) -> EmailMultiAlternatives:
    event, lang = invitation.event, invitation.lang
    track = tracking.Tracker(event, invitation)
    with translation.override(lang), timezone.override(event.time_zone):
        context: dict[str, Any] = {
            "invitation": invitation,
            "event": event,
            "title": event.title_in(lang),
            "public_url": track.url(services.public_url(event)),
            "withdraw_url": withdrawal.invitation_url(invitation),
        }
        body = render_to_string("events/email/invitation.txt", context)
        subject = _("Invitation: %(event)s") % {"event": context["title"]}
        message = EmailMultiAlternatives(
            subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email]
        )
        if event.track_opens:
            message.attach_alternative(tracking.html_body(body, lang, track.pixel()), "text/html")
        return message


def _send_invitation(invitation_id: int) -> dict[str, Any]:
    """Write and send one invitation, unless the person withdrew their consent to event e-mails
    since they were invited, or was erased (then it is skipped)."""
    invitation = Invitation.objects.select_related("event__workspace", "member").get(
        pk=invitation_id
    )
    member = invitation.member
    if not invitation.email or member is None:
        raise mailqueue.Skip
    latest = (
        member.consents.filter(purpose=Consent.Purpose.EVENTS)
        .exclude(state=Consent.State.PENDING)
        .order_by("-recorded_at", "-id")
        .values_list("state", flat=True)
        .first()
    )
    if latest != Consent.State.GRANTED:
        raise mailqueue.Skip
    _invitation_message(invitation).send()
    return {"sent_at": timezone.now()}


def send_invitations(event_id: int | None = None) -> mailqueue.Result:
    """The invitations waiting to be sent (of one event, or every one), and those a stopped
    worker left claimed or the SMTP server refused."""
    rows = Invitation.objects.all()
    if event_id is not None:
        rows = rows.filter(event_id=event_id)
    return mailqueue.run(INVITATIONS, rows, _send_invitation, limit=500)
