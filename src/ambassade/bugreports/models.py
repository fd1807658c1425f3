"""Bug reports sent from a conversation to the technical team's tracker.

- :class:`Tracker` — a workspace's tracker: GitHub, GitLab, Jira Cloud or a signed webhook
  (``ambassade.connectors.trackers``), its settings, and its credentials and webhook secret
  encrypted in the vault. ``hook_id`` is the unguessable address the tracker's webhook posts to.
- :class:`BugReport` — one issue made from a conversation: sent once (the ``marker`` written into
  it finds it again after an unknown outcome), then followed (polling and the tracker's webhook)
  until it is closed, when the conversation's assignee is told to tell the customer.

Every model holds a ``workspace`` foreign key; pages read through ``workspace_queryset``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ambassade.inbox.models import Conversation
from ambassade.workspaces import vault
from ambassade.workspaces.messages import MessageField
from ambassade.workspaces.models import Workspace


class Tracker(models.Model):
    class Kind(models.TextChoices):
        GITHUB = "github", "GitHub"
        GITLAB = "gitlab", "GitLab"
        JIRA = "jira", "Jira Cloud"
        WEBHOOK = "webhook", _("Signed webhook")

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        NEEDS_RECONNECTION = "needs_reconnection", _("Needs new credentials")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="trackers")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    #: The tracker's settings, cleaned by its ``check_config`` (repository, project, site…).
    config = models.JSONField(default=dict)
    #: Labels every report made here gets, comma-separated.
    labels = models.CharField(_("labels"), max_length=200, blank=True)
    #: The credentials and the webhook secret, encrypted: read with :meth:`secret`.
    secret_ciphertext = models.BinaryField(editable=False)
    hook_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.CONNECTED)
    last_error = MessageField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="tracker_unique_name")
        ]
        verbose_name = _("tracker")
        verbose_name_plural = _("trackers")

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Tracker {self.pk} {self.kind}:{self.name}>"

    def secret(self) -> vault.Secret:
        return vault.decrypt(bytes(self.secret_ciphertext))

    def set_secret(self, data: dict[str, Any]) -> None:
        self.secret_ciphertext = vault.encrypt(data)

    @property
    def label_list(self) -> list[str]:
        return [label.strip() for label in self.labels.split(",") if label.strip()]


class BugReport(models.Model):
    class State(models.TextChoices):
        SENDING = "sending", pgettext_lazy("bug report", "Being sent")
        OPEN = "open", pgettext_lazy("bug report", "Open")
        CLOSED = "closed", pgettext_lazy("bug report", "Closed")
        FAILED = "failed", pgettext_lazy("bug report", "Not sent")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="bug_reports"
    )
    tracker = models.ForeignKey(
        Tracker, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    #: Written into the issue, so that it is found again after an unknown outcome.
    marker = models.CharField(max_length=44, unique=True)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    #: The customer's words sent with it (a copy: the issue keeps them whatever the inbox does).
    quote = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENDING)
    #: The issue in its tracker: reference (#12, SUP-3…), page, and the tracker's own status word.
    ref = models.CharField(max_length=100, blank=True)
    url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=100, blank=True)
    error = MessageField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    #: Sending: attempts made, and until when the current one holds it (a worker killed mid-way
    #: lets it go when this passes; the next attempt looks the issue up before creating it).
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    #: Following: when its state is next read from the tracker (None: never, e.g. a webhook).
    next_check_at = models.DateTimeField(null=True, blank=True)
    #: Closed: when the team told the customer (or decided not to); the prompt shows until then.
    prompt_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="bugreport_poll",
                condition=Q(state="open", next_check_at__isnull=False),
            ),
            models.Index(
                fields=["claimed_until"], name="bugreport_sending", condition=Q(state="sending")
            ),
        ]
        verbose_name = _("bug report")
        verbose_name_plural = _("bug reports")

    def __str__(self) -> str:
        return f"{self.marker} ({self.state})"

    @property
    def reference(self) -> str:
        """The issue's reference as its tracker writes it (#12, SUP-3)."""
        if not self.ref:
            return ""
        if self.tracker is not None and self.tracker.kind in ("github", "gitlab"):
            return f"#{self.ref}"
        return self.ref

    @property
    def needs_telling(self) -> bool:
        return self.state == self.State.CLOSED and self.prompt_done_at is None
