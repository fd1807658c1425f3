"""Context for the shared layout (templates/base.html): navigation, workspace switcher, permissions.

Every template rendered with a request gets:

- ``current_workspace`` and ``current_membership`` (None outside a workspace);
- ``workspace_actions``: the set of action names the person may do in it (see ``permissions``),
  for ``{% if "members.manage" in workspace_actions %}``;
- ``nav_items``: the entries of ``nav.register`` the person may see, each with ``label``, ``url``,
  ``icon`` and ``active``;
- ``workspace_groups``: a callable (evaluated only when the switcher renders) giving
  ``[(organisation, [membership, ...]), ...]``.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from ambassade.workspaces import nav
from ambassade.workspaces.models import Membership
from ambassade.workspaces.permissions import actions_for_role


def shell(request: HttpRequest) -> dict[str, Any]:
    workspace = getattr(request, "workspace", None)
    membership = getattr(request, "membership", None)
    context: dict[str, Any] = {
        "current_workspace": workspace,
        "current_membership": membership,
        "workspace_actions": frozenset(),
        "nav_items": [],
        "workspace_groups": lambda: _groups(request),
    }
    if workspace is None or membership is None:
        return context
    actions = actions_for_role(membership.role)
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    items = []
    for item in nav.items():
        if item.action not in actions:
            continue
        try:
            url = reverse(item.url_name, kwargs={"workspace_slug": workspace.slug})
        except NoReverseMatch:
            continue
        prefixes = item.active_prefixes or (item.url_name,)
        items.append(
            {
                "key": item.key,
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "active": any(current.startswith(prefix) for prefix in prefixes),
            }
        )
    context["workspace_actions"] = actions
    context["nav_items"] = items
    return context


def _groups(request: HttpRequest) -> list[tuple[Any, list[Membership]]]:
    if not request.user.is_authenticated:
        return []
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("workspace__organisation")
        .order_by("workspace__organisation__name", "workspace__name")
    )
    return [
        (organisation, list(items))
        for organisation, items in groupby(memberships, key=lambda m: m.workspace.organisation)
    ]
