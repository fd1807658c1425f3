"""A member's timeline as their page shows it: every activity, newest first, each worded in the
reader's language, showing only what the reader may see elsewhere (a private message's text needs
``inbox.view``, the moderation log ``moderation.log``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ambassade.community import panels
from ambassade.community.models import Activity, Member
from ambassade.workspaces.permissions import can_role

__all__ = ["DESCRIBERS", "KINDS", "Entry", "activities_of", "entries"]

#: The kinds a reader can filter the timeline on, with their label. Other apps' kinds show with
#: their own label when they register one here.
KINDS: dict[str, Any] = {
    "mention": _("Mention"),
    "message": _("Private message"),
    "answered": _("Answer from the brand"),
    "moderation": _("Moderation decision"),
    "note": _("Note of the team"),
}

#: How another app's activities read: ``source`` → a function given the source ids of one page and
#: the workspace's slug, returning ``{source_id: (text, link)}`` (one query for the page).
DESCRIBERS: dict[str, Callable[[list[int], str], dict[int, tuple[str, str]]]] = {}

DECISIONS: dict[str, Any] = {
    "approve": _("approved"),
    "not_spam": _("marked as not spam"),
    "not_offensive": _("marked as not offensive"),
    "reject": _("rejected"),
    "hide": _("hidden on the network"),
    "unhide": _("shown again"),
    "delete": _("deleted on the network"),
    "mute": _("author muted"),
    "unmute": _("mute lifted"),
    "ban": _("author banned"),
    "unban": _("ban lifted"),
    "hold": _("held for review"),
    "flag": _("flagged for review"),
    "allow": _("allowed by a rule"),
}


@dataclass
class Entry:
    activity: Activity
    label: Any
    text: str = ""
    link: str = ""
    detail: Any = ""
    private: bool = False
    #: Badges other apps put on a mention (``panels.register_mention_tags``): ``[(text, link)]``.
    tags: list[tuple[str, str]] = field(default_factory=list)


def activities_of(member: Member, kind: str = "") -> QuerySet[Activity]:
    rows = Activity.objects.filter(identity__member=member)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.select_related(
        "identity", "mention", "message", "message__mention", "decision", "note__author"
    ).order_by("-occurred_at", "-id")


def entries(activities: list[Activity], slug: str, role: str) -> list[Entry]:
    """The page's lines for ``activities`` (one page of them), for a reader of ``role``."""
    inbox = can_role(role, "inbox.view")
    log = can_role(role, "moderation.log")
    described: dict[tuple[str, int], tuple[str, str]] = {}
    for source, describe in DESCRIBERS.items():
        ids = [a.source_id for a in activities if a.source == source]
        if ids:
            described |= {(source, pk): value for pk, value in describe(ids, slug).items()}
    tags = panels.mention_tags(
        [a.mention_id for a in activities if a.mention_id is not None], slug, role
    )
    found = []
    for activity in activities:
        entry = Entry(activity, KINDS.get(activity.kind, activity.kind))
        if activity.mention is not None:
            entry.text = activity.mention.text
            entry.link = reverse("listening:mention", args=[slug, activity.mention_id])
            entry.tags = tags.get(activity.mention_id, [])
        elif activity.message is not None:
            message = activity.message
            entry.private = message.mention_id is None and message.conversation_id is not None
            if inbox:
                entry.text = message.body
                entry.link = reverse("inbox:conversation", args=[slug, message.conversation_id])
        elif activity.decision is not None:
            decision = activity.decision
            entry.detail = DECISIONS.get(decision.action, decision.action)
            if log:
                entry.link = reverse("moderation:log", args=[slug])
            if decision.rule_name and decision.actor_id is None:
                entry.text = str(_("Rule: %(name)s") % {"name": decision.rule_name})
        elif (activity.source, activity.source_id) in described:
            entry.text, entry.link = described[(activity.source, activity.source_id)]
        found.append(entry)
    return found
