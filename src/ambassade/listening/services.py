"""Every write of the listening app: sources, queries, competitors, polling, import, corrections.

Views and tasks call these; the pipeline itself is :func:`ambassade.listening.pipeline.ingest`,
re-exported here as :func:`ingest`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassade.connectors.base import AuthExpired, ConnectorError, RawItem
from ambassade.engine.query import QuerySyntaxError, parse
from ambassade.listening import pipeline, rollup
from ambassade.listening.models import (
    Competitor,
    Feedback,
    ListeningQuery,
    Mention,
    Sentiment,
    Source,
)
from ambassade.listening.pipeline import IngestResult
from ambassade.listening.sources import connector_class
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import StoredMessage, coded, words
from ambassade.workspaces.models import Workspace

__all__ = [
    "ActionError",
    "IngestResult",
    "claim_due_sources",
    "correct_label",
    "correct_sentiment",
    "create_competitor",
    "create_query",
    "create_source",
    "delete_query",
    "delete_source",
    "import_items",
    "ingest",
    "mark_irrelevant",
    "mark_spam",
    "poll_source",
    "set_tags",
    "update_query",
    "update_source",
]

log = logging.getLogger(__name__)

#: Pages fetched per poll at most (a backlog continues at the next poll).
MAX_PAGES_PER_POLL = 10
#: A claimed source whose poll did not finish is claimable again after this long.
CLAIM_TIMEOUT = timedelta(minutes=15)


class ActionError(Exception):
    """The action cannot be done; ``str(error)`` is a translated sentence for the person."""


def _batches(items: Iterable[RawItem], size: int) -> Iterator[list[RawItem]]:
    chunk: list[RawItem] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- ingest ---------------------------------------------------------------------------------------


def source_for_import(workspace: Workspace, kind: str, name: str | None = None) -> Source:
    """The workspace's source that collects items given directly (a file, a script): one per kind."""
    source, _created = Source.objects.get_or_create(
        workspace=workspace,
        kind=kind,
        name=name or f"{kind} import",
        defaults={"enabled": False, "interval": 0},
    )
    return source


def ingest(target: Source | Workspace, items: Iterable[RawItem], **options: Any) -> IngestResult:
    """Run the pipeline. ``target`` is a source, or a workspace: then each item goes to the
    workspace's import source of its kind (``RawItem.source``)."""
    if isinstance(target, Source):
        return pipeline.ingest(target, items, **options)
    by_kind: dict[str, list[RawItem]] = {}
    for item in items:
        by_kind.setdefault(item.source, []).append(item)
    total = IngestResult()
    for kind, group in by_kind.items():
        part = pipeline.ingest(source_for_import(target, kind), group, **options)
        total.received += part.received
        total.created += part.created
        total.already_known += part.already_known
        total.near_duplicates += part.near_duplicates
        total.matches += part.matches
        total.mentions.extend(part.mentions)
        total.rejected.extend(part.rejected)
    return total


def import_items(
    source: Source,
    items: Iterable[RawItem],
    *,
    batch: int = 2000,
    progress: Callable[[int, int], None] | None = None,
    actor: Any = None,
    total_count: int | None = None,
    done: int = 0,
) -> IngestResult:
    """Ingest a backfill or a file in batches, reporting (done, total) after each. ``items`` may
    be a list or a stream (then ``total_count`` says how many, for the progress); ``done`` counts
    the items a previous, interrupted run already ingested."""
    if total_count is None:
        items = list(items)
        total_count = done + len(items)
    total = IngestResult()
    for chunk in _batches(items, batch):
        part = pipeline.ingest(source, chunk)
        total.received += part.received
        total.created += part.created
        total.already_known += part.already_known
        total.near_duplicates += part.near_duplicates
        total.matches += part.matches
        total.rejected.extend(part.rejected)
        done += len(chunk)
        if progress is not None:
            progress(done, total_count)
    workspace_services.record_audit(
        source.workspace,
        actor,
        "listening.import",
        source,
        details={"received": total.received, "created": total.created},
    )
    return total


# --- sources --------------------------------------------------------------------------------------


def _check_source(kind: str, config: dict[str, Any]) -> None:
    try:
        connector = connector_class(kind)
    except LookupError:
        raise ActionError(_("No connector reads sources of this kind.")) from None
    try:
        connector().check_config(config)
    except ConnectorError as exc:
        raise ActionError(words(exc)) from None


