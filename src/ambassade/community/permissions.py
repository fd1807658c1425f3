"""The community app's actions (see docs/community.md for the role table)."""

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

COMMUNITY_VIEW = declare(
    "community.view",
    _("See the community members and their mentions"),
    {OWNER, MANAGER, EDITOR, MODERATOR, ANALYST},
)
COMMUNITY_EDIT = declare(
    "community.edit",
    _("Write notes and tags on community members"),
    {OWNER, MANAGER, EDITOR, MODERATOR},
)
COMMUNITY_MERGE = declare(
    "community.merge",
    _("Join a person's identities across networks into one member"),
    {OWNER, MANAGER, EDITOR, MODERATOR},
)
COMMUNITY_PRIVACY = declare(
    "community.privacy",
    _("Export and erase a member's personal data (RGPD)"),
    {OWNER, MANAGER},
)
COMMUNITY_FIELDS = declare(
    "community.fields",
    _("Define the custom fields of community members"),
    {OWNER, MANAGER},
)
COMMUNITY_FILES = declare(
    "community.files",
    _("Import customer files and export members as CSV"),
    {OWNER, MANAGER},
)
