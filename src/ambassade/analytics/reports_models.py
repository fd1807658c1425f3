"""Reports: a template of blocks, the agency's logo, a commentary, a language, and an optional
delivery by e-mail every week or month (docs/analytics.md, "Reports"). A report stores what to
show, never its figures: they are computed from the data for the period asked."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import MessageField
from ambassade.workspaces.models import Workspace


class ReportTemplate(models.TextChoices):
    WEEKLY = "weekly", _("Weekly report")
    MONTHLY = "monthly", _("Monthly report")
    CAMPAIGN = "campaign", _("Campaign report")
    CLIENT = "client", _("Client report")


class Schedule(models.TextChoices):
    NONE = "", _("Not sent by e-mail")
    WEEKLY = "weekly", _("Every Monday, the week before")
    MONTHLY = "monthly", _("On the 1st of each month, the month before")


class Report(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="reports")
    name = models.CharField(_("name"), max_length=120)
    template = models.CharField(
        _("template"), max_length=16, choices=ReportTemplate.choices, default=ReportTemplate.MONTHLY
    )
    #: Block codes of ``reports.BLOCKS``, in the order shown.
    blocks = models.JSONField(default=list)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    #: Plain text, shown escaped with its paragraphs (never HTML).
    commentary = models.TextField(_("commentary"), blank=True, max_length=5000)
    #: Posts of this UTM campaign only (the campaign template), empty for all.
    campaign = models.CharField(_("UTM campaign"), max_length=100, blank=True)
    #: A fixed period (campaign); empty for the template's own (the last week or month).
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    #: The logo re-encoded by the app as PNG (``reports_logo``), never a file path.
    logo = models.BinaryField(null=True, blank=True, editable=False)
    logo_width = models.PositiveSmallIntegerField(default=0, editable=False)
    logo_height = models.PositiveSmallIntegerField(default=0, editable=False)
    schedule = models.CharField(
        _("delivery"), max_length=8, choices=Schedule.choices, blank=True, default=""
    )
    #: Addresses, one a line, validated (``reports_forms``).
    recipients = models.TextField(_("recipients"), blank=True, max_length=4000)
    #: When the delivery was last switched on: only periods ending after it are sent.
    scheduled_since = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["workspace", "name"], name="report_by_name")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="report_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


class Delivery(models.Model):
    """One e-mail of a report for one period: unique per (report, period), so that a period is
    sent once whatever the number of workers or restarts. It goes through the shared
    claim-send-mark queue (``workspaces/mailqueue.py``, ``reports_services.QUEUE``): a claim of a
    worker that died before sending is taken again once stale; one that died while sending leaves
    it ``unknown`` (perhaps sent), never sent twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To send")
        CLAIMED = "claimed", _("Claimed by a worker")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Perhaps sent (the worker stopped)")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="deliveries")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    recipients = models.JSONField(default=list)
    #: Sent by hand ("Send now"), not by the schedule: not bound to one send per period.
    manual = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    #: Why it was not sent (workspaces/mailqueue.reason), worded where shown.
    error = MessageField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "period_start", "period_end"],
                condition=models.Q(manual=False),
                name="delivery_once_per_period",
            )
        ]
        indexes = [models.Index(fields=["status", "claimed_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.period_start}–{self.period_end}"
