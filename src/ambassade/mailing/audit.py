"""Labels of the mailing app's audit log actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

CREATED = register_audit_action("mailing.campaign.created", _("created the e-mail campaign"))
UPDATED = register_audit_action("mailing.campaign.updated", _("changed the e-mail campaign"))
TESTED = register_audit_action("mailing.campaign.tested", _("sent a test of the e-mail campaign"))
STARTED = register_audit_action(
    "mailing.campaign.started", _("started sending the e-mail campaign")
)
PAUSED = register_audit_action("mailing.campaign.paused", _("paused the e-mail campaign"))
RESUMED = register_audit_action("mailing.campaign.resumed", _("resumed the e-mail campaign"))
CANCELLED = register_audit_action("mailing.campaign.cancelled", _("cancelled the e-mail campaign"))
DELETED = register_audit_action("mailing.campaign.deleted", _("deleted the e-mail campaign"))
SCHEDULED = register_audit_action("mailing.campaign.scheduled", _("scheduled the e-mail campaign"))
UNSCHEDULED = register_audit_action(
    "mailing.campaign.unscheduled", _("cancelled the scheduling of the e-mail campaign")
)
SCHEDULE_FAILED = register_audit_action(
    "mailing.campaign.schedule_failed", _("could not start the scheduled e-mail campaign")
)
DKIM_KEY_SET = register_audit_action(
    "mailing.dkim.key_set", _("set the DKIM key of the e-mail campaigns")
)
DKIM_KEY_REMOVED = register_audit_action(
    "mailing.dkim.key_removed", _("removed the DKIM key of the e-mail campaigns")
)
