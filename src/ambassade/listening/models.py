"""Sources, listening queries, competitors, mentions and their rollups.

Every model holds a ``workspace`` foreign key; views read them through ``workspace_queryset``. Writes go
through :mod:`ambassade.listening.services`. The full-text index lives beside these tables (an FTS5
virtual table on SQLite, the ``search_vector`` column on PostgreSQL): see :mod:`ambassade.listening.search`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import MessageField
from ambassade.workspaces.models import Connection, Workspace
from ambassade.workspaces.text import shorten


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")
    UNSUPPORTED = "unsupported", _("Not analysed")


class Source(models.Model):
    """Where mentions come from: a connector kind with its settings, polled at its own interval."""

    class Status(models.TextChoices):
        NEW = "new", _("Not run yet")
        OK = "ok", _("Working")
        ERROR = "error", _("Error")
        RETRYING = "retrying", _("Waiting to retry")
        NEEDS_RECONNECTION = "needs_reconnection", _("Needs reconnection")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("network"), max_length=40)
    config = models.JSONField(_("settings"), default=dict, blank=True)
    connection = models.ForeignKey(
        Connection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sources",
        verbose_name=_("connection"),
    )
    cursor = models.JSONField(default=dict, blank=True, editable=False)
    interval = models.PositiveIntegerField(_("polling interval (seconds)"), default=900)
    enabled = models.BooleanField(_("enabled"), default=True)
    # The poller claims a source by moving next_run_at forward with a conditional UPDATE.
    next_run_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    last_error = MessageField(blank=True)
    mentions_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name

    @property
    def import_progress(self) -> dict[str, int | str] | None:
        """For a file import: its state (queued, running, done, failed), done, total, percent."""
        if self.kind != "file" or "state" not in (self.cursor or {}):
            return None
        state = str(self.cursor["state"])
        done, total = int(self.cursor.get("done", 0)), int(self.cursor.get("total", 0))
        percent = 100 * done // total if total else (100 if state == "done" else 0)
        return {"state": state, "done": done, "total": total, "percent": percent}

    @property
    def import_retryable(self) -> bool:
        """A failed file import whose upload is still kept (the file itself was not refused)."""
        from ambassade.listening import uploads

        progress = self.import_progress
        return progress is not None and progress["state"] == "failed" and uploads.exists(self.pk)

    @property
    def kind_label(self) -> str:
        from ambassade.listening.sources import kind_label

        return kind_label(self.kind)


class Competitor(models.Model):
    """A competing brand: the listening queries of kind "competitor" attached to it count for it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="competitors")
    name = models.CharField(_("name"), max_length=120)
    color = models.CharField(_("colour"), max_length=7, default="#8a6d3b")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="competitor_unique_name")
        ]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")

    def __str__(self) -> str:
        return self.name


