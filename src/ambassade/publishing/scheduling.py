"""When posts go out: wall-clock times in the workspace's zone stored as UTC, the queue's weekly
slots, rescheduling and taking back to draft, and recurring posts.

Every time a person types is in ``Workspace.time_zone``; :func:`local_to_utc` refuses a time the
spring-forward change skips and takes the first of a time the fall-back change repeats.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassade.publishing import audit, webhooks
from ambassade.publishing.models import Media, Post, QueueSlot, Status, Variant
from ambassade.workspaces.models import Workspace
from ambassade.workspaces.services import ServiceError, record_audit

__all__ = [
    "REPEAT_DAYS",
    "NonexistentLocalTime",
    "add_queue_slot",
    "local_to_utc",
    "next_occurrence_time",
    "next_queue_time",
    "remove_queue_slot",
    "reschedule_post",
    "schedule_next_occurrence",
    "unschedule_post",
]


class NonexistentLocalTime(ValueError):
    """The wall-clock time does not exist in the zone (skipped at the spring-forward change)."""


def local_to_utc(day: date, at: time, zone_name: str) -> datetime:
    """The UTC instant of a wall-clock time in a zone.

    A time skipped by a daylight-saving change (02:30 on the spring-forward day in Europe/Paris)
    raises :class:`NonexistentLocalTime`: the form asks for another time rather than guessing. A time
    that happens twice (02:30 on the fall-back day) means its **first** occurrence (``fold=0``, still
    summer time), which is what a person who picks it in advance expects.
    """
    zone = ZoneInfo(zone_name)
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    aware = naive.replace(tzinfo=zone)
    instant = aware.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(f"{naive:%Y-%m-%d %H:%M} does not exist in {zone_name}")
    return instant


# --- the queue ------------------------------------------------------------------------------------


def add_queue_slot(workspace: Workspace, weekday: int, at: time, actor: Any) -> QueueSlot:
    slot, _created = QueueSlot.objects.get_or_create(
        workspace=workspace, weekday=weekday, time=at.replace(second=0, microsecond=0)
    )
    return slot


def remove_queue_slot(slot: QueueSlot, actor: Any) -> None:
    slot.delete()


def next_queue_time(
    workspace: Workspace, now: datetime | None = None, horizon_days: int = 60
) -> datetime | None:
    """The first queue slot after ``now`` that no other post takes, as a UTC instant.

    Slots are wall-clock times in the workspace's zone, so "Tuesday 09:30" stays 09:30 local on
    both sides of a daylight-saving change; a slot that does not exist that day (02:30 on the
    spring-forward night) is skipped, and one that happens twice is taken at its first occurrence.
    """
    now = now or timezone.now()
    slots = list(QueueSlot.objects.filter(workspace=workspace))
    if not slots:
        return None
    zone = ZoneInfo(workspace.time_zone)
    taken = set(
        Post.objects.filter(workspace=workspace, scheduled_at__gt=now)
        .exclude(variants__status__in=[Status.PUBLISHED, Status.FAILED])
        .values_list("scheduled_at", flat=True)
    )
    today = now.astimezone(zone).date()
    for offset in range(horizon_days + 1):
        day = today + timedelta(days=offset)
        for slot in sorted((s for s in slots if s.weekday == day.weekday()), key=lambda s: s.time):
            try:
                instant = local_to_utc(day, slot.time, workspace.time_zone)
            except NonexistentLocalTime:
                continue
            if instant > now and instant not in taken:
                return instant
    return None


# --- moving a post --------------------------------------------------------------------------------


#: What a person may still move (and the calendar lets them drag).
MOVABLE = (Status.DRAFT, Status.PENDING_APPROVAL, Status.SCHEDULED)


def reschedule_post(post: Post, actor: Any, when: datetime) -> Post:
    """Move a post that has not gone out yet: a dated draft, a post awaiting approval or a
    scheduled one. Variants already sent or being sent keep theirs.

    An approval covers the post at its time: in a workspace that asks for approvals, a scheduled
    post moved by someone who may not approve posts waits for approval again (a new round; the
    earlier approvals no longer count). An owner, a manager or an approver moves it as it is."""
    from ambassade.publishing.outbox.hold import outbox_settings
    from ambassade.publishing.permissions import POST_APPROVE
    from ambassade.workspaces.permissions import can

    steps = outbox_settings(post.workspace).approval_steps
    again = steps > 0 and not can(actor, post.workspace, POST_APPROVE)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(id=post.id)
        if not post.variants.filter(status__in=MOVABLE).exists():
            raise ServiceError(_("This post has gone out, or is going out: it cannot be moved."))
        Post.objects.filter(id=post.id).update(scheduled_at=when, updated_at=timezone.now())
        scheduled = Variant.objects.filter(post=post, status=Status.SCHEDULED)
        ids = list(scheduled.values_list("id", flat=True))
        if again and ids:
            scheduled.filter(id__in=ids).update(
                status=Status.PENDING_APPROVAL, scheduled_at=None, due_at=None
            )
            Post.objects.filter(id=post.id).update(
                review_round=F("review_round") + 1, approvals_required=steps
            )
            webhooks.emit(ids)
        else:
            scheduled.update(scheduled_at=when, due_at=when)
        details = {"at": str(when), **({"approval": "requested"} if again and ids else {})}
        record_audit(post.workspace, actor, audit.POST_RESCHEDULED, post, details=details)
    post.refresh_from_db()
    return post


def unschedule_post(post: Post, actor: Any) -> Post:
    """Take a scheduled or pending post back to draft (the variants not yet sent)."""
    with transaction.atomic():
        waiting = Variant.objects.filter(
            post=post, status__in=[Status.SCHEDULED, Status.PENDING_APPROVAL]
        )
        ids = list(waiting.values_list("id", flat=True))
        changed = waiting.filter(id__in=ids).update(status=Status.DRAFT, due_at=None)
        if not changed:
            raise ServiceError(_("Nothing in this post is waiting to go out."))
        webhooks.emit(ids)
        Post.objects.filter(id=post.id).update(review_round=F("review_round") + 1)
        record_audit(post.workspace, actor, audit.POST_UNSCHEDULED, post)
    post.refresh_from_db()
    return post


# --- recurring posts ------------------------------------------------------------------------------

REPEAT_DAYS = {"daily": 1, "weekly": 7}


def next_occurrence_time(post: Post) -> datetime | None:
    """When the next occurrence of a recurring post goes out: the series' wall-clock time
    (``repeat_at``) one day or one week later, in the workspace's zone.

    Across a clock change the local hour stays (09:30 stays 09:30, so the UTC instant moves by an
    hour). A time the change skips (02:30 on the spring-forward night) goes out when the clocks say
    03:30; a time that happens twice, at its first occurrence. None after ``repeat_until``.
    """
    days = REPEAT_DAYS.get(post.repeat)
    if days is None or post.scheduled_at is None:
        return None
    zone = ZoneInfo(post.workspace.time_zone)
    local = post.scheduled_at.astimezone(zone)
    at = post.repeat_at or local.time().replace(tzinfo=None)
    day = local.date() + timedelta(days=days)
    if post.repeat_until is not None and day > post.repeat_until:
        return None
    # fold=0 gives a skipped time the offset from before the change: 02:30 becomes 03:30 summer time.
    return datetime.combine(day, at, zone).astimezone(UTC)


def schedule_next_occurrence(post_id: int) -> Post | None:
    """Once every variant of a recurring post has gone out (or failed), schedule the next one, with
    the same text, media and accounts; the series was approved once. Created at most once (the
    ``previous`` link is unique)."""
    post = Post.objects.select_related("workspace").filter(id=post_id).first()
    if post is None or not post.repeat:
        return None
    if post.variants.exclude(status__in=[Status.PUBLISHED, Status.FAILED]).exists():
        return None
    when = next_occurrence_time(post)
    if when is None:
        return None
    try:
        with transaction.atomic():
            following = Post.objects.create(
                workspace=post.workspace,
                author=post.author,
                text=post.text,
                scheduled_at=when,
                utm_campaign=post.utm_campaign,
                thread=post.thread,
                shorten_links=post.shorten_links,
                repeat=post.repeat,
                repeat_until=post.repeat_until,
                repeat_at=post.repeat_at,
                previous=post,
                approvals_required=post.approvals_required,
            )
            for variant in post.variants.all():
                Variant.objects.create(
                    workspace=post.workspace,
                    post=following,
                    connection_id=variant.connection_id,
                    text=variant.text,
                    status=Status.SCHEDULED,
                    scheduled_at=when,
                    due_at=when,
                )
            for media in post.media.all():
                Media.objects.create(
                    workspace=post.workspace,
                    post=following,
                    filename=media.filename,
                    content_type=media.content_type,
                    size=media.size,
                    data=media.data,
                    alt_text=media.alt_text,
                    position=media.position,
                )
            record_audit(
                post.workspace, None, audit.POST_SCHEDULED, following, details={"at": str(when)}
            )
    except IntegrityError:
        return None  # another worker created it
    return following
