"""The inbox: conversations with the people who write to the brand, their messages, and how the team
shares them out (teams, availability, labels, routing rules, saved views, presence).

The data model and its invariants are described in docs/inbox.md; the short version:

- A :class:`Conversation` is one exchange with one person on one network: a public thread (a mention
  of an own account, a comment on an own post, its replies) or a private one (direct messages,
  e-mails). It carries what the list shows and sorts on, denormalised (status, assignment, triage,
  the timestamps of the first and last messages in each direction, counters), so that the list reads
  one table through one index, whatever the number of messages.
- A :class:`Message` is one item of a conversation, in order: inbound (from the person), outbound
  (from the brand, sent from Ambassade or natively on the network) or an internal note. A public
  inbound or native outbound message *is* a listening :class:`~ambassade.listening.models.Mention`
  and links to it (never a copy of its text); a private message (never a mention: listening must
  not show it) and a message written in Ambassade keep their own text.
- Every write goes through :mod:`ambassade.inbox.services`, which keeps the denormalised fields true.

Every model holds a ``workspace`` foreign key; views read through ``workspace_queryset``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.listening.models import ListeningQuery, Mention, Sentiment
from ambassade.workspaces.messages import MessageField
from ambassade.workspaces.models import Connection, Workspace


class Intent(models.TextChoices):
    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Complaint")
    BUG = "bug", _("Bug report")
    PRAISE = "praise", _("Praise")
    PURCHASE = "purchase", _("Purchase intent")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    """How the conversation reached the brand."""

    MENTION = "mention", _("Mention")
    COMMENT = "comment", _("Comment on an own post")
    MESSAGE = "message", _("Direct message")
    EMAIL = "email", _("E-mail")
    ROUTED = "routed", _("Sent to the inbox")

    @classmethod
    def private(cls) -> frozenset[str]:
        return frozenset({cls.MESSAGE, cls.EMAIL})


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for the customer")
    SNOOZED = "snoozed", _("Snoozed")
    RESOLVED = "resolved", _("Resolved")

    @classmethod
    def unresolved(cls) -> tuple[str, ...]:
        return (cls.NEW, cls.OPEN, cls.WAITING, cls.SNOOZED)


class InboxSettings(models.Model):
    """A workspace's inbox settings (one row, made on first use by ``services.settings_for``)."""

    class AutoAssign(models.TextChoices):
        OFF = "off", _("Off: conversations stay unassigned")
        ROUND_ROBIN = "round_robin", _("Round-robin among available members")
        LEAST_LOADED = (
            "least_loaded",
            _("To the available member with the fewest open conversations"),
        )

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="inbox_settings"
    )
    auto_assign = models.CharField(
        _("automatic assignment"),
        max_length=20,
        choices=AutoAssign.choices,
        default=AutoAssign.OFF,
    )
    #: Conversations with no team go to the members of this team (every member who may reply when
    #: empty).
    default_team = models.ForeignKey(
        "Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default team"),
    )
    own_mentions = models.BooleanField(_("mentions of the workspace's accounts"), default=True)
    own_post_replies = models.BooleanField(_("replies and comments on its posts"), default=True)

    def __str__(self) -> str:
        return f"inbox settings of {self.workspace_id}"


class Team(models.Model):
    """A group of the workspace's members that conversations can be assigned to."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="inbox_teams")
    name = models.CharField(_("name"), max_length=80)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inbox_teams", blank=True, verbose_name=_("members")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="team_unique")]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """A member's inbox state: available for automatic assignment (their own toggle), and when they
    were last given a conversation (round-robin). Made on first use; a member without a row is
    available."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    available = models.BooleanField(_("available for new conversations"), default=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="agent_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.workspace_id}: {self.available}"


