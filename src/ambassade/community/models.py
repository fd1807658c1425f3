"""Community members and their identities on the networks.

- **Member** — a person of the community, as the community manager sees them: one or several
  identities joined by hand (``services.merge_members``). Its figures are derived from its
  identities: ``mention_count`` (sum), ``reach`` (the most followers seen on any of them: audiences
  of one person on several networks overlap, so they are not added),
  ``first_seen_at`` / ``last_seen_at`` (min / max), ``display_name`` (the name of its most followed
  identity). Its stored scores (``love``, ``level``, ``sentiment``, ``influence`` and the classes)
  are written by ``scores.store_scores``; segments filter on them.
- **MemberTag**, **Note**, **CustomField** / **FieldValue** — what the team writes about a member:
  tags, dated notes by their author (on the timeline), typed fields defined per workspace.
- **Segment** — a saved filter over the members (``ambassade.engine.segments``; read with
  ``segments.segment_members``).
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

import datetime as dt
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
    "ClassCount",
    "Consent",
    "CustomField",
    "CustomerImport",
    "DismissedPair",
    "FieldValue",
    "Identity",
    "Member",
    "MemberTag",
    "Note",
    "ScoreHistory",
    "Segment",
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
    #: One of the brand's own people: shown, but left out of the community's metrics and classes.
    staff = models.BooleanField(_("staff of the brand"), default=False)
    #: The address to write to (given by the person, a customer file, or a double opt-in).
    email = models.EmailField(_("e-mail address"), max_length=254, blank=True)
    #: The language they speak to the brand in (their mentions' most frequent, or a customer file's).
    language = models.CharField(_("language"), max_length=12, blank=True)
    # Their scores as ``community.score_members`` last stored them (docs/community.md, "Stored
    # scores"): what segments filter on and lists sort by. The page computes them afresh.
    love = models.FloatField(_("engagement"), default=0.0)
    level = models.PositiveSmallIntegerField(_("level"), default=4)
    level_month = models.IntegerField(default=0)
    sentiment = models.FloatField(_("sentiment"), default=0.0)
    influence = models.FloatField(_("influence"), default=0.0)
    ambassador = models.BooleanField(default=False)
    detractor = models.BooleanField(default=False)
    rising = models.BooleanField(default=False)
    dormant = models.BooleanField(default=False)
    scored_at = models.DateTimeField(null=True, blank=True)
    #: When an ingest batch last put activities on their timeline that their stored scores do not
    #: hold yet (``community/rescoring.py``); cleared when they are stored again.
    score_due = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reach", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-love", "-id"], name="member_by_love"),
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
    note = models.ForeignKey(
        "Note", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
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


class MemberTag(models.Model):
    """A tag on a member (``name`` as written: trimmed, spaces collapsed, at most 40 characters)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="tag_set")
    name = models.CharField(_("tag"), max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["member", "name"], name="member_tag_unique")]
        indexes = [models.Index(fields=["workspace", "name"], name="member_tag_by_name")]

    def __str__(self) -> str:
        return self.name


class Note(models.Model):
    """A note about a member, by someone of the team, on the member's timeline."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="note_set")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.member_id}"


class CustomField(models.Model):
    """A field the workspace defines on its members: typed and checked (``engine.segments``)."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        YES_NO = "yes_no", _("Yes/no")
        CHOICE = "choice", _("Choice")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    #: Its name in segments, customer files and exports (letters, digits, ``_``).
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=80)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="custom_field_unique_key")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def spec(self) -> tuple[str, list[str]]:
        return (self.type, list(self.choices or []))


class FieldValue(models.Model):
    """A member's value of a custom field, in the column of its type (``text`` for text and
    choices, with ``text_key`` its case-folded form for comparisons)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="field_values")
    field = models.ForeignKey(CustomField, on_delete=models.CASCADE, related_name="values")
    text = models.CharField(max_length=1000, blank=True)
    text_key = models.CharField(max_length=1000, blank=True)
    number = models.FloatField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    flag = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "field"], name="field_value_unique")
        ]
        indexes = [
            models.Index(fields=["field", "number"], name="field_value_number"),
            models.Index(fields=["field", "date"], name="field_value_date"),
        ]

    def __str__(self) -> str:
        return f"{self.field_id} of {self.member_id}"

    @property
    def value(self) -> str | float | dt.date | bool | None:
        kind = self.field.type
        if kind == CustomField.Type.NUMBER:
            return self.number
        if kind == CustomField.Type.DATE:
            return self.date
        if kind == CustomField.Type.YES_NO:
            return self.flag
        return self.text or None


class Segment(models.Model):
    """A saved filter over the workspace's members (``definition``: the canonical JSON of
    ``engine.segments.Definition``)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    definition = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="segment_unique_name")
        ]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class CustomerImport(models.Model):
    """A customer file (CSV) being imported (docs/community.md, "Customer files"). The file is
    kept under ``DATA_DIR/customer-files/`` named by this row's id (never by a person)."""

    class State(models.TextChoices):
        MAPPING = "mapping", _("Waiting for its columns to be mapped")
        QUEUED = "queued", _("Queued")
        CHECKING = "checking", _("Checking every line")
        WRITING = "writing", _("Writing the members")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    #: The uploaded file's name, shown only (the file on disk is named by the id).
    filename = models.CharField(max_length=200, blank=True)
    delimiter = models.CharField(max_length=1, default=",")
    header = models.JSONField(default=list)
    #: Column index (as text) → target (``email``, ``handle``, ``name``, ``field:<key>``…).
    mapping = models.JSONField(default=dict, blank=True)
    #: The network of the handles in the file (``mastodon``, ``instagram``…).
    network = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.MAPPING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    #: Problems found: [{"line": n, "column": name, "code": …, "params": {…}}], at most 100.
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    claim = models.CharField(max_length=40, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"customer file {self.pk} ({self.state})"


class ScoreHistory(models.Model):
    """A member's stored scores over one calendar year, compactly (``community/history.py``):
    ``points`` is a run of 9-byte records, one per day the scores changed (day of the year,
    engagement in tenths, sentiment in hundredths, influence, level and classes), so a member whose
    scores did not move costs one record a year and 100,000 members a year fit in megabytes."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    points = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="score_history_unique")
        ]

    def __str__(self) -> str:
        return f"scores of {self.member_id} in {self.year}"


class ClassCount(models.Model):
    """How many members of the community (the brand's staff left out) were in each class on a day
    (in the workspace's time zone), as the scores were last stored that day."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    members = models.PositiveIntegerField(default=0)
    ambassadors = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    rising = models.PositiveIntegerField(default=0)
    dormant = models.PositiveIntegerField(default=0)
    #: Seen (a mention, a message…) in the 30 days before the count.
    active = models.PositiveIntegerField(default=0)
    counted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "day"], name="class_count_unique")
        ]

    def __str__(self) -> str:
        return f"classes of {self.workspace_id} on {self.day}"
