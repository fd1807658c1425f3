"""What people do with an event's e-mails (invitations, tickets and places in line, cancellations,
reminders, follow-ups), counted as the campaigns' are (``mailing/tracking.py``; docs/events.md,
"Opens and clicks").

- **Clicks**, when the event counts them (``Event.track_clicks``, on by default): the links of
  its e-mails (the event's page, the ticket, the online link, a link of the follow-up; never the
  withdrawal link) go through the product's short links, ``/l/<code>?r=<token>``
  (:class:`~ambassade.events.models.EventLink`, resolved by :func:`click`, registered with
  ``publishing.links``). A ticket link is one code for the event, leading to the ticket of the
  recipient whose token the click carries: the private address is never stored.
- **Opens**, when the event counts them (``Event.track_opens``, off by default): the e-mail gets
  an HTML part with a 1×1 image, ``events/mail/<token>/open.gif`` (:func:`opened`).

Each e-mail row (``Email``, ``Invitation``) gets its token when it is written; the first open and
the first click land once each on the member's timeline (``email_open``, ``email_click``, source
``events.<row>_open`` / ``_click`` with the row's id), as a campaign's do.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.community import activities
from ambassade.community.models import Identity
from ambassade.events.models import Email, Event, EventLink, Invitation

__all__ = [
    "SOURCES",
    "Tracker",
    "click",
    "describe",
    "ensure_token",
    "html_body",
    "opened",
    "row_for",
]

#: The first letter of a token says which table its row is in.
_PREFIX: dict[str, type[Email] | type[Invitation]] = {"e": Email, "i": Invitation}
_LETTER = {Email: "e", Invitation: "i"}
#: Timeline sources of the opens and clicks, by table and what was done.
SOURCES = {
    (Email, "open"): "events.email_open",
    (Email, "click"): "events.email_click",
    (Invitation, "open"): "events.invitation_open",
    (Invitation, "click"): "events.invitation_click",
}
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")

Row = Email | Invitation


def ensure_token(row: Row) -> str:
    """The row's token, made once (before its e-mail is written)."""
    if not row.token:
        token = _LETTER[type(row)] + secrets.token_urlsafe(24)
        model = type(row)
        if model.objects.filter(pk=row.pk, token="").update(token=token):
            row.token = token
        else:  # made meanwhile by another worker
            row.token = model.objects.filter(pk=row.pk).values_list("token", flat=True).get()
    return row.token


def row_for(token: str) -> Row | None:
    if not token or len(token) > 64:
        return None
    model = _PREFIX.get(token[0])
    if model is None:
        return None
    if model is Email:
        return (
            Email.objects.select_related("rsvp__event", "rsvp__identity")
            .filter(token=token)
            .first()
        )
    return Invitation.objects.select_related("event").filter(token=token).first()


def _event_id(row: Row) -> int:
    return row.rsvp.event_id if isinstance(row, Email) else row.event_id


def _link(event: Event, kind: str, target: str) -> str:
    """The code of the event's link (made once)."""
    found = EventLink.objects.filter(event=event, kind=kind, target=target).values_list(
        "code", flat=True
    )
    code = found.first()
    if code is not None:
        return code
    try:
        with transaction.atomic():
            return EventLink.objects.create(
                workspace_id=event.workspace_id,
                event=event,
                kind=kind,
                target=target,
                code="v" + secrets.token_urlsafe(8)[:8],
            ).code
    except IntegrityError:  # made meanwhile
        return found.get()


class Tracker:
    """The tracked addresses of one e-mail: ``url(target)``, ``ticket()``, ``text(body)``; each
    the address itself when the event does not count clicks."""

    def __init__(self, event: Event, row: Row) -> None:
        self.event, self.row = event, row
        self.token = ensure_token(row) if event.track_clicks or event.track_opens else ""

    def _tracked(self, code: str) -> str:
        return f"{settings.BASE_URL}/l/{code}?r={quote(self.token)}"

    def url(self, target: str) -> str:
        if not self.event.track_clicks or not target or len(target) > 2000:
            return target
        return self._tracked(_link(self.event, EventLink.Kind.URL, target))

    def ticket(self, target: str) -> str:
        if not self.event.track_clicks:
            return target
        return self._tracked(_link(self.event, EventLink.Kind.TICKET, ""))

    def text(self, body: str) -> str:
        """``body`` (the follow-up's text) with each of its links tracked."""
        if not self.event.track_clicks:
            return body
        return _URL.sub(lambda match: self.url(match.group(0)), body)

    def pixel(self) -> str:
        if not self.event.track_opens:
            return ""
        path = reverse("events:open", kwargs={"email_token": self.token})
        return settings.BASE_URL + path


