"""Labels of the missions app's audit log actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

CREATED = register_audit_action("missions.mission.created", _("added the mission"))
UPDATED = register_audit_action("missions.mission.updated", _("changed the mission"))
DELETED = register_audit_action("missions.mission.deleted", _("deleted the mission"))
MARKED = register_audit_action("missions.completion.marked", _("marked a mission done"))
UNDONE = register_audit_action("missions.completion.undone", _("took back a mission's completion"))
