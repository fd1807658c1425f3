"""The moderation app's actions (docs/moderation.md has the role table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.permissions import MANAGER, MODERATOR, OWNER, declare

MODERATION_VIEW = declare(
    "moderation.view",
    _("See the moderation queue and the rules"),
    {OWNER, MANAGER, MODERATOR},
)
MODERATION_DECIDE = declare(
    "moderation.decide",
    _("Approve, hide, delete, mute or ban in the moderation queue"),
    {OWNER, MANAGER, MODERATOR},
)
MODERATION_RULES = declare(
    "moderation.rules",
    _("Write the charter and the moderation rules"),
    {OWNER, MANAGER},
)
MODERATION_LOG = declare(
    "moderation.log",
    _("Read and export the moderation decision log"),
    {OWNER, MANAGER},
)
