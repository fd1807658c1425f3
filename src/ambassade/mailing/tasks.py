"""Background tasks of mailing (Huey). Tasks take ids and are idempotent."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.mailing import bounces, sending, services
from ambassade.workspaces.models import Workspace

log = logging.getLogger(__name__)


@db_task(name="mailing.send_campaign")
def send_campaign(campaign_id: int) -> int:
    """Send for up to four minutes; the minute's pass below takes the rest up."""
    result = sending.run(campaign_id)
    return result.sent


@db_periodic_task(crontab(minute="*"), name="mailing.resume")
def resume() -> int:
    """Every minute: the campaigns being sent without a live worker (a worker that stopped, a
    campaign that waited for its pace or for its server) are taken up where they were."""
    found = sending.due()
    for campaign_id in found:
        send_campaign(campaign_id)
    return len(found)


@db_periodic_task(crontab(minute="*"), name="mailing.start_scheduled")
def start_scheduled() -> int:
    """Every minute: the scheduled campaigns whose time has come are started, each once (a
    conditional UPDATE; several workers may run this at the same minute)."""
    return len(services.start_due())


@db_periodic_task(crontab(minute="*/10"), name="mailing.read_bounces")
def read_bounces() -> int:
    """Every ten minutes: bounces of the campaigns of the last 30 days."""
    done = 0
    for workspace in Workspace.objects.filter(pk__in=bounces.workspaces_to_read()):
        bounces.read_bounces(workspace)
        done += 1
    return done
