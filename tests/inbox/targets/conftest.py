"""Response-time targets fixtures: a conversation made of messages, business hours in Paris."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


OFFICE_WEEK = [{"weekday": day, "start": "09:00", "end": "18:00"} for day in range(5)]


@pytest.fixture
def office(personas: Any) -> Any:
    """Workspace A counts business hours: Monday to Friday, 09:00–18:00 in Paris."""
    from ambassade.inbox.targets import services

    hours = services.hours_for(personas.workspace_a)
    hours.enabled = True
    hours.time_zone = "Europe/Paris"
    hours.week = OFFICE_WEEK
    return services.save_hours(hours, personas.alice)


def target(workspace: Any, **minutes: Any) -> Any:
    from ambassade.inbox.targets.models import Target

    fields = {"name": "Standard", **minutes}
    return Target.objects.create(workspace=workspace, **fields)


def conversation(
    workspace: Any, key: str = "dm-1", network: str = "mastodon", **fields: Any
) -> Any:
    from ambassade.inbox.models import Conversation

    return Conversation.objects.create(
        workspace=workspace, network=network, channel="message", thread_key=key, **fields
    )


def inbound(conversation: Any, at: datetime, text: str = "Bonjour ?", external: str = "") -> Any:
    from ambassade.inbox import services
    from ambassade.inbox.models import Message

    count = conversation.message_count
    return services.add_message(
        conversation,
        Message(
            direction=Message.Direction.INBOUND,
            network=conversation.network,
            external_id=external or f"{conversation.thread_key}-{count + 1}",
            text=text,
            author_handle="client",
            created_at=at,
        ),
    )


def reply(conversation: Any, at: datetime, sender: Any = None, text: str = "Réponse") -> Any:
    from ambassade.inbox import services

    return services.record_outbound(conversation, text=text, sender=sender, created_at=at)


@pytest.fixture
def immediate() -> Any:
    """Tasks run when enqueued (delivery of alerts, recomputations)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = False
