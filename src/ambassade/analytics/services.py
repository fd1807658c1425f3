"""Every write of the analytics app: objectives and their KPIs, each recorded in the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max

from ambassade.analytics import audit
from ambassade.analytics.models import Kpi, Objective
from ambassade.workspaces.services import record_audit

__all__ = ["add_kpi", "create_objective", "delete_objective", "remove_kpi", "update_objective"]


@transaction.atomic
def create_objective(
    workspace: Any, actor: Any, *, name: str, type: str, description: str = ""
) -> Objective:
    objective = Objective.objects.create(
        workspace=workspace,
        name=name,
        type=type,
        description=description,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_audit(workspace, actor, audit.OBJECTIVE_CREATED, objective)
    return objective


@transaction.atomic
def update_objective(objective: Objective, actor: Any, **fields: str) -> Objective:
    for name, value in fields.items():
        setattr(objective, name, value)
    objective.save(update_fields=list(fields))
    record_audit(objective.workspace, actor, audit.OBJECTIVE_UPDATED, objective)
    return objective


@transaction.atomic
def delete_objective(objective: Objective, actor: Any) -> None:
    record_audit(objective.workspace, actor, audit.OBJECTIVE_DELETED, objective)
    objective.delete()


@transaction.atomic
def add_kpi(
    objective: Objective,
    actor: Any,
    *,
    metric: str,
    target: float,
    period_start: date,
    period_end: date,
) -> Kpi:
    last = objective.kpis.aggregate(n=Max("position"))["n"]
    kpi = Kpi.objects.create(
        workspace=objective.workspace,
        objective=objective,
        metric=metric,
        target=target,
        period_start=period_start,
        period_end=period_end,
        position=0 if last is None else last + 1,
    )
    record_audit(
        objective.workspace,
        actor,
        audit.KPI_ADDED,
        objective,
        details={"metric": metric, "target": target},
    )
    return kpi


@transaction.atomic
def remove_kpi(kpi: Kpi, actor: Any) -> None:
    record_audit(
        kpi.workspace, actor, audit.KPI_REMOVED, kpi.objective, details={"metric": kpi.metric}
    )
    kpi.delete()
