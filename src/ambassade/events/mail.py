"""The events' e-mails, in the person's language (the one they registered in): their ticket or
place in line (and the seat when it comes), the cancellation, the reminder and the follow-up.
Each is claimed on its RSVP before it is sent (``services.claim``), so a worker started again
never sends one twice; an SMTP refusal releases the claim for the next run."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambassade.events import services, withdrawal
from ambassade.events.calendar import ics
from ambassade.events.models import Rsvp

__all__ = ["send"]

log = logging.getLogger(__name__)

WHAT = ("status", "reminder", "followup")


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


def _message(rsvp: Rsvp, kind: str) -> EmailMultiAlternatives:
    event = rsvp.event
    lang = rsvp.lang
    with translation.override(lang), timezone.override(event.time_zone):
        context: dict[str, Any] = {
            "rsvp": rsvp,
            "event": event,
            "title": event.title_in(lang),
            "kind": kind,
            "ticket_url": services.ticket_url(rsvp),
            "public_url": services.public_url(event),
            "withdraw_url": withdrawal.url(rsvp),
            "confirmed": rsvp.status == Rsvp.Status.CONFIRMED,
        }
        if kind == "followup":
            text = event.followup_fr if lang == "fr" else event.followup_en
            context["text"] = fill(text or event.followup_en or event.followup_fr, rsvp)
        body = render_to_string("events/email/notice.txt", context)
        message = EmailMultiAlternatives(
            _subject(rsvp, kind), body, settings.DEFAULT_FROM_EMAIL, [rsvp.email]
        )
        if kind in (Rsvp.Status.CONFIRMED, "reminder"):
            message.attach(
                "event.ics",
                ics(event, lang, url=context["public_url"], with_link=True),
                "text/calendar; method=PUBLISH; charset=utf-8",
            )
    return message


def send(rsvp_id: int, what: str) -> bool:
    """Send the e-mail ``what`` of an RSVP if it is due and not sent yet. True when sent."""
    claimed = services.claim(rsvp_id, what)
    if claimed is None:
        return False
    rsvp, previous = claimed
    kind = rsvp.status if what == "status" else what
    try:
        _message(rsvp, kind).send()
    except Exception:
        # Not sent (the SMTP server refused or is down): released, tried again at the next run.
        log.warning("event e-mail %s of RSVP %s not sent", what, rsvp_id, exc_info=True)
        services.release(rsvp_id, what, previous)
        raise
    return True
