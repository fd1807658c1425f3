"""Background tasks of the community (Huey): storing members' scores for segments and lists."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.community import scores
from ambassade.workspaces.models import Workspace


@db_task(name="community.score_members")
def score_members(workspace_id: int, everyone: bool = False) -> int:
    """Store the scores of the workspace's members active since they were last scored (merged,
    split, new), or of ``everyone``."""
    ids = None if everyone else list(scores.stale_members(workspace_id))
    if ids == []:
        return 0
    return scores.store_scores(workspace_id, ids)


@db_task(name="community.score_due")
def score_due(workspace_id: int) -> int:
    """The members ingest batches touched since their scores were last stored
    (``community/rescoring.py``: scheduled a little after a batch, one for a burst)."""
    from ambassade.community import rescoring

    rescoring.clear_flag(workspace_id)  # a batch from now on schedules the next one
    ids = rescoring.due_members(workspace_id)
    if not ids:
        return 0
    return scores.store_scores(workspace_id, ids)


@db_periodic_task(crontab(minute="*/15"), name="community.score_active")
def score_active() -> int:
    """Every 15 minutes, the members active since they were last scored, in every workspace
    (those an ingest batch marked included: their own task may have been lost)."""
    return sum(
        scores.store_scores(workspace_id, list(scores.stale_members(workspace_id)))
        for workspace_id in Workspace.objects.values_list("id", flat=True)
    )


@db_periodic_task(crontab(minute="20", hour="3"), name="community.score_everyone")
def score_everyone() -> int:
    """Every night, everyone: a day passed, activities left the year's look-back, levels of a new
    month may fall, dormant members became dormant."""
    return sum(
        scores.store_scores(workspace_id)
        for workspace_id in Workspace.objects.values_list("id", flat=True)
    )


@db_task(name="community.import_customers")
def import_customers(import_id: int) -> str:
    """Check then write a customer file (community/imports.py)."""
    from ambassade.community import imports

    found = imports.run(import_id)
    return found.state if found is not None else ""


@db_periodic_task(crontab(minute="*"), name="community.recover_imports")
def recover_imports() -> int:
    """Every minute, run again the customer files whose worker stopped or whose task was lost."""
    from ambassade.community import imports

    found = imports.recover()
    for import_id in found:
        import_customers(import_id)
    return len(found)
