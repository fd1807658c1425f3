"""Labels of the publishing app's audit log actions."""

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

POST_CREATED = register_audit_action("post.created", _("wrote the post"))
POST_UPDATED = register_audit_action("post.updated", _("edited the post"))
POST_SUBMITTED = register_audit_action("post.submitted", _("submitted for approval the post"))
POST_APPROVED = register_audit_action("post.approved", _("approved the post"))
POST_REJECTED = register_audit_action("post.rejected", _("rejected the post"))
POST_SCHEDULED = register_audit_action("post.scheduled", _("scheduled the post"))
POST_RESCHEDULED = register_audit_action("post.rescheduled", _("rescheduled the post"))
APPROVAL_EXPIRED = register_audit_action(
    "post.approval_expired", _("returned to draft (approval too late)")
)
POST_UNSCHEDULED = register_audit_action("post.unscheduled", _("took back to draft the post"))
POST_DELETED = register_audit_action("post.deleted", _("deleted the post"))
VARIANT_PUBLISHED = register_audit_action("variant.published", _("published"))
VARIANT_FAILED = register_audit_action("variant.failed", _("failed to publish"))
VARIANT_RETRIED = register_audit_action("variant.retried", _("asked to publish again"))
OUTBOX_PAUSED = register_audit_action("outbox.paused", _("paused the outbox"))
OUTBOX_RESUMED = register_audit_action("outbox.resumed", _("resumed the outbox"))
SETTINGS_CHANGED = register_audit_action(
    "publishing.settings_changed", _("changed the approval steps")
)
WEBHOOK_SET = register_audit_action("outbox.webhook_set", _("set the outbox webhook"))
WEBHOOK_SECRET_CHANGED = register_audit_action(
    "outbox.webhook_secret_changed", _("made a new secret for the outbox webhook")
)
WEBHOOK_REMOVED = register_audit_action("outbox.webhook_removed", _("removed the outbox webhook"))
WEBHOOK_TESTED = register_audit_action(
    "outbox.webhook_tested", _("sent a test event to the webhook")
)