def create_source(
    workspace: Workspace,
    actor: Any,
    *,
    name: str,
    kind: str,
    config: dict[str, Any] | None = None,
    connection: Any = None,
    interval: int = 900,
    enabled: bool = True,
) -> Source:
    config = dict(config or {})
    _check_source(kind, config)
    if connection is not None and connection.workspace_id != workspace.pk:
        raise ActionError(_("This connection belongs to another workspace."))
    source = Source.objects.create(
        workspace=workspace,
        name=name,
        kind=kind,
        config=config,
        connection=connection,
        interval=max(interval, 60),
        enabled=enabled,
    )
    workspace_services.record_audit(workspace, actor, "listening.source.created", source)
    return source


def update_source(source: Source, actor: Any, **changes: Any) -> Source:
    if "config" in changes:
        _check_source(source.kind, dict(changes["config"]))
    for name, value in changes.items():
        setattr(source, name, value)
    if "interval" in changes:
        source.interval = max(int(source.interval), 60)
    source.save()
    workspace_services.record_audit(source.workspace, actor, "listening.source.updated", source)
    return source


def delete_source(source: Source, actor: Any) -> None:
    workspace_services.record_audit(source.workspace, actor, "listening.source.deleted", source)
    source.delete()


def claim_due_sources(now: datetime | None = None, limit: int = 100) -> list[int]:
    """Ids of the enabled polling sources due now, each claimed by moving its ``next_run_at``
    forward with a conditional UPDATE: a source another worker claimed first is not returned."""
    now = now or timezone.now()
    claimed = []
    due = (
        Source.objects.filter(enabled=True, next_run_at__lte=now, interval__gt=0)
        .exclude(last_status=Source.Status.NEEDS_RECONNECTION)
        .order_by("next_run_at")
        .values_list("id", "next_run_at")[:limit]
    )
    for source_id, next_run_at in due:
        won = Source.objects.filter(id=source_id, next_run_at=next_run_at).update(
            next_run_at=now + CLAIM_TIMEOUT
        )
        if won == 1:
            claimed.append(source_id)
    return claimed


def poll_source(source_id: int, now: datetime | None = None) -> IngestResult | None:
    """Fetch a source's new items from its cursor and ingest them; the cursor is stored only with
    the items it covers. Errors are recorded on the source; an expired token marks the connection
    "needs reconnection"."""
    source = Source.objects.select_related("workspace", "connection").filter(id=source_id).first()
    if source is None or not source.enabled:
        return None
    now = now or timezone.now()
    try:
        cls = connector_class(source.kind)
    except LookupError:
        _record_failure(source, now, coded("source.no_connector"), None)
        return None
    if cls.delivery != "poll":
        return None
    credentials = None
    if source.connection is not None:
        credentials = source.connection.secret().reveal()
    elif cls.needs_credentials:
        _record_failure(source, now, coded("source.needs_connection"), None)
        return None
    connector = cls()
    bind = getattr(connector, "bind_source", None)
    if bind is not None:  # a local kind reading the source's own file (replay)
        bind(source.id)
    cursor = source.cursor or None
    total = IngestResult()
    try:
        for _page in range(MAX_PAGES_PER_POLL):
            fetched = connector.fetch(source.config, credentials, cursor)  # type: ignore[attr-defined]

            def move_cursor(cursor: Any = fetched.next_cursor) -> None:
                Source.objects.filter(id=source.id).update(cursor=cursor)

            # No transaction around it: the pipeline analyses first, then writes the mentions
            # and the cursor in one short transaction (a web request never waits long for it).
            part = pipeline.ingest(source, fetched.items, then=move_cursor)
            if fetched.credentials and source.connection is not None:
                connection = source.connection
                connection.set_secret(dict(fetched.credentials))
                connection.updated_at = now
                connection.save(update_fields=["token_ciphertext", "updated_at"])
            cursor = fetched.next_cursor
            total.received += part.received
            total.created += part.created
            total.already_known += part.already_known
            total.matches += part.matches
            total.rejected.extend(part.rejected)
            if not fetched.more:
                break
    except AuthExpired as exc:
        if source.connection is not None:
            workspace_services.mark_needs_reconnection(source.connection.id, exc)
        Source.objects.filter(id=source.id).update(
            last_run_at=now,
            last_status=Source.Status.NEEDS_RECONNECTION,
            last_error=StoredMessage.of(exc),
        )
        return total
    except ConnectorError as exc:
        _record_failure(source, now, exc, exc.retry_after, permanent=exc.permanent)
        return total
    except Exception as exc:
        log.exception("polling source %s failed", source.id)
        _record_failure(source, now, coded("source.unexpected", detail=str(exc)), None)
        return total
    Source.objects.filter(id=source.id).update(
        last_run_at=now,
        last_success_at=now,
        last_status=Source.Status.OK,
        last_error=skipped_message(total),
        next_run_at=now + timedelta(seconds=source.interval),
    )
    return total


