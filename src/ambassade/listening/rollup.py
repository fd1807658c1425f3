"""The rollup of distinct mentions (:class:`~ambassade.listening.models.MentionRollup`): kept up to
date where mentions are stored and changed, rebuilt in batches by id, read by the analytics.

What it counts: per workspace, local day, source, network, language, sentiment and **set of the
queries that match the mention**, how many mentions and the sum of their authors' followers. The
listening figures (mention volume, potential reach, net sentiment) of any period, for the brand's
queries or one query, with a network or language filter, are the sums of the rows whose set meets
the queries counted: a mention matched by two brand queries counts once, and a query whose kind
changes or that is deleted needs no rewrite. The label filter is not in it (the readers read the
labelled mentions on their partial index instead: docs/analytics.md, "Speed").

Where it is kept (every write path of what it counts):

- :func:`ingest_lock` and :func:`add_new` in the pipeline's store of new mentions;
- :func:`changing` around any change of stored mentions' sentiment or matches (a sentiment
  corrected, a backfill adding or removing a query's matches): their counts are taken out before
  the change and put back after, read from the database each time;
- deletions follow the foreign keys (a source's mentions with its rows, a workspace's);
- an erasure (RGPD) keeps date, network, language, sentiment, followers and matches: nothing moves.

The days are local days of the zone recorded in :class:`MentionRollupState`; the readers use the
rollup only when that zone is the workspace's and the state is ready, and count the mentions
themselves otherwise (exact, slower). A changed time zone, a workspace with mentions stored before
this rollup existed, or a failed rebuild are rebuilt by :func:`rebuild` (the worker every minute,
``listening.keep_rollups``; ``ambassade rollups`` with progress): it empties the rows, notes the
last mention id, and counts the mentions up to it in batches, one transaction each, saving its
position; mentions stored meanwhile are counted as they arrive (their ids are above), and a change
to a mention not yet reached is left for the rebuild to read. A killed rebuild is resumed from its
position (its heartbeat stops: :func:`resumable`).

Concurrency: every write takes the workspace's state row, shared for an ingest (PostgreSQL ``FOR
SHARE``: ingests do not wait for each other) and exclusive for a change or a rebuild's batch; on
SQLite writers are serialised by the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from ambassade.listening.models import (
    Mention,
    MentionMatch,
    MentionRollup,
    MentionRollupState,
)
from ambassade.workspaces.models import Workspace

__all__ = [
    "BATCH",
    "Counts",
    "add_new",
    "changing",
    "counts",
    "ingest_lock",
    "rebuild",
    "resumable",
    "start",
    "usable",
]

log = logging.getLogger(__name__)

State = MentionRollupState.State
#: Mentions counted per transaction by a rebuild.
BATCH = 5000
#: A running rebuild whose heartbeat is older than this belongs to a stopped worker: resumed.
STALE_AFTER = timedelta(minutes=2)

#: (day, source id, network, language, sentiment, queries) → [mentions, followers].
Key = tuple[date, int, str, str, str, str]

_ADD_SQL = (
    "INSERT INTO listening_mentionrollup (workspace_id, day, source_id, network, lang, sentiment, "
    "queries, count, reach) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (workspace_id, day, source_id, network, lang, sentiment, queries) DO UPDATE SET "
    "count = listening_mentionrollup.count + excluded.count, "
    "reach = listening_mentionrollup.reach + excluded.reach"
)
_FIELDS = ("id", "created_at", "source_id", "network", "lang", "sentiment", "author_followers")


def query_set(query_ids: Iterable[int]) -> str:
    """The stored form of a set of query ids: sorted, comma-delimited on both sides."""
    ids = sorted(set(query_ids))
    return "," + ",".join(str(i) for i in ids) + "," if ids else ""


def _ids_of(stored: str) -> set[int]:
    return {int(part) for part in stored.split(",") if part}


# --- counting -------------------------------------------------------------------------------------


def _count(
    rows: Iterable[tuple[Any, ...]], matched: dict[int, list[int]], zone: ZoneInfo
) -> dict[Key, list[int]]:
    """What mentions (rows of ``_FIELDS``) add to the rollup, given their queries."""
    found: dict[Key, list[int]] = {}
    for pk, created_at, source_id, network, lang, sentiment, followers in rows:
        queries = query_set(matched.get(pk, ()))
        if not queries:
            continue
        key = (created_at.astimezone(zone).date(), source_id, network, lang, sentiment, queries)
        counted = found.setdefault(key, [0, 0])
        counted[0] += 1
        counted[1] += followers or 0
    return found


def _read(mention_ids: list[int], zone: ZoneInfo) -> dict[Key, list[int]]:
    """What the stored mentions ``mention_ids`` add to the rollup now."""
    found: dict[Key, list[int]] = {}
    for start in range(0, len(mention_ids), 500):
        chunk = mention_ids[start : start + 500]
        matched: dict[int, list[int]] = {}
        for mention_id, query_id in MentionMatch.objects.filter(mention_id__in=chunk).values_list(
            "mention_id", "query_id"
        ):
            matched.setdefault(mention_id, []).append(query_id)
        rows = Mention.objects.filter(id__in=chunk).order_by().values_list(*_FIELDS)
        for key, (n, reach) in _count(rows, matched, zone).items():
            counted = found.setdefault(key, [0, 0])
            counted[0] += n
            counted[1] += reach
    return found


def _add(workspace_id: int, counted: dict[Key, list[int]], sign: int = 1) -> None:
    adapt = connection.ops.adapt_datefield_value
    rows = [
        (workspace_id, adapt(key[0]), *key[1:], sign * n, sign * reach)
        for key, (n, reach) in counted.items()
        if n
    ]
    if not rows:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(_ADD_SQL, rows[start : start + 1000])
    if sign < 0:
        MentionRollup.objects.filter(workspace_id=workspace_id, count__lte=0).delete()


# --- locks ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    state: str
    zone: str
    upto_id: int
    last_id: int

    def counts(self, mention_id: int, zone: str) -> bool:
        """Whether a change to this mention must move the rollup now: it is ready in the
        workspace's zone, or rebuilding and the mention already counted (or stored after the
        rebuild started)."""
        if self.zone != zone:
            return False
        if self.state == State.READY:
            return True
        return self.state == State.RUNNING and (
            mention_id <= self.last_id or mention_id > self.upto_id
        )


def _lock(workspace_id: int, *, shared: bool) -> _Snapshot:
    """Take the workspace's state row (made if missing), shared or exclusive, in the caller's
    transaction, and return what it says."""
    row = _select(workspace_id, shared)
    if row is None:
        MentionRollupState.objects.bulk_create(
            [MentionRollupState(workspace_id=workspace_id)], ignore_conflicts=True
        )
        row = _select(workspace_id, shared)
    assert row is not None
    return _Snapshot(*row)


def _select(workspace_id: int, shared: bool) -> tuple[Any, ...] | None:
    table = MentionRollupState._meta.db_table
    lock = ""
    if connection.vendor == "postgresql":
        lock = " FOR SHARE" if shared else " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT state, zone, upto_id, last_id FROM {table} WHERE workspace_id = %s{lock}",  # noqa: S608 (table name)
            [workspace_id],
        )
        return cursor.fetchone()  # type: ignore[no-any-return]


def ingest_lock(workspace_id: int, zone: str) -> bool:
    """In the ingest's transaction, before its mentions are inserted (so that their ids come after
    any rebuild's start): whether their counts are to be added."""
    snapshot = _lock(workspace_id, shared=True)
    return snapshot.zone == zone and snapshot.state in (State.READY, State.RUNNING)


