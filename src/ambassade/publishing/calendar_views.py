"""The editorial calendar: every dated post by month or by week (an hour grid), in the workspace's
zone, with its title, its networks and its status colour, and posts moved by dragging them or with
the keyboard (each movable post has a small reschedule form: ISO date and time).

A post shows once per time: its variants on the same time are one entry with a badge per network.
A draft or a post awaiting approval is placed at the post's time; a variant that went out (or is
going out) at its own time. Moving a post posts ``publishing:post_reschedule``, the same service
and checks as the post page's form (``scheduling.reschedule_post``).
"""

from __future__ import annotations

import calendar as pycalendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ambassade.publishing.models import Post, Status, Variant
from ambassade.publishing.permissions import PUBLISHING_VIEW
from ambassade.workspaces.permissions import workspace_queryset, workspace_view

__all__ = ["Entry", "calendar"]

#: The least advanced status first: an entry takes the first of its variants' (as ``Post.status``).
ORDER = [
    Status.DRAFT,
    Status.PENDING_APPROVAL,
    Status.FAILED,
    Status.UNKNOWN,
    Status.PUBLISHING,
    Status.SCHEDULED,
    Status.PUBLISHED,
]
#: The legend, in the order a post goes through.
LEGEND = [
    Status.DRAFT,
    Status.PENDING_APPROVAL,
    Status.SCHEDULED,
    Status.PUBLISHING,
    Status.PUBLISHED,
    Status.FAILED,
    Status.UNKNOWN,
]
#: What a person may still move.
MOVABLE = frozenset({Status.DRAFT, Status.PENDING_APPROVAL, Status.SCHEDULED})
#: Placed at the post's time (their variants have none of their own yet).
AT_POST_TIME = (Status.DRAFT, Status.PENDING_APPROVAL)
#: A post's title in the calendar: its first line, up to this many characters.
TITLE_LENGTH = 90
#: The week's hour grid starts here, or earlier when a post is earlier.
FIRST_HOUR = 7


@dataclass
class Entry:
    """One post at one time: its variants there, the status to colour it by."""

    post: Post
    when: datetime
    variants: list[Variant] = field(default_factory=list)

    @property
    def status(self) -> str:
        statuses = {variant.status for variant in self.variants}
        return next((status for status in ORDER if status in statuses), Status.DRAFT)

    @property
    def title(self) -> str:
        """The post's first line, cut at a word with an ellipsis when longer than 90 characters."""
        lines = [line.strip() for line in (self.post.text or "").splitlines() if line.strip()]
        first = lines[0] if lines else f"#{self.post.pk}"
        if len(first) <= TITLE_LENGTH:
            return first
        cut = first[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] or first[: TITLE_LENGTH - 1]
        return cut.rstrip(" ,;:.") + "…"

    @property
    def movable(self) -> bool:
        return any(variant.status in MOVABLE for variant in self.variants)

    @property
    def errors(self) -> list[str]:
        return [variant.error for variant in self.variants if variant.error]


def _parse_day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _entries(request: HttpRequest, begin: datetime, end: datetime, zone: ZoneInfo) -> list[Entry]:
    at_post_time = Q(status__in=AT_POST_TIME) | Q(scheduled_at__isnull=True)
    variants = (
        workspace_queryset(request, Variant)
        .filter(
            (at_post_time & Q(post__scheduled_at__gte=begin, post__scheduled_at__lt=end))
            | (~at_post_time & Q(scheduled_at__gte=begin, scheduled_at__lt=end))
        )
        .select_related("post", "connection")
        .order_by("id")
    )
    entries: dict[tuple[int, datetime], Entry] = {}
    for variant in variants:
        if variant.status in AT_POST_TIME or variant.scheduled_at is None:
            when = variant.post.scheduled_at
        else:
            when = variant.scheduled_at
        assert when is not None  # filtered above
        key = (variant.post_id, when)
        entry = entries.setdefault(key, Entry(variant.post, when.astimezone(zone)))
        entry.variants.append(variant)
    return sorted(entries.values(), key=lambda entry: (entry.when, entry.post.pk))


@workspace_view(PUBLISHING_VIEW)
def calendar(request: HttpRequest) -> HttpResponse:
    zone_name = str(request.workspace.time_zone)  # type: ignore[attr-defined]
    zone = ZoneInfo(zone_name)
    today = timezone.now().astimezone(zone).date()
    view = "week" if request.GET.get("view") == "week" else "month"
    anchor = _parse_day(request.GET.get("date"), today)
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        days = [start + timedelta(days=i) for i in range(7)]
        previous, following = start - timedelta(days=7), start + timedelta(days=7)
    else:
        first = anchor.replace(day=1)
        weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
        days = [day for week in weeks for day in week]
        previous = (first - timedelta(days=1)).replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        anchor = first
    begin = datetime.combine(days[0], time(0), zone)
    end = datetime.combine(days[-1] + timedelta(days=1), time(0), zone)
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for entry in _entries(request, begin, end, zone):
        by_day[entry.when.date()].append(entry)
    first_hour = min([FIRST_HOUR] + [e.when.hour for entries in by_day.values() for e in entries])
    hours = list(range(first_hour, 24))
    cells = []
    for day in days:
        entries = by_day.get(day, [])
        slots = [
            {"hour": hour, "entries": [e for e in entries if e.when.hour == hour]} for hour in hours
        ]
        cells.append(
            {
                "day": day,
                "entries": entries,
                "slots": slots,
                "outside": view == "month" and day.month != anchor.month,
                "today": day == today,
                "past": day < today,
            }
        )
    undated = (
        workspace_queryset(request, Post)
        .filter(variants__status=Status.DRAFT, scheduled_at__isnull=True)
        .distinct()
        .order_by("-updated_at")[:10]
    )
    return render(
        request,
        "publishing/calendar.html",
        {
            "view": view,
            "anchor": anchor,
            "weeks": [cells[i : i + 7] for i in range(0, len(cells), 7)],
            "cells": cells,
            "hours": hours,
            "previous": previous,
            "following": following,
            "today": today,
            "weekdays": days[:7],
            "empty": not any(cell["entries"] for cell in cells),
            "drafts": undated,
            "statuses": [(status, Status(status).label) for status in LEGEND],
            "zone": zone_name,
            "here": request.get_full_path(),
        },
    )
