"""Labels of the events app's audit log actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

CREATED = register_audit_action("events.event.created", _("created the event"))
UPDATED = register_audit_action("events.event.updated", _("changed the event"))
FOLLOWUP = register_audit_action("events.event.followup", _("sent the event's follow-up"))
CANCELLED = register_audit_action("events.rsvp.cancelled", _("cancelled an RSVP"))
UNDONE = register_audit_action("events.rsvp.check_in_undone", _("undid a check-in"))
