"""The replies' actions (docs/inbox.md, "Replying"). Answering and writing notes is the inbox's
``inbox.reply``; these add:

- ``replies.approve``: approve or reject the replies that wait for approval.
- ``replies.saved``: write the workspace's saved replies.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.permissions import APPROVER, EDITOR, MANAGER, OWNER, declare

REPLIES_APPROVE = declare(
    "replies.approve",
    _("Approve or reject replies that wait for approval"),
    {OWNER, MANAGER, APPROVER},
)
REPLIES_SAVED = declare(
    "replies.saved",
    _("Write the workspace's saved replies"),
    {OWNER, MANAGER, EDITOR},
)
