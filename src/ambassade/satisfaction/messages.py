"""Satisfaction's words for the events it records on a conversation, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def _asked(p: dict[str, Any]) -> str:
    if p.get("actor"):
        return _("%(actor)s asked the customer for their satisfaction") % p
    return _("The customer was asked for their satisfaction")


def _answered(p: dict[str, Any]) -> str:
    return _("The customer gave %(score)s out of 5") % p


def _changed(p: dict[str, Any]) -> str:
    return _("The customer changed their score to %(score)s out of 5") % p


#: Event code → its words (registered with the inbox by the app's ``ready()``).
EVENTS = {
    "satisfaction_asked": _asked,
    "satisfaction_answered": _answered,
    "satisfaction_changed": _changed,
}
