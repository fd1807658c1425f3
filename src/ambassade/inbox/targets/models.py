"""Response-time targets: a workspace's business hours and holidays, its targets, and the
deadlines of its conversations (docs/inbox.md, "Response-time targets").

The due times live on the conversation too (``first_response_due_at``, ``next_response_due_at``,
``resolution_due_at`` and ``due_at``, the earliest that still applies), written by
:mod:`ambassade.inbox.targets.services` when something changes, so that the list reads "breaching"
and "due soon" through an index instead of computing anything per row.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.crisis.models import Alert
from ambassade.engine.scheduling import Opening
from ambassade.inbox.models import Conversation, Label
from ambassade.workspaces.models import Workspace


class BusinessHours(models.Model):
    """A workspace's business hours (one row, made on first use). Off: every hour counts."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="business_hours"
    )
    enabled = models.BooleanField(
        _("count business hours only"),
        default=False,
        help_text=_("Off: waiting time counts every hour of every day."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    #: The week: ``[{"weekday": 0, "start": "09:00", "end": "18:00"}, …]`` (0 is Monday; an end at
    #: or before the start ends the next day). Read through :meth:`openings`.
    week = models.JSONField(default=list, blank=True)
    due_soon_minutes = models.PositiveIntegerField(
        _("due soon (minutes)"),
        default=30,
        help_text=_(
            "A conversation is due soon when less business time than this is left before its "
            "target."
        ),
    )
    #: Changed with the hours, the holidays and the targets: calendars cached in a process are
    #: rebuilt when it moves, and due times are recomputed.
    updated_at = models.DateTimeField(default=timezone.now)
    # The recomputation of the open conversations' due times after a change (a task; the page
    # shows its progress, and a recomputation left by a killed worker is picked up again).
    recompute_total = models.PositiveIntegerField(default=0, editable=False)
    recompute_done = models.PositiveIntegerField(default=0, editable=False)
    recompute_after = models.PositiveBigIntegerField(default=0, editable=False)
    recompute_beat = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")

    def __str__(self) -> str:
        return f"business hours of {self.workspace_id}"

    def zone_name(self) -> str:
        return self.time_zone or self.workspace.time_zone or "UTC"

    def openings(self) -> list[Opening]:
        """The week as engine openings; entries that do not read are left out (the form wrote
        them, so none should be)."""
        found = []
        for entry in self.week if isinstance(self.week, list) else []:
            try:
                found.append(
                    Opening(
                        int(entry["weekday"]),
                        time.fromisoformat(entry["start"]),
                        time.fromisoformat(entry["end"]),
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue
        return sorted(found, key=lambda o: (o.weekday, o.start))

    @property
    def recomputing(self) -> bool:
        return self.recompute_done < self.recompute_total


class Holiday(models.Model):
    """A closed date of a workspace's business hours: once, or every year."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("date"))
    yearly = models.BooleanField(_("every year"), default=False)
    name = models.CharField(_("name"), max_length=80, blank=True)

    class Meta:
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "day", "yearly"], name="holiday_unique")
        ]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class Level(models.TextChoices):
    """Priority levels a target may be limited to (``inbox.triage.LEVELS``): this one or above."""

    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High or above")
    NORMAL = "normal", _("Normal or above")


#: The lowest priority score of each level (``inbox.triage.LEVELS``).
LEVEL_SCORES = {Level.URGENT: 70, Level.HIGH: 50, Level.NORMAL: 25}


class Target(models.Model):
    """Response-time targets for the conversations it matches (all of its conditions; none: every
    conversation). A conversation follows the first enabled target that matches it, by
    ``position``; a duration left empty sets no target of that kind."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="response_targets"
    )
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    enabled = models.BooleanField(_("enabled"), default=True)
    network = models.CharField(_("network"), max_length=40, blank=True)
    label = models.ForeignKey(
        Label,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("label"),
    )
    level = models.CharField(_("priority"), max_length=8, choices=Level.choices, blank=True)
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (minutes)"), null=True, blank=True
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response within (minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (minutes)"), null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("response-time target")
        verbose_name_plural = _("response-time targets")

    def __str__(self) -> str:
        return self.name

    def duration(self, kind: str) -> timedelta | None:
        minutes = getattr(self, f"{kind}_minutes")
        return timedelta(minutes=minutes) if minutes else None

    def matches(self, network: str, label_ids: set[int], priority: int) -> bool:
        if self.network and self.network != network:
            return False
        if self.label_id is not None and self.label_id not in label_ids:
            return False
        return not (self.level and priority < LEVEL_SCORES[Level(self.level)])


class Kind(models.TextChoices):
    """Which target a due time is for."""

    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class Deadline(models.Model):
    """A due time of a conversation. While ``breached_at`` is None it is pending: it mirrors the
    conversation's due time of its kind that still applies, and goes away when that is met (an
    answer, the resolution) or changes. When the time passes, the periodic task claims it
    (``breached_at`` set by a conditional UPDATE), which makes the alert go out once; a breached
    deadline stays, as the history the conversation and the report show."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="deadlines"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    due_at = models.DateTimeField()
    breached_at = models.DateTimeField(null=True, blank=True)
    alert = models.ForeignKey(
        Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "kind"],
                condition=Q(breached_at__isnull=True),
                name="deadline_one_pending",
            ),
            models.UniqueConstraint(
                fields=["conversation", "kind", "due_at"],
                condition=Q(breached_at__isnull=False),
                name="deadline_one_breach",
            ),
        ]
        indexes = [
            # The periodic task: pending deadlines whose time has come, across workspaces.
            models.Index(
                fields=["due_at"], condition=Q(breached_at__isnull=True), name="deadline_due"
            ),
            models.Index(
                fields=["workspace", "-breached_at"],
                condition=Q(breached_at__isnull=False),
                name="deadline_breaches",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.conversation_id} due {self.due_at:%Y-%m-%d %H:%M}"
