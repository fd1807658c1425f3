"""Posts, their per-channel variants, media, approvals and the outbox's attempts.

A :class:`Post` is one message written once; a :class:`Variant` is that message adapted to one
connected account (a :class:`~ambassade.workspaces.models.Connection`). Each variant has its own status
in the outbox's state machine (see :mod:`ambassade.publishing.outbox`)::

    draft → pending_approval → scheduled → publishing → published
                  │                ▲          │  └────→ failed   (a person must act; retry possible)
                  └→ draft         └──────────┴──────→ unknown  (reconciled by reading the network)

Every time is stored in UTC and shown in the workspace's time zone. Every model has a ``workspace``
foreign key so that views read them through ``workspace_queryset``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import MessageField
from ambassade.workspaces.models import Connection, Workspace
from ambassade.workspaces.text import shorten


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Being checked")


#: Statuses a person may still edit.
EDITABLE = frozenset({Status.DRAFT})
#: Statuses the outbox is responsible for.
IN_OUTBOX = frozenset({Status.SCHEDULED, Status.PUBLISHING, Status.UNKNOWN})


class OutboxSettings(models.Model):
    """Per workspace: the approval steps and the crisis hold ("outbox paused")."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="outbox_settings"
    )
    approval_steps = models.PositiveSmallIntegerField(
        _("approval steps"),
        default=0,
        help_text=_("How many different people must approve a post before it is scheduled (0–3)."),
    )
    paused = models.BooleanField(_("outbox paused"), default=False)
    # Typed by a person, or a coded message (crisis mode), worded for whoever reads it.
    pause_reason = MessageField(_("reason"), blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("outbox settings")
        verbose_name_plural = _("outbox settings")

    def __str__(self) -> str:
        return f"outbox of {self.workspace_id}"


class Post(models.Model):
    """One message, written once; its variants carry the per-network text and status."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("text"), blank=True)
    scheduled_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=100, blank=True)
    #: Split a text too long for a network into a thread, where the network has threads.
    thread = models.BooleanField(_("split long texts into a thread"), default=False)

    class Repeat(models.TextChoices):
        NEVER = "", _("Once")
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")

    #: A recurring post: once it has gone out, the next occurrence is scheduled at the same local
    #: time (see services.schedule_next_occurrence), until ``repeat_until``.
    repeat = models.CharField(_("repeat"), max_length=10, choices=Repeat.choices, blank=True)
    repeat_until = models.DateField(_("until"), null=True, blank=True)
    #: The series' wall-clock time in the workspace's zone, set when it is scheduled: each
    #: occurrence is computed from it, so a time moved by a clock change does not drift.
    repeat_at = models.TimeField(null=True, blank=True)
    #: The occurrence this one follows; unique, so the next one is created once.
    previous = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_occurrence"
    )
    #: Replace links by short links on the product's own address, which count clicks.
    shorten_links = models.BooleanField(_("shorten and count links"), default=False)
    approvals_required = models.PositiveSmallIntegerField(default=0)
    #: Approvals count for the current round only; a rejection starts a new one.
    review_round = models.PositiveIntegerField(default=1)
    # Typed by the approver, or a coded message (an approval that came too late).
    rejection_reason = MessageField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="post_by_workspace")]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        first = (self.text or "").strip().splitlines()[0] if (self.text or "").strip() else ""
        return shorten(first, 60) or f"#{self.pk}"

    @property
    def status(self) -> str:
        """The post's overall status: the least advanced of its variants' (draft when none)."""
        order = [
            Status.DRAFT,
            Status.PENDING_APPROVAL,
            Status.FAILED,
            Status.UNKNOWN,
            Status.PUBLISHING,
            Status.SCHEDULED,
            Status.PUBLISHED,
        ]
        statuses = {variant.status for variant in self.variants.all()}
        for status in order:
            if status in statuses:
                return status
        return Status.DRAFT


class Media(models.Model):
    """An image or video attached to a post, kept in the database (small files: ≤ 8 MiB)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    alt_text = models.TextField(_("description (alt text)"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("medium")
        verbose_name_plural = _("media")

    def __str__(self) -> str:
        return self.filename

    @property
    def kind(self) -> str:
        if self.content_type == "image/gif":
            return "gif"
        return "video" if self.content_type.startswith("video/") else "image"


class Variant(models.Model):
    """The post adapted to one account. ``status``, ``error`` and the remote id are the outbox's."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    connection = models.ForeignKey(
        Connection, on_delete=models.PROTECT, related_name="variants", verbose_name=_("account")
    )
    text = models.TextField(_("adapted text"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    #: When the person wants it out (UTC).
    scheduled_at = models.DateTimeField(null=True, blank=True)
    #: When the outbox may try next: ``scheduled_at``, or later after a rate limit or an error.
    due_at = models.DateTimeField(null=True, blank=True)
    #: When the current claim was taken (status ``publishing``) or the outcome became unknown.
    claimed_at = models.DateTimeField(null=True, blank=True)
    #: Refreshed every few seconds by the worker holding the claim: a claim whose heartbeat is old
    #: belongs to a dead worker (services.expire_stuck).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    #: By then no request of the current attempt can start or still be waiting for its answer (the
    #: HTTP seam enforces it); cut to the moment the call ended when the worker saw it end.
    deadline_at = models.DateTimeField(null=True, blank=True)
    #: Whether the network deduplicates the current attempt's key (known before sending).
    key_deduplicated = models.BooleanField(default=False)
    #: When an unknown outcome may be settled (reconciled) next.
    reconcile_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    #: The key of the current attempt (kept when a network deduplicates a retry with it).
    idempotency_key = models.CharField(max_length=40, blank=True)
    #: Set when the next attempt must send the same key again (a network that deduplicates with it).
    keep_key = models.BooleanField(default=False)
    #: Media containers made on the network for this variant (Instagram, Threads), by the key the
    #: publisher gave them: ``{key: {"id", "created_at", "publishes"}}``. Written as soon as the
    #: publisher reports one, before it is published, and handed to every later attempt (any
    #: worker takes it up) and to reconciliation (its status says whether the post went out).
    containers = models.JSONField(default=dict, blank=True)
    remote_id = models.CharField(max_length=300, blank=True)
    remote_url = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    #: One message in plain words, shown the same everywhere (list, calendar, post page).
    # A coded message (ambassade.workspaces.messages), worded for whoever reads it.
    error = MessageField(blank=True)
    #: What the network says of the published post ({"likes": 3, "reposts": 1, "replies": 0}),
    #: read back a day after publication (services.read_back_metrics).
    metrics = models.JSONField(default=dict, blank=True)
    metrics_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "connection"], name="variant_one_per_account")
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="variant_due"),
            # Analytics' posts published and link clicks: the variants published in a period.
            models.Index(fields=["workspace", "published_at"], name="variant_published"),
        ]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")

    def __str__(self) -> str:
        return f"{self.post} → {self.connection}"

    @property
    def network(self) -> str:
        return self.connection.network

    @property
    def effective_text(self) -> str:
        return self.text if self.text.strip() else self.post.text


class PublishAttempt(models.Model):
    """One call to the network for a variant (or one reconciliation), for the post's history."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("In progress")
        PUBLISHED = "published", _("Published")
        RETRY = "retry", _("Will retry")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Outcome unknown")
        FOUND = "found", _("Found on the network")
        NOT_FOUND = "not_found", _("Not found on the network")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="attempts_log")
    number = models.PositiveIntegerField()
    #: False for a call to publish, True for a reading of the network after an unknown outcome.
    is_check = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=40)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    message = MessageField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of variant {self.variant_id}: {self.outcome}"


class Review(models.Model):
    """An approval, a rejection (with its reason) or a plain comment on a post."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        APPROVAL = "approval", _("Approval")
        REJECTION = "rejection", _("Rejection")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(blank=True)
    #: Approvals count only for the round they were given in (a rejection starts a new round).
    round = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on post {self.post_id}"


class QueueSlot(models.Model):
    """A recurring moment of the week ("Tuesday 09:30", workspace time) that "Add to the queue" fills.

    Stored as a wall-clock time so that it stays at 09:30 local across daylight-saving changes."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="queue_slots")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    time = models.TimeField(_("time"))

    class Meta:
        ordering = ["weekday", "time"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "weekday", "time"], name="queue_slot_unique"
            )
        ]
        verbose_name = _("queue slot")
        verbose_name_plural = _("queue slots")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.time:%H:%M}"


