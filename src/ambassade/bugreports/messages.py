"""The bug reports' words: stored coded messages (errors, notifications) and the events recorded on
a conversation, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambassade.workspaces.messages import register_all

register_all(
    {
        "bugreport.tracker_removed": gettext_lazy(
            "The tracker was removed before the report was sent."
        ),
        "bugreport.outcome_unknown": gettext_lazy(
            "The tracker did not answer: the report is looked up before it is sent again."
        ),
        "bugreport.needs_credentials": gettext_lazy(
            "The tracker %(tracker)s refused its credentials: give it new ones, then report again."
        ),
        "bugreport.closed": gettext_lazy("Issue %(ref)s is closed: %(title)s"),
        "bugreport.closed_tell": gettext_lazy(
            "Tell %(name)s: a reply is proposed on the conversation."
        ),
    }
)


def _reported(p: dict[str, Any]) -> str:
    if p.get("actor"):
        return _("%(actor)s reported the bug “%(title)s” to %(tracker)s") % p
    return _("Bug “%(title)s” reported to %(tracker)s") % p


def _failed(p: dict[str, Any]) -> str:
    return _("The bug report “%(title)s” could not be sent") % p


def _closed(p: dict[str, Any]) -> str:
    return _("Issue %(ref)s is closed: %(title)s") % p


def _reopened(p: dict[str, Any]) -> str:
    return _("Issue %(ref)s was opened again: %(title)s") % p


#: Event code → its words (registered with the inbox by the app's ``ready()``).
EVENTS = {
    "bug_reported": _reported,
    "bug_report_failed": _failed,
    "bug_closed": _closed,
    "bug_reopened": _reopened,
}
