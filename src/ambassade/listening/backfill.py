"""Apply a listening query to the mentions already stored (a backfill).

The pipeline matches a query against the mentions ingested after it was saved; a new or changed query
would otherwise find nothing in the history its preview counted. :func:`start_backfill` records a
:class:`~ambassade.listening.models.QueryBackfill` with the query's text and enqueues
``listening.backfill_query``; :func:`run_backfill` walks the workspace's mentions by id in batches and,
in one transaction per batch, adds the matches the query makes, removes those it no longer makes (a
changed query), moves the daily rollups by the same amounts and stores how far it went. So:

- it is idempotent: a mention already matched is left as is, and running it again changes nothing;
- a killed worker loses at most the batch it was in: ``listening.resume_backfills`` (every minute)
  enqueues again a backfill whose heartbeat stopped, and it continues from its stored position;
- the preview and the result agree: both read the mentions through :func:`pipeline.document_for` and
  the same compiled :class:`~ambassade.engine.query.Matcher`.

Backfilled matches raise no alert: alert rules watch what arrives (the routing hook), not history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ambassade.engine.query import Matcher, QuerySyntaxError
from ambassade.listening import pipeline, rollup
from ambassade.listening.models import (
    ListeningQuery,
    Mention,
    MentionMatch,
    QueryBackfill,
)
from ambassade.workspaces import services as workspace_services

__all__ = [
    "BATCH",
    "STALE_AFTER",
    "coverage",
    "first_ingested_at",
    "latest_backfills",
    "resumable",
    "run_backfill",
    "start_backfill",
]

log = logging.getLogger(__name__)

#: Mentions read and matched per transaction.
BATCH = 1000
#: A running backfill whose heartbeat is older than this belongs to a dead worker: it is resumed.
STALE_AFTER = timedelta(minutes=2)
#: A queued backfill no worker took after this long (its task was lost) is enqueued again.
QUEUED_TOO_LONG = timedelta(minutes=2)

ACTIVE = (QueryBackfill.State.QUEUED, QueryBackfill.State.RUNNING)
_FIELDS = ("id", "text", "lang", "network", "author_handle", "url")


def start_backfill(
    query: ListeningQuery, actor: Any, *, enqueue: bool = True, now: datetime | None = None
) -> QueryBackfill:
    """Record a backfill of ``query`` with its current text (a backfill of an older text still
    running is superseded, and stops at its next batch) and enqueue it once the transaction commits."""
    now = now or timezone.now()
    with transaction.atomic():
        # The query's row is the lock every batch of its backfills takes: none is half-way meanwhile.
        ListeningQuery.objects.select_for_update().filter(pk=query.pk).first()
        QueryBackfill.objects.filter(query=query, state__in=ACTIVE).update(
            state=QueryBackfill.State.SUPERSEDED, finished_at=now
        )
        backfill = QueryBackfill.objects.create(
            workspace_id=query.workspace_id,
            query=query,
            text=query.text,
            total=Mention.objects.filter(workspace_id=query.workspace_id).count(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=now,
        )
        workspace_services.record_audit(
            query.workspace,
            actor,
            "listening.query.backfilled",
            query,
            details={"backfill": backfill.pk, "mentions": backfill.total},
        )
    if enqueue:
        transaction.on_commit(lambda: _enqueue(backfill.pk))
    return backfill


def _enqueue(backfill_id: int) -> None:
    from ambassade.listening import tasks

    tasks.backfill_query(backfill_id)


def _claim(backfill_id: int, now: datetime) -> bool:
    """Take the backfill if it waits, or if the worker running it stopped beating (a conditional
    UPDATE: of two workers, one wins)."""
    waiting = Q(state=QueryBackfill.State.QUEUED)
    abandoned = Q(state=QueryBackfill.State.RUNNING) & (
        Q(heartbeat_at__lt=now - STALE_AFTER) | Q(heartbeat_at__isnull=True)
    )
    claimed = QueryBackfill.objects.filter(waiting | abandoned, pk=backfill_id).update(
        state=QueryBackfill.State.RUNNING, heartbeat_at=now
    )
    if claimed:
        QueryBackfill.objects.filter(pk=backfill_id, started_at__isnull=True).update(started_at=now)
    return bool(claimed)


def run_backfill(
    backfill_id: int,
    *,
    batch: int = BATCH,
    progress: Callable[[QueryBackfill], None] | None = None,
    now: Callable[[], datetime] = timezone.now,
) -> QueryBackfill | None:
    """Run (or resume) a backfill to its end; ``progress`` is called after each batch. Returns the
    backfill as it ended, or ``None`` when another worker holds it or it is over."""
    if not _claim(backfill_id, now()):
        return None
    backfill = QueryBackfill.objects.select_related("workspace").filter(pk=backfill_id).first()
    if backfill is None:
        return None
    try:
        matcher = Matcher({"q": backfill.text})
    except QuerySyntaxError as exc:
        return _fail(backfill, exc.message)
    while True:
        try:
            with transaction.atomic():
                current = _step(backfill_id, matcher, batch, now())
        except Exception as exc:
            log.exception("backfill %s failed", backfill_id)
            return _fail(backfill, str(exc))
        if current is None:
            return None
        if progress is not None:
            progress(current)
        if current.state != QueryBackfill.State.RUNNING:
            return current


def _step(backfill_id: int, matcher: Matcher, batch: int, now: datetime) -> QueryBackfill | None:
    """One batch, in the caller's transaction: match, add and remove matches, move the rollups,
    store the position. Stops (returns the backfill not running) when superseded or at the end."""
    # Locks in the order start_backfill takes them (the query, then its backfills): no deadlock.
    query_id = (
        QueryBackfill.objects.values_list("query_id", flat=True).filter(pk=backfill_id).first()
    )
    query = ListeningQuery.objects.select_for_update().filter(pk=query_id).first()
    backfill = QueryBackfill.objects.select_for_update().filter(pk=backfill_id).first()
    if query is None or backfill is None or backfill.state != QueryBackfill.State.RUNNING:
        return backfill  # the query was deleted (and its backfills with it), or this one replaced
    rows = list(
        Mention.objects.filter(workspace_id=backfill.workspace_id, id__gt=backfill.last_id)
        .order_by("id")
        .values_list(*_FIELDS)[:batch]
    )
    if not rows:
        backfill.state = QueryBackfill.State.DONE
        backfill.total = backfill.done
        backfill.finished_at = backfill.heartbeat_at = now
        backfill.save(update_fields=["state", "total", "finished_at", "heartbeat_at"])
        return backfill
    ids = [row[0] for row in rows]
    matched = {
        mention_id
        for mention_id, text, lang, network, author, url in rows
        if matcher.match(pipeline.document_for(text, lang, network, author, url))
    }
    existing = set(
        MentionMatch.objects.filter(query_id=query.pk, mention_id__in=ids).values_list(
            "mention_id", flat=True
        )
    )
    added, removed = sorted(matched - existing), sorted(existing - matched)
    if added or removed:
        with rollup.changing(query.workspace_id, added + removed):
            _apply(query, added, removed)
    backfill.last_id = ids[-1]
    backfill.done += len(rows)
    backfill.matched += len(matched)
    backfill.added += len(added)
    backfill.removed += len(removed)
    backfill.total = max(backfill.total, backfill.done)
    backfill.heartbeat_at = now
    backfill.save(
        update_fields=["last_id", "done", "matched", "added", "removed", "total", "heartbeat_at"]
    )
    return backfill


def _apply(query: ListeningQuery, added: list[int], removed: list[int]) -> None:
    """Add and remove the query's matches (the caller's ``rollup.changing`` moves the rollups)."""
    created = dict(Mention.objects.filter(id__in=added).values_list("id", "created_at"))
    adapt_time = connection.ops.adapt_datetimefield_value
    pipeline._upsert(
        pipeline._MATCH_SQL,
        [(query.workspace_id, pk, query.pk, adapt_time(created[pk])) for pk in added],
    )
    MentionMatch.objects.filter(query_id=query.pk, mention_id__in=removed).delete()


def _fail(backfill: QueryBackfill, message: str) -> QueryBackfill | None:
    """Mark it failed with the reason (kept for whoever reads the database; the page says it stopped
    and offers to try again)."""
    QueryBackfill.objects.filter(pk=backfill.pk, state=QueryBackfill.State.RUNNING).update(
        state=QueryBackfill.State.FAILED, error=message[:2000], finished_at=timezone.now()
    )
    return QueryBackfill.objects.filter(pk=backfill.pk).first()


def resumable(now: datetime | None = None) -> list[int]:
    """Backfills to enqueue again: running ones whose worker stopped beating, queued ones no worker
    took (their task was lost with a stopped queue)."""
    now = now or timezone.now()
    stale = Q(state=QueryBackfill.State.RUNNING) & (
        Q(heartbeat_at__lt=now - STALE_AFTER) | Q(heartbeat_at__isnull=True)
    )
    lost = Q(state=QueryBackfill.State.QUEUED, created_at__lt=now - QUEUED_TOO_LONG)
    return list(QueryBackfill.objects.filter(stale | lost).values_list("id", flat=True)[:100])


def first_ingested_at(workspace_id: int) -> datetime | None:
    """When the workspace's first stored mention came (ids grow as mentions are ingested)."""
    return (
        Mention.objects.filter(workspace_id=workspace_id)
        .order_by("id")
        .values_list("ingested_at", flat=True)
        .first()
    )


