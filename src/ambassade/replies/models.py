"""Replying to the inbox's conversations (docs/inbox.md, "Replying").

- :class:`Reply` — one answer written in Ambassade to a conversation, sent by the shared outbox
  (``publishing.outbox.engine``): it carries the engine's columns (status, due and claim times,
  heartbeat, deadline, attempts, idempotency key, remote id…) and :class:`ReplyAttempt` is its log.
  Once the network took it, it becomes the conversation's outbound ``inbox.Message`` (``message``).
  ``(conversation, sequence)`` is unique: two people answering the same state of a conversation at
  once make one reply, and the second is told.
- :class:`SavedReply` — a saved answer in English and French with variables, and its shortcut.
- :class:`ReplySettings` — per workspace: which roles' replies wait for a manager's approval.

Every model holds a ``workspace`` foreign key; views read through ``workspace_queryset``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.inbox.models import Conversation, Message
from ambassade.workspaces.messages import MessageField
from ambassade.workspaces.models import Connection, Workspace


class ReplyStatus(models.TextChoices):
    """The outbox engine's statuses (``publishing.models.Status``, same values) and the approval's."""

    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    REJECTED = "rejected", _("Rejected")
    SCHEDULED = "scheduled", _("Sending")
    PUBLISHING = "publishing", _("Sending")
    PUBLISHED = "published", _("Sent")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Being checked")
    CANCELLED = "cancelled", _("Withdrawn")


#: Not sent yet, and still the outbox's or an approver's.
WAITING = (
    ReplyStatus.PENDING_APPROVAL,
    ReplyStatus.SCHEDULED,
    ReplyStatus.PUBLISHING,
    ReplyStatus.UNKNOWN,
)


class ReplySettings(models.Model):
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="reply_settings"
    )
    #: Roles (``workspaces.models.Role`` values) whose replies wait for an approver.
    approval_roles = models.JSONField(_("replies needing approval"), default=list, blank=True)

    def __str__(self) -> str:
        return f"reply settings of {self.workspace_id}"


class SavedReply(models.Model):
    """A saved answer: its text in English and in French (the conversation's language chooses),
    with variables such as ``{first_name}`` (``replies.variables``), and a shortcut typed as
    ``/shortcut`` in the composer."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    shortcut = models.SlugField(_("shortcut"), max_length=30)
    text_en = models.TextField(_("text in English"), blank=True)
    text_fr = models.TextField(_("text in French"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "shortcut"], name="saved_reply_shortcut")
        ]
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")

    def __str__(self) -> str:
        return self.name

    def text_for(self, lang: str) -> str:
        """The text in ``lang`` (French for ``fr…``, else English), or the other when empty."""
        if (lang or "").lower().startswith("fr"):
            return self.text_fr or self.text_en
        return self.text_en or self.text_fr


class Reply(models.Model):
    """One answer to a conversation, from the moment it is submitted until the network has it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="replies")
    #: The account it goes out from.
    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("reply"))
    #: A private message (direct message, e-mail) rather than a public reply.
    private = models.BooleanField(default=False)
    #: The message answered (its network id): the public reply's parent, the private one's
    #: ``in_reply_to``.
    in_reply_to = models.CharField(max_length=255, blank=True)
    #: The private message's recipient and the network's conversation id.
    recipient = models.CharField(max_length=255, blank=True)
    thread_ref = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    #: The n-th reply of the conversation (see the module's documentation).
    sequence = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    # Approval.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)

    # The outbox engine's columns (publishing/outbox/engine.py).
    status = models.CharField(max_length=20, choices=ReplyStatus.choices)
    due_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    key_deduplicated = models.BooleanField(default=False)
    reconcile_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=40, blank=True)
    keep_key = models.BooleanField(default=False)
    remote_id = models.CharField(max_length=300, blank=True)
    remote_url = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    error = MessageField(blank=True)

    #: The conversation's outbound message, once sent.
    message = models.OneToOneField(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="reply"
    )

    class Meta:
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "sequence"], name="reply_one_per_sequence"
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="reply_due"),
            models.Index(
                fields=["status"],
                name="reply_unrecorded",
                condition=Q(status="published", message__isnull=True),
            ),
        ]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"reply {self.sequence} of {self.conversation_id} ({self.status})"


class ReplyAttempt(models.Model):
    """One call to the network for a reply (or one reading of it after an unknown outcome)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("In progress")
        PUBLISHED = "published", _("Sent")
        RETRY = "retry", _("Will retry")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Outcome unknown")
        FOUND = "found", _("Found on the network")
        NOT_FOUND = "not_found", _("Not found on the network")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="attempts_log")
    number = models.PositiveIntegerField()
    is_check = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=40)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    message = MessageField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of reply {self.reply_id}: {self.outcome}"
