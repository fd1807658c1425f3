"""Background tasks of the outbox (Huey). Tasks take ids and are idempotent: each one starts with the
conditional UPDATE that claims its variant, so a task run twice, or by two workers, acts once."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.publishing import services

log = logging.getLogger(__name__)


@db_task(name="publishing.publish_variant")
def publish_variant(variant_id: int) -> str:
    return services.publish_variant(variant_id)


@db_task(name="publishing.reconcile_variant")
def reconcile_variant(variant_id: int) -> str:
    return services.reconcile_variant(variant_id)


@db_periodic_task(crontab(minute="*"), name="publishing.run_outbox")
def run_outbox() -> dict[str, int]:
    """Every minute: unknown outcomes are reconciled and due variants enqueued, one task each."""
    counts = services.run_outbox(publish=publish_variant, reconcile=reconcile_variant)
    if any(counts.values()):
        log.info("outbox: %s", counts)
    return counts


@db_task(name="publishing.refresh_limits")
def refresh_limits(connection_id: int) -> bool:
    return services.refresh_limits(connection_id)


@db_periodic_task(crontab(minute="41", hour="*/6"), name="publishing.refresh_all_limits")
def refresh_all_limits() -> int:
    """Every six hours, ask each account's server for its limits (Mastodon's max_characters…)."""
    ids = list(services.publishable_connections_everywhere().values_list("id", flat=True))
    for connection_id in ids:
        refresh_limits(connection_id)
    return len(ids)


@db_task(name="publishing.read_back_metrics")
def read_back_metrics(variant_id: int) -> bool:
    return services.read_back_metrics(variant_id)


@db_periodic_task(crontab(minute="23"), name="publishing.read_all_metrics")
def read_all_metrics() -> int:
    """Every hour, read back the posts published a day ago: their likes, reposts and replies feed
    the post page and "best time to post"."""
    ids = services.variants_for_metrics()
    for variant_id in ids:
        read_back_metrics(variant_id)
    return len(ids)
