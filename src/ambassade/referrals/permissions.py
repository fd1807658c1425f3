"""The referral programme's actions (see docs/community.md for the role table)."""

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

REFERRALS_VIEW = declare(
    "referrals.view",
    _("See the referral programme: referrals, rewards and the leaderboard"),
    {OWNER, MANAGER, EDITOR, MODERATOR, ANALYST},
)
REFERRALS_MANAGE = declare(
    "referrals.manage",
    _("Give referral codes, review held referrals, grant rewards"),
    {OWNER, MANAGER, EDITOR},
)
REFERRALS_SETTINGS = declare(
    "referrals.settings",
    _("Set up the referral programme and its API secret"),
    {OWNER, MANAGER},
)
