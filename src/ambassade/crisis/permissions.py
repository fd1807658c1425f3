"""The crisis app's actions (docs/crisis.md has the role table).

Everyone who reads the workspace's listening sees its alerts and crises; editors and moderators work a
crisis's checklist; owners and managers set the rules, open and close crises and resume the outbox.
"""

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.permissions import (
    ALL_ROLES,
    ANALYST,
    EDITOR,
    MANAGER,
    MODERATOR,
    OWNER,
    declare,
)

NOTIFICATIONS_VIEW = declare(
    "crisis.notifications.view", _("Read one's own notifications"), ALL_ROLES
)
ALERTS_VIEW = declare(
    "crisis.alerts.view",
    _("See alerts and crises"),
    {OWNER, MANAGER, EDITOR, MODERATOR, ANALYST},
)
ALERTS_TRIAGE = declare(
    "crisis.alerts.triage",
    _("Acknowledge and close alerts"),
    {OWNER, MANAGER, EDITOR, MODERATOR},
)
ALERTS_MANAGE = declare(
    "crisis.alerts.manage", _("Set up alert rules and channels"), {OWNER, MANAGER}
)
CRISIS_WORK = declare(
    "crisis.work",
    _("Work a crisis: tick the checklist, log actions and statements"),
    {OWNER, MANAGER, EDITOR, MODERATOR},
)
CRISIS_MANAGE = declare(
    "crisis.manage",
    _("Open and close crises, resume the outbox, edit the playbook"),
    {OWNER, MANAGER},
)
