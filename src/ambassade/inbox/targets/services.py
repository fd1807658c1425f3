"""Every write of the response-time targets: business hours, holidays and targets; the due times of
conversations, kept on the conversation and as pending deadlines; breaches and their alert
(docs/inbox.md, "Response-time targets").

Due times are computed when something that moves them happens (a message in either direction, a
status or label change: :mod:`ambassade.inbox.targets.hooks`; a change of the settings: a
recomputation task with its progress), never when the list is read. The periodic task
:func:`find_breaches` claims the pending deadlines whose time has passed, one conditional UPDATE
each, and raises the crisis app's "response time" alert rules through ``crisis.services.trigger``
(its de-duplication, cool-down and channels).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from ambassade.crisis import services as crisis_services
from ambassade.crisis.models import Alert, AlertRule
from ambassade.engine.scheduling import (
    WEEKDAYS,
    BusinessCalendar,
    NoBusinessHours,
    Opening,
    SchedulingError,
    add_business_time,
)
from ambassade.engine.scheduling import Holiday as EngineHoliday
from ambassade.inbox.models import Conversation, Message, Status
from ambassade.inbox.targets import audit
from ambassade.inbox.targets.models import BusinessHours, Deadline, Holiday, Kind, Target
from ambassade.workspaces.messages import coded
from ambassade.workspaces.models import Workspace
from ambassade.workspaces.services import record_audit

__all__ = [
    "ALWAYS",
    "DUE_FIELDS",
    "Dues",
    "Setup",
    "calendar_for",
    "compute_dues",
    "delete_holiday",
    "delete_target",
    "find_breaches",
    "hours_for",
    "recompute",
    "refresh",
    "resume_recomputations",
    "save_holiday",
    "save_hours",
    "save_target",
    "setup_for",
    "start_recompute",
]

log = logging.getLogger(__name__)

#: Every hour of every day: the calendar of a workspace that does not count business hours only.
ALWAYS = BusinessCalendar("UTC", tuple(Opening(day, time(0), time(0)) for day in WEEKDAYS))
DUE_FIELDS = ("first_response_due_at", "next_response_due_at", "resolution_due_at", "due_at")
#: Conversations recomputed per step of :func:`recompute` (its progress moves by this much).
BATCH = 500
#: A recomputation whose last step is older than this was left by a dead worker: taken up again.
STALE = timedelta(minutes=2)

_CALENDARS: dict[int, tuple[datetime, BusinessCalendar]] = {}


# --- settings -------------------------------------------------------------------------------------


def hours_for(workspace: Workspace) -> BusinessHours:
    """The workspace's business hours, made (off) on first use."""
    found = BusinessHours.objects.filter(workspace=workspace).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return BusinessHours.objects.create(workspace=workspace)
    except IntegrityError:
        return BusinessHours.objects.get(workspace=workspace)


def calendar_for(workspace: Workspace, hours: BusinessHours | None = None) -> BusinessCalendar:
    """The calendar waiting time is counted in: :data:`ALWAYS`, or the business hours less the
    holidays (cached per process until the hours change)."""
    if hours is None:
        hours = BusinessHours.objects.filter(workspace=workspace).first()
    if hours is None or not hours.enabled:
        return ALWAYS
    cached = _CALENDARS.get(workspace.pk)
    if cached is not None and cached[0] == hours.updated_at:
        return cached[1]
    holidays = tuple(
        EngineHoliday(day, yearly)
        for day, yearly in Holiday.objects.filter(workspace=workspace).values_list("day", "yearly")
    )
    try:
        calendar = BusinessCalendar(hours.zone_name(), tuple(hours.openings()), holidays)
    except SchedulingError:  # a zone the system's database no longer knows: count in UTC
        log.warning("workspace %s: unknown time zone %r", workspace.pk, hours.zone_name())
        calendar = BusinessCalendar("UTC", tuple(hours.openings()), holidays)
    _CALENDARS[workspace.pk] = (hours.updated_at, calendar)
    return calendar


def _changed(workspace: Workspace, actor: Any, what: str, obj: Any) -> None:
    """After any change of the settings: calendars rebuilt, due times recomputed, audit."""
    now = timezone.now()
    hours = hours_for(workspace)
    BusinessHours.objects.filter(pk=hours.pk).update(updated_at=now)
    record_audit(workspace, actor, what, obj)
    start_recompute(workspace)


