"""Customer satisfaction (CSAT): after a conversation is resolved, the person is asked how satisfied
they are (1 to 5, and a comment) on a public page only they have the address of.

- :class:`SatisfactionSettings` — per workspace: whether to ask, and how long after resolution.
- :class:`Survey` — one per conversation: the question sent, and the answer. The public address
  carries a random token, signed; only its SHA-256 is stored, so the database alone cannot open a
  survey. The person may change their answer for :data:`CHANGE_WINDOW` after giving it; the
  address works for :data:`VALID_FOR` after it was sent.

Every model holds a ``workspace`` foreign key; the results page reads through
``workspace_queryset``.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.inbox.models import Conversation, Message
from ambassade.workspaces.messages import MessageField
from ambassade.workspaces.models import Workspace

#: An answer can be changed this long after it was first given.
CHANGE_WINDOW = timedelta(days=7)
#: A survey's address works this long after it was sent.
VALID_FOR = timedelta(days=30)
#: The most a person can be asked to wait before the question goes (minutes).
MAX_DELAY_MINUTES = 7 * 24 * 60


class SatisfactionSettings(models.Model):
    """Whether a workspace asks for satisfaction after resolution (off until someone turns it on)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="satisfaction_settings"
    )
    enabled = models.BooleanField(_("ask for satisfaction after resolution"), default=False)
    delay_minutes = models.PositiveIntegerField(
        _("minutes to wait after resolution"),
        default=0,
        help_text=_("A conversation opened again meanwhile is not asked. 0: at once."),
    )
    #: When it was last turned on: conversations resolved before are never asked.
    enabled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"satisfaction settings of {self.workspace_id}"


class Survey(models.Model):
    class Status(models.TextChoices):
        #: Made, its message not handed to the network yet.
        PENDING = "pending", _("Waiting to be sent")
        #: Handed to the replies' outbox, which sends it exactly once (``reply``).
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        #: Could not be sent (no way to answer on this conversation's network, an error).
        FAILED = "failed", _("Not sent")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="survey"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    #: SHA-256 (hex) of the random part of the public address.
    token_hash = models.CharField(max_length=64, unique=True)
    #: The language of the question and of the page: the conversation's, French or English.
    lang = models.CharField(max_length=8, default="en")
    #: Copied from the conversation when asked, for the results: its network and who handled it.
    network = models.CharField(max_length=40)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: The reply that carries the question, when Ambassade sends it itself.
    reply = models.OneToOneField(
        "replies.Reply", on_delete=models.SET_NULL, null=True, blank=True, related_name="survey"
    )
    #: The outbound message that carries the question (once made).
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = MessageField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="survey_score_1_to_5",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "created_at"], name="survey_period"),
            models.Index(
                fields=["workspace", "-answered_at"],
                name="survey_answered",
                condition=Q(answered_at__isnull=False),
            ),
        ]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return f"survey of {self.conversation_id} ({self.status})"

    @property
    def satisfied(self) -> bool:
        return self.score is not None and self.score >= 4

    def expired(self, now: object = None) -> bool:
        sent = self.sent_at or self.created_at
        return (now or timezone.now()) > sent + VALID_FOR  # type: ignore[operator]

    def can_change(self, now: object = None) -> bool:
        if self.answered_at is None:
            return True
        return (now or timezone.now()) <= self.answered_at + CHANGE_WINDOW  # type: ignore[operator]
