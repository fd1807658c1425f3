"""Ambassador missions (docs/community.md, "Ambassador missions").

- :class:`Mission` — one thing asked of ambassadors that the listening stream can see: share a
  post, answer a question, review a product, mention the brand with a hashtag. Its target (an
  address and, when the workspace knows it, the post's id on the network; a product; a hashtag),
  its points, its period, and who it is for: the members classed ambassador, a segment's members,
  or chosen members (:class:`Assignee`). Staff of the brand never complete missions.
- :class:`Completion` — a member did it, once per mission: with the evidence (the mention that
  completed it and why it counts: ``evidence`` is a code worded in ``missions/messages.py``), or
  marked done by someone of the team with a note. Attached to the identity that did it, so it
  follows merges and separations (the leaderboard counts a person once per mission).
- :class:`Cursor` — how far the workspace's stored mentions were read for missions: the matching
  task reads the mentions after it, in batches that move it forward in the same transaction.
- A mission's own **scan** (``scan_*`` fields): when it is made, or its target, period or audience
  change, the mentions stored before (from its start to the newest when the scan began) are read
  through the same matcher, resumably; the cursor takes the ones stored after.

Every model holds a ``workspace`` foreign key; pages read through ``workspace_queryset``. Writes go
through :mod:`ambassade.missions.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.community.models import Identity, Segment
from ambassade.listening.models import Mention
from ambassade.products.models import Product
from ambassade.workspaces.models import Workspace

__all__ = ["Announcement", "Assignee", "Completion", "Cursor", "Mission"]


class Mission(models.Model):
    class Kind(models.TextChoices):
        SHARE = "share", _("Share this post")
        ANSWER = "answer", _("Answer this question")
        REVIEW = "review", _("Review this product")
        HASHTAG = "hashtag", _("Mention us with this hashtag")

    class Audience(models.TextChoices):
        AMBASSADORS = "ambassadors", _("The members classed ambassador")
        SEGMENT = "segment", _("The members of a segment")
        CHOSEN = "chosen", _("Chosen members")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="missions")
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True, max_length=4000)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    #: The post or question's address (share, answer).
    target_url = models.URLField(_("address"), max_length=2000, blank=True)
    #: Its id on the network, when the workspace published or heard it (replies and quotes name it).
    target_external_id = models.CharField(max_length=255, blank=True, editable=False)
    target_network = models.CharField(max_length=40, blank=True, editable=False)
    product = models.ForeignKey(
        Product,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="missions",
        verbose_name=_("product"),
    )
    hashtag = models.CharField(_("hashtag"), max_length=100, blank=True)
    points = models.PositiveIntegerField(_("points"), default=10)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    audience = models.CharField(
        _("for"), max_length=12, choices=Audience.choices, default=Audience.AMBASSADORS
    )
    segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("segment"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    #: The scan of the mentions stored before: 0 never scanned; each (re)start adds one, and a
    #: worker holding an older version stops.
    scan_version = models.PositiveIntegerField(default=0, editable=False)
    #: The newest mention when the scan began (None until it begins): newer ones are the cursor's.
    scan_until_id = models.BigIntegerField(null=True, blank=True, editable=False)
    scan_last_id = models.BigIntegerField(default=0, editable=False)
    scanned = models.PositiveIntegerField(default=0, editable=False)
    scan_total = models.PositiveIntegerField(default=0, editable=False)
    scan_heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    scan_done_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["workspace", "ends_at"], name="mission_by_end")]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")

    def __str__(self) -> str:
        return self.title

    @property
    def scanning(self) -> bool:
        return self.scan_version > 0 and self.scan_done_at is None

    @property
    def scan_percent(self) -> int:
        if not self.scan_total:
            return 0
        return min(100, self.scanned * 100 // self.scan_total)


class Assignee(models.Model):
    """A member a mission for chosen members is given to, through one of their accounts (their
    most followed when chosen): like completions and the timeline, it follows merges (the
    surviving member is asked, once) and separations (the account's own member is asked again)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="assignees")
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mission", "identity"], name="mission_assignee_unique")
        ]

    def __str__(self) -> str:
        return f"{self.identity_id} asked {self.mission_id}"


class Completion(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="completions")
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="+")
    #: The message that completed it (None when marked done by hand, or the message is gone).
    mention = models.ForeignKey(
        Mention, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: Why it counts: ``mission.linked``, ``.quoted``, ``.replied``, ``.reviewed``, ``.hashtag``,
    #: ``.manual``; ``detail`` what matched (the link, the tag).
    evidence = models.CharField(max_length=40)
    detail = models.CharField(max_length=500, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    #: The mission's points when it was done (changing them later changes no one's past score).
    points = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["-completed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "identity"], name="mission_completion_unique"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "-completed_at"], name="completion_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.identity_id} did {self.mission_id}"


class Cursor(models.Model):
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    last_mention_id = models.BigIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"missions of {self.workspace_id} read to {self.last_mention_id}"


class Announcement(models.Model):
    """The members a mission is for were told of it by e-mail: one campaign of the ``mailing`` app
    (its consent, language, unsubscribe, pace and at-most-once sending), for those not told yet."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="announcements")
    campaign = models.OneToOneField("mailing.Campaign", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"mission {self.mission_id} told by campaign {self.campaign_id}"