class ChannelLimits(models.Model):
    """What a connected account's server reported about its limits (Mastodon's ``max_characters``,
    media types and sizes…), refreshed by a periodic task so that pages never wait on the network.
    ``limits`` holds the fields of ``engine.publishing.Limits`` that the server gave."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    connection = models.OneToOneField(
        Connection, on_delete=models.CASCADE, related_name="publishing_limits"
    )
    limits = models.JSONField(default=dict)
    fetched_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"limits of connection {self.connection_id}"


class ShortLink(models.Model):
    """``/l/<code>`` on the product's own address, redirecting to ``target`` (UTM included).

    One per post, network and target, created when the variant is published, so that a retry sends
    the same text. A click adds one to ``clicks`` and stores nothing about the person."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="short_links")
    network = models.CharField(max_length=40)
    target = models.URLField(max_length=2000)
    code = models.CharField(max_length=16, unique=True)
    clicks = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["network", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "network", "target"], name="short_link_one_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"/l/{self.code}"


class OutboxWebhook(models.Model):
    """Where a workspace wants every status change of its posts POSTed (JSON, signed). The address
    and the signing secret are encrypted with the vault; the secret is shown once, when made."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="outbox_webhook"
    )
    secret_ciphertext = models.BinaryField(editable=False, default=b"")
    #: Scheme and host only, to show where the events go without showing a URL that may be a token.
    url_hint = models.CharField(max_length=200, blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("outbox webhook")
        verbose_name_plural = _("outbox webhooks")

    def __str__(self) -> str:
        return f"webhook of {self.workspace_id}"

    def __repr__(self) -> str:
        return f"<OutboxWebhook {self.pk} {self.url_hint or '-'}>"

    def set_target(self, url: str, secret: str) -> None:
        from urllib.parse import urlsplit

        from ambassade.workspaces import vault

        self.secret_ciphertext = vault.encrypt({"url": url, "secret": secret})
        parts = urlsplit(url)
        self.url_hint = f"{parts.scheme}://{parts.hostname or ''}"[:200]

    def target(self) -> Any:
        from ambassade.workspaces import vault

        return vault.decrypt(bytes(self.secret_ciphertext))


class WebhookDelivery(models.Model):
    """One event for the workspace's webhook: its body (built when the status changed, so a retry
    sends the same event), and how its delivery went."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(
        Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    event = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    #: The receiver's HTTP status on the last attempt (None: no answer).
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # A coded message (ambassade.workspaces.messages), worded for whoever reads it.
    error = MessageField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    #: When it may be tried (again); None once delivered or failed. A task claims it by moving this
    #: a lease ahead, so that a task killed mid-delivery lets another try after the lease.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="webhook_delivery_recent")
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}: {self.state}"
