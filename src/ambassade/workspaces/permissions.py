"""The one permission helper: "may this person do this action in this workspace?"

Actions are declared once, with the roles allowed to do them::

    from ambassade.workspaces.permissions import declare
    POST_CREATE = declare("publishing.post.create", _("Write posts"), {OWNER, MANAGER, EDITOR})

Each app declares its actions in its own ``permissions.py``, imported from its ``AppConfig.ready()``.
Then:

- ``can(user, workspace, action) -> bool`` answers the question anywhere (services, tasks, templates);
- ``@workspace_view(action)`` wraps a view whose URL has ``<slug:workspace_slug>``: it sends anonymous
  people to the log-in page, answers 404 to people who are not members of the workspace (its existence
  is not revealed) and 403 to members whose role lacks the action; otherwise it sets
  ``request.workspace`` and ``request.membership``, activates the workspace's time zone and calls the
  view without the ``workspace_slug`` argument;
- ``workspace_queryset(request, Model)`` and ``get_workspace_object_or_404(request, Model, ...)`` read
  objects of the request's workspace only, so an id from another workspace is a 404.

Asking about an undeclared action raises ``KeyError``: a typo must not silently deny or allow.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.models import Membership, Role, Workspace

__all__ = [
    "ACTIONS",
    "Action",
    "actions_for_role",
    "can",
    "declare",
    "get_workspace_object_or_404",
    "membership_for",
    "workspace_queryset",
    "workspace_view",
]

OWNER, MANAGER, EDITOR, MODERATOR, ANALYST, APPROVER = (
    Role.OWNER,
    Role.MANAGER,
    Role.EDITOR,
    Role.MODERATOR,
    Role.ANALYST,
    Role.APPROVER,
)
ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise
    roles: frozenset[str]


ACTIONS: dict[str, Action] = {}


def declare(name: str, label: str | Promise, roles: Iterable[str]) -> str:
    """Declare an action and the roles allowed to do it; returns the name, to use as a constant."""
    roles = frozenset(str(role) for role in roles)
    unknown = roles - {str(role) for role in Role}
    if unknown:
        raise ValueError(f"unknown roles for {name}: {sorted(unknown)}")
    existing = ACTIONS.get(name)
    if existing is not None and existing.roles != roles:
        raise ValueError(f"action {name} is already declared with other roles")
    ACTIONS[name] = Action(name, label, roles)
    return name


# The workspaces app's own actions. Every role may see the workspace and who is in it.
WORKSPACE_VIEW = declare("workspace.view", _("See the workspace and its members"), ALL_ROLES)
WORKSPACE_MANAGE = declare(
    "workspace.manage", _("Change the workspace's settings"), {OWNER, MANAGER}
)
MEMBERS_MANAGE = declare(
    "members.manage", _("Invite people, change roles, remove people"), {OWNER, MANAGER}
)
CONNECTIONS_VIEW = declare(
    "connections.view",
    _("See the network connections"),
    {OWNER, MANAGER, EDITOR, MODERATOR, ANALYST},
)
CONNECTIONS_MANAGE = declare(
    "connections.manage", _("Connect and disconnect network accounts"), {OWNER, MANAGER}
)
AUDIT_VIEW = declare("audit.view", _("Read the audit log"), {OWNER, MANAGER})
# Granting or taking away the owner role, and creating workspaces in the organisation.
OWNERS_MANAGE = declare(
    "owners.manage", _("Make people owners, create workspaces in the organisation"), {OWNER}
)


def actions_for_role(role: str) -> frozenset[str]:
    return frozenset(name for name, action in ACTIONS.items() if role in action.roles)


def membership_for(user: Any, workspace: Workspace) -> Membership | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return Membership.objects.filter(user=user, workspace=workspace).first()


def can(user: Any, workspace: Workspace, action: str) -> bool:
    """True when ``user`` is a member of ``workspace`` whose role allows ``action``."""
    allowed = ACTIONS[action].roles
    membership = membership_for(user, workspace)
    return membership is not None and membership.role in allowed


def can_role(role: str, action: str) -> bool:
    return role in ACTIONS[action].roles


View = TypeVar("View", bound=Callable[..., HttpResponse])


def workspace_view(action: str) -> Callable[[View], View]:
    """Decorate a view taking ``workspace_slug``; see the module's documentation."""
    if action not in ACTIONS:
        raise KeyError(f"undeclared action {action!r}")

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, workspace_slug: str, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = (
                Membership.objects.select_related("workspace__organisation")
                .filter(user=request.user, workspace__slug=workspace_slug)
                .first()
            )
            if membership is None:
                raise Http404("No such workspace.")
            request.workspace = membership.workspace  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            if not can_role(membership.role, action):
                raise PermissionDenied
            timezone.activate(membership.workspace.time_zone)
            try:
                return view(request, *args, **kwargs)
            finally:
                timezone.deactivate()

        wrapper.workspace_action = action  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


ModelT = TypeVar("ModelT", bound=models.Model)


def workspace_queryset(
    request: HttpRequest, model_or_queryset: type[ModelT] | models.QuerySet[ModelT]
) -> models.QuerySet[ModelT]:
    """The objects of ``request.workspace`` only. The model must have a ``workspace`` foreign key."""
    workspace = getattr(request, "workspace", None)
    if workspace is None:
        raise RuntimeError("workspace_queryset() needs a view decorated with @workspace_view")
    if isinstance(model_or_queryset, models.QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    return queryset.filter(workspace=workspace)


def get_workspace_object_or_404(
    request: HttpRequest,
    model_or_queryset: type[ModelT] | models.QuerySet[ModelT],
    **lookup: Any,
) -> ModelT:
    return get_object_or_404(workspace_queryset(request, model_or_queryset), **lookup)
