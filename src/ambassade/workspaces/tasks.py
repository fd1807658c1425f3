"""Background tasks of the workspaces app (Huey). Tasks take ids and are idempotent."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ambassade.workspaces import services, throttle, tokens

log = logging.getLogger(__name__)

PURGE_SCHEDULE = crontab(minute="17", hour="3")


@db_periodic_task(PURGE_SCHEDULE, name="workspaces.purge_expired_invitations")
def purge_expired_invitations() -> int:
    """Every day at 03:17 UTC, delete the invitations that expired unused."""
    count = services.purge_expired_invitations()
    if count:
        log.info("purged %d expired invitations", count)
    return count


@db_periodic_task(crontab(minute="*/30"), name="workspaces.purge_login_throttles")
def purge_login_throttles() -> int:
    """Every half hour, forget failed log-ins whose window and lock are over."""
    return throttle.purge()


@db_periodic_task(crontab(minute="*/10"), name="workspaces.refresh_expiring_tokens")
def refresh_expiring_tokens() -> dict[str, int]:
    """Every 10 minutes, renew the OAuth tokens that expire soon (30 minutes for X and Reddit,
    7 days for Threads and LinkedIn); flag the refused ones for reconnection (workspaces.tokens)."""
    outcomes = tokens.refresh_expiring()
    if outcomes:
        log.info("token refresh: %s", ", ".join(f"{k}={v}" for k, v in sorted(outcomes.items())))
    return outcomes
