"""Background tasks of contests (Huey). Tasks take ids and are idempotent."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.contests import drawing, entries, services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"), name="contests.collect_entries")
def collect_entries() -> int:
    """Every minute: collect the entries of the open contests from the mentions stored since the
    last run (a collection whose worker stopped is taken up where it was), and freeze the entries
    of the contests past their close."""
    for contest_id in drawing.collectable():
        collect_contest(contest_id)
    frozen = 0
    for contest_id in drawing.freezable():
        try:
            if drawing.freeze(contest_id) is not None:
                frozen += 1
        except services.ContestError:
            log.info("contest %s cannot be frozen yet", contest_id)
    entries.purge_throttles()  # the public form's old rate-limit rows
    return frozen


@db_task(name="contests.collect_contest")
def collect_contest(contest_id: int) -> int:
    state = entries.collect(contest_id)
    return state.found if state is not None else 0
