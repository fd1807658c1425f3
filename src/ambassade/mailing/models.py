"""E-mail campaigns (docs/mailing.md).

- **Campaign** — one e-mail in French and English (subject and text with variables) sent through
  one of the workspace's e-mail connections to an audience: the members with consent to
  e-mailing (of a segment, when one is chosen). Its state: draft → sending (paused) → sent, or
  cancelled.
- **Recipient** — one row per person of the audience, made when the campaign is started (the
  audience is frozen then): its address and language, and the state machine of its one e-mail:
  ``queued`` → ``sending`` (claimed by one worker, just before the SMTP transaction) → ``sent`` |
  ``failed`` | ``unknown`` (the worker died between the claim and the mark: never sent again,
  see docs/mailing.md, "At most once"). ``token`` is the secret of its unsubscribe link, its
  tracked clicks and its open pixel.
- **CampaignLink** — a link of the campaign's text, tracked through ``/l/<code>``.
- **MailingSettings** — the workspace's sending pace, where bounces are read up to.

Every model holds a ``workspace`` foreign key; views read them through ``workspace_queryset``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.community.models import Member, Segment
from ambassade.workspaces.messages import MessageField
from ambassade.workspaces.models import Connection, Workspace

__all__ = ["Campaign", "CampaignLink", "MailingSettings", "Recipient"]


class MailingSettings(models.Model):
    """A workspace's e-mailing settings, one row made on first use."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="mailing_settings"
    )
    #: Where bounces were read up to, per connection: {"<id>": {"uidvalidity": n, "uid": n}}.
    bounce_cursor = models.JSONField(default=dict, blank=True)
    bounces_read_at = models.DateTimeField(null=True, blank=True)
    bounce_error = MessageField(blank=True)
    #: DKIM (docs/mailing.md, "DKIM"): the private key encrypted by the vault (``*_ciphertext``:
    #: ``rotate_vault`` re-encrypts it), never shown nor logged; the public key, domain and
    #: selector are what the DNS publishes.
    dkim_domain = models.CharField(max_length=253, blank=True)
    dkim_selector = models.CharField(max_length=63, blank=True)
    dkim_key_ciphertext = models.BinaryField(null=True, blank=True, editable=False)
    dkim_public_key = models.TextField(blank=True)
    dkim_updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"mailing settings of {self.workspace_id}"


class Campaign(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    connection = models.ForeignKey(
        Connection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent from"),
    )
    #: The audience: a saved segment of the community, or (None) every member of the workspace.
    #: A deleted segment leaves ``segment_name`` set and ``segment`` None: a draft then refuses to
    #: start (it must not widen to everyone), a started campaign keeps its frozen recipients.
    segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("audience"),
    )
    segment_name = models.CharField(max_length=120, blank=True)
    #: Who was left out and why when the audience was frozen (``audiences.Breakdown.to_json``).
    audience_summary = models.JSONField(default=dict, blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=300, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    subject_fr = models.CharField(_("subject (French)"), max_length=300, blank=True)
    body_fr = models.TextField(_("text (French)"), blank=True)
    #: Messages an hour at most (the SMTP provider's limit).
    rate_per_hour = models.PositiveIntegerField(_("e-mails an hour at most"), default=3600)
    track_opens = models.BooleanField(_("count opens (tracking pixel)"), default=False)
    track_clicks = models.BooleanField(_("count clicks (tracked links)"), default=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    total = models.PositiveIntegerField(default=0)
    last_error = MessageField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    #: When a scheduled campaign starts (``mailing.start_scheduled``, every minute).
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: The worker sending it (a random id), and its heartbeat: a campaign "sending" without one for
    #: a while is taken up by another worker.
    worker = models.CharField(max_length=32, blank=True)
    #: The sending worker's heartbeat: a campaign "sending" without one for a while is resumed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    #: Not before this time (the pace, or a temporary refusal of the server).
    next_send_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "send_at"], name="campaign_due")]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    def subject(self, lang: str) -> str:
        return self.subject_fr if lang == "fr" else self.subject_en

    def body(self, lang: str) -> str:
        return self.body_fr if lang == "fr" else self.body_en

    @property
    def languages(self) -> list[str]:
        return [
            lang for lang in ("en", "fr") if self.subject(lang).strip() and self.body(lang).strip()
        ]

    @property
    def segment_deleted(self) -> bool:
        return self.segment_id is None and bool(self.segment_name)

    @property
    def editable(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def not_started(self) -> bool:
        """A draft or a scheduled campaign: its audience is not frozen yet."""
        return self.state in (self.State.DRAFT, self.State.SCHEDULED)


class Recipient(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Perhaps sent (not sent again)")
        SKIPPED = "skipped", _("Not sent (no consent any more)")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.CharField(max_length=254)
    lang = models.CharField(max_length=8, default="en")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    token = models.CharField(max_length=43, unique=True)
    #: Who holds the row while it is sent (a worker's random id) and since when.
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=250, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = MessageField(blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce = models.CharField(max_length=10, blank=True)  # "hard" or "soft"
    bounce_status = models.CharField(max_length=16, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    clicks = models.PositiveIntegerField(default=0)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="recipient_once_per_address")
        ]
        indexes = [
            models.Index(fields=["campaign", "state", "id"], name="recipient_queue"),
            models.Index(fields=["workspace", "message_id"], name="recipient_by_message_id"),
        ]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self) -> str:
        return f"{self.email} ({self.state})"


class CampaignLink(models.Model):
    """A link of a campaign's text, counted through ``/l/<code>`` (the product's short links): each
    click with the recipient's token counts once per recipient on their timeline."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links")
    target = models.URLField(max_length=2000)
    code = models.CharField(max_length=16, unique=True)
    clicks = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "target"], name="campaign_link_once")
        ]

    def __str__(self) -> str:
        return f"/l/{self.code}"
