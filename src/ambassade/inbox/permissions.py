"""The inbox's actions (docs/inbox.md, "Permissions").

- ``inbox.view``: read the inbox, its conversations (private messages included) and their notes.
- ``inbox.triage``: change a conversation's status, labels and snooze; send a mention to the inbox;
  take a conversation (assign it to oneself); save views.
- ``inbox.reply``: answer and write internal notes (the composer is docs/inbox.md, "Replying").
- ``inbox.assign``: assign conversations to anyone or to a team.
- ``inbox.manage``: teams, labels, routing rules, automatic assignment.
"""

from __future__ import annotations

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

INBOX_VIEW = declare(
    "inbox.view",
    _("Read the inbox and its conversations, private messages included"),
    {OWNER, MANAGER, EDITOR, MODERATOR, ANALYST, APPROVER},
)
INBOX_TRIAGE = declare(
    "inbox.triage",
    _("Change a conversation's status, labels and snooze; take it; send mentions to the inbox"),
    {OWNER, MANAGER, EDITOR, MODERATOR},
)
INBOX_REPLY = declare(
    "inbox.reply",
    _("Answer conversations and write internal notes"),
    {OWNER, MANAGER, EDITOR, MODERATOR},
)
INBOX_ASSIGN = declare(
    "inbox.assign",
    _("Assign conversations to anyone or to a team"),
    {OWNER, MANAGER, EDITOR, MODERATOR},
)
INBOX_MANAGE = declare(
    "inbox.manage",
    _("Set up teams, labels, routing rules and automatic assignment"),
    {OWNER, MANAGER},
)
