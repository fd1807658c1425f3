"""The inbox's words for what happened to a conversation (its events), in the reader's language.

Each event is one whole sentence, the person who did it included ("Camille resolved it"), or without
anyone when the product did it ("Assigned automatically to Léa"), so that each language can order
its words as it needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambassade.inbox.models import Event, Status
from ambassade.workspaces.messages import register_all

register_all(
    {
        "inbox.feed_cannot_read": gettext_lazy("This network's private messages cannot be read."),
        "inbox.feed_unexpected": gettext_lazy(
            "Reading the private messages failed unexpectedly: %(detail)s"
        ),
    }
)


def _when(value: str) -> str:
    parsed = parse_datetime(value or "")
    if parsed is None:
        return value
    return formats.date_format(timezone.localtime(parsed), "SHORT_DATETIME_FORMAT")


def _person(user: Any) -> str:
    return ((user.get_full_name() or "").strip() or user.email) if user is not None else ""


#: Events other apps record on conversations (replies, targets…): code → wording of the params
#: (``actor`` included), registered with :func:`register_event`.
EVENTS: dict[str, Callable[[dict[str, Any]], str]] = {}


def register_event(code: str, words: Callable[[dict[str, Any]], str]) -> str:
    """Word an event ``code`` another app records (from its ``AppConfig.ready``)."""
    EVENTS[code] = words
    return code


def event_words(event: Event) -> str:
    p: dict[str, Any] = dict(event.params or {})
    code = event.code
    who = _person(event.actor)
    p["actor"] = who
    if code in EVENTS:
        return EVENTS[code](p)
    if code == "status":
        p["status"] = (
            Status(p["status"]).label if p.get("status") in Status.values else p.get("status")
        )
        if p.get("status") == Status.RESOLVED.label:
            return _("%(actor)s resolved it") % p if who else _("Resolved")
        return _("%(actor)s set the status to “%(status)s”") % p
    if code == "snoozed":
        p["when"] = _when(p.get("until", ""))
        return _("%(actor)s snoozed it until %(when)s") % p
    if code == "woken":
        return _("The snooze ended: open again")
    if code == "reopened":
        return _("A new message opened it again")
    if code == "assigned":
        if not who:
            if p.get("user") and p.get("team"):
                return _("Assigned automatically to %(user)s (team %(team)s)") % p
            if p.get("user"):
                return _("Assigned automatically to %(user)s") % p
            return _("Assigned to the team %(team)s") % p
        if p.get("user") and p.get("team"):
            return _("%(actor)s assigned it to %(user)s (team %(team)s)") % p
        if p.get("user"):
            return _("%(actor)s assigned it to %(user)s") % p
        if p.get("team"):
            return _("%(actor)s assigned it to the team %(team)s") % p
        return _("%(actor)s removed the assignment") % p
    if code == "labelled":
        return _("%(actor)s added the label “%(label)s”") % p
    if code == "unlabelled":
        return _("%(actor)s removed the label “%(label)s”") % p
    if code == "routed":
        return _("Sent to the inbox by the rule “%(rule)s”") % p
    if code == "sent_to_inbox":
        return _("%(actor)s sent this mention to the inbox") % p
    return code
