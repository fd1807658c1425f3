"""``{% target_badge conversation %}``: a conversation's state against its targets in a list row
(late by, due soon, due in), in business time, from the due time stored on it; ``business`` and
``share``: the team report's durations and percentages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ambassade.engine.scheduling import business_time_between
from ambassade.inbox.models import Status
from ambassade.inbox.targets import panels, timers

register = template.Library()


@register.simple_tag(takes_context=True)
def target_badge(context: Any, conversation: Any) -> SafeString | str:
    due_at = conversation.due_at
    if due_at is None or conversation.status == Status.RESOLVED:
        return ""
    request = context.get("request")
    workspace = getattr(request, "workspace", None)
    if workspace is None or workspace.pk != conversation.workspace_id:
        workspace = conversation.workspace
    calendar, soon = panels.clock(request, workspace)
    now = timezone.now()
    remaining = business_time_between(calendar, now, due_at)
    state = "late" if due_at <= now else "soon" if remaining <= soon else "running"
    # Built here rather than with a template: it is on every row of the list (a third of the
    # rows' rendering time with render_to_string, measured by `ambassade bench inbox`).
    words = timers.duration_words(remaining)
    return format_html(
        '<span class="target-badge {}" title="{} {}">{}</span>',
        _BADGE_CLASS[state],
        _("Due"),
        date_format(timezone.localtime(due_at), "SHORT_DATETIME_FORMAT"),
        (_("late by %(duration)s") if state == "late" else _("due in %(duration)s"))
        % {"duration": words},
    )


_BADGE_CLASS = {"late": "badge badge-danger", "soon": "badge badge-warning", "running": "subtle"}


@register.filter
def business(seconds: float | None) -> str:
    """Business seconds as "3 h 05 min"; "—" when nothing was measured."""
    if seconds is None:
        return "—"
    return timers.duration_words(timedelta(seconds=seconds))


@register.filter
def share(value: float | None) -> str:
    """A share (0–1) as a percentage in the reader's language; "—" when nothing was decided."""
    if value is None:
        return "—"
    return _("%(percent)s%%") % {"percent": number_format(round(100 * value), 0)}
