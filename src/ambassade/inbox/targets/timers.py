"""A conversation's timers, as its page and the list show them (reads only): for each target it
has, whether it was met or missed, or how much business time is left (negative: late), and the
stretches of business time of the next two days so that the page counts down live, in business
time, without asking the server again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ambassade.engine.scheduling import BusinessCalendar, business_time_between
from ambassade.inbox.models import Conversation, Status
from ambassade.inbox.targets.models import BusinessHours, Kind

__all__ = ["SOON", "Timer", "duration_words", "live_spans", "main_timer", "timers_for"]

#: How close to its due time a conversation is "due soon" (business time), unless the workspace's
#: business hours say otherwise.
SOON = timedelta(minutes=30)
#: The page counts down live over this much time; past it, a reload brings fresh figures.
LIVE = timedelta(hours=48)


@dataclass
class Timer:
    kind: str
    due_at: datetime
    #: ``met`` or ``missed`` (answered or resolved), ``late``, ``soon`` or ``running``.
    state: str
    #: Business time left (negative: late by) while it applies; the business time it took when met
    #: or missed.
    remaining: timedelta = timedelta(0)
    took: timedelta | None = None
    label: str = field(default="")

    @property
    def pending(self) -> bool:
        return self.state in ("late", "soon", "running")


def soon_for(hours: BusinessHours | None) -> timedelta:
    if hours is None or not hours.due_soon_minutes:
        return SOON
    return timedelta(minutes=hours.due_soon_minutes)


def _label(kind: str) -> str:
    return str(Kind(kind).label)


def timers_for(
    conversation: Conversation,
    calendar: BusinessCalendar,
    now: datetime | None = None,
    soon: timedelta = SOON,
) -> list[Timer]:
    """Every target of the conversation, in the order first response, next response, resolution."""
    now = now or timezone.now()
    c = conversation
    timers: list[Timer] = []

    def pending(kind: str, due_at: datetime) -> Timer:
        remaining = business_time_between(calendar, now, due_at)
        state = "late" if due_at <= now else "soon" if remaining <= soon else "running"
        return Timer(kind, due_at, state, remaining=remaining, label=_label(kind))

    def settled(kind: str, due_at: datetime, at: datetime) -> Timer:
        start = c.first_inbound_at or at
        took = business_time_between(calendar, start, at)
        state = "met" if at <= due_at else "missed"
        return Timer(kind, due_at, state, took=took, label=_label(kind))

    if c.first_response_due_at is not None:
        if c.first_response_at is not None:
            timers.append(
                settled(Kind.FIRST_RESPONSE, c.first_response_due_at, c.first_response_at)
            )
        elif c.status != Status.RESOLVED:
            timers.append(pending(Kind.FIRST_RESPONSE, c.first_response_due_at))
    if c.next_response_due_at is not None and c.status != Status.RESOLVED:
        timers.append(pending(Kind.NEXT_RESPONSE, c.next_response_due_at))
    if c.resolution_due_at is not None:
        if c.status == Status.RESOLVED and c.resolved_at is not None:
            timers.append(settled(Kind.RESOLUTION, c.resolution_due_at, c.resolved_at))
        elif c.status != Status.RESOLVED:
            timers.append(pending(Kind.RESOLUTION, c.resolution_due_at))
    return timers


def main_timer(timers: list[Timer]) -> Timer | None:
    """The timer a list or a header shows: the pending one due first."""
    running = [t for t in timers if t.pending]
    return min(running, key=lambda t: t.due_at) if running else None


def live_spans(calendar: BusinessCalendar, now: datetime) -> str:
    """The business time of the next :data:`LIVE`, as "start,end;start,end" in seconds from
    ``now``, for the page's countdown."""
    spans = []
    for begin, end in calendar.spans(now, now + LIVE):
        if begin >= now + LIVE:
            break
        spans.append(
            f"{int((begin - now).total_seconds())},{int((min(end, now + LIVE) - now).total_seconds())}"
        )
    return ";".join(spans)


def duration_words(value: timedelta) -> str:
    """A business duration for people: "45 min", "3 h 05 min", "26 h" (hours, not days: a day of
    business time is not a calendar day)."""
    minutes = int(abs(value).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)s min") % {"minutes": minutes}
    if not minutes or hours >= 24:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": minutes}


def js_words() -> dict[str, Any]:
    """What the countdown needs to word durations the same way, in the page's language."""
    return {
        "min": _("%(minutes)s min"),
        "h": _("%(hours)s h"),
        "hmin": _("%(hours)s h %(minutes)02d min"),
        "in": _("due in %(duration)s"),
        "late": _("late by %(duration)s"),
    }
