"""Background tasks of the listening app (Huey). Tasks take ids and are idempotent."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.listening import services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"), name="listening.poll_due_sources")
def poll_due_sources() -> int:
    """Every minute, claim the enabled sources due by their interval and poll each."""
    claimed = services.claim_due_sources()
    for source_id in claimed:
        poll_source(source_id)
    return len(claimed)


@db_task(name="listening.poll_source")
def poll_source(source_id: int) -> int:
    result = services.poll_source(source_id)
    return result.created if result is not None else 0


@db_task(name="listening.import_file")
def import_file(source_id: int) -> int:
    from ambassade.listening import imports

    result = imports.run_file_import(source_id)
    return result.created if result is not None else 0


@db_periodic_task(crontab(minute="*"), name="listening.recover_imports")
def recover_imports() -> int:
    """Every minute, run again (or mark failed) the imports whose worker stopped."""
    from ambassade.listening import imports

    return len(imports.recover_imports())


@db_task(name="listening.backfill_query")
def backfill_query(backfill_id: int) -> int:
    """Apply a query to the stored mentions (resumes where a stopped worker left it)."""
    from ambassade.listening import backfill

    result = backfill.run_backfill(backfill_id)
    return result.matched if result is not None else 0


@db_periodic_task(crontab(minute="*"), name="listening.resume_backfills")
def resume_backfills() -> int:
    """Every minute, enqueue again the backfills whose worker stopped or whose task was lost."""
    from ambassade.listening import backfill

    found = backfill.resumable()
    for backfill_id in found:
        backfill_query(backfill_id)
    return len(found)


@db_periodic_task(crontab(minute="*"), name="listening.keep_rollups")
def keep_rollups() -> int:
    """Every minute, rebuild the rollups of distinct mentions that need it (never built, built in
    another time zone, or a rebuild whose worker stopped: it resumes from its position)."""
    from ambassade.listening import rollup
    from ambassade.workspaces.models import Workspace

    found = rollup.resumable()
    for workspace in Workspace.objects.filter(pk__in=found):
        try:
            rollup.rebuild(workspace)
        except Exception:  # marked failed with its reason; the readers count the mentions
            log.exception("the rollup of workspace %s could not be rebuilt", workspace.pk)
    return len(found)
