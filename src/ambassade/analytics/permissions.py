"""The analytics app's actions (docs/analytics.md has the role table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.permissions import ALL_ROLES, ANALYST, MANAGER, OWNER, declare

ANALYTICS_VIEW = declare(
    "analytics.view", _("See the dashboard, objectives and their KPIs"), ALL_ROLES
)
ANALYTICS_MANAGE = declare(
    "analytics.manage", _("Set objectives, their KPIs and targets"), {OWNER, MANAGER, ANALYST}
)
