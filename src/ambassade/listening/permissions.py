"""The listening app's actions (see docs/listening.md for the role table)."""

from __future__ import annotations

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

LISTENING_VIEW = declare("listening.view", _("See the mention stream and its analyses"), ALL_ROLES)
LISTENING_MANAGE = declare(
    "listening.manage",
    _("Set up sources, listening queries and competitors"),
    {OWNER, MANAGER, EDITOR},
)
LISTENING_CORRECT = declare(
    "listening.correct",
    _("Correct a mention's sentiment and labels, mark it as spam or irrelevant, tag it"),
    {OWNER, MANAGER, EDITOR, MODERATOR, ANALYST},
)
LISTENING_EXPORT = declare(
    "listening.export", _("Export mentions as CSV"), {OWNER, MANAGER, EDITOR, ANALYST}
)
LISTENING_FEEDBACK = declare(
    "listening.feedback",
    _("Download the corrections of the text analysis, for retraining the models"),
    {OWNER, MANAGER},
)
