"""The timers on the conversation page (``inbox.panels``): under its title, the target due first
counting down live; in the side panel, every target with whether it was met."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from ambassade.inbox import panels
from ambassade.inbox.models import Conversation
from ambassade.inbox.targets import services, timers
from ambassade.inbox.targets.models import BusinessHours


def clock(request: Any, workspace: Any) -> tuple[Any, Any]:
    """The workspace's calendar and "due soon" margin, read once per request."""
    cached = getattr(request, "_inbox_targets_clock", None)
    if cached is None or cached[0] != workspace.pk:
        hours = BusinessHours.objects.filter(workspace=workspace).first()
        calendar = services.calendar_for(workspace, hours) if hours else services.ALWAYS
        cached = (workspace.pk, calendar, timers.soon_for(hours))
        if request is not None:
            request._inbox_targets_clock = cached
    return cached[1], cached[2]


def timer_context(request: Any, conversation: Conversation) -> dict[str, Any] | None:
    c = conversation
    dues = (c.first_response_due_at, c.next_response_due_at, c.resolution_due_at)
    if all(due is None for due in dues):
        return None
    calendar, soon = clock(request, conversation.workspace)
    now = timezone.now()
    found = timers.timers_for(conversation, calendar, now, soon)
    if not found:
        return None
    main = timers.main_timer(found)
    return {
        "timers": [
            {
                "timer": t,
                "remaining_words": timers.duration_words(t.remaining),
                "took_words": timers.duration_words(t.took) if t.took is not None else "",
            }
            for t in found
        ],
        "main": main,
        "main_words": timers.duration_words(main.remaining) if main else "",
        "remaining_seconds": int(main.remaining.total_seconds()) if main else 0,
        "soon_seconds": int(soon.total_seconds()),
        "spans": timers.live_spans(calendar, now) if main else "",
        "words": json.dumps(timers.js_words(), ensure_ascii=False),
        "business_hours": calendar is not services.ALWAYS,
    }


panels.register(
    panels.Panel(
        "targets_timer", "header", "inbox_targets/timer.html", order=10, context=timer_context
    )
)
panels.register(
    panels.Panel("targets", "side", "inbox_targets/side.html", order=20, context=timer_context)
)
