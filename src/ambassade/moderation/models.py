"""Moderation: a workspace's charter, its rules, the review queue, the decision log and the
actions carried out on the networks (docs/moderation.md).

- **Charter** / **CharterVersion** — the charter's text in French and English, versioned; its
  paragraphs are its articles, numbered from 1. Published at a public URL by its token.
- **Rule** — conditions → actions, in ``position`` order (the first that matches decides); stored
  as the fields a person fills and compiled with :mod:`ambassade.engine.moderation`.
- **Review** — a message in the queue: what the rule found (``explanation``) and what it planned.
- **Decision** — the decision log: who (a person, or a rule by name), what, when, the text as it was.
- **NetworkAction** / **NetworkActionAttempt** — an action on the network, sent exactly once by the
  outbox engine (``publishing/outbox/engine.py``), with its attempts.
- **Strike** — a member's breach of the charter that a rule or a person confirmed (a warning, a hide,
  a ban…), by network and handle; revoked when an appeal is granted.
- **Appeal** — what the member wrote through the strike's public link, and the outcome.

Every model holds a ``workspace`` foreign key; views read them through ``workspace_queryset``.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.listening.models import Mention
from ambassade.publishing.models import PublishAttempt, Status
from ambassade.replies.models import Reply, SavedReply
from ambassade.workspaces.messages import MessageField
from ambassade.workspaces.models import Connection, Workspace


def new_token() -> str:
    return secrets.token_urlsafe(18)


class Charter(models.Model):
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    published = models.BooleanField(_("published at its public address"), default=False)
    #: The warning sent to an author, in English and French; empty: the default wording.
    warning_en = models.TextField(_("warning in English"), blank=True)
    warning_fr = models.TextField(_("warning in French"), blank=True)

    def __str__(self) -> str:
        return f"charter of {self.workspace_id}"


class CharterVersion(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    text_en = models.TextField(_("charter in English"))
    text_fr = models.TextField(_("charter in French"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="charter_version_once")
        ]

    def __str__(self) -> str:
        return f"charter v{self.number} of {self.workspace_id}"

    def articles(self, language: str) -> list[str]:
        """The paragraphs of the text in ``language`` (French, else English), numbered from 1."""
        text = self.text_fr if language.startswith("fr") and self.text_fr.strip() else self.text_en
        return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]

    def article(self, number: int | None, language: str) -> str:
        found = self.articles(language)
        return found[number - 1] if number and 0 < number <= len(found) else ""


class Rule(models.Model):
    class Mode(models.TextChoices):
        ON = "on", _("On: it acts")
        LOG = "log", _("Log only: it records what it would do")
        OFF = "off", _("Off")

    class Score(models.TextChoices):
        NONE = "", _("No score")
        OFFENSIVE = "offensive", _("Offensive")
        HATEFUL = "hateful", _("Hateful")
        SPAM = "spam", _("Spam")

    class Act(models.TextChoices):
        ALLOW = "allow", _("Allow: stop here, do nothing")
        HOLD = "hold", _("Require approval (to the queue)")
        FLAG = "flag", _("Flag for review")
        HIDE = "hide", _("Hide on the network")
        DELETE = "delete", _("Delete on the network")
        MUTE = "mute", _("Mute the author")
        BAN = "ban", _("Ban the author")
        TAG = "tag", _("Tag the message")
        ASSIGN = "assign", _("Assign to a person")
        REPLY = "reply", _("Reply with a saved reply")
        WARN = "warn", _("Warn the author, quoting the charter")
        ESCALATE = "escalate", _("Escalate: notify the managers")
        CRISIS = "crisis", _("Suggest crisis mode (raids)")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("name"), max_length=120)
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.LOG)
    match_any = models.BooleanField(_("any condition is enough"), default=False)
    proceed = models.BooleanField(_("let the next rules match too"), default=False)
    words = models.TextField(_("watched words"), blank=True)
    score = models.CharField(_("score"), max_length=12, choices=Score.choices, blank=True)
    threshold = models.FloatField(_("score above"), default=0.8)
    networks = models.JSONField(_("networks"), default=list, blank=True)
    authors_denied = models.TextField(_("authors on the deny list"), blank=True)
    authors_allowed = models.TextField(_("authors on the allow list"), blank=True)
    links = models.BooleanField(_("contains a link"), default=False)
    query = models.TextField(_("listening query"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    caps = models.BooleanField(_("written in capitals"), default=False)
    mentions_over = models.PositiveIntegerField(_("more @mentions than"), null=True, blank=True)
    first_message = models.BooleanField(_("first message of the member"), default=False)
    strikes_at_least = models.PositiveIntegerField(
        _("member's strikes, at least"), null=True, blank=True
    )
    raid_authors = models.PositiveIntegerField(_("raid: authors"), null=True, blank=True)
    raid_minutes = models.PositiveIntegerField(_("raid: within (minutes)"), default=10)
    actions = models.JSONField(_("actions"), default=list)
    minutes = models.PositiveIntegerField(_("mute or ban for (minutes)"), default=0)
    tag = models.CharField(_("tag"), max_length=40, blank=True)
    assign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assign to"),
    )
    saved_reply = models.ForeignKey(
        SavedReply,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved reply"),
    )
    article = models.PositiveIntegerField(_("charter article"), null=True, blank=True)
    #: Who saved it last: the replies and warnings it sends go out in their name.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("To review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(Rule, on_delete=models.SET_NULL, null=True, related_name="+")
    rule_name = models.CharField(max_length=120, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    planned = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    note = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "mention"], name="review_once_per_mention")
        ]
        indexes = [models.Index(fields=["workspace", "state"], name="review_queue")]

    def __str__(self) -> str:
        return f"review {self.id} of mention {self.mention_id}"


class Decision(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mention = models.ForeignKey(Mention, on_delete=models.SET_NULL, null=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    rule_name = models.CharField(max_length=120, blank=True)
    action = models.CharField(max_length=20)
    log_only = models.BooleanField(default=False)
    explanation = models.JSONField(default=dict, blank=True)
    text = models.TextField(blank=True)
    author_handle = models.CharField(max_length=200, blank=True)
    network = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "created_at"], name="decision_log")]

    def __str__(self) -> str:
        return f"{self.action} on {self.mention_id}"


class NetworkAction(models.Model):
    """One moderation action on the network, sent by the outbox engine: it carries the outbox's
    columns (``status`` … ``error``) and is sent exactly once."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mention = models.ForeignKey(Mention, on_delete=models.SET_NULL, null=True, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.SET_NULL, null=True, related_name="+")
    connection = models.ForeignKey(
        Connection, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    network = models.CharField(max_length=40)
    action = models.CharField(max_length=10)
    target = models.CharField(max_length=300)
    item_id = models.CharField(max_length=300, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    #: What the action undoes (an unhide undoes a hide).
    undoes = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="undone_by"
    )
    already = models.BooleanField(default=False)
    lifts_itself = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The outbox's columns (publishing/outbox/engine.py).
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    due_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
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

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_at"], name="moderation_action_due")]

    def __str__(self) -> str:
        return f"{self.action} {self.target} on {self.network}"

    @property
    def done(self) -> bool:
        return self.status == Status.PUBLISHED

    def context(self) -> dict[str, Any]:
        return {"network": self.network, "action": self.action}


class NetworkActionAttempt(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    network_action = models.ForeignKey(
        NetworkAction, on_delete=models.CASCADE, related_name="attempts_log"
    )
    number = models.PositiveIntegerField()
    is_check = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=40)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=20,
        choices=PublishAttempt.Outcome.choices,
        default=PublishAttempt.Outcome.PENDING,
    )
    message = MessageField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.network_action_id}"


