"""Community members and their identities on the networks.

- **Member** — a person of the community, as the community manager sees them: one or several
  identities joined by hand (``services.merge_members``). Its figures are derived from its
  identities: ``mention_count`` (sum), ``reach`` (the most followers seen on any of them: audiences
  of one person on several networks overlap, so they are not added),
  ``first_seen_at`` / ``last_seen_at`` (min / max), ``display_name`` (the name of its most followed
  identity). ``notes`` and ``tags`` are a person's.
- **Identity** — an account on one network: ``(workspace, network, handle)`` is unique, the handle
  normalised (``normalise_handle``: case-folded, without a leading ``@``). ``followers``, ``name``
  and ``profile_url`` are the latest the network gave; ``max_followers`` the most ever seen.
- **DismissedPair** — someone said two members are not one person: the merge review list does not
  suggest them again (gone with either member).
- **Appearance** — this identity wrote this mention (unique per mention). Counts are read from these
  rows, so recording the same mentions again changes nothing, and the member page lists a member's
  mentions through them.
- **Activity** — one thing a person did or that happened to them, on their timeline: a mention, a
  private message, the brand's answer, a moderation decision… (``kind``, ``occurred_at``, the
  source object as ``source`` + ``source_id``, and ``weight`` in engagement). Attached to the
  identity, so it follows merges and separations; unique per source object.

- **Consent** — one consent event of a member for a purpose (e-mailing, contests, events): given,
  withdrawn, or waiting for the person's confirmation (double opt-in), with its date, source and
  proof. Append-only: the member's consent for a purpose is the latest given or withdrawn.

Every model holds a ``workspace`` foreign key; views read them through ``workspace_queryset``. Writes go
through :mod:`ambassade.community.services`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.inbox.models import Message
from ambassade.listening.models import Mention
from ambassade.moderation.models import Decision
from ambassade.workspaces.models import Workspace

__all__ = [
    "Activity",
    "Appearance",
    "Consent",
    "DismissedPair",
    "Identity",
    "Member",
    "normalise_handle",
    "safe_url",
]


def normalise_handle(handle: str | None) -> str:
    """The key of a handle: trimmed, without a leading ``@``, case-folded (``@Ana`` is ``ana``)."""
    return (handle or "").strip().lstrip("@").strip().casefold()[:200]


def safe_url(url: str | None) -> str:
    """``url`` when it is an http(s) URL with a host, else "": profile URLs come from networks."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return ""
    return url[:2000]


class Member(models.Model):
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="community_members"
    )
    display_name = models.CharField(_("name"), max_length=200, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    mention_count = models.PositiveIntegerField(_("mentions"), default=0)
    reach = models.PositiveBigIntegerField(_("reach"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    #: One of the brand's own people: shown, but left out of the community's metrics and classes.
    staff = models.BooleanField(_("staff of the brand"), default=False)
    #: The address to write to (given by the person, a customer file, or a double opt-in).
    email = models.EmailField(_("e-mail address"), max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reach", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-reach", "-id"], name="member_by_reach"),
            models.Index(fields=["workspace", "-mention_count", "-id"], name="member_by_mentions"),
            models.Index(fields=["workspace", "-last_seen_at", "-id"], name="member_by_last_seen"),
        ]
        verbose_name = _("community member")
        verbose_name_plural = _("community members")

    def __str__(self) -> str:
        return self.display_name or f"#{self.pk}"


class Identity(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="identities")
    network = models.CharField(_("network"), max_length=40)
    handle = models.CharField(_("handle"), max_length=200)
    name = models.CharField(_("name"), max_length=200, blank=True)
    profile_url = models.URLField(_("profile"), max_length=2000, blank=True)
    followers = models.PositiveBigIntegerField(_("followers"), null=True, blank=True)
    max_followers = models.PositiveBigIntegerField(default=0)
    mention_count = models.PositiveIntegerField(_("mentions"), default=0)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-max_followers", "network", "handle"]
        constraints = [
            # Also the index of the lookups by (workspace, network, handle).
            models.UniqueConstraint(
                fields=["workspace", "network", "handle"], name="identity_unique_handle"
            )
        ]
        indexes = [
            # Lookups of a batch's handles, whatever their network.
            models.Index(fields=["workspace", "handle"], name="identity_by_handle"),
        ]
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"@{self.handle} ({self.network})"

    @property
    def safe_profile_url(self) -> str:
        return safe_url(self.profile_url)


class Appearance(models.Model):
    """The identity wrote the mention. ``created_at`` repeats the mention's, for "newest first"."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="appearances")
    mention = models.OneToOneField(Mention, on_delete=models.CASCADE, related_name="appearance")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["identity", "-created_at"], name="appearance_by_identity")]

    def __str__(self) -> str:
        return f"{self.identity_id} wrote {self.mention_id}"


class DismissedPair(models.Model):
    """Two members someone said are not one person; ``first`` has the lower id."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    first = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="dismissed_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="dismissed_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} is not {self.second_id}"


class Activity(models.Model):
    """One entry of a member's timeline (docs/community.md, "Timeline").

    ``source`` names the kind of object it comes from (``listening.mention``, ``inbox.message``,
    ``moderation.decision``, or another app's label) and ``source_id`` its id: unique together, so
    recording the same object again changes nothing. The sources the community app knows also have
    a foreign key (``mention``, ``message``, ``decision``) that deletes the activity with its
    object and lets the timeline read it in the same query. ``weight`` is what it counts for in
    engagement (``engine.scoring.DEFAULT_WEIGHTS``; 0 for what the brand did)."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        MESSAGE = "message", _("Private message")
        ANSWERED = "answered", _("Answer from the brand")
        MODERATION = "moderation", _("Moderation decision")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=20)
    occurred_at = models.DateTimeField(_("when"))
    source = models.CharField(max_length=40)
    source_id = models.PositiveBigIntegerField()
    weight = models.FloatField(default=0.0)
    mention = models.ForeignKey(
        Mention, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source", "source_id"], name="activity_once_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["identity", "-occurred_at", "-id"], name="activity_timeline"),
            models.Index(fields=["workspace", "kind", "-occurred_at"], name="activity_by_kind"),
        ]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return f"{self.kind} of {self.identity_id} ({self.source}:{self.source_id})"


class Consent(models.Model):
    """One consent event (docs/community.md, "Consent"). Never updated but to close a pending
    request (``token_hash`` emptied once used)."""

    class Purpose(models.TextChoices):
        EMAILING = "emailing", _("E-mailing")
        CONTESTS = "contests", _("Contests")
        EVENTS = "events", _("Events")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for their confirmation")
        GRANTED = "granted", _("Given")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        RECORDED = "recorded", _("Recorded by the team")
        DOUBLE_OPT_IN = "double_opt_in", _("Confirmed from the e-mail (double opt-in)")
        PUBLIC_PAGE = "public_page", _("On the confirmation page")
        IMPORT = "import", _("Customer file")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link in an e-mail")
        BOUNCE = "bounce", _("The address bounced")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    #: What proves it: the team's words (a signed form, a call), or the confirmation's circumstances.
    proof = models.TextField(_("proof"), blank=True)
    #: The address a consent to e-mailing is about.
    email = models.EmailField(_("e-mail address"), max_length=254, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("date"), default=timezone.now)
    #: A pending request: the SHA-256 of its link's secret, the link's language and end of validity.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    lang = models.CharField(max_length=8, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["member", "purpose", "-recorded_at"], name="consent_log")]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.purpose} {self.state} for {self.member_id}"
