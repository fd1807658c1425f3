"""Background tasks of the replies' outbox (Huey), as the posts' (publishing/tasks.py): each starts
with the engine's conditional UPDATE, so a task run twice, or by two workers, acts once. A reply is
enqueued when it is submitted or approved; the periodic run finds whatever a killed worker left."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.publishing.outbox import engine
from ambassade.replies import outbox

log = logging.getLogger(__name__)


def _schedule(task: object, reply_id: int, at: datetime) -> None:
    task.schedule((reply_id,), eta=at)  # type: ignore[attr-defined]


def follow_up(reply_id: int) -> None:
    """Enqueue the reply's next step at its time, if that is before the next periodic run."""
    step = engine.next_step(outbox.REPLIES, reply_id)
    if step is None:
        return
    kind, at = step
    if at > timezone.now() + engine.ENQUEUE_AHEAD:
        return
    _schedule(
        {"publish": send_reply, "reconcile": reconcile_reply, "watch": watch_reply}[kind],
        reply_id,
        at,
    )


def _claimed(reply_id: int) -> None:
    _schedule(watch_reply, reply_id, timezone.now() + engine.DEAD_AFTER + timedelta(seconds=1))


@db_task(name="replies.send_reply")
def send_reply(reply_id: int) -> str:
    status = outbox.send_reply(reply_id, on_claim=_claimed)
    if status != "skipped":
        follow_up(reply_id)
    return status


@db_task(name="replies.reconcile_reply")
def reconcile_reply(reply_id: int) -> str:
    status = outbox.reconcile_reply(reply_id)
    if status != "skipped":
        follow_up(reply_id)
    return status


@db_task(name="replies.watch_reply")
def watch_reply(reply_id: int) -> int:
    stuck = engine.expire_stuck(outbox.REPLIES, ids=[reply_id])
    follow_up(reply_id)
    return stuck


@db_periodic_task(crontab(minute="*"), name="replies.run_outbox")
def run_outbox() -> dict[str, int]:
    """Every minute: dead claims swept, unknown outcomes and due replies enqueued at their time,
    sent replies missing from their thread recorded."""
    counts = outbox.run_outbox(
        send_at=lambda i, at: _schedule(send_reply, i, at),
        reconcile_at=lambda i, at: _schedule(reconcile_reply, i, at),
    )
    if any(counts.values()):
        log.info("replies outbox: %s", counts)
    return counts