def add_new(
    workspace_id: int,
    mentions: Iterable[Mention],
    matched: Iterable[list[int]],
    zone: ZoneInfo,
) -> None:
    """Count mentions just stored (after :func:`ingest_lock` said so), with their queries' ids."""
    rows = []
    queries: dict[int, list[int]] = {}
    for mention, query_ids in zip(mentions, matched, strict=True):
        rows.append(
            (
                mention.pk,
                mention.created_at,
                getattr(mention, "source_id"),  # noqa: B009 (a column Django adds)
                mention.network,
                mention.lang,
                mention.sentiment,
                mention.author_followers,
            )
        )
        queries[mention.pk] = query_ids
    _add(workspace_id, _count(rows, queries, zone))


@contextmanager
def changing(workspace_id: int, mention_ids: Iterable[int]) -> Iterator[None]:
    """Around a change of stored mentions' sentiment or matches, in the caller's transaction: their
    counts are taken out before and put back after, as the database then says."""
    snapshot = _lock(workspace_id, shared=False)
    zone_name = Workspace.objects.filter(pk=workspace_id).values_list("time_zone", flat=True)[0]
    ids = [pk for pk in set(mention_ids) if snapshot.counts(pk, zone_name)]
    zone = ZoneInfo(zone_name)
    before = _read(ids, zone) if ids else {}
    yield
    if not ids:
        return
    after = _read(ids, zone)
    delta: dict[Key, list[int]] = {}
    for key in set(before) | set(after):
        old, new = before.get(key, [0, 0]), after.get(key, [0, 0])
        if old != new:
            delta[key] = [new[0] - old[0], new[1] - old[1]]
    if delta:
        _add(workspace_id, delta)
        MentionRollup.objects.filter(workspace_id=workspace_id, count__lte=0).delete()


# --- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    count: int
    reach: int
    positive: int
    negative: int


def usable(workspace: Any) -> bool:
    """Whether the workspace's rollup is ready in its present time zone."""
    return MentionRollupState.objects.filter(
        workspace_id=workspace.pk, state=State.READY, zone=workspace.time_zone
    ).exists()


