"""Scores stored after each ingest batch, for the members it touched (docs/community.md, "Stored
scores").

An ingest batch records its authors' mentions on their timelines (:func:`services.record_authors`)
and, in the same transaction, marks those members with ``score_due`` (:func:`mark_due`). Once the
batch committed, :func:`schedule` asks for the ``community.score_due`` task of the workspace
:data:`DEBOUNCE` seconds later, unless one is already pending: a burst of batches makes one task,
which stores the scores of every member marked meanwhile (``scores.store_scores``, the engine's
``Scorer.update`` over their year of timeline), and nobody else.

The pending task is a flag in Huey's storage holding when it was set. The task removes it before
it starts, so a batch arriving while it runs schedules the next one. A flag older than
:data:`FLAG_EXPIRES` is a task that never ran (a worker killed, a queue lost): the next batch
replaces it. Marked members whose task never ran are stored by ``community.score_active`` within
15 minutes anyway (``scores.stale_members`` includes them).

A member's mark is cleared only if no batch marked them again while they were being scored
(``store_scores`` compares it with the one it read before reading the timeline), so a batch
committed during a scoring is never lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable

from ambassade.community.models import Member

__all__ = ["DEBOUNCE", "FLAG_EXPIRES", "due_members", "flag_key", "mark_due", "schedule"]

log = logging.getLogger(__name__)

#: Seconds between a batch and the scoring it asks for: the batches of a burst share the task.
DEBOUNCE = 30
#: Seconds after which a pending flag is taken for a lost task.
FLAG_EXPIRES = 15 * 60


def flag_key(workspace_id: int) -> str:
    return f"community.score_due.{workspace_id}"


def mark_due(member_ids: Iterable[int], now: dt.datetime) -> int:
    """Mark the members whose timelines a batch just added to (inside the batch's transaction)."""
    ids = sorted(set(member_ids))
    marked = 0
    for start in range(0, len(ids), 1000):
        marked += Member.objects.filter(pk__in=ids[start : start + 1000]).update(score_due=now)
    return marked


def due_members(workspace_id: int) -> list[int]:
    return list(
        Member.objects.filter(workspace_id=workspace_id, score_due__isnull=False)
        .order_by("id")
        .values_list("id", flat=True)
    )


def schedule(workspace_id: int) -> bool:
    """Schedule the workspace's ``community.score_due`` task unless one is pending; whether it did.

    Called after the batch committed; a queue that fails is logged, never the ingest's failure
    (the members stay marked for ``community.score_active``)."""
    from huey.contrib.djhuey import HUEY

    from ambassade.community import tasks

    key, now = flag_key(workspace_id), time.time()
    try:
        if not HUEY.put_if_empty(key, now):
            since = HUEY.get(key, peek=True)
            if isinstance(since, float) and now - since < FLAG_EXPIRES:
                return False
            HUEY.delete(key)  # its task was lost
            if not HUEY.put_if_empty(key, now):
                return False
        tasks.score_due.schedule((workspace_id,), delay=DEBOUNCE)
    except Exception:
        log.exception(
            "community: scoring of workspace %s after its batch not scheduled", workspace_id
        )
        return False
    return True


def clear_flag(workspace_id: int) -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.delete(flag_key(workspace_id))
