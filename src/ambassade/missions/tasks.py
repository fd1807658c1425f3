"""Background tasks of missions (Huey). Tasks take ids and are idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.missions import services


@db_task(name="missions.match_workspace")
def match_workspace(workspace_id: int) -> int:
    """Complete the missions the workspace's new mentions complete (from where the last run
    stopped; nothing twice)."""
    return services.match_new(workspace_id) or 0


@db_periodic_task(crontab(minute="*"), name="missions.match_behind")
def match_behind() -> int:
    """Every minute, take up the workspaces whose matching stopped or whose task was lost."""
    found = services.workspaces_to_match()
    for workspace_id in found:
        match_workspace(workspace_id)
    return len(found)


@db_task(name="missions.scan_mission")
def scan_mission(mission_id: int) -> int:
    """Complete a new or changed mission from the mentions stored before it (resumable)."""
    mission = services.scan(mission_id)
    return mission.scanned if mission is not None else 0


@db_periodic_task(crontab(minute="*"), name="missions.resume_scans")
def resume_scans() -> int:
    """Every minute, take up the scans whose worker stopped or whose task was lost."""
    found = services.scannable()
    for mission_id in found:
        scan_mission(mission_id)
    return len(found)
