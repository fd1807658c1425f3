"""Moderation's background work: each action on the network as a task, and a periodic pass that
sends what is due, settles unknown outcomes and lifts temporary mutes and bans at their end."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.moderation import outbox, services

log = logging.getLogger(__name__)


@db_task(name="moderation.carry_out")
def carry_out(action_id: int) -> str:
    return outbox.carry_out(action_id)


@db_periodic_task(crontab(minute="*"), name="moderation.run")
def run() -> dict[str, int]:
    lifted = services.lift_expired()
    counts = {**outbox.run(), "lifted": lifted}
    if any(counts.values()):
        log.info("moderation: %s", counts)
    return counts
