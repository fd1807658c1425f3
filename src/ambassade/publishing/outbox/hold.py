"""The crisis hold: a paused workspace's outbox claims and reconciles nothing.

``OutboxSettings.paused`` is per workspace and applies to every kind of item the outbox sends.
:func:`pause_outbox` and :func:`resume_outbox` are what the crisis app calls (``crisis/outbox.py``);
each kind hears of the change through :func:`on_change` (posts send their status webhook).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from ambassade.publishing import audit
from ambassade.publishing.models import OutboxSettings
from ambassade.workspaces.messages import StoredMessage
from ambassade.workspaces.models import Workspace
from ambassade.workspaces.services import record_audit

__all__ = [
    "is_paused",
    "not_paused",
    "on_change",
    "outbox_settings",
    "pause_outbox",
    "resume_outbox",
]

#: Called with (workspace, "held" | "resumed") after the hold changes.
_LISTENERS: list[Callable[[Workspace, str], None]] = []


def on_change(listener: Callable[[Workspace, str], None]) -> None:
    """Let a kind hear when a workspace's outbox is held or resumed (once per listener)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def outbox_settings(workspace: Workspace) -> OutboxSettings:
    found, _created = OutboxSettings.objects.get_or_create(workspace=workspace)
    return found


def not_paused() -> Q:
    """Items of workspaces whose outbox runs (for any model with a ``workspace`` key).

    Written without a join on purpose: Django turns a conditional UPDATE whose filter joins another
    table into ``UPDATE … WHERE id IN (SELECT … WHERE status = … AND attempts = …)``, and under
    PostgreSQL's READ COMMITTED a second, concurrent UPDATE re-checks only ``id IN (…)`` on the row
    the first one changed, not the status or the attempt count inside the subquery: both claims
    would succeed, and the post would go out twice (seen by ``ambassade bench outbox`` on
    PostgreSQL). A subquery on the other table keeps every condition on the item's own row."""
    return ~Q(workspace_id__in=OutboxSettings.objects.filter(paused=True).values("workspace_id"))


def pause_outbox(workspace: Workspace, reason: Any, actor: Any = None) -> bool:
    """Hold everything the workspace sends (crisis mode calls this). Idempotent: returns True when
    the outbox was running. Items already being sent finish; nothing new is claimed. ``reason``:
    what a person typed, or a coded message (worded for whoever reads the outbox)."""
    reason = StoredMessage.of(reason)
    outbox_settings(workspace)
    changed = OutboxSettings.objects.filter(workspace=workspace, paused=False).update(
        paused=True,
        pause_reason=reason,
        paused_at=timezone.now(),
        paused_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if changed:
        record_audit(
            workspace, actor, audit.OUTBOX_PAUSED, None, details={"reason": reason.to_json()}
        )
        for listener in _LISTENERS:
            listener(workspace, "held")
    return bool(changed)


def resume_outbox(workspace: Workspace, actor: Any = None) -> bool:
    """Let the outbox run again. Held items whose time has passed go out at the next run."""
    changed = OutboxSettings.objects.filter(workspace=workspace, paused=True).update(
        paused=False, pause_reason="", paused_at=None, paused_by=None
    )
    if changed:
        record_audit(workspace, actor, audit.OUTBOX_RESUMED, None)
        for listener in _LISTENERS:
            listener(workspace, "resumed")
    return bool(changed)


def is_paused(workspace: Workspace) -> bool:
    return OutboxSettings.objects.filter(workspace=workspace, paused=True).exists()
