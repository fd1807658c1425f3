"""The products app's actions (see docs/community.md for the role table)."""

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

PRODUCTS_VIEW = declare(
    "products.view",
    _("See the products and what is said of them"),
    {OWNER, MANAGER, EDITOR, MODERATOR, ANALYST},
)
PRODUCTS_MANAGE = declare(
    "products.manage",
    _("Keep the product catalogue: names, aliases, categories, links"),
    {OWNER, MANAGER, EDITOR},
)