class Label(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="inbox_labels")
    name = models.CharField(_("name"), max_length=60)
    color = models.CharField(_("colour"), max_length=7, default="#5b6475")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="label_unique")]
        verbose_name = _("label")
        verbose_name_plural = _("labels")

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Sends new mentions to the inbox that no account of the workspace was named in: those matching
    a listening query, of a sentiment, an intent, from authors with at least so many followers (every
    condition set must hold). It may give the conversation a team and a label."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="inbox_rules")
    name = models.CharField(_("name"), max_length=120)
    enabled = models.BooleanField(_("enabled"), default=True)
    query = models.ForeignKey(
        ListeningQuery,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("listening query"),
    )
    sentiment = models.CharField(
        _("sentiment"), max_length=12, choices=Sentiment.choices, blank=True
    )
    intent = models.CharField(_("intent"), max_length=12, choices=Intent.choices, blank=True)
    min_followers = models.PositiveIntegerField(
        _("at least this many followers"), null=True, blank=True
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assign to the team"),
    )
    label = models.ForeignKey(
        Label,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("add the label"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    """One exchange with one person on one network (docs/inbox.md, "Conversation")."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="conversations")
    network = models.CharField(_("network"), max_length=40)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    #: The workspace's own account the conversation is with (the one a reply goes out from), when
    #: known.
    connection = models.ForeignKey(
        Connection, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: What identifies the thread on the network: the external id of its first inbound message,
    #: the network's conversation id of a direct-message thread, an e-mail thread's first
    #: Message-ID. Unique per workspace and network: the same thread is never two conversations.
    thread_key = models.CharField(max_length=255)
    subject = models.CharField(_("subject"), max_length=300, blank=True)

    # The person (from their first inbound message, refreshed by the later ones).
    contact_handle = models.CharField(max_length=200, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_external_id = models.CharField(max_length=255, blank=True)
    contact_url = models.URLField(max_length=2000, blank=True)
    contact_followers = models.PositiveIntegerField(null=True, blank=True)
    #: Earlier conversations of the same person in this workspace, when this one began.
    contact_history = models.PositiveIntegerField(default=0)
    lang = models.CharField(_("language"), max_length=12, blank=True)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name=_("team"),
    )
    labels = models.ManyToManyField(Label, blank=True, related_name="conversations")

    # Triage: the intent of the first inbound message, the sentiment of the latest, and the
    # priority computed from them (services.triage; its explanation is worded at display time).
    intent = models.CharField(_("intent"), max_length=12, choices=Intent.choices, blank=True)
    sentiment = models.CharField(
        _("sentiment"), max_length=12, choices=Sentiment.choices, blank=True
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)

    # Timestamps kept by services on every message (never recomputed by the list).
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    first_inbound_at = models.DateTimeField(null=True, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_outbound_at = models.DateTimeField(null=True, blank=True)
    #: The time of the latest message either way: the list's default order.
    last_message_at = models.DateTimeField(default=timezone.now)
    #: Since when the person waits for an answer: the first inbound message after the brand's last
    #: outbound one; None while nobody waits (answered, or only notes).
    waiting_since = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    last_message = models.ForeignKey(
        "Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message_count = models.PositiveIntegerField(default=0)
    inbound_count = models.PositiveIntegerField(default=0)
    outbound_count = models.PositiveIntegerField(default=0)
    note_count = models.PositiveIntegerField(default=0)

    # Response-time targets (written by the SLA part, docs/inbox.md): when the next answer or the
    # resolution is due, and the earliest of the due times that apply now (``due_at``, which the
    # "breaching" view and its index read).
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "thread_key"], name="conversation_unique_thread"
            )
        ]
        # The list reads a status group (or one assignee, or one team) newest first, with keyset
        # pagination on (last_message_at, id) or (priority, last_message_at, id): each has its index.
        indexes = [
            models.Index(
                fields=["workspace", "status", "-last_message_at", "-id"], name="conv_status"
            ),
            models.Index(
                fields=["workspace", "assignee", "status", "-last_message_at", "-id"],
                name="conv_assignee",
            ),
            models.Index(
                fields=["workspace", "team", "status", "-last_message_at", "-id"], name="conv_team"
            ),
            models.Index(
                fields=["workspace", "status", "-priority", "-last_message_at", "-id"],
                name="conv_priority",
            ),
            models.Index(fields=["workspace", "-last_message_at", "-id"], name="conv_recent"),
            # The default view ("open": new, open, waiting) in both orders, whatever the share of
            # resolved conversations.
            models.Index(
                fields=["workspace", "-last_message_at", "-id"],
                name="conv_open_recent",
                condition=Q(status__in=["new", "open", "waiting"]),
            ),
            models.Index(
                fields=["workspace", "-priority", "-last_message_at", "-id"],
                name="conv_open_priority",
                condition=Q(status__in=["new", "open", "waiting"]),
            ),
            # "Mine" and "unassigned" in order, without sorting the person's open conversations.
            models.Index(
                fields=["workspace", "assignee", "-last_message_at", "-id"],
                name="conv_open_assignee",
                condition=Q(status__in=["new", "open", "waiting"]),
            ),
            # With the status, the "breaching" count reads the index alone (the count of
            # 100,000 conversations took 12 ms reading the table, by EXPLAIN ANALYZE).
            models.Index(
                fields=["workspace", "due_at", "status"],
                name="conv_due_status",
                condition=Q(due_at__isnull=False),
            ),
            models.Index(
                fields=["status", "snoozed_until"],
                name="conv_snoozed",
                condition=Q(status="snoozed"),
            ),
            models.Index(fields=["workspace", "network", "contact_handle"], name="conv_contact"),
            # Analytics' response rate and first-response time: the conversations of a period.
            models.Index(fields=["workspace", "first_inbound_at"], name="conv_first_inbound"),
        ]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return f"{self.network}:{self.thread_key} ({self.status})"

    @property
    def is_private(self) -> bool:
        return self.channel in Channel.private()

    @property
    def contact_display(self) -> str:
        return self.contact_name or (f"@{self.contact_handle}" if self.contact_handle else "")


class Message(models.Model):
    """One item of a conversation (docs/inbox.md, "Message"). Exactly one of three shapes:

    - linked to a ``mention`` (a public message heard by listening, inbound, or the brand's own
      native reply, outbound): its text, author and edits are the mention's;
    - a private message (``Channel.MESSAGE``/``EMAIL``), inbound or outbound: its own ``text``;
    - written in Ambassade (a reply sent from here, or a note): its own ``text`` and ``sender``.
    """

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("From the person")
        OUTBOUND = "outbound", _("From the brand")
        NOTE = "note", _("Internal note")

    class Origin(models.TextChoices):
        NETWORK = "network", _("Arrived from the network")
        AMBASSADE = "ambassade", _("Written in Ambassade")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(max_length=10, choices=Direction.choices)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.NETWORK)
    mention = models.OneToOneField(
        Mention,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbox_message",
    )
    #: The network's ids (blank for notes and for replies not sent yet): the thread is rebuilt from
    #: ``parent_external_id``. ``(workspace, network, external_id)`` is unique when set.
    network = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    parent_external_id = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    # Own content (private messages, messages written here); empty when ``mention`` is set.
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)  # sanitised (connectors._text.sanitize_html)
    author_handle = models.CharField(max_length=200, blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    author_external_id = models.CharField(max_length=255, blank=True)
    author_url = models.URLField(max_length=2000, blank=True)
    #: Who wrote it in Ambassade (a reply or a note), else None.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lang = models.CharField(max_length=12, blank=True)
    sentiment = models.CharField(max_length=12, choices=Sentiment.choices, blank=True)
    intent = models.CharField(max_length=12, choices=Intent.choices, blank=True)
    #: When it was written (on the network, or here) and when the inbox got it.
    created_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now)
    # Edits and deletion of a private message upstream (a mention's are on the mention).
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    #: Earlier texts of an edited private message: [{"text", "written_at", "replaced_at"}].
    revisions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "external_id"],
                name="message_unique_external",
                condition=~Q(external_id=""),
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at", "id"], name="message_thread"),
            models.Index(
                fields=["workspace", "network", "parent_external_id"],
                name="message_parent",
                condition=~Q(parent_external_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.pk} of {self.conversation_id}"

    # What a page shows, wherever the content lives.
    @property
    def body(self) -> str:
        return self.mention.text if self.mention_id else self.text

    @property
    def body_html(self) -> str:
        return self.mention.html if self.mention_id else self.html

    @property
    def author(self) -> dict[str, Any]:
        if self.mention_id:
            m = self.mention
            return {
                "handle": m.author_handle,
                "name": m.author_name,
                "url": m.author_url,
                "followers": m.author_followers,
            }
        return {
            "handle": self.author_handle,
            "name": self.author_name,
            "url": self.author_url,
            "followers": None,
        }

    @property
    def link(self) -> str:
        return self.mention.url if self.mention_id else self.url

    @property
    def is_edited(self) -> bool:
        return bool(self.mention.edited_at if self.mention_id else self.edited_at)

    @property
    def is_deleted(self) -> bool:
        return bool(self.mention.deleted_at if self.mention_id else self.deleted_at)

    @property
    def lost(self) -> bool:
        """Linked to a mention that was deleted with its listening source: no text left."""
        return self.mention_id is None and not self.text and self.origin == self.Origin.NETWORK


class SavedView(models.Model):
    """A named set of filters of the conversation list, the person's own or shared (``owner`` None)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80)
    #: The list's query string (status, assignee, network, label, intent, lang, q…).
    filters = models.CharField(max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Presence(models.Model):
    """Who has a conversation open, and whether they are writing a reply: the collision warning.
    One row per (conversation, person), refreshed by the page every few seconds; older than
    ``services.PRESENCE_TTL`` means gone. In the database, so every process sees the same."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="presences"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    replying = models.BooleanField(default=False)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="presence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.conversation_id}"


class Event(models.Model):
    """Something that happened to a conversation besides its messages (assigned, resolved,
    labelled…), shown in its thread in the reader's language: ``code`` and ``params`` are worded by
    ``ambassade.inbox.messages.event_words``."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="event_thread")]

    def __str__(self) -> str:
        return f"{self.code} on {self.conversation_id}"


class MessageFeed(models.Model):
    """Where a connection's private messages are read from (capability ``direct_messages``: direct
    messages, e-mail): its cursor and the last read's outcome. Made for each such connection by
    :func:`ambassade.inbox.polling.ensure_feeds`; polled every minute by ``inbox.poll_messages``."""

    class Status(models.TextChoices):
        NEW = "new", _("Not read yet")
        OK = "ok", _("Working")
        ERROR = "error", _("Error")
        RETRYING = "retrying", _("Waiting to retry")
        NEEDS_RECONNECTION = "needs_reconnection", _("Needs reconnection")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    connection = models.OneToOneField(
        Connection, on_delete=models.CASCADE, related_name="message_feed"
    )
    enabled = models.BooleanField(_("read its private messages"), default=True)
    cursor = models.JSONField(default=dict, blank=True, editable=False)
    interval = models.PositiveIntegerField(default=60)
    #: Claimed by moving it forward with a conditional UPDATE (as listening's sources).
    next_run_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    last_error = MessageField(blank=True)
    messages_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"private messages of {self.connection_id}"
