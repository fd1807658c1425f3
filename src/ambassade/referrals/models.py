"""The referral programme ("parrainage", docs/community.md).

- :class:`Programme` — one per workspace: on or off, the brand site's landing page and the query
  parameter that carries the code to it, the rewards (points and a label per sign-up and per
  conversion, a cap per referrer), the fraud thresholds, and the signed API's address
  (``hook_id``) and secret (encrypted with the vault, shown once).
- :class:`ReferralCode` — a member's code (``K7QM-3XPA``: typed by a person, unique, drawn at
  random, so one code tells nothing of another). It belongs to one of the member's identities, so
  it follows merges and separations like the timeline does. ``/l/<code>`` counts a click and
  redirects to the landing page with the code in its query string.
- :class:`Referral` — one person who signed up with a code (reported by the brand's site through
  the API), converted or not; ``review`` holds it for a person's decision when a fraud check
  flagged it (``flags``). The referred person's e-mail address is kept case-folded; their address
  on the network only as a keyed hash (``ip_hash``), to count sign-ups per address.
- :class:`Reward` — what a referral earned its referrer: ``pending``, ``granted`` (the team gave
  it) or ``rejected`` (refused, the referral rejected, or past the cap).
- :class:`HookEvent` — a call of the API that succeeded, by the caller's event id: the same id
  again gets the same answer and records nothing (``body_hash`` tells a different body with a
  reused id). No body is kept.
- :class:`HookThrottle` — calls from one address to one programme in the current minute.

Every model holds a ``workspace`` foreign key; pages read through ``workspace_queryset``; writes go
through ``services``, ``api`` and ``review``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.community.models import Identity
from ambassade.workspaces.models import Workspace

__all__ = ["HookEvent", "HookThrottle", "Programme", "Referral", "ReferralCode", "Reward"]


class Programme(models.Model):
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="referral_programme"
    )
    enabled = models.BooleanField(_("programme open"), default=False)
    landing_url = models.URLField(_("landing page"), max_length=2000, blank=True)
    parameter = models.CharField(_("query parameter"), max_length=40, default="ref")
    signup_points = models.PositiveIntegerField(_("points per sign-up"), default=10)
    conversion_points = models.PositiveIntegerField(_("points per conversion"), default=50)
    signup_label = models.CharField(_("reward per sign-up"), max_length=200, blank=True)
    conversion_label = models.CharField(_("reward per conversion"), max_length=200, blank=True)
    cap = models.PositiveIntegerField(_("rewarded referrals per referrer"), null=True, blank=True)
    ip_limit = models.PositiveIntegerField(_("sign-ups per address in a day"), default=3)
    burst_limit = models.PositiveIntegerField(_("sign-ups per code in ten minutes"), default=5)
    hook_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    secret_ciphertext = models.BinaryField(editable=False, default=b"")
    secret_made_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"referral programme of {self.workspace_id}"

    def secret(self) -> str:
        """The API's signing secret ('' when none was made). Only for checking a signature."""
        from ambassade.workspaces import vault

        if not self.secret_ciphertext:
            return ""
        return str(vault.decrypt(bytes(self.secret_ciphertext)).reveal()["secret"])


class ReferralCode(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="referral_codes")
    code = models.CharField(_("code"), max_length=16, unique=True)
    active = models.BooleanField(_("active"), default=True)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code


class Referral(models.Model):
    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("signed up")
        CONVERTED = "converted", _("converted")

    class Review(models.TextChoices):
        CLEAR = "clear", _("clear")
        HELD = "held", _("held for review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    code = models.ForeignKey(
        ReferralCode, on_delete=models.SET_NULL, null=True, related_name="referrals"
    )
    referrer = models.ForeignKey(Identity, on_delete=models.SET_NULL, null=True, related_name="+")
    referred = models.ForeignKey(Identity, on_delete=models.SET_NULL, null=True, related_name="+")
    email = models.CharField(_("e-mail address"), max_length=254, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    customer = models.CharField(_("customer id"), max_length=200, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SIGNED_UP
    )
    review = models.CharField(
        _("review"), max_length=10, choices=Review.choices, default=Review.CLEAR
    )
    flags = models.JSONField(default=list, blank=True)
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    signed_up_at = models.DateTimeField(_("signed up"))
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_up_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "email"], name="referral_ws_email"),
            models.Index(fields=["workspace", "customer"], name="referral_ws_customer"),
            models.Index(fields=["workspace", "ip_hash", "signed_up_at"], name="referral_ws_ip"),
            models.Index(fields=["workspace", "review", "-signed_up_at"], name="referral_ws_rev"),
        ]

    def __str__(self) -> str:
        return f"referral {self.pk}"


class Reward(models.Model):
    class Kind(models.TextChoices):
        SIGNUP = "signup", _("sign-up")
        CONVERSION = "conversion", _("conversion")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        GRANTED = "granted", _("granted")
        REJECTED = "rejected", _("rejected")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="rewards")
    referrer = models.ForeignKey(Identity, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(_("for"), max_length=12, choices=Kind.choices)
    points = models.PositiveIntegerField(_("points"), default=0)
    label = models.CharField(_("reward"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    #: Why it was refused without a person deciding: ``cap`` (the referrer's cap was reached).
    reason = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "kind"], name="reward_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} reward of referral {self.referral_id}"


class HookEvent(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=200)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=200)
    answer = models.JSONField(default=dict)
    referral = models.ForeignKey(Referral, on_delete=models.SET_NULL, null=True, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "event_id"], name="hook_event_once")
        ]

    def __str__(self) -> str:
        return f"event {self.event_id}"


class HookThrottle(models.Model):
    """Calls from one address (hashed with the programme) in the minute starting ``window_start``."""

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.count}"
