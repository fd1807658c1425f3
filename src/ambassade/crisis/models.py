"""Alert rules, alerts, notifications, delivery channels, detector states, and the crisis mode.

Every model holds a ``workspace`` foreign key; views read them through ``workspace_queryset``. Writes
with side effects go through :mod:`ambassade.crisis.services`.

Listening objects (queries, mentions) are referred to by id, not by foreign key: the crisis app reads
them through :mod:`ambassade.crisis.signals_feed`, which keeps working while the listening app is
absent or its tables change (an alert keeps the ids of the mentions that triggered it even after they
are deleted).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.workspaces import vault
from ambassade.workspaces.messages import MessageField
from ambassade.workspaces.models import Workspace
from ambassade.workspaces.text import shorten


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class Channel(models.Model):
    """Where alerts are sent besides the in-app notification centre: e-mail recipients, or a webhook
    whose address (and optional signing secret) is encrypted with the workspace vault."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook")

    class Format(models.TextChoices):
        JSON = "json", _("Generic JSON")
        SLACK = "slack", _("Slack")
        MATTERMOST = "mattermost", _("Mattermost")
        TEAMS = "teams", _("Microsoft Teams")

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="alert_channels"
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    recipients = models.TextField(
        _("recipients"), blank=True, help_text=_("E-mail addresses, one a line.")
    )
    format = models.CharField(
        _("payload format"), max_length=12, choices=Format.choices, default=Format.JSON
    )
    # The webhook's address and secret, encrypted: a Slack or Teams URL is itself a credential.
    secret_ciphertext = models.BinaryField(editable=False, default=b"")
    # Scheme and host only, to show which service the webhook goes to.
    url_hint = models.CharField(max_length=200, blank=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    last_error = MessageField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("alert channel")
        verbose_name_plural = _("alert channels")

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Channel {self.pk} {self.kind} {self.url_hint or '-'}>"

    def set_webhook(self, url: str, secret: str = "") -> None:
        from urllib.parse import urlsplit

        self.secret_ciphertext = vault.encrypt({"url": url, "secret": secret})
        parts = urlsplit(url)
        self.url_hint = f"{parts.scheme}://{parts.hostname or ''}"[:200]

    def webhook(self) -> vault.Secret:
        return vault.decrypt(bytes(self.secret_ciphertext))

    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


class AlertRule(models.Model):
    """A condition watched for one workspace, and where to tell people when it is met."""

    class Kind(models.TextChoices):
        VOLUME_SPIKE = "volume_spike", _("Volume spike")
        NEGATIVITY_SPIKE = "negativity_spike", _("Negativity spike")
        INFLUENCER = "influencer", _("Mention by an influential author")
        QUERY_MATCH = "query_match", _("Match of a listening query")
        RESPONSE_TIME = "response_time", _("Response time breached")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="alert_rules")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    severity = models.CharField(
        _("severity"), max_length=12, choices=Severity.choices, default=Severity.MEDIUM
    )
    # The listening queries whose mentions the rule watches (their ids; each mention counted once);
    # empty: all the workspace's mentions, competitors' included. The form makes it a choice.
    query_ids = models.JSONField(_("listening queries"), default=list, blank=True)
    sensitivity = models.PositiveSmallIntegerField(
        _("sensitivity"),
        default=5,
        help_text=_(
            "From 1 (only obvious spikes) to 10 (every unusual bump); 5 gives about one false alarm "
            "a week."
        ),
    )
    min_followers = models.PositiveIntegerField(
        _("minimum followers"), null=True, blank=True, default=10000
    )
    cooldown_minutes = models.PositiveIntegerField(
        _("cool-down (minutes)"),
        default=60,
        help_text=_("The same condition does not alert again before this delay."),
    )
    notify_in_app = models.BooleanField(_("notify in the app"), default=True)
    channels = models.ManyToManyField(
        Channel, blank=True, related_name="rules", verbose_name=_("channels")
    )
    digest = models.BooleanField(
        _("send as a digest"),
        default=False,
        help_text=_("Group this rule's low-severity alerts into one message an hour."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["workspace", "kind", "enabled"], name="rule_by_kind")]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return self.name

    @property
    def is_spike(self) -> bool:
        return self.kind in (self.Kind.VOLUME_SPIKE, self.Kind.NEGATIVITY_SPIKE)

    @property
    def in_digest(self) -> bool:
        """Whether this rule's alerts wait for the digest: only low-severity ones do, and a spike
        rule rates each of its alerts (see ``alert_in_digest``)."""
        return self.digest and (self.is_spike or self.severity == Severity.LOW)

    def alert_in_digest(self, severity: str) -> bool:
        return self.digest and severity == Severity.LOW


