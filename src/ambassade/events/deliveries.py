"""Every e-mail of an event and its state (docs/events.md, "E-mails and their states"): the
invitations, the tickets and places in line, cancellations, reminders and follow-ups, each one row
of the event's "E-mails" page and its CSV.

A row's state is the queue's (``workspaces/mailqueue.py``), grouped for people: ``queued``
(waiting or claimed by a worker), ``sending``, ``sent``, ``failed`` (with the reason),
``unknown`` (the worker stopped while sending: perhaps sent, never sent again), ``skipped`` (no
longer due: the status changed, the person withdrew their consent or was erased). A sent e-mail is
also ``bounced`` when a hard bounce of the person's address was read back (by the campaigns'
IMAP reader, which withdraws their e-mailing consent with the source ``bounce``) after it was
sent. Opens and clicks are counted as the campaigns' are, when the event counts them
(``events/tracking.py``): the first of each, and the clicks.

The reason of a failure is stored coded by the queue (``mailqueue.reason``), worded where shown
in the reader's language; :func:`reason` also reads a reason stored as text before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Min

from ambassade.community.models import Consent
from ambassade.events.models import Email, Event, Invitation, Rsvp
from ambassade.workspaces.messages import StoredMessage, coded

__all__ = ["KINDS", "STATES", "Delivery", "counts", "of_event", "reason"]

#: What an e-mail is, in the page's order (worded as ``event.mail.kind.<kind>``).
KINDS = ("invitation", "confirmed", "waitlisted", "cancelled", "reminder", "followup")
#: The states shown (worded as ``event.mail.state.<state>``).
STATES = ("queued", "sending", "sent", "bounced", "failed", "unknown", "skipped")

_STATE = {
    "pending": "queued",
    "claimed": "queued",
    "sending": "sending",
    "sent": "sent",
    "failed": "failed",
    "unknown": "unknown",
    "skipped": "skipped",
}

#: The exception classes ``mailqueue`` records, and what they mean for people.
_CAUSES = {
    "SMTPRecipientsRefused": "event.mail.address_refused",
    "SMTPSenderRefused": "event.mail.sender_refused",
    "SMTPAuthenticationError": "event.mail.login_refused",
    "SMTPDataError": "event.mail.message_refused",
    "SMTPConnectError": "event.mail.unreachable",
    "SMTPServerDisconnected": "event.mail.unreachable",
    "ConnectionRefusedError": "event.mail.unreachable",
    "ConnectionResetError": "event.mail.unreachable",
    "TimeoutError": "event.mail.unreachable",
    "timeout": "event.mail.unreachable",
    "gaierror": "event.mail.unreachable",
    "OSError": "event.mail.unreachable",
}


def reason(error: StoredMessage | str) -> StoredMessage | None:
    """The stored failure ``error`` as a message to word, or None when there is none: the coded
    message ``mailqueue.reason`` stores as it is; a text without a code (``"SMTPRecipientsRefused:
    {…}"``, as stored before) read by the exception's class."""
    if not error:
        return None
    if isinstance(error, StoredMessage):
        if error.code:
            return error
        error = error.text
    name, _sep, detail = error.partition(": ")
    code = _CAUSES.get(name.rsplit(".", 1)[-1])
    if code is not None:
        return coded(code)
    return coded("event.mail.other", detail=(detail or name)[:300])


@dataclass
class Delivery:
    kind: str
    name: str
    email: str
    state: str
    attempts: int
    queued_at: dt.datetime
    sent_at: dt.datetime | None
    error: StoredMessage | str
    member_id: int | None
    bounced_at: dt.datetime | None = None
    opened_at: dt.datetime | None = None
    clicked_at: dt.datetime | None = None
    clicks: int = 0

    @property
    def reason(self) -> StoredMessage | None:
        return reason(self.error) if self.state in ("failed", "queued") else None

    @property
    def retrying(self) -> bool:
        """Refused once, waiting to be tried again."""
        return self.state == "queued" and bool(self.error)


def _rows(event: Event) -> Iterator[Delivery]:
    for inv in Invitation.objects.filter(event=event).order_by("id").iterator(chunk_size=1000):
        yield Delivery(
            "invitation",
            inv.name,
            inv.email,
            _STATE.get(inv.state, inv.state),
            inv.attempts,
            inv.invited_at,
            inv.sent_at,
            inv.error,
            inv.member_id,
            opened_at=inv.opened_at,
            clicked_at=inv.clicked_at,
            clicks=inv.clicks,
        )
    emails = (
        Email.objects.filter(rsvp__event=event)
        .select_related("rsvp__identity")
        .order_by("id")
        .iterator(chunk_size=1000)
    )
    for email in emails:
        rsvp: Rsvp = email.rsvp
        yield Delivery(
            email.status if email.what == "status" else email.what,
            rsvp.name,
            rsvp.email,
            _STATE.get(email.state, email.state),
            email.attempts,
            email.created_at,
            email.sent_at,
            email.error,
            rsvp.identity.member_id if rsvp.identity is not None else None,
            opened_at=email.opened_at,
            clicked_at=email.clicked_at,
            clicks=email.clicks,
        )


def of_event(event: Event, *, kind: str = "", state: str = "") -> list[Delivery]:
    """The event's e-mails, newest first, optionally of one kind and state; two queries for the
    rows and one for the bounces."""
    rows = list(_rows(event))
    members = {row.member_id for row in rows if row.member_id is not None and row.sent_at}
    bounces = dict(
        Consent.objects.filter(
            member_id__in=members,
            purpose=Consent.Purpose.EMAILING,
            state=Consent.State.WITHDRAWN,
            source=Consent.Source.BOUNCE,
        )
        .values("member_id")
        .annotate(first=Min("recorded_at"))
        .values_list("member_id", "first")
    )
    for row in rows:
        bounced = bounces.get(row.member_id) if row.member_id is not None else None
        if row.state == "sent" and row.sent_at and bounced and bounced >= row.sent_at:
            row.state, row.bounced_at = "bounced", bounced
    if kind:
        rows = [row for row in rows if row.kind == kind]
    if state:
        rows = [row for row in rows if row.state == state]
    rows.sort(key=lambda row: row.queued_at, reverse=True)
    return rows


def counts(rows: list[Delivery]) -> dict[str, int]:
    found = dict.fromkeys(STATES, 0)
    for row in rows:
        found[row.state] = found.get(row.state, 0) + 1
    return found
