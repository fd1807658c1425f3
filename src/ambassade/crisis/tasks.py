"""Background tasks of the crisis app (Huey). Tasks take ids and are idempotent: each hour is fed to a
detector once, each alert is claimed before it is delivered, each digest alert goes out once."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.crisis import services
from ambassade.crisis.models import Alert, AlertRule
from ambassade.workspaces.models import Workspace

log = logging.getLogger(__name__)


@db_task(name="crisis.deliver_alert")
def deliver_alert(alert_id: int) -> bool:
    return services.deliver_alert(alert_id)


@db_task(name="crisis.notify_crisis_opened")
def notify_crisis_opened(crisis_id: int) -> int:
    return services.notify_crisis_opened(crisis_id)


@db_task(name="crisis.feed_workspace")
def feed_workspace(workspace_id: int) -> int:
    workspace = Workspace.objects.filter(id=workspace_id).first()
    if workspace is None:
        return 0
    return len(services.feed_series(workspace))


@db_task(name="crisis.send_digest")
def send_digest(workspace_id: int) -> int:
    return services.send_digest(workspace_id)


@db_periodic_task(crontab(minute="2"), name="crisis.feed_series")
def feed_all_series() -> int:
    """Every hour: feed the hour that just ended to every watched series (a silent hour is a zero)."""
    ids = set(
        AlertRule.objects.filter(
            enabled=True,
            kind__in=[AlertRule.Kind.VOLUME_SPIKE, AlertRule.Kind.NEGATIVITY_SPIKE],
        ).values_list("workspace_id", flat=True)
    )
    for workspace_id in sorted(ids):
        feed_workspace(workspace_id)
    return len(ids)


@db_periodic_task(crontab(minute="7"), name="crisis.send_digests")
def send_digests() -> int:
    """Every hour: send each workspace's waiting low-severity alerts as one digest."""
    ids = sorted(
        set(Alert.objects.filter(pending_digest=True).values_list("workspace_id", flat=True))
    )
    for workspace_id in ids:
        send_digest(workspace_id)
    return len(ids)
