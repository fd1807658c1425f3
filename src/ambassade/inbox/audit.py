"""Labels of the inbox's audit log actions (settings changes; a conversation's own history is its
events)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

TEAM_SAVED = register_audit_action("inbox.team.saved", _("saved the inbox team"))
TEAM_DELETED = register_audit_action("inbox.team.deleted", _("deleted the inbox team"))
LABEL_SAVED = register_audit_action("inbox.label.saved", _("saved the inbox label"))
LABEL_DELETED = register_audit_action("inbox.label.deleted", _("deleted the inbox label"))
RULE_SAVED = register_audit_action("inbox.rule.saved", _("saved the inbox routing rule"))
RULE_DELETED = register_audit_action("inbox.rule.deleted", _("deleted the inbox routing rule"))
SETTINGS_SAVED = register_audit_action("inbox.settings.saved", _("changed the inbox settings"))