def counts(
    workspace: Any,
    first_day: date,
    last_day: date,
    query_ids: Iterable[int],
    *,
    network: str = "",
    language: str = "",
) -> Counts:
    """The distinct mentions of the local days ``first_day``–``last_day`` matched by any of
    ``query_ids``, within the network and language (the caller checks :func:`usable`)."""
    wanted = set(query_ids)
    rows = MentionRollup.objects.filter(
        workspace_id=workspace.pk, day__gte=first_day, day__lte=last_day
    )
    if network:
        rows = rows.filter(network=network)
    if language:
        rows = rows.filter(lang=language)
    n = reach = positive = negative = 0
    for queries, sentiment, count, followers in (
        rows.order_by()
        .values_list("queries", "sentiment")
        .annotate(n=Sum("count"), reach=Sum("reach"))
    ):
        if not wanted & _ids_of(queries):
            continue
        n += count or 0
        reach += followers or 0
        if sentiment == "positive":
            positive += count or 0
        elif sentiment == "negative":
            negative += count or 0
    return Counts(n, reach, positive, negative)


# --- rebuilding -----------------------------------------------------------------------------------


def start(workspace: Any, now: datetime | None = None) -> MentionRollupState:
    """Empty the workspace's rollup and start counting its mentions again, in its present zone."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock(workspace.pk, shared=False)
        MentionRollup.objects.filter(workspace_id=workspace.pk).delete()
        mentions = Mention.objects.filter(workspace_id=workspace.pk)
        upto = mentions.aggregate(last=Max("id"))["last"] or 0
        MentionRollupState.objects.filter(workspace_id=workspace.pk).update(
            state=State.RUNNING,
            zone=workspace.time_zone,
            upto_id=upto,
            last_id=0,
            done=0,
            total=mentions.filter(id__lte=upto).count(),
            error="",
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
        )
    return MentionRollupState.objects.get(workspace_id=workspace.pk)


def _step(workspace_id: int, batch: int, now: datetime) -> MentionRollupState | None:
    """One batch in the caller's transaction; returns the state after it."""
    snapshot = _lock(workspace_id, shared=False)
    if snapshot.state != State.RUNNING:
        return MentionRollupState.objects.get(workspace_id=workspace_id)
    rows = list(
        Mention.objects.filter(
            workspace_id=workspace_id, id__gt=snapshot.last_id, id__lte=snapshot.upto_id
        )
        .order_by("id")
        .values_list(*_FIELDS)[:batch]
    )
    if not rows:
        MentionRollupState.objects.filter(workspace_id=workspace_id).update(
            state=State.READY, heartbeat_at=now, finished_at=now, total=F("done")
        )
        return MentionRollupState.objects.get(workspace_id=workspace_id)
    matched: dict[int, list[int]] = {}
    for mention_id, query_id in MentionMatch.objects.filter(
        mention_id__gt=snapshot.last_id, mention_id__lte=rows[-1][0]
    ).values_list("mention_id", "query_id"):
        matched.setdefault(mention_id, []).append(query_id)
    _add(workspace_id, _count(rows, matched, ZoneInfo(snapshot.zone)))
    MentionRollupState.objects.filter(workspace_id=workspace_id).update(
        last_id=rows[-1][0], done=F("done") + len(rows), heartbeat_at=now
    )
    return MentionRollupState.objects.get(workspace_id=workspace_id)


def rebuild(
    workspace: Any,
    *,
    restart: bool = False,
    batch: int = BATCH,
    progress: Callable[[MentionRollupState], None] | None = None,
    now: Callable[[], datetime] = timezone.now,
) -> MentionRollupState:
    """Bring the workspace's rollup up to date: nothing when it is ready in the present zone (and
    not ``restart``); continue a rebuild under way; start one otherwise. ``progress`` is called
    after each batch. A batch that fails marks the rebuild failed with the reason, and raises."""
    state = MentionRollupState.objects.filter(workspace_id=workspace.pk).first()
    ready = state is not None and state.state == State.READY
    if ready and state is not None and state.zone == workspace.time_zone and not restart:
        return state
    if (
        restart
        or state is None
        or state.state != State.RUNNING
        or state.zone != workspace.time_zone
    ):
        state = start(workspace, now())
    if progress is not None:
        progress(state)
    while True:
        try:
            with transaction.atomic():
                current = _step(workspace.pk, batch, now())
        except Exception as exc:
            log.exception("rebuilding the rollup of workspace %s failed", workspace.pk)
            MentionRollupState.objects.filter(workspace_id=workspace.pk).update(
                state=State.FAILED, error=str(exc)[:2000], finished_at=now()
            )
            raise
        assert current is not None
        if progress is not None:
            progress(current)
        if current.state != State.RUNNING:
            return current


def resumable(now: datetime | None = None) -> list[int]:
    """Workspaces whose rollup the worker should rebuild: never built (a state made at ingest, or
    by the migration for mentions stored before), built in another time zone, or a rebuild whose
    worker stopped beating. A failed one waits for ``ambassade rollups``."""
    now = now or timezone.now()
    states = MentionRollupState.objects.order_by("workspace_id")
    stale = states.filter(state=State.STALE)
    moved = states.filter(state=State.READY).exclude(zone=F("workspace__time_zone"))
    stopped = states.filter(state=State.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    found: list[int] = []
    for rows in (stale, moved, stopped):
        found += list(rows.values_list("workspace_id", flat=True)[:20])
    return sorted(set(found))
