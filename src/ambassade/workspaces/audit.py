"""Labels of the audit log's actions.

An app that writes to the audit log (through ``services.record_audit``) registers a label for each of
its action codes, so the log reads as sentences in the person's language::

    register_audit_action("post.published", _("published a post"))

An action without a label is shown by its code.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["AUDIT_ACTIONS", "audit_label", "register_audit_action"]

AUDIT_ACTIONS: dict[str, str | Promise] = {}


def register_audit_action(code: str, label: str | Promise) -> str:
    AUDIT_ACTIONS[code] = label
    return code


def audit_label(code: str) -> str:
    return str(AUDIT_ACTIONS.get(code, code))


ORGANISATION_CREATED = register_audit_action("organisation.created", _("created the organisation"))
WORKSPACE_CREATED = register_audit_action("workspace.created", _("created the workspace"))
WORKSPACE_UPDATED = register_audit_action("workspace.updated", _("changed the settings"))
MEMBER_INVITED = register_audit_action("member.invited", _("invited"))
INVITATION_REVOKED = register_audit_action("invitation.revoked", _("revoked the invitation of"))
INVITATION_ACCEPTED = register_audit_action("invitation.accepted", _("joined the workspace"))
MEMBER_ADDED = register_audit_action("member.added", _("added"))
ROLE_CHANGED = register_audit_action("member.role_changed", _("changed the role of"))
MEMBER_REMOVED = register_audit_action("member.removed", _("removed"))
CONNECTION_ADDED = register_audit_action("connection.added", _("connected"))
CONNECTION_NEEDS_RECONNECTION = register_audit_action(
    "connection.needs_reconnection", _("flagged for reconnection")
)
CONNECTION_REMOVED = register_audit_action("connection.removed", _("disconnected"))
