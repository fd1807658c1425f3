"""The missions app's actions (see docs/community.md for the role table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.permissions import (
    ANALYST,
    EDITOR,
    MANAGER,
    MODERATOR,
    OWNER,
    declare,
)

MISSIONS_VIEW = declare(
    "missions.view",
    _("See the ambassadors' missions, who did them and the leaderboard"),
    {OWNER, MANAGER, EDITOR, MODERATOR, ANALYST},
)
MISSIONS_MANAGE = declare(
    "missions.manage",
    _("Give missions to ambassadors and mark them done"),
    {OWNER, MANAGER, EDITOR},
)
