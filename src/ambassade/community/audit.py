"""Labels of the community app's audit log actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

MEMBER_MERGED = register_audit_action("community.member.merged", _("merged into the member"))
MEMBER_SPLIT = register_audit_action(
    "community.member.split", _("separated an identity from the member")
)
MEMBER_UPDATED = register_audit_action(
    "community.member.updated", _("changed the notes of the member")
)
MEMBER_STAFF = register_audit_action(
    "community.member.staff", _("marked the member as staff of the brand")
)
MEMBER_NOT_STAFF = register_audit_action(
    "community.member.not_staff", _("marked the member as not staff of the brand")
)
CONSENT_RECORDED = register_audit_action(
    "community.consent.recorded", _("recorded a consent of the member")
)
CONSENT_REQUESTED = register_audit_action(
    "community.consent.requested", _("asked the member to confirm their e-mail consent")
)
CONSENT_CONFIRMED = register_audit_action(
    "community.consent.confirmed", _("the member confirmed their e-mail consent")
)
MEMBER_EXPORTED = register_audit_action(
    "community.member.exported", _("exported the personal data of the member")
)
MEMBER_ERASED = register_audit_action(
    "community.member.erased", _("erased the personal data of a member")
)