def save_hours(hours: BusinessHours, actor: Any) -> BusinessHours:
    """Save the business hours (the form checked them: a zone that exists, a week with at least
    one opening when they are on)."""
    with transaction.atomic():
        hours.updated_at = timezone.now()
        hours.save()
        _changed(hours.workspace, actor, audit.HOURS_SAVED, hours)
    return hours


def save_holiday(holiday: Holiday, actor: Any) -> Holiday:
    with transaction.atomic():
        holiday.save()
        _changed(holiday.workspace, actor, audit.HOLIDAY_SAVED, holiday)
    return holiday


def delete_holiday(holiday: Holiday, actor: Any) -> None:
    with transaction.atomic():
        workspace = holiday.workspace
        _changed(workspace, actor, audit.HOLIDAY_DELETED, holiday)
        holiday.delete()


def save_target(target: Target, actor: Any) -> Target:
    with transaction.atomic():
        if target.pk is None and not target.position:
            last = Target.objects.filter(workspace=target.workspace).order_by("-position").first()
            target.position = (last.position + 1) if last else 1
        target.save()
        _changed(target.workspace, actor, audit.TARGET_SAVED, target)
    return target


def delete_target(target: Target, actor: Any) -> None:
    with transaction.atomic():
        _changed(target.workspace, actor, audit.TARGET_DELETED, target)
        target.delete()


# --- due times ------------------------------------------------------------------------------------


@dataclass
class Setup:
    """What a workspace's due times are computed from."""

    calendar: BusinessCalendar
    targets: list[Target]

    @property
    def needs_labels(self) -> bool:
        return any(t.label_id is not None for t in self.targets)

    def target_of(self, conversation: Conversation, label_ids: set[int] | None) -> Target | None:
        if label_ids is None:
            label_ids = (
                set(conversation.labels.values_list("id", flat=True))
                if self.needs_labels and conversation.pk
                else set()
            )
        for target in self.targets:
            if target.matches(conversation.network, label_ids, conversation.priority):
                return target
        return None


def setup_for(workspace: Workspace) -> Setup:
    return Setup(
        calendar=calendar_for(workspace),
        targets=list(Target.objects.filter(workspace=workspace, enabled=True)),
    )


@dataclass(frozen=True)
class Dues:
    first_response: datetime | None = None
    next_response: datetime | None = None
    resolution: datetime | None = None
    #: The due times that still apply, by kind.
    pending: Mapping[str, datetime] = field(default_factory=dict)

    @property
    def due_at(self) -> datetime | None:
        return min(self.pending.values()) if self.pending else None

    def fields(self) -> dict[str, datetime | None]:
        return {
            "first_response_due_at": self.first_response,
            "next_response_due_at": self.next_response,
            "resolution_due_at": self.resolution,
            "due_at": self.due_at,
        }


def compute_dues(
    conversation: Conversation, setup: Setup, label_ids: set[int] | None = None
) -> Dues:
    """The conversation's due times under its target (the first that matches it now):

    - first response: from the first message of the person, whether answered or not (kept, so
      the report can tell whether the answer came in time); applies until the first answer;
    - next response: when the person writes again after an answer, from that message; applies
      while nobody answered it;
    - resolution: from the first message of the person; applies until resolved.

    Nothing applies to a resolved conversation. A calendar that is never open sets no due time."""
    c = conversation
    target = setup.target_of(c, label_ids)
    if target is None or c.first_inbound_at is None:
        return Dues()

    def due(start: datetime | None, kind: str) -> datetime | None:
        duration = target.duration(kind)
        if start is None or duration is None:
            return None
        try:
            return add_business_time(setup.calendar, start, duration)
        except NoBusinessHours:
            return None

    first = due(c.first_inbound_at, Kind.FIRST_RESPONSE)
    again = (
        c.waiting_since
        if c.first_response_at is not None
        and c.waiting_since is not None
        and c.waiting_since >= c.first_response_at
        else None
    )
    following = due(again, Kind.NEXT_RESPONSE)
    resolution = due(c.first_inbound_at, Kind.RESOLUTION)
    pending: dict[str, datetime] = {}
    if c.status != Status.RESOLVED:
        if first is not None and c.first_response_at is None:
            pending[Kind.FIRST_RESPONSE] = first
        if following is not None:
            pending[Kind.NEXT_RESPONSE] = following
        if resolution is not None:
            pending[Kind.RESOLUTION] = resolution
    return Dues(first, following, resolution, pending)