def skipped_message(result: IngestResult) -> StoredMessage:
    """What a run left out and why (shown on the sources page), or an empty message. The value's
    own problem, in English, is in the log."""
    if not result.rejected:
        return StoredMessage()
    external_id, field, _reason = result.rejected[0]
    return coded("source.items_skipped", count=len(result.rejected), id=external_id, field=field)


def _record_failure(
    source: Source, now: datetime, message: Any, retry_after: float | None, permanent: bool = True
) -> None:
    """``message``: a connector's error or a coded message, stored as such (worded when shown)."""
    delay = timedelta(seconds=retry_after) if retry_after else timedelta(seconds=source.interval)
    Source.objects.filter(id=source.id).update(
        last_run_at=now,
        last_status=Source.Status.ERROR if permanent else Source.Status.RETRYING,
        last_error=StoredMessage.of(message),
        next_run_at=now + max(delay, timedelta(seconds=60)),
    )


def poll_now(source: Source) -> None:
    """Make the source due at once (the poller picks it up at its next tick)."""
    Source.objects.filter(id=source.id).update(next_run_at=timezone.now())
    if source.last_status == Source.Status.NEEDS_RECONNECTION and (
        source.connection is None or source.connection.status == "connected"
    ):
        Source.objects.filter(id=source.id).update(last_status=Source.Status.NEW)


# --- queries and competitors ----------------------------------------------------------------------


def check_query(text: str) -> None:
    """Raise :class:`QuerySyntaxError` when ``text`` is not a usable query."""
    from ambassade.engine.query import Matcher

    parse(text)
    Matcher({"q": text})


def _touch(query: ListeningQuery) -> None:
    query.updated_at = timezone.now()


def create_query(
    workspace: Workspace,
    actor: Any,
    *,
    name: str,
    text: str,
    kind: str = ListeningQuery.Kind.BRAND,
    competitor: Competitor | None = None,
) -> ListeningQuery:
    try:
        check_query(text)
    except QuerySyntaxError as exc:
        raise ActionError(words(exc)) from None
    now = timezone.now()
    query = ListeningQuery.objects.create(
        workspace=workspace,
        name=name,
        text=text,
        kind=kind,
        competitor=competitor,
        created_at=now,
        updated_at=now,
        matched_since=now,
    )
    workspace_services.record_audit(workspace, actor, "listening.query.created", query)
    return query


def update_query(query: ListeningQuery, actor: Any, **changes: Any) -> ListeningQuery:
    """Change a query; it applies to mentions ingested from now on (stored matches stay, until it
    is applied to the stored mentions: :mod:`ambassade.listening.backfill`)."""
    if "text" in changes:
        try:
            check_query(changes["text"])
        except QuerySyntaxError as exc:
            raise ActionError(words(exc)) from None
    # Read from the database: a form may already have set the new values on ``query``.
    stored = ListeningQuery.objects.filter(pk=query.pk).values("text", "enabled").first() or {}
    for name, value in changes.items():
        setattr(query, name, value)
    _touch(query)
    if query.text != stored.get("text") or (query.enabled and not stored.get("enabled")):
        # A new text, or matching again after a pause: what came before is not matched by it.
        query.matched_since = query.updated_at
    query.save()
    workspace_services.record_audit(query.workspace, actor, "listening.query.updated", query)
    return query


def delete_query(query: ListeningQuery, actor: Any) -> None:
    workspace_services.record_audit(query.workspace, actor, "listening.query.deleted", query)
    query.delete()


def create_competitor(
    workspace: Workspace, actor: Any, *, name: str, color: str = "#8a6d3b"
) -> Competitor:
    if Competitor.objects.filter(workspace=workspace, name__iexact=name).exists():
        raise ActionError(_("A competitor of this name already exists."))
    competitor = Competitor.objects.create(workspace=workspace, name=name, color=color)
    workspace_services.record_audit(workspace, actor, "listening.competitor.created", competitor)
    return competitor


# --- corrections ----------------------------------------------------------------------------------


