from __future__ import annotations

from typing import Any

from django import template

from ambassade.crisis.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: Any) -> int:
    """The person's unread notifications in the current workspace (one COUNT query)."""
    request = context.get("request")
    workspace = context.get("current_workspace")
    user = getattr(request, "user", None)
    if workspace is None or user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, workspace=workspace, read_at=None).count()
