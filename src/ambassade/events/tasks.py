"""Background tasks of events (Huey). Tasks take ids and are idempotent: each e-mail is queued
once on its RSVP (``services.enqueue``) and sent through the shared claim-send-mark queue
(``mail.QUEUE``)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.events import mail, services

log = logging.getLogger(__name__)


@db_task(name="events.notify_rsvp")
def notify_rsvp(rsvp_id: int) -> bool:
    """Tell the person what became of their RSVP (ticket, waiting list, seat given, cancelled)."""
    return mail.send(rsvp_id, "status")


@db_task(name="events.send_followup")
def send_followup(rsvp_id: int) -> bool:
    return mail.send(rsvp_id, "followup")


@db_task(name="events.send_invitations")
def send_invitations(event_id: int) -> int:
    """The invitations of an event just invited (``invitations.invite_segment``)."""
    return mail.send_invitations(event_id).sent


def _each(rsvp_ids: list[int], what: str) -> int:
    sent = 0
    for rsvp_id in rsvp_ids:
        try:
            sent += mail.send(rsvp_id, what)
        except Exception:
            log.warning("event e-mail %s of RSVP %s failed; next run", what, rsvp_id)
    return sent


@db_periodic_task(crontab(minute="*/5"), name="events.send_due")
def send_due() -> int:
    """Every five minutes: the reminders that are due, the status e-mails and follow-ups not
    queued yet, the queued ones a stopped worker left claimed or the SMTP server refused, and the
    public form's old rate-limit rows."""
    sent = _each(services.due_reminders(), "reminder")
    sent += _each(services.due_followups(), "followup")
    sent += _each(services.unnotified(), "status")
    sent += mail.send_pending().sent
    sent += mail.send_invitations().sent
    services.purge_throttles()
    return sent
