"""Events: physical or online gatherings of the community, with RSVP, a waiting list, tickets and
check-in (docs/events.md).

- :class:`Event` — an event of a workspace: titles and descriptions in French and English, start
  and end (stored in UTC, shown in the event's ``time_zone``), a place or an online link, a
  capacity (empty: unlimited) and whether a waiting list takes the overflow. ``token`` is the
  unguessable part of its public page's address.
- :class:`Rsvp` — one person's answer, by name and e-mail address (one per address and event):
  ``confirmed`` (has a seat and a ticket), ``waitlisted`` (in line, by ``registered_at``) or
  ``cancelled``. ``code`` is the ticket's short code (typed at the door); the QR code carries it
  signed. ``nonce`` is the secret of the person's private link (their ticket, and cancellation);
  the link is signed with the product's secret key, so the database alone cannot make one.
  ``notified_status`` is the last status whose e-mail was queued (one conditional UPDATE, so it
  is queued once); ``reminded_at`` and ``followed_up_at`` mark the reminder and the follow-up the
  same way. The e-mails themselves are :class:`Email` rows.
- :class:`Email` — one e-mail of an RSVP (its ticket or place in line, a cancellation, the
  reminder, the follow-up) on its way through ``workspaces/mailqueue.py``: claimed, sent, marked,
  so that a killed worker sends none twice and resumes those it had only claimed. It holds no
  address nor text: the e-mail is written from the RSVP when it is sent.
- :class:`Invitation` — one member invited to the event from a saved segment (with consent to
  event e-mails, one per member and per address), and their invitation e-mail: the row itself goes
  through the same claim-send-mark queue as :class:`Email`.
- :class:`FormThrottle` — how many RSVPs an address sent in the current hour (the public form's
  rate limit), kept in the database so that every web process sees the same count.

Every model holds a ``workspace`` foreign key; staff pages read through ``workspace_queryset``.
Writes go through :mod:`ambassade.events.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ambassade.community.models import Identity, Member
from ambassade.workspaces.messages import MessageField
from ambassade.workspaces.models import Workspace

__all__ = ["Email", "Event", "FormThrottle", "Invitation", "Rsvp"]

MAX_CAPACITY = 100_000


class Event(models.Model):
    class Format(models.TextChoices):
        PHYSICAL = "physical", _("In person")
        ONLINE = "online", _("Online")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="events")
    token = models.CharField(max_length=43, unique=True, editable=False)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    organiser = models.CharField(
        _("organiser"), max_length=200, help_text=_("Shown on the public page and the tickets.")
    )
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.PHYSICAL
    )
    venue = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_url = models.URLField(
        _("online link"),
        max_length=2000,
        blank=True,
        help_text=_("Given only to confirmed attendees: on their ticket and in their e-mails."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Seats; empty for no limit.")
    )
    waitlist = models.BooleanField(
        _("waiting list"),
        default=True,
        help_text=_("When full, people join a waiting list and get a seat when someone cancels."),
    )
    rsvp_open = models.BooleanField(_("RSVP open"), default=True)
    reminder_hours = models.PositiveSmallIntegerField(
        _("reminder (hours before)"),
        default=24,
        help_text=_("Confirmed attendees get a reminder this many hours before; 0 for none."),
    )
    followup_en = models.TextField(_("follow-up e-mail (English)"), blank=True)
    followup_fr = models.TextField(_("follow-up e-mail (French)"), blank=True)
    #: As the campaigns: clicks through tracked links, opens through a pixel (``events/tracking.py``).
    track_clicks = models.BooleanField(
        _("count clicks in its e-mails (tracked links)"), default=True
    )
    track_opens = models.BooleanField(
        _("count opens of its e-mails (tracking pixel)"), default=False
    )
    #: When the team asked for the follow-up to be sent (each attendee's own ``followed_up_at``
    #: says whether theirs went).
    followup_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-starts_at"], name="event_by_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
            )
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title_en

    def title_in(self, lang: str) -> str:
        return self.title_fr if lang.startswith("fr") else self.title_en

    def description_in(self, lang: str) -> str:
        return (self.description_fr if lang.startswith("fr") else self.description_en) or (
            self.description_en or self.description_fr
        )

    @property
    def title(self) -> str:
        """The title in the active language."""
        return self.title_in(get_language() or "en")

    @property
    def description(self) -> str:
        return self.description_in(get_language() or "en")

    @property
    def online(self) -> bool:
        return self.format == self.Format.ONLINE

    def phase(self, now: object = None) -> str:
        now = now or timezone.now()
        if now < self.starts_at:  # type: ignore[operator]
            return "upcoming"
        if now < self.ends_at:  # type: ignore[operator]
            return "ongoing"
        return "past"


class Rsvp(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", pgettext_lazy("rsvp", "Confirmed")
        WAITLISTED = "waitlisted", pgettext_lazy("rsvp", "On the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("rsvp", "Cancelled")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail address"), max_length=254)
    lang = models.CharField(max_length=8, default="en")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    code = models.CharField(_("ticket code"), max_length=9)
    nonce = models.CharField(max_length=32, editable=False)
    #: The person's account in the community (``email`` network, or the member who has the address).
    identity = models.ForeignKey(
        Identity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consent = models.BooleanField(_("agreed to event e-mails"), default=False)
    registered_at = models.DateTimeField(_("registered"))
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notified_status = models.CharField(max_length=12, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["registered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="rsvp_once_per_email"),
            models.UniqueConstraint(fields=["event", "code"], name="rsvp_code_unique"),
        ]
        indexes = [
            models.Index(fields=["event", "status", "registered_at"], name="rsvp_by_status"),
            models.Index(fields=["workspace", "email"], name="rsvp_by_email"),
        ]
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")

    def __str__(self) -> str:
        return self.code

    @property
    def active(self) -> bool:
        return self.status != self.Status.CANCELLED


class Tracked(models.Model):
    """What the recipient did with an e-mail (``events/tracking.py``): the token its tracked
    links and open pixel carry (made when it is sent), when it was first opened (when the event
    counts opens) and clicked, and its clicks."""

    token = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("clicked"), null=True, blank=True)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        abstract = True


class Email(Tracked):
    """One e-mail of an RSVP through the shared claim-send-mark queue (``mail.QUEUE``)."""

    class State(models.TextChoices):
        PENDING = "pending", _("To send")
        CLAIMED = "claimed", _("Claimed by a worker")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Perhaps sent (the worker stopped)")
        SKIPPED = "skipped", _("No longer due")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    rsvp = models.ForeignKey(Rsvp, on_delete=models.CASCADE, related_name="emails")
    #: ``status``, ``reminder`` or ``followup``.
    what = models.CharField(max_length=12)
    #: For a status e-mail, the status it tells (superseded when the RSVP's status changed).
    status = models.CharField(max_length=12, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    #: Why the last try failed: a coded message written by ``mailqueue.reason``, worded where
    #: shown (``deliveries.reason``).
    error = MessageField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "claimed_at"], name="event_email_queue")]

    def __str__(self) -> str:
        return f"{self.what} {self.status} of RSVP {self.rsvp_id}: {self.state}"


class Invitation(Tracked):
    """A member invited to an event (from a saved segment), and their invitation e-mail on its way
    through ``workspaces/mailqueue.py`` (``mail.INVITATIONS``). The address and language are the
    ones chosen when inviting; the e-mail is written from the event as it is when sent."""

    State = Email.State

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), max_length=254)
    lang = models.CharField(max_length=8, default="en")
    #: The segment they were invited from, as it was named then.
    segment_name = models.CharField(max_length=120, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=8, choices=Email.State.choices, default="pending")
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = MessageField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="invitation_once_per_email"),
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=models.Q(member__isnull=False),
                name="invitation_once_per_member",
            ),
        ]
        indexes = [models.Index(fields=["state", "claimed_at"], name="invitation_queue")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"invitation {self.pk} to {self.event_id}: {self.state}"


class EventLink(models.Model):
    """A link of an event's e-mails counted through ``/l/<code>`` (the product's short links, as
    the campaigns' links): ``kind`` ``url`` leads to ``target`` (the event's page, its online
    link, a link of the follow-up); ``ticket`` to the ticket of the recipient whose token the
    click carries (a private address, never stored)."""

    class Kind(models.TextChoices):
        URL = "url", _("link")
        TICKET = "ticket", _("ticket")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.URL)
    target = models.URLField(max_length=2000, blank=True)
    code = models.CharField(max_length=16, unique=True)
    clicks = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind", "target"], name="event_link_once")
        ]

    def __str__(self) -> str:
        return f"/l/{self.code}"


class FormThrottle(models.Model):
    """RSVPs sent from one address (hashed with the event) in the hour starting ``window_start``."""

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.count}"
