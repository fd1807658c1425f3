"""The publishing app's actions. An approver (a client) sees posts and approves them; composing is
for owners, managers and editors; pausing the outbox and setting the approval steps is for owners
and managers."""

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.permissions import (
    ANALYST,
    APPROVER,
    EDITOR,
    MANAGER,
    MODERATOR,
    OWNER,
    declare,
)

PUBLISHING_VIEW = declare(
    "publishing.view",
    _("See posts, the calendar and the outbox"),
    {OWNER, MANAGER, EDITOR, MODERATOR, ANALYST, APPROVER},
)
POST_CREATE = declare(
    "publishing.post.create",
    _("Write, schedule and retry posts"),
    {OWNER, MANAGER, EDITOR},
)
POST_APPROVE = declare(
    "publishing.post.approve", _("Approve or reject posts"), {OWNER, MANAGER, APPROVER}
)
OUTBOX_MANAGE = declare(
    "publishing.outbox.manage",
    _("Pause the outbox and set the approval steps"),
    {OWNER, MANAGER},
)
