"""Background tasks of the outbox (Huey). Tasks take ids and are idempotent: each one starts with the
conditional UPDATE that claims its variant, so a task run twice, or by two workers, acts once.

On time: the periodic ``run_outbox`` (every minute) enqueues each variant due within the next
``outbox_engine.ENQUEUE_AHEAD`` as ``publish_variant`` with Huey's ``eta`` at its due time; after every
step, :func:`follow_up` enqueues the next one at its own time (a retry after a rate limit's reset,
the reconciliation of an unknown outcome, the watch on a claim whose worker may die). A task lost
with a killed worker costs at most the next periodic run: that run finds the work still to do.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.publishing import accounts, metrics, webhooks
from ambassade.publishing.outbox import engine as outbox_engine
from ambassade.publishing.outbox import posts as outbox

log = logging.getLogger(__name__)


def _schedule(task: object, variant_id: int, at: datetime) -> None:
    task.schedule((variant_id,), eta=at)  # type: ignore[attr-defined]


def follow_up(variant_id: int) -> None:
    """Enqueue the variant's next step at its time, if that is before the next periodic run."""
    step = outbox.next_step(variant_id)
    if step is None:
        return
    kind, at = step
    if at > timezone.now() + outbox_engine.ENQUEUE_AHEAD:
        return  # a later periodic run enqueues it
    _schedule(
        {"publish": publish_variant, "reconcile": reconcile_variant, "watch": watch_variant}[kind],
        variant_id,
        at,
    )


@db_task(name="publishing.publish_variant")
def publish_variant(variant_id: int) -> str:
    status = outbox.publish_variant(variant_id, on_claim=_claimed)
    if status != "skipped":
        follow_up(variant_id)
    return status


@db_task(name="publishing.reconcile_variant")
def reconcile_variant(variant_id: int) -> str:
    status = outbox.reconcile_variant(variant_id)
    if status != "skipped":
        follow_up(variant_id)
    return status


@db_task(name="publishing.watch_variant")
def watch_variant(variant_id: int) -> int:
    """A claim is checked for a dead worker once its heartbeat could be stale."""
    stuck = outbox.expire_stuck(ids=[variant_id])
    follow_up(variant_id)
    return stuck


def _claimed(variant_id: int) -> None:
    """Called by services right after a claim: the watch outlives the worker if it dies."""
    # Just after the heartbeat could first be judged silent (the watch reschedules itself while
    # the worker beats).
    _schedule(
        watch_variant, variant_id, timezone.now() + outbox_engine.DEAD_AFTER + timedelta(seconds=1)
    )


@db_task(name="publishing.deliver_webhook")
def deliver_webhook(delivery_id: int) -> bool:
    """POST one status-change event; on a temporary failure, try again later (bounded back-off)."""
    again = webhooks.deliver(delivery_id)
    if again is not None:
        deliver_webhook.schedule((delivery_id,), eta=again)
    return again is None


@db_periodic_task(crontab(minute="*"), name="publishing.run_outbox")
def run_outbox() -> dict[str, int]:
    """Every minute: dead claims are swept, and unknown outcomes and due variants enqueued, each
    at its own time (``eta``)."""
    counts = outbox.run_outbox(
        publish_at=lambda i, at: _schedule(publish_variant, i, at),
        reconcile_at=lambda i, at: _schedule(reconcile_variant, i, at),
    )
    # Webhook deliveries whose task was lost with a killed worker, or whose retry is due.
    for delivery_id in webhooks.due_deliveries():
        deliver_webhook(delivery_id)
    if any(counts.values()):
        log.info("outbox: %s", counts)
    return counts


@db_task(name="publishing.refresh_limits")
def refresh_limits(connection_id: int) -> bool:
    return accounts.refresh_limits(connection_id)


@db_periodic_task(crontab(minute="41", hour="*/6"), name="publishing.refresh_all_limits")
def refresh_all_limits() -> int:
    """Every six hours, ask each account's server for its limits (Mastodon's max_characters…)."""
    ids = list(accounts.publishable_connections_everywhere().values_list("id", flat=True))
    for connection_id in ids:
        refresh_limits(connection_id)
    return len(ids)


@db_task(name="publishing.read_back_metrics")
def read_back_metrics(variant_id: int) -> bool:
    return metrics.read_back_metrics(variant_id)


@db_periodic_task(crontab(minute="23"), name="publishing.read_all_metrics")
def read_all_metrics() -> int:
    """Every hour, read back the posts published a day ago: their likes, reposts and replies feed
    the post page and "best time to post"."""
    ids = metrics.variants_for_metrics()
    for variant_id in ids:
        read_back_metrics(variant_id)
    return len(ids)
