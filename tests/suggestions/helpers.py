"""Conversations made directly through the inbox's services, for the tests of suggestions,
satisfaction and bug reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
_clock = count()


def at() -> datetime:
    """Times that always move forward, one minute apart."""
    return START + timedelta(minutes=next(_clock))


def conversation(
    workspace: Any,
    key: str,
    exchange: list[tuple[str, str]],
    *,
    network: str = "mastodon",
    contact_name: str = "",
    contact_handle: str = "",
    lang: str = "en",
    sender: Any = None,
) -> Any:
    """A conversation whose messages are ``exchange``: ("in", text), ("out", text), ("note", …)."""
    from ambassade.inbox import services
    from ambassade.inbox.models import Conversation, Message

    made = Conversation.objects.create(
        workspace=workspace,
        network=network,
        channel="message",
        thread_key=key,
        contact_name=contact_name,
        contact_handle=contact_handle,
        lang=lang,
    )
    directions = {
        "in": Message.Direction.INBOUND,
        "out": Message.Direction.OUTBOUND,
        "note": Message.Direction.NOTE,
    }
    for number, (direction, text) in enumerate(exchange):
        services.add_message(
            made,
            Message(
                direction=directions[direction],
                origin=Message.Origin.NETWORK if direction == "in" else Message.Origin.AMBASSADE,
                network=network,
                external_id=f"{key}-{number}",
                text=text,
                lang=lang,
                sender=sender if direction != "in" else None,
                created_at=at(),
            ),
        )
    made.refresh_from_db()
    return made
