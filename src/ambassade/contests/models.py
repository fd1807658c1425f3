"""Contests ("jeux concours") with a verifiable draw (docs/contests.md).

- :class:`Contest` — a contest of a workspace: how to enter (a comment on a post, a hashtag, a
  friend mentioned, a public form), who is left out, when it opens and closes, how many winners
  and reserves. Its secret **seed** is drawn when the contest is made and kept encrypted with the
  vault's keys (``seed_ciphertext``); only its SHA-256, the **commitment**, is shown until the
  draw. At the close the entry list is **frozen** (``frozen_at``, ``entries_sha256``); the draw
  (``drawn_at``, ``results``) publishes the seed. ``token`` is the unguessable part of the
  public pages' addresses.
- :class:`Entry` — one person's entry: a pseudonymous ``code`` (what the published list holds),
  the account (identity, whose member is the person) and mention it came from, or the name and e-mail typed in the public form. An entry
  that breaks a rule is kept with its ``excluded`` reason (code), so that the organiser sees why;
  only valid entries are in the frozen list.
- :class:`SegmentRule` — a saved segment that says who may win (``only`` its members, or
  ``exclude`` them), resolved once at the freeze: the segment's name, definition, the members it
  held and the entry codes it left out are then copied onto the rule, so that a later edit or
  deletion of the segment changes nothing of a frozen or drawn contest.
- :class:`Collection` — the periodic collection of a contest's entries from the listening stream:
  how far it read (``last_mention_id``), how much, and its heartbeat; a killed worker's
  collection is taken up again from there.

Every model holds a ``workspace`` foreign key; pages read through ``workspace_queryset``. Writes go
through :mod:`ambassade.contests.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ambassade.community.models import Identity, Member, Segment
from ambassade.listening.models import Mention
from ambassade.workspaces.models import Workspace

__all__ = ["Collection", "Contest", "Entry", "Exclusion", "SegmentRule"]

MAX_WINNERS = 100


class Contest(models.Model):
    class Phase(models.TextChoices):
        UPCOMING = "upcoming", pgettext_lazy("contest", "Not open yet")
        OPEN = "open", pgettext_lazy("contest", "Open")
        CLOSING = "closing", pgettext_lazy("contest", "Closed, entries being frozen")
        FROZEN = "frozen", pgettext_lazy("contest", "Entries frozen, not drawn yet")
        DRAWN = "drawn", pgettext_lazy("contest", "Drawn")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contests")
    name = models.CharField(_("name"), max_length=120)
    token = models.CharField(max_length=43, unique=True, editable=False)
    organiser = models.CharField(
        _("organiser"),
        max_length=200,
        help_text=_("The legal name of who runs the contest, as the rules name it."),
    )
    prize = models.CharField(_("prize"), max_length=300)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown on the public page; plain text.")
    )
    rules_text = models.TextField(
        _("further rules"),
        blank=True,
        help_text=_(
            "Articles added to the standard rules (one paragraph each, separated by a blank line)."
        ),
    )
    starts_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    winners = models.PositiveSmallIntegerField(_("winners"), default=1)
    reserves = models.PositiveSmallIntegerField(_("reserves"), default=0)
    # How to enter: every condition set must hold for a message to count (a form entry is apart).
    post_external_id = models.CharField(_("comment on the post"), max_length=255, blank=True)
    post_network = models.CharField(max_length=40, blank=True)
    hashtag = models.CharField(_("hashtag"), max_length=100, blank=True)
    friend_mention = models.BooleanField(_("a friend must be mentioned"), default=False)
    form_entry = models.BooleanField(_("entry by the public form"), default=False)
    # Who is left out.
    exclude_staff = models.BooleanField(_("leave out the brand's staff and accounts"), default=True)
    exclude_new_accounts = models.BooleanField(
        _("leave out accounts made after the opening"),
        default=True,
        help_text=_("Where the network says when an account was made (Mastodon, Bluesky)."),
    )
    exclude_bots = models.BooleanField(_("leave out messages the spam model flags"), default=True)
    # Winner notification, in French and English; {name}, {prize}, {contest}, {code}, {rules}.
    notify_en = models.TextField(_("winner notification (English)"), blank=True)
    notify_fr = models.TextField(_("winner notification (French)"), blank=True)
    # The draw.
    seed_ciphertext = models.BinaryField(editable=False)
    commitment = models.CharField(max_length=64, editable=False)
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    entries_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    entry_count = models.PositiveIntegerField(default=0, editable=False)
    drawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    seed_hex = models.CharField(max_length=64, blank=True, editable=False)
    results = models.JSONField(default=list, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-closes_at", "-id"]
        indexes = [models.Index(fields=["frozen_at", "closes_at"], name="contest_to_freeze")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("starts_at")),
                name="contest_closes_after_opening",
            )
        ]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")

    def __str__(self) -> str:
        return self.name

    def phase(self, now: object = None) -> str:
        now = now or timezone.now()
        if self.drawn_at:
            return self.Phase.DRAWN
        if self.frozen_at:
            return self.Phase.FROZEN
        if now < self.starts_at:  # type: ignore[operator]
            return self.Phase.UPCOMING
        if now < self.closes_at:  # type: ignore[operator]
            return self.Phase.OPEN
        return self.Phase.CLOSING

    def phase_label(self) -> str:
        return str(self.Phase(self.phase()).label)

    @property
    def social(self) -> bool:
        """Whether messages heard on the networks can be entries."""
        return bool(self.post_external_id or self.hashtag or self.friend_mention)


class Entry(models.Model):
    class Via(models.TextChoices):
        MESSAGE = "message", _("Message on a network")
        FORM = "form", _("Public form")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    code = models.CharField(_("entry code"), max_length=20)
    via = models.CharField(max_length=10, choices=Via.choices)
    #: The account that entered: its member is the person (it follows merges and separations).
    identity = models.ForeignKey(
        Identity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mention = models.ForeignKey(
        Mention, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    network = models.CharField(max_length=40, blank=True)
    handle = models.CharField(max_length=200, blank=True)
    # Typed in the public form (kept to tell a winner; erased with the member's data).
    name = models.CharField(_("name"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail address"), max_length=254, blank=True)
    lang = models.CharField(max_length=8, blank=True)
    #: Why it does not count (a code worded in contests/messages.py), or "".
    excluded = models.CharField(max_length=40, blank=True)
    #: The entry it repeats (the same person entered twice): set with ``excluded = "duplicate"``.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "code"], name="entry_code_unique"),
            models.UniqueConstraint(
                fields=["contest", "mention"],
                condition=models.Q(mention__isnull=False),
                name="entry_once_per_mention",
            ),
        ]
        indexes = [
            models.Index(fields=["contest", "identity"], name="entry_by_identity"),
            models.Index(fields=["contest", "email"], name="entry_by_email"),
        ]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")

    def __str__(self) -> str:
        return self.code

    @property
    def member(self) -> Member | None:
        return self.identity.member if self.identity is not None else None

    @property
    def member_id(self) -> int | None:
        return self.identity.member_id if self.identity is not None else None


class Exclusion(models.Model):
    """A person the organiser left out of one contest (a jury member, a winner of last time…),
    through one of their accounts: the person is whoever that account's member is, so the
    exclusion follows merges."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="exclusions")
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contest", "identity"], name="exclusion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.identity_id} out of {self.contest_id}"


