"""Background tasks of the response-time targets (Huey): the breach watch every minute, and the
recomputation of due times after a change of the settings (resumed when a worker died)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.inbox.targets import services


@db_task(name="inbox_targets.recompute")
def recompute(workspace_id: int) -> int:
    return services.recompute(workspace_id)


@db_periodic_task(crontab(minute="*"), name="inbox_targets.find_breaches")
def find_breaches() -> int:
    """Every minute: claim the deadlines that passed and raise their alerts; take up a
    recomputation a dead worker left."""
    services.resume_recomputations()
    return len(services.find_breaches())