class Strike(models.Model):
    """A breach of the charter by an author (network and handle), confirmed by a rule or a person.
    Its ``token`` is the public appeal link's: unguessable, it opens this strike only."""

    class Kind(models.TextChoices):
        WARN = "warn", _("Warned")
        HIDE = "hide", _("Hidden")
        DELETE = "delete", _("Deleted")
        MUTE = "mute", _("Muted")
        BAN = "ban", _("Banned")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=40)
    handle = models.CharField(max_length=200)
    mention = models.ForeignKey(Mention, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    rule_name = models.CharField(max_length=120, blank=True)
    article = models.PositiveIntegerField(null=True, blank=True)
    #: The text as it was, and the warning the author was sent (in their language).
    text = models.TextField(blank=True)
    message = models.TextField(blank=True)
    lang = models.CharField(max_length=12, blank=True)
    minutes = models.PositiveIntegerField(default=0)
    #: How the author was told: the reply on the network, or why it could not be sent.
    reply = models.ForeignKey(Reply, on_delete=models.SET_NULL, null=True, related_name="+")
    delivery_error = MessageField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "network", "handle"], name="strike_author")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.handle} on {self.network}"


class Appeal(models.Model):
    """What a member wrote against a strike through its public link, reviewed in the queue."""

    class State(models.TextChoices):
        PENDING = "pending", _("To review")
        GRANTED = "granted", _("Granted")
        DENIED = "denied", _("Denied")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    strike = models.OneToOneField(Strike, on_delete=models.CASCADE, related_name="appeal")
    text = models.TextField()
    lang = models.CharField(max_length=12, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    #: The answer shown to the member (on the appeal's page, and sent where the network allows).
    answer = models.TextField(blank=True)
    reply = models.ForeignKey(Reply, on_delete=models.SET_NULL, null=True, related_name="+")
    delivery_error = MessageField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "state"], name="appeal_queue")]

    def __str__(self) -> str:
        return f"appeal of strike {self.strike_id}"
