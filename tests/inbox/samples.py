"""Objects of workspace A for tests/test_access.py's URL walk: a conversation, a team, a label, a
routing rule and a saved view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass
class InboxSamples:
    conversation: Any
    team: Any
    label: Any
    rule: Any
    view: Any


def samples(personas: Any) -> InboxSamples:
    cached = getattr(personas, "_inbox", None)
    if cached is not None:
        return cached
    from ambassade.inbox import services
    from ambassade.inbox.models import Conversation, Label, Message, RoutingRule, SavedView, Team

    workspace = personas.workspace_a
    conversation = Conversation.objects.create(
        workspace=workspace, network="mastodon", channel="message", thread_key="dm-a"
    )
    services.add_message(
        conversation,
        Message(
            direction=Message.Direction.INBOUND,
            network="mastodon",
            external_id="dm-a-1",
            text="A's private question",
            created_at=datetime(2026, 11, 1, tzinfo=UTC),
        ),
    )
    team = Team.objects.create(workspace=workspace, name="A's team")
    label = Label.objects.create(workspace=workspace, name="A's label")
    rule = RoutingRule.objects.create(workspace=workspace, name="A's rule", sentiment="negative")
    view = SavedView.objects.create(workspace=workspace, owner=personas.alice, name="A's view")
    result = InboxSamples(conversation, team, label, rule, view)
    personas._inbox = result
    return result
