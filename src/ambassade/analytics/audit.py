"""Labels of the analytics app's audit log actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

OBJECTIVE_CREATED = register_audit_action("analytics.objective.created", _("set the objective"))
OBJECTIVE_UPDATED = register_audit_action("analytics.objective.updated", _("changed the objective"))
OBJECTIVE_DELETED = register_audit_action("analytics.objective.deleted", _("removed the objective"))
KPI_ADDED = register_audit_action("analytics.kpi.added", _("added an indicator to the objective"))
KPI_REMOVED = register_audit_action(
    "analytics.kpi.removed", _("removed an indicator from the objective")
)
