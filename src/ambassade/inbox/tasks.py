"""Background tasks of the inbox (Huey). Idempotent; each claims its rows with a conditional UPDATE."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ambassade.inbox import services


@db_periodic_task(crontab(minute="*"), name="inbox.wake_snoozed")
def wake_snoozed() -> int:
    """Every minute, open again the snoozed conversations whose time has come."""
    return services.wake_snoozed()


@db_periodic_task(crontab(minute="*/10"), name="inbox.refresh_priorities")
def refresh_priorities() -> int:
    """Every ten minutes, raise the priority of conversations people have waited on longer."""
    services.forget_presences()
    return services.refresh_priorities()