def html_body(text: str, lang: str, pixel: str) -> str:
    """The HTML part of an e-mail whose opens are counted: its text, links clickable, and the
    1×1 image."""
    lines = []
    for line in html.escape(text).split("\n"):
        lines.append(_URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', line))
    image = (
        f'<img src="{html.escape(pixel, quote=True)}" width="1" height="1" alt="" '
        'style="display:block;border:0">'
    )
    return (
        f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8"></head>'
        '<body style="font-family:sans-serif;line-height:1.5;max-width:640px;margin:0 auto;'
        f'padding:16px"><p>{"<br>".join(lines)}</p>{image}</body></html>'
    )


def _timeline(row: Row, kind: str, what: str) -> None:
    if isinstance(row, Email):
        identity = row.rsvp.identity
    elif row.member_id is not None:
        identity = Identity.objects.filter(member_id=row.member_id).order_by("id").first()
    else:
        identity = None
    if identity is not None:
        activities.record(identity, kind, timezone.now(), SOURCES[(type(row), what)], row.pk)


def _event_of(row: Row) -> Event:
    return row.rsvp.event if isinstance(row, Email) else row.event


def opened(row: Row) -> bool:
    """The open pixel was loaded: counted once, when the event counts opens."""
    if not _event_of(row).track_opens:
        return False
    changed = (
        type(row).objects.filter(pk=row.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    )
    if changed:
        _timeline(row, "email_open", "open")
    return bool(changed)


def click(code: str, params: Mapping[str, Any]) -> str | None:
    """A click on an event's link (``/l/<code>?r=<token>``): counted on the link, on the e-mail
    whose token it carries, and once on their timeline. Returns where it leads (a ticket link
    without a valid token leads to the event's page), None for another code."""
    link = EventLink.objects.filter(code=code).select_related("event").first()
    if link is None:
        return None
    from ambassade.events import services

    EventLink.objects.filter(pk=link.pk).update(clicks=F("clicks") + 1)
    token = str(params.get("r") or "")
    row = row_for(token) if token else None
    if row is not None and _event_id(row) != link.event_id:
        row = None
    if row is not None:
        model = type(row)
        model.objects.filter(pk=row.pk).update(clicks=F("clicks") + 1)
        if model.objects.filter(pk=row.pk, clicked_at__isnull=True).update(
            clicked_at=timezone.now()
        ):
            _timeline(row, "email_click", "click")
    if link.kind == EventLink.Kind.TICKET:
        if isinstance(row, Email) and row.rsvp.email:
            return services.ticket_url(row.rsvp)
        return services.public_url(link.event)
    return str(link.target)


_KINDS = {
    "invitation": _("invitation"),
    "status": _("ticket or place in line"),
    "reminder": _("reminder"),
    "followup": _("follow-up"),
}


def describe(ids: list[int], slug: str, model: type[Row] = Email) -> dict[int, tuple[str, str]]:
    """An open or a click on the member's timeline: the event's title and which e-mail, linked
    to the event's E-mails page."""
    found: dict[int, tuple[str, str]] = {}
    if model is Email:
        for email in Email.objects.filter(pk__in=ids).select_related("rsvp__event"):
            event = email.rsvp.event
            found[email.pk] = (
                f"{event.title} — {_KINDS.get(email.what, email.what)}",
                reverse("events:emails", args=[slug, event.pk]),
            )
    else:
        for invitation in Invitation.objects.filter(pk__in=ids).select_related("event"):
            event = invitation.event
            found[invitation.pk] = (
                f"{event.title} — {_KINDS['invitation']}",
                reverse("events:emails", args=[slug, event.pk]),
            )
    return found


def describe_invitations(ids: list[int], slug: str) -> dict[int, tuple[str, str]]:
    return describe(ids, slug, Invitation)