class Alert(models.Model):
    """A rule's condition was met. Repeats of the same condition (its ``dedup_key``) within the
    rule's cool-down are folded into it (``repeats``, ``mention_ids``) instead of alerting again."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CLOSED = "closed", _("Closed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="alerts")
    rule = models.ForeignKey(
        AlertRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    #: A rule's kind, or ``raid``: moderation's suggestion of crisis mode (docs/moderation.md).
    kind = models.CharField(
        max_length=24, choices=[*AlertRule.Kind.choices, ("raid", _("Raid (moderation)"))]
    )
    severity = models.CharField(max_length=12, choices=Severity.choices)
    # A coded message (ambassade.workspaces.messages), worded for whoever reads it.
    title = MessageField()
    triggered_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    # What triggered it: the observed value, the detector's expected value and its score in [0, 1].
    value = models.FloatField(null=True, blank=True)
    baseline = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    series = models.CharField(max_length=80, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    mention_ids = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    dedup_key = models.CharField(max_length=200)
    repeats = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Delivery: None until sent (digest alerts wait for the hourly digest); one result per channel.
    delivered_at = models.DateTimeField(null=True, blank=True)
    pending_digest = models.BooleanField(default=False)
    deliveries = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-triggered_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-triggered_at"], name="alert_history"),
            models.Index(fields=["rule", "dedup_key", "-last_seen_at"], name="alert_dedup"),
            models.Index(
                fields=["workspace"], condition=Q(pending_digest=True), name="alert_digest"
            ),
        ]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return str(self.title)


class Notification(models.Model):
    """One line in a person's notification centre: an alert, a digest, a crisis, or what another
    app tells people through ``alerting.notify_people`` (a post that failed)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    crisis = models.ForeignKey(
        "Crisis", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # Where opening it leads when it is about neither an alert nor a crisis (a failed post): a path
    # of this workspace's pages, made by ``reverse`` when the notification is.
    link = models.CharField(max_length=300, blank=True)
    severity = models.CharField(max_length=12, choices=Severity.choices, default=Severity.MEDIUM)
    # Coded messages, worded for whoever reads them (text for those stored before codes).
    title = MessageField()
    body = MessageField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "workspace", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["user", "workspace"], condition=Q(read_at=None), name="notification_unread"
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return str(self.title)


class SeriesState(models.Model):
    """The spike detector's state for one series of a workspace (see ``signals_feed``): its JSON
    state and the last hour it was fed, so each hour is fed once, in order."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    state = models.JSONField(default=dict)
    fed_until = models.DateTimeField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    last_score = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="series_state_unique")
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id}:{self.key}"


# --- crisis mode -------------------------------------------------------------------------------


class Section(models.TextChoices):
    CALL = "call", _("Who to call")
    PREPARE = "prepare", _("What to prepare")
    VALIDATE = "validate", _("Validation circuit")


class Crisis(models.Model):
    """A crisis of one workspace. At most one is open at a time; while it is, the outbox is held."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="crises")
    title = models.CharField(_("title"), max_length=200)
    severity = models.CharField(
        _("severity"), max_length=12, choices=Severity.choices, default=Severity.HIGH
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    alert = models.ForeignKey(
        Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="crises"
    )
    # What the crisis covers: from ``started_at`` (the window of the alert it was opened from, or a
    # chosen time, at most when it was opened) to its close, counting the mentions of ``query_ids``
    # (listening query ids; empty: all the workspace's mentions).
    started_at = models.DateTimeField(_("start"), default=timezone.now)
    query_ids = models.JSONField(default=list, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(_("lessons learned"), blank=True)
    # The post-mortem, frozen when the crisis closes; the PDF is rendered from it once, then kept.
    report_html = models.TextField(blank=True, editable=False)
    report_pdf = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"], condition=Q(status="open"), name="one_open_crisis"
            )
        ]
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")

    def __str__(self) -> str:
        return str(self.title)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def ended_at(self) -> datetime:
        """The end of what the crisis covers: its close, or now while it is open."""
        return self.closed_at or timezone.now()

    @property
    def duration(self) -> timedelta:
        return max(self.ended_at - self.started_at, timedelta(0))


def default_playbook() -> list[dict[str, Any]]:
    return []


class PlaybookTemplate(models.Model):
    """The workspace's crisis checklist, copied into each new crisis. ``items`` is a list of
    ``{"section": "call"|"prepare"|"validate", "text": "…"}``."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="playbook")
    items = models.JSONField(default=default_playbook, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"playbook of {self.workspace_id}"

    def items_in(self, section: str) -> list[str]:
        return [item["text"] for item in self.items if item.get("section") == section]


class CrisisChecklistItem(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="checklist")
    section = models.CharField(max_length=12, choices=Section.choices)
    text = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["crisis", "position", "id"]

    def __str__(self) -> str:
        return self.text


class HoldingStatement(models.Model):
    """A prepared public answer, in French or English, to adapt and publish while facts are checked."""

    class Language(models.TextChoices):
        FR = "fr", _("French")
        EN = "en", _("English")

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="holding_statements"
    )
    title = models.CharField(_("title"), max_length=120)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    text = models.TextField(_("text"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["language", "title", "id"]
        verbose_name = _("holding statement")
        verbose_name_plural = _("holding statements")

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class EscalationContact(models.Model):
    """Someone to tell when a crisis opens (by e-mail when ``notify`` is set)."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="escalation_contacts"
    )
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    notify = models.BooleanField(_("e-mail them when a crisis opens"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("escalation contact")
        verbose_name_plural = _("escalation contacts")

    def __str__(self) -> str:
        return self.name


class CrisisEvent(models.Model):
    """One line of a crisis's timeline."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Crisis opened")
        ALERT = "alert", _("Alert")
        VOLUME = "volume", _("Volume")
        NEGATIVITY = "negativity", _("Negativity")
        OUTBOX = "outbox", _("Outbox")
        CHECKLIST = "checklist", _("Checklist")
        STATEMENT = "statement", _("Statement published")
        CONTACTS = "contacts", _("Contacts notified")
        NOTE = "note", _("Action")
        CLOSED = "closed", _("Crisis closed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # What happened (a coded message), or what a person wrote (text).
    text = MessageField(blank=True)
    value = models.FloatField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["crisis", "kind", "at"], name="crisis_timeline")]

    def __str__(self) -> str:
        return f"{self.kind} {shorten(str(self.text), 40)}"