def coverage(
    query: ListeningQuery, latest: QueryBackfill | None, first_ingested: datetime | None
) -> str:
    """Whether ``query`` holds the workspace's stored mentions: ``running`` (a backfill is under
    way), ``applied`` (a backfill of its text since it last changed), ``all`` (it has matched every
    mention since the first one came), ``failed``, ``changed`` (applied, but its text changed or it
    was paused since), or ``new_only``."""
    if latest is not None and latest.active:
        return "running"
    if (
        latest is not None
        and latest.state == QueryBackfill.State.DONE
        and latest.text == query.text
        and latest.created_at >= query.matched_since
    ):
        return "applied"
    if first_ingested is None or query.matched_since <= first_ingested:
        return "all"
    if latest is not None and latest.state == QueryBackfill.State.FAILED:
        return "failed"
    if latest is not None and latest.state == QueryBackfill.State.DONE:
        return "changed"
    return "new_only"


def latest_backfills(queries: Any) -> dict[int, QueryBackfill]:
    """The latest backfill of each of ``queries`` (ids or objects), by query id."""
    ids = [getattr(query, "pk", query) for query in queries]
    latest: dict[int, QueryBackfill] = {}
    for backfill in QueryBackfill.objects.filter(query_id__in=ids).order_by("query_id", "-id"):
        latest.setdefault(backfill.query_id, backfill)
    return latest
