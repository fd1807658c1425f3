"""The suggested replies' panel (above the reply composer) and the endpoint that fills it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ambassade.inbox.models import Conversation
from ambassade.inbox.permissions import INBOX_REPLY
from ambassade.suggestions import services
from ambassade.workspaces.permissions import can, get_workspace_object_or_404, workspace_view


def panel_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any] | None:
    """The panel loads its suggestions after the page (the first use builds the index)."""
    workspace = getattr(request, "workspace", None)
    if workspace is None or not can(request.user, workspace, INBOX_REPLY):
        return None
    return {}


@workspace_view(INBOX_REPLY)
def conversation_suggestions(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = get_workspace_object_or_404(request, Conversation, pk=conversation_id)
    suggestions = services.suggest_for(conversation, request.user)
    return render(
        request,
        "suggestions/list.html",
        {"conversation": conversation, "suggestions": suggestions},
    )
