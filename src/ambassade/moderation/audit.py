"""Labels of the moderation app's audit log actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

RULE_SAVED = register_audit_action("moderation.rule.saved", _("saved the moderation rule"))
RULE_DELETED = register_audit_action("moderation.rule.deleted", _("deleted the moderation rule"))
CHARTER_SAVED = register_audit_action(
    "moderation.charter.saved", _("saved a version of the charter")
)
DECIDED = register_audit_action("moderation.decided", _("took a moderation decision"))
UNDONE = register_audit_action("moderation.undone", _("undid a moderation action on the network"))
APPEAL_DECIDED = register_audit_action("moderation.appeal", _("decided a moderation appeal"))
WARNED = register_audit_action("moderation.warned", _("warned a member"))
