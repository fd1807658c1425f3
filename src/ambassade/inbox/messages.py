"""The inbox's words for what happened to a conversation (its events), in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils import formats
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ambassade.inbox.models import Event, Status


def _when(value: str) -> str:
    parsed = parse_datetime(value or "")
    if parsed is None:
        return value
    from django.utils import timezone

    return formats.date_format(timezone.localtime(parsed), "SHORT_DATETIME_FORMAT")


def event_words(event: Event) -> str:
    """One sentence, without the actor (shown beside it)."""
    p: dict[str, Any] = event.params or {}
    code = event.code
    if code == "status":
        label = Status(p["status"]).label if p.get("status") in Status.values else p.get("status")
        return _("set the status to “%(status)s”") % {"status": label}
    if code == "snoozed":
        return _("snoozed it until %(when)s") % {"when": _when(p.get("until", ""))}
    if code == "woken":
        return _("the snooze ended: open again")
    if code == "reopened":
        return _("a new message opened it again")
    if code == "assigned":
        if p.get("user") and p.get("team"):
            text = _("assigned it to %(user)s (team %(team)s)") % p
        elif p.get("user"):
            text = _("assigned it to %(user)s") % p
        elif p.get("team"):
            text = _("assigned it to the team %(team)s") % p
        else:
            text = _("removed the assignment")
        return text + (" " + _("(automatically)") if p.get("automatic") else "")
    if code == "labelled":
        return _("added the label “%(label)s”") % p
    if code == "unlabelled":
        return _("removed the label “%(label)s”") % p
    if code == "routed":
        return _("sent to the inbox by the rule “%(rule)s”") % p
    if code == "sent_to_inbox":
        return _("sent this mention to the inbox")
    return code
