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
MEMBER_TAGGED = register_audit_action(
    "community.member.tagged", _("changed the tags of the member")
)
MEMBERS_TAGGED = register_audit_action("community.members.tagged", _("tagged members"))
MEMBERS_UNTAGGED = register_audit_action(
    "community.members.untagged", _("removed tags from members")
)
NOTE_ADDED = register_audit_action("community.note.added", _("wrote a note about the member"))
NOTE_DELETED = register_audit_action("community.note.deleted", _("deleted a note about the member"))
MEMBER_FIELDS = register_audit_action(
    "community.member.fields", _("changed the custom fields of the member")
)
FIELD_SAVED = register_audit_action("community.field.saved", _("saved a custom field"))
FIELD_DELETED = register_audit_action("community.field.deleted", _("deleted a custom field"))
SEGMENT_SAVED = register_audit_action("community.segment.saved", _("saved a segment"))
SEGMENT_DELETED = register_audit_action("community.segment.deleted", _("deleted a segment"))
IMPORT_STARTED = register_audit_action(
    "community.import.started", _("started importing a customer file")
)
IMPORT_DONE = register_audit_action("community.import.done", _("imported a customer file"))