def refresh(
    conversation: Conversation, setup: Setup | None = None, label_ids: set[int] | None = None
) -> Dues:
    """Bring the conversation's due times and pending deadlines up to date (and ``conversation``'s
    attributes). Writes only what changed."""
    c = conversation
    setup = setup or setup_for(c.workspace)
    dues = compute_dues(c, setup, label_ids)
    new = dues.fields()
    had_due = c.due_at is not None
    if any(getattr(c, name) != value for name, value in new.items()):
        Conversation.objects.filter(pk=c.pk).update(**new)
        for name, value in new.items():
            setattr(c, name, value)
    if had_due or dues.pending:  # nothing was pending and nothing is: no deadline to look at
        _sync_deadlines(c, dues.pending)
    return dues


def _sync_deadlines(conversation: Conversation, pending: Mapping[str, datetime]) -> None:
    current = {
        d.kind: d for d in Deadline.objects.filter(conversation=conversation, breached_at=None)
    }
    for kind, stale in current.items():
        if kind not in pending:
            Deadline.objects.filter(pk=stale.pk, breached_at=None).delete()
    for kind, due_at in pending.items():
        found = current.get(kind)
        if found is not None:
            if found.due_at == due_at:
                continue
            if Deadline.objects.filter(pk=found.pk, breached_at=None).update(due_at=due_at):
                continue
        try:
            with transaction.atomic():
                Deadline.objects.create(
                    workspace_id=conversation.workspace_id,
                    conversation=conversation,
                    kind=kind,
                    due_at=due_at,
                )
        except IntegrityError:  # refreshed at the same moment elsewhere: theirs is as good
            pass


# --- recomputation after a change of the settings -------------------------------------------------


def start_recompute(workspace: Workspace) -> None:
    """Recompute the due times of every conversation of the workspace not resolved yet, in a task
    (its progress on the settings page)."""
    hours_for(workspace)
    total = (
        Conversation.objects.filter(workspace=workspace)
        .exclude(status=Status.RESOLVED)
        .order_by()
        .count()
    )
    BusinessHours.objects.filter(workspace=workspace).update(
        recompute_total=total,
        recompute_done=0,
        recompute_after=0,
        recompute_beat=timezone.now(),
    )
    if total:
        workspace_id = workspace.pk
        transaction.on_commit(lambda: _enqueue_recompute(workspace_id))


def _enqueue_recompute(workspace_id: int) -> None:
    from ambassade.inbox.targets import tasks

    tasks.recompute(workspace_id)


