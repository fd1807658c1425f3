"""Labels of the listening app's audit log actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

SOURCE_CREATED = register_audit_action("listening.source.created", _("added the source"))
SOURCE_UPDATED = register_audit_action("listening.source.updated", _("changed the source"))
SOURCE_DELETED = register_audit_action("listening.source.deleted", _("removed the source"))
QUERY_CREATED = register_audit_action("listening.query.created", _("created the listening query"))
QUERY_UPDATED = register_audit_action("listening.query.updated", _("changed the listening query"))
QUERY_DELETED = register_audit_action("listening.query.deleted", _("deleted the listening query"))
QUERY_BACKFILLED = register_audit_action(
    "listening.query.backfilled", _("applied to stored mentions the listening query")
)
COMPETITOR_CREATED = register_audit_action(
    "listening.competitor.created", _("added the competitor")
)
MENTIONS_IMPORTED = register_audit_action("listening.import", _("imported mentions into"))
IMPORT_RETRIED = register_audit_action("listening.import.retried", _("retried the import of"))