def _feedback(mention: Mention, actor: Any, kind: str, previous: str, value: str) -> Feedback:
    return Feedback.objects.create(
        workspace_id=mention.workspace_id,
        mention=mention,
        kind=kind,
        previous=previous,
        value=value,
        text=mention.text,
        lang=mention.lang,
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def correct_sentiment(mention: Mention, actor: Any, sentiment: str) -> Feedback | None:
    """Set the sentiment a person reads in the mention; kept as feedback for retraining. The
    rollups move the mention from its old sentiment to the new one."""
    if sentiment not in {Sentiment.POSITIVE, Sentiment.NEUTRAL, Sentiment.NEGATIVE}:
        raise ActionError(_("Choose positive, neutral or negative."))
    previous = mention.sentiment
    if previous == sentiment:
        return None
    feedback = _feedback(mention, actor, Feedback.Kind.SENTIMENT, previous, sentiment)
    with rollup.changing(mention.workspace_id, [mention.id]):
        Mention.objects.filter(id=mention.id).update(sentiment=sentiment, sentiment_corrected=True)
    mention.sentiment = sentiment
    mention.sentiment_corrected = True
    return feedback


#: The labels a person can correct besides sentiment, and the Mention score each one sets.
LABELS = {"offensive": Feedback.Kind.OFFENSIVE, "hateful": Feedback.Kind.HATEFUL}


@transaction.atomic
def correct_label(mention: Mention, actor: Any, label: str, present: bool) -> Feedback | None:
    """Say whether a mention is offensive (or hateful): its score becomes 1 or 0, so every badge,
    filter and rule reads the person's word; the engine's verdict stays in the feedback, kept for
    retraining. Nothing happens when the mention already says so."""
    kind = LABELS.get(label)
    if kind is None:
        raise ActionError(_("Unknown label."))
    score = float(getattr(mention, label))
    previous = label if score >= 0.5 else f"not_{label}"
    value = label if present else f"not_{label}"
    if previous == value:
        return None
    feedback = _feedback(mention, actor, kind, previous, value)
    new_score = 1.0 if present else 0.0
    Mention.objects.filter(id=mention.id).update(**{label: new_score})
    setattr(mention, label, new_score)
    return feedback


def mark_spam(mention: Mention, actor: Any, spam: bool = True) -> Feedback:
    """Mark a mention as spam or not; "not spam" also sets its spam score to 0, so that a mention
    the engine called spam stops being shown and filtered as spam."""
    kind = Feedback.Kind.SPAM if spam else Feedback.Kind.NOT_SPAM
    feedback = _feedback(mention, actor, kind, str(mention.looks_spam), str(spam))
    changes: dict[str, Any] = {"marked_spam": spam}
    if not spam:
        changes["spam"] = 0.0
    Mention.objects.filter(id=mention.id).update(**changes)
    for name, value in changes.items():
        setattr(mention, name, value)
    return feedback


def mark_irrelevant(mention: Mention, actor: Any, irrelevant: bool = True) -> Feedback:
    kind = Feedback.Kind.IRRELEVANT if irrelevant else Feedback.Kind.RELEVANT
    feedback = _feedback(mention, actor, kind, str(mention.marked_irrelevant), str(irrelevant))
    Mention.objects.filter(id=mention.id).update(marked_irrelevant=irrelevant)
    mention.marked_irrelevant = irrelevant
    return feedback


def set_tags(mention: Mention, actor: Any, tags: Iterable[str]) -> list[str]:
    cleaned = list(dict.fromkeys(tag.strip()[:40] for tag in tags if tag.strip()))[:20]
    Mention.objects.filter(id=mention.id).update(tags=cleaned)
    mention.tags = cleaned
    return cleaned


#: The preview reads at most this many of the latest mentions, so it answers while a person types.
PREVIEW_SCAN = 50_000


@dataclass(frozen=True)
class Preview:
    total: int
    latest: list[Mention]
    scanned: int = 0
    capped: bool = False


def preview_query(
    workspace: Workspace, text: str, days: int = 30, sample: int = 20, limit: int = PREVIEW_SCAN
) -> Preview:
    """How many of the workspace's mentions of the last ``days`` days the query would have matched
    (of the latest ``limit`` when there are more: ``capped``), and the latest ``sample`` of them."""
    from ambassade.engine.query import Matcher

    matcher = Matcher({"q": text})
    since = timezone.now() - timedelta(days=days)
    rows = (
        Mention.objects.filter(workspace=workspace, created_at__gte=since)
        .order_by("-created_at", "-id")
        .values_list("id", "text", "lang", "network", "author_handle", "url")
    )
    total, latest, scanned = 0, [], 0
    for mention_id, body, lang, network, author, url in rows[: limit + 1].iterator(chunk_size=2000):
        scanned += 1
        if scanned > limit:
            break
        # As the pipeline and a backfill read a mention: the preview counts what saving would match.
        if matcher.match(pipeline.document_for(body, lang, network, author, url)):
            total += 1
            if len(latest) < sample:
                latest.append(mention_id)
    mentions = {m.id: m for m in Mention.objects.filter(id__in=latest).select_related("source")}
    return Preview(
        total, [mentions[i] for i in latest if i in mentions], min(scanned, limit), scanned > limit
    )
