"""Labels of the response-time targets' audit log actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

HOURS_SAVED = register_audit_action("inbox.business_hours.saved", _("changed the business hours"))
HOLIDAY_SAVED = register_audit_action("inbox.holiday.saved", _("saved the holiday"))
HOLIDAY_DELETED = register_audit_action("inbox.holiday.deleted", _("deleted the holiday"))
TARGET_SAVED = register_audit_action("inbox.target.saved", _("saved the response-time target"))
TARGET_DELETED = register_audit_action(
    "inbox.target.deleted", _("deleted the response-time target")
)
