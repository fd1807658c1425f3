"""Labels of the replies' audit log actions (a reply's own history is its conversation's events)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

SAVED_REPLY_SAVED = register_audit_action("replies.saved.saved", _("saved the saved reply"))
SAVED_REPLY_DELETED = register_audit_action("replies.saved.deleted", _("deleted the saved reply"))
SETTINGS_SAVED = register_audit_action(
    "replies.settings.saved", _("changed which replies need approval")
)
