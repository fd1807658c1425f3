"""Labels of the crisis app's audit log actions."""

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

RULE_SAVED = register_audit_action("alert_rule.saved", _("saved the alert rule"))
RULE_DELETED = register_audit_action("alert_rule.deleted", _("deleted the alert rule"))
CHANNEL_SAVED = register_audit_action("alert_channel.saved", _("saved the alert channel"))
CHANNEL_DELETED = register_audit_action("alert_channel.deleted", _("deleted the alert channel"))
CRISIS_OPENED = register_audit_action("crisis.opened", _("opened the crisis"))
CRISIS_CLOSED = register_audit_action("crisis.closed", _("closed the crisis"))
PLAYBOOK_SAVED = register_audit_action("crisis.playbook_saved", _("edited the crisis playbook"))
