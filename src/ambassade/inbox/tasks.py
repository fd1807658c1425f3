"""Background tasks of the inbox (Huey). Idempotent; each claims its rows with a conditional UPDATE."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.inbox import listing, polling, services


@db_periodic_task(crontab(minute="*"), name="inbox.wake_snoozed")
def wake_snoozed() -> int:
    """Every minute, open again the snoozed conversations whose time has come."""
    return services.wake_snoozed()


@db_periodic_task(crontab(minute="*/10"), name="inbox.refresh_priorities")
def refresh_priorities() -> int:
    """Every ten minutes, raise the priority of conversations people have waited on longer."""
    services.forget_presences()
    return services.refresh_priorities()


@db_periodic_task(crontab(minute="*"), name="inbox.poll_messages")
def poll_messages() -> int:
    """Every minute, give new connections a message feed, claim the feeds due and read each."""
    polling.ensure_feeds()
    claimed = polling.claim_due_feeds()
    for feed_id in claimed:
        poll_feed(feed_id)
    return len(claimed)


@db_periodic_task(crontab(minute="23", hour="*/6"), name="inbox.refresh_statistics")
def refresh_statistics() -> bool:
    """Every six hours, SQLite's statistics of the list's tables (listing.refresh_statistics)."""
    return listing.refresh_statistics()


@db_task(name="inbox.poll_feed")
def poll_feed(feed_id: int) -> int:
    return polling.poll_feed(feed_id)
