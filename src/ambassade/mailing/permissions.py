"""The mailing app's actions (docs/mailing.md has the role table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.permissions import ANALYST, EDITOR, MANAGER, OWNER, declare

MAILING_VIEW = declare(
    "mailing.view",
    _("See the e-mail campaigns and their results"),
    {OWNER, MANAGER, EDITOR, ANALYST},
)
MAILING_EDIT = declare(
    "mailing.edit",
    _("Write e-mail campaigns and send tests"),
    {OWNER, MANAGER, EDITOR},
)
MAILING_SEND = declare(
    "mailing.send",
    _("Send e-mail campaigns to the community"),
    {OWNER, MANAGER},
)