class SegmentRule(models.Model):
    """A saved segment deciding who may win one contest (docs/contests.md, "Segments")."""

    class Rule(models.TextChoices):
        ONLY = "only", _("Only its members may win")
        EXCLUDE = "exclude", _("Its members are left out")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="segment_rules")
    #: The segment chosen; None once deleted (a frozen rule keeps its copy below).
    segment = models.ForeignKey(
        Segment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rule = models.CharField(max_length=10, choices=Rule.choices)
    #: The segment's name when chosen, then as it was at the freeze.
    name = models.CharField(max_length=120)
    # Fixed at the freeze (``resolved_at``): what the segment said and whom it held then.
    definition = models.JSONField(default=dict, blank=True)
    member_ids = models.JSONField(default=list, blank=True)
    left_out = models.JSONField(default=list, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rule", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "segment"],
                condition=models.Q(segment__isnull=False),
                name="contest_segment_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.name} in {self.contest_id}"

    @property
    def definition_json(self) -> str:
        """The definition fixed at the freeze, as the draw file publishes it."""
        import json

        return json.dumps(self.definition, ensure_ascii=False, indent=2, sort_keys=True)


class Collection(models.Model):
    """How far the collection of a contest's entries from the stored mentions went."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contest = models.OneToOneField(Contest, on_delete=models.CASCADE, related_name="collection")
    last_mention_id = models.BigIntegerField(default=0)
    scanned = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    found = models.PositiveIntegerField(default=0)
    running = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"collection of {self.contest_id}: {self.scanned}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.scanned * 100 // self.total)


class EntryThrottle(models.Model):
    """Entries sent through the public form from one address (hashed with the contest) in the hour
    starting ``window_start`` (``workspaces/formthrottle.py``)."""

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.count}"
