"""The contests app's actions (see docs/contests.md for the role table)."""

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

CONTESTS_VIEW = declare(
    "contests.view",
    _("See the contests, their entries and winners"),
    {OWNER, MANAGER, EDITOR, MODERATOR, ANALYST},
)
CONTESTS_MANAGE = declare(
    "contests.manage",
    _("Run contests: rules, exclusions, the close and the draw"),
    {OWNER, MANAGER, EDITOR},
)
