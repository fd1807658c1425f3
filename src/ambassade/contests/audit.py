"""Labels of the contests app's audit log actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

CREATED = register_audit_action("contests.contest.created", _("created the contest"))
UPDATED = register_audit_action("contests.contest.updated", _("changed the contest"))
EXCLUSIONS = register_audit_action(
    "contests.contest.exclusions", _("changed who is left out of the contest")
)
FROZEN = register_audit_action("contests.contest.frozen", _("froze the contest's entries"))
DRAWN = register_audit_action("contests.contest.drawn", _("drew the contest's winners"))
NOTIFIED = register_audit_action("contests.entry.notified", _("notified a contest winner"))