def recompute(workspace_id: int, *, batch: int = BATCH) -> int:
    """Carry on the workspace's recomputation from where it stands; returns how many were done.
    Each step claims its place (the cursor) with a conditional UPDATE: a second runner stops."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    setup = setup_for(workspace)
    done = 0
    while True:
        hours = BusinessHours.objects.filter(workspace=workspace).first()
        if hours is None or not hours.recomputing:
            return done
        after = hours.recompute_after
        rows = list(
            Conversation.objects.filter(workspace=workspace, pk__gt=after)
            .exclude(status=Status.RESOLVED)
            .order_by("pk")[:batch]
        )
        if rows:
            for conversation in rows:
                refresh(conversation, setup)
            last = rows[-1].pk
            moved = BusinessHours.objects.filter(pk=hours.pk, recompute_after=after).update(
                recompute_after=last,
                recompute_done=F("recompute_done") + len(rows),
                recompute_beat=timezone.now(),
            )
            if not moved:
                return done
            done += len(rows)
        if len(rows) < batch:
            # The end: conversations added meanwhile were computed as they came.
            BusinessHours.objects.filter(pk=hours.pk).update(
                recompute_done=F("recompute_total"), recompute_beat=timezone.now()
            )
            return done


def resume_recomputations(now: datetime | None = None) -> int:
    """Take up the recomputations a dead worker left (no step for :data:`STALE`)."""
    now = now or timezone.now()
    stale = BusinessHours.objects.filter(
        recompute_done__lt=F("recompute_total"), recompute_beat__lt=now - STALE
    ).values_list("pk", "workspace_id")
    resumed = 0
    for pk, workspace_id in stale:
        if BusinessHours.objects.filter(pk=pk, recompute_beat__lt=now - STALE).update(
            recompute_beat=now
        ):
            _enqueue_recompute(workspace_id)
            resumed += 1
    return resumed


# --- breaches -------------------------------------------------------------------------------------


def _still_due(deadline: Deadline, conversation: Conversation) -> bool:
    """Whether the conversation still owes what the deadline is about (an answer came, or it was
    resolved, and the hook has not caught up: no breach)."""
    if conversation.status == Status.RESOLVED:
        return False
    if deadline.kind == Kind.FIRST_RESPONSE:
        return conversation.first_response_at is None
    if deadline.kind == Kind.NEXT_RESPONSE:
        return conversation.waiting_since is not None
    return True


def find_breaches(now: datetime | None = None, *, limit: int = 500) -> list[Deadline]:
    """Claim the pending deadlines whose time has passed (all workspaces, oldest first), and raise
    an alert for each through the workspace's enabled "response time" rules. A deadline is claimed
    once (conditional UPDATE), so a breach alerts once, whatever the number of workers."""
    now = now or timezone.now()
    due = list(
        Deadline.objects.filter(breached_at=None, due_at__lte=now)
        .select_related("conversation", "conversation__workspace")
        .order_by("due_at", "id")[:limit]
    )
    breached = []
    rules: dict[int, list[AlertRule]] = {}
    for deadline in due:
        conversation = deadline.conversation
        if not _still_due(deadline, conversation):
            Deadline.objects.filter(pk=deadline.pk, breached_at=None).delete()
            continue
        if not Deadline.objects.filter(pk=deadline.pk, breached_at=None).update(breached_at=now):
            continue  # another worker has it
        deadline.breached_at = now
        workspace = conversation.workspace
        if workspace.pk not in rules:
            rules[workspace.pk] = list(
                AlertRule.objects.filter(
                    workspace=workspace, kind=AlertRule.Kind.RESPONSE_TIME, enabled=True
                ).select_related("workspace")
            )
        for rule in rules[workspace.pk]:
            alert = _alert(rule, deadline, conversation, now)
            if alert is not None and deadline.alert_id is None:
                deadline.alert = alert
                Deadline.objects.filter(pk=deadline.pk).update(alert=alert)
        breached.append(deadline)
    return breached


#: One condition per rule for the cool-down: breaches in a row make one alert and its repeats.
DEDUP_KEY = "response_time"
_TITLES = {
    Kind.FIRST_RESPONSE: "alert.first_response_missed",
    Kind.NEXT_RESPONSE: "alert.next_response_missed",
    Kind.RESOLUTION: "alert.resolution_missed",
}


#: Conversations listed on one alert (a cool-down gathering many breaches lists the first ones).
MAX_LINKS = 50


def _alert(
    rule: AlertRule, deadline: Deadline, conversation: Conversation, now: datetime
) -> Alert | None:
    """One alert per breach, through the rule's de-duplication: breaches within the rule's
    cool-down fold into its last alert (its repeats, its mentions, the conversations it lists)."""
    mention = (
        Message.objects.filter(
            conversation=conversation,
            direction=Message.Direction.INBOUND,
            mention__isnull=False,
        )
        .order_by("-created_at", "-id")
        .values_list("mention_id", flat=True)
        .first()
    )
    contact = conversation.contact_display or conversation.subject or f"#{conversation.pk}"
    link = {
        "text": contact[:200],
        "path": reverse(
            "inbox:conversation",
            kwargs={
                "workspace_slug": conversation.workspace.slug,
                "conversation_id": conversation.pk,
            },
        ),
        "target": deadline.kind,
    }
    made = crisis_services.trigger(
        rule,
        dedup_key=DEDUP_KEY,
        title=coded(_TITLES[Kind(deadline.kind)], contact=contact[:200]),
        now=now,
        mention_ids=[mention] if mention else [],
        details={"links": [link], "due_at": deadline.due_at.isoformat()},
    )
    if made is not None:
        return made
    # Folded into the rule's last alert: the breach belongs to that one, which lists it too.
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update()
            .filter(rule=rule, dedup_key=DEDUP_KEY)
            .order_by("-triggered_at", "-id")
            .first()
        )
        if alert is not None:
            details = dict(alert.details or {})
            links = list(details.get("links") or [])
            if len(links) < MAX_LINKS:
                details["links"] = [*links, link]
                Alert.objects.filter(pk=alert.pk).update(details=details)
    return alert


def breaches_of(conversation_ids: Iterable[int]) -> dict[int, list[Deadline]]:
    found: dict[int, list[Deadline]] = {}
    for deadline in Deadline.objects.filter(
        conversation_id__in=list(conversation_ids), breached_at__isnull=False
    ).order_by("due_at"):
        found.setdefault(deadline.conversation_id, []).append(deadline)
    return found
