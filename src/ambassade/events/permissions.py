"""The events app's actions (see docs/events.md for the role table)."""

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

EVENTS_VIEW = declare(
    "events.view",
    _("See the events and who registered"),
    {OWNER, MANAGER, EDITOR, MODERATOR, ANALYST},
)
EVENTS_MANAGE = declare(
    "events.manage",
    _("Run events: details, capacity, cancellations and the follow-up"),
    {OWNER, MANAGER, EDITOR},
)
EVENTS_CHECK_IN = declare(
    "events.check_in",
    _("Check attendees in at the door"),
    {OWNER, MANAGER, EDITOR, MODERATOR},
)