class ListeningQuery(models.Model):
    """A boolean query (docs/query-language.md); every new mention of the workspace is matched."""

    class Kind(models.TextChoices):
        BRAND = "brand", _("Brand")
        COMPETITOR = "competitor", _("Competitor")
        TOPIC = "topic", _("Topic")

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="listening_queries"
    )
    name = models.CharField(_("name"), max_length=120)
    text = models.TextField(_("query"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BRAND)
    competitor = models.ForeignKey(
        Competitor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="queries",
        verbose_name=_("competitor"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    #: Every mention ingested since has been matched by this text (set when the text changes or the
    #: query is resumed); mentions stored before are matched only by a backfill.
    matched_since = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("listening query")
        verbose_name_plural = _("listening queries")

    def __str__(self) -> str:
        return self.name


class Mention(models.Model):
    """One message heard on a network, analysed. ``(source, external_id)`` is unique: ingesting the
    same item again changes nothing."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="mentions")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="mentions")
    network = models.CharField(max_length=40)
    external_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, default="post")
    url = models.URLField(max_length=2000, blank=True)
    text = models.TextField()
    # Sanitised with nh3 at ingest; never the network's raw HTML.
    html = models.TextField(blank=True)
    author_handle = models.CharField(max_length=200, blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    author_url = models.URLField(max_length=2000, blank=True)
    author_followers = models.PositiveIntegerField(null=True, blank=True)
    #: The author's id on the network (stable where the handle is not): how the inbox recognises the
    #: workspace's own accounts (docs/inbox.md).
    author_external_id = models.CharField(max_length=255, blank=True)
    #: When the author's account was made, where the network says so (``Author.created_at``):
    #: contests leave out accounts made after they opened (docs/contests.md).
    author_created_at = models.DateTimeField(null=True, blank=True)
    #: The network's ids of the message this one answers and of its thread's root, when the network
    #: gives them: the inbox rebuilds conversations from them. Not indexed here (ingest stays fast):
    #: the inbox keeps its own index of the messages it holds.
    parent_external_id = models.CharField(max_length=255, blank=True)
    thread_external_id = models.CharField(max_length=255, blank=True)
    #: The network's id of the post this one quotes or reposts, where the network gives it
    #: (``RawItem.quoted_id``): a mission to share a post counts it (docs/community.md).
    quoted_external_id = models.CharField(max_length=255, blank=True, default="", db_default="")
    lang = models.CharField(max_length=12, blank=True)
    sentiment = models.CharField(max_length=12, choices=Sentiment.choices)
    sentiment_score = models.FloatField(default=0.0)
    offensive = models.FloatField(default=0.0)
    hateful = models.FloatField(default=0.0)
    spam = models.FloatField(default=0.0)
    keywords = models.JSONField(default=list, blank=True)
    #: How the text engine analysed it: the language whose heads scored it (the engine's own ``lang``,
    #: which ``lang`` above may not be when the network named one), ``fr+en`` when undetermined
    #: between French and English (both languages' heads, mixed), ``und`` for the all-language
    #: heads; and the tier (``accurate``, ``fast``, or ``none`` when no model was installed).
    #: Empty for mentions stored before it was kept (docs/text-analysis.md).
    analysed_as = models.CharField(max_length=12, blank=True, default="", db_default="")
    analysis_tier = models.CharField(max_length=12, blank=True, default="", db_default="")
    # SimHash (signed 64 bits); near-duplicates share ``cluster``, the fingerprint of the first one seen.
    fingerprint = models.BigIntegerField(default=0)
    cluster = models.BigIntegerField(default=0)
    is_duplicate = models.BooleanField(default=False)
    metrics = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    # A person's corrections (the Feedback rows keep who and when).
    sentiment_corrected = models.BooleanField(default=False)
    marked_spam = models.BooleanField(default=False)
    marked_irrelevant = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    ingested_at = models.DateTimeField(default=timezone.now)
    #: Edited or deleted upstream, as the network said (``RawItem.edited_at``, ``deleted``). The
    #: text is the latest; earlier ones are :class:`MentionRevision` rows. A deleted mention keeps
    #: its last text and is shown as deleted.
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)  # PostgreSQL only

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="mention_unique_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="mention_stream"),
            models.Index(fields=["workspace", "sentiment", "-created_at"], name="mention_sent"),
            models.Index(fields=["workspace", "lang", "-created_at"], name="mention_lang"),
            models.Index(fields=["source", "-created_at"], name="mention_source"),
            # An author's mentions, and whether they wrote in a period on a network (the
            # community's active members probe it once per identity: docs/analytics.md).
            models.Index(
                fields=["workspace", "author_handle", "network", "created_at"],
                name="mention_author_seen",
            ),
            models.Index(fields=["workspace", "cluster"], name="mention_cluster"),
            # The labelled mentions only (most have none): the analytics' top labels of a period.
            models.Index(
                fields=["workspace", "created_at"],
                condition=~models.Q(tags=[]),
                name="mention_labelled",
            ),
        ]
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")

    def __str__(self) -> str:
        return f"{self.author_handle or '?'}: {shorten(self.text, 60)}"

    @property
    def flagged(self) -> bool:
        return self.offensive >= 0.5 or self.hateful >= 0.5

    @property
    def looks_spam(self) -> bool:
        return self.marked_spam or self.spam >= 0.5


class QueryBackfill(models.Model):
    """A listening query applied to the mentions stored before it (or before its text changed), in
    batches by mention id (:mod:`ambassade.listening.backfill`). Its position and counts are saved with
    each batch, so a killed worker's backfill continues where it stopped."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        SUPERSEDED = "superseded", _("Replaced by a later one")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    query = models.ForeignKey(ListeningQuery, on_delete=models.CASCADE, related_name="backfills")
    #: The query's text when the backfill started: the one it applies.
    text = models.TextField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    #: Mentions up to this id are done.
    last_id = models.BigIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["query", "-id"], name="backfill_by_query"),
            models.Index(fields=["state"], name="backfill_by_state"),
        ]

    def __str__(self) -> str:
        return f"backfill {self.pk} of query {self.query_id}: {self.state} {self.done}/{self.total}"

    @property
    def active(self) -> bool:
        return self.state in {self.State.QUEUED, self.State.RUNNING}

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(100, 100 * self.done // self.total) if self.total else 0


class MentionRevision(models.Model):
    """A mention's text before its author edited it upstream: nothing is silently lost."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField()
    html = models.TextField(blank=True)
    #: When the text was written (the mention's creation or its previous edit) and replaced.
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["mention", "written_at", "id"]

    def __str__(self) -> str:
        return f"{self.mention_id} before {self.replaced_at:%Y-%m-%d %H:%M}"


class MentionMatch(models.Model):
    """A mention matched a listening query. ``created_at`` repeats the mention's, for the stream's
    "this query, newest first" reads."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="matches")
    query = models.ForeignKey(ListeningQuery, on_delete=models.CASCADE, related_name="matches")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mention", "query"], name="match_unique")]
        indexes = [models.Index(fields=["query", "-created_at"], name="match_by_query")]

    def __str__(self) -> str:
        return f"{self.mention_id} ~ {self.query_id}"


class MentionRollup(models.Model):
    """Distinct mentions per workspace × local day (in the zone of :class:`MentionRollupState`) ×
    source × network × language × sentiment × the set of queries that match them, with the sum of
    their authors' followers (docs/analytics.md, "Speed"). ``queries`` is that set as ``,3,7,``:
    the readers keep the rows whose set meets the queries they count (the brand's, or one), so a
    query's kind changed or a query deleted needs no rewrite, and a mention matched by two brand
    queries counts once. Mentions no query matches are not counted."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=40)
    lang = models.CharField(max_length=12)
    sentiment = models.CharField(max_length=12)
    queries = models.CharField(max_length=2000)
    count = models.IntegerField(default=0)
    reach = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "day", "source", "network", "lang", "sentiment", "queries"],
                name="mention_rollup_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.queries} {self.sentiment}: {self.count}"


class AuthorRollup(models.Model):
    """The same distinct mentions as :class:`MentionRollup`, per author: workspace × local day ×
    source × network × language × set of queries × author's handle, with how many are positive and
    negative and the author's largest follower count among them: the analytics' top authors read
    it (mentions with no handle are not kept)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=40)
    lang = models.CharField(max_length=12)
    queries = models.CharField(max_length=2000)
    author_handle = models.CharField(max_length=200)
    count = models.IntegerField(default=0)
    positive = models.IntegerField(default=0)
    negative = models.IntegerField(default=0)
    followers = models.BigIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "workspace",
                    "day",
                    "source",
                    "network",
                    "lang",
                    "queries",
                    "author_handle",
                ],
                name="author_rollup_unique",
            )
        ]
        indexes = [
            # Covering: the top authors of a period read the index alone, only the rows of the
            # sets of queries counted and of the period's days (docs/analytics.md, "Speed"); the
            # distinct sets are found on it too (listening.rollup.author_query_sets).
            models.Index(
                fields=[
                    "workspace",
                    "queries",
                    "day",
                    "network",
                    "author_handle",
                    "lang",
                    "count",
                    "positive",
                    "negative",
                    "followers",
                ],
                name="author_rollup_sets",
            ),
            # The same in author order: SQLite groups a period holding most of the rows by
            # reading them in this order (listening.rollup.top_authors); an author's rows of a
            # day, counted again, are found by its prefix.
            models.Index(
                fields=[
                    "workspace",
                    "network",
                    "author_handle",
                    "day",
                    "queries",
                    "lang",
                    "count",
                    "positive",
                    "negative",
                    "followers",
                ],
                name="author_rollup_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.author_handle} {self.queries}: {self.count}"


class MentionRollupState(models.Model):
    """Whether a workspace's :class:`MentionRollup` can be read, and its rebuild's progress
    (:mod:`ambassade.listening.rollup`). The rollup is read only when ``state`` is ready and
    ``zone`` is the workspace's time zone; otherwise the readers count the mentions themselves and
    the worker rebuilds it. A rebuild counts the mentions up to ``upto_id`` in batches by id; those
    stored after it started are counted as they arrive."""

    class State(models.TextChoices):
        STALE = "stale", _("To rebuild")
        RUNNING = "running", _("Rebuilding")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.STALE)
    zone = models.CharField(max_length=64, blank=True)
    upto_id = models.BigIntegerField(default=0)
    last_id = models.BigIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollup of workspace {self.workspace_id}: {self.state} {self.done}/{self.total}"


class TermRollup(models.Model):
    """How many mentions of a day held a term (their keywords and hashtags): trending terms."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    term = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "day", "term"], name="term_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.term}: {self.count}"


class TermSpelling(models.Model):
    """How many mentions of a day wrote a term another way than its normalised form (``débité`` for
    ``debite``): trending terms show the most frequent spelling. The normalised spelling itself is not
    stored, its count is the term's count less these."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    term = models.CharField(max_length=100)
    spelling = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "day", "term", "spelling"], name="spelling_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.term} as {self.spelling}: {self.count}"


class Feedback(models.Model):
    """A person's correction of the analysis, kept for retraining the text models."""

    class Kind(models.TextChoices):
        SENTIMENT = "sentiment", _("Sentiment")
        OFFENSIVE = "offensive", _("Offensive")
        HATEFUL = "hateful", _("Hateful")
        SPAM = "spam", _("Spam")
        NOT_SPAM = "not_spam", _("Not spam")
        IRRELEVANT = "irrelevant", _("Irrelevant")
        RELEVANT = "relevant", _("Relevant")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # For a sentiment, offensive or hateful correction: what the mention said before (the engine, or an
    # earlier correction) and what the person says: a sentiment, or offensive / not_offensive,
    # hateful / not_hateful. For spam and relevance: the mark before and after ("True"/"False").
    previous = models.CharField(max_length=20, blank=True)
    value = models.CharField(max_length=20, blank=True)
    # Kept with the feedback so retraining does not depend on the mention still existing as it was.
    text = models.TextField()
    lang = models.CharField(max_length=12, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.kind} {self.previous}→{self.value} on {self.mention_id}"
