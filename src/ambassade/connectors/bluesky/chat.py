"""Bluesky's direct messages: the ``chat.bsky.convo`` lexicons, served by Bluesky's chat service.

A client does not call the chat service itself: it calls its own PDS with the header
``atproto-proxy: did:web:api.bsky.chat#bsky_chat``, and the PDS forwards the call with a service
token. The PDS forwards it only for a session whose app password was made with "Allow access to
your direct messages"; any other session is refused (``Bad token scope``), which the connection
shows as needing a new app password rather than a passing failure.

- ``getConvoForMembers(members=[did])`` finds or opens the one-to-one conversation with a person;
  it fails when that person does not accept messages from the account (their setting: everyone,
  people they follow, or nobody).
- ``sendMessage({convoId, message: {text}})`` answers the ``messageView`` sent (``id``, ``rev``,
  ``sender.did``, ``sentAt``). It takes no idempotency key: an unknown outcome is settled by
  reading the conversation (``getMessages``, newest first).
- ``listConvos`` lists the conversations with their ``rev``, which changes with each message: a
  conversation whose ``rev`` did not change has nothing new.

Message ids are unique in the chat service; items are ``chat:<convo id>:<message id>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ambassade.connectors._guard import parser
from ambassade.connectors._text import parse_datetime
from ambassade.connectors.base import AuthExpired, Author, ConnectorError, ItemKind, RawItem
from ambassade.connectors.http import Response

__all__ = [
    "MAX_PAGES",
    "PROXY",
    "ScopeMissing",
    "convo_id",
    "convos",
    "error_map",
    "message_item",
    "message_items",
    "rev_key",
]

PROXY = "did:web:api.bsky.chat#bsky_chat"
#: Pages of 100 messages read at most in one conversation per fetch.
MAX_PAGES = 10
DELETED = "chat.bsky.convo.defs#deletedMessageView"


class ScopeMissing(AuthExpired):
    """The session may not use the chat: a new session would not either."""


def error_map(response: Response, error: str, message: str) -> ConnectorError | None:
    """The chat service's refusals in plain words; None for the common ones."""
    lowered = message.lower()
    if "bad token scope" in lowered or ("scope" in lowered and response.status_code in (400, 401)):
        return ScopeMissing(
            "The Bluesky app password does not allow direct messages: make one with "
            "'Allow access to your direct messages' and reconnect.",
            code="bluesky.chat_not_allowed",
        )
    if response.status_code == 400 and error in ("InvalidConvo", "ConvoLocked"):
        return ConnectorError(
            f"Bluesky refuses to send into this conversation ({error}): {message}",
            permanent=True,
            code="bluesky.chat_refused",
            params={"detail": message},
        )
    if response.status_code == 400 and ("disabled" in lowered or "block" in lowered):
        return ConnectorError(
            f"This person does not accept messages from the account: {message}",
            permanent=True,
            code="bluesky.chat_recipient_refuses",
            params={"detail": message},
        )
    return None


def convo_id(body: Any) -> str:
    convo = body.get("convo") if isinstance(body, Mapping) else None
    if not isinstance(convo, Mapping) or not convo.get("id"):
        raise ConnectorError(
            "Bluesky answered without the conversation.",
            code="connector.bad_answer",
            params={"network": "Bluesky"},
        )
    return str(convo["id"])


def convos(body: Any) -> list[Mapping[str, Any]]:
    found = body.get("convos") if isinstance(body, Mapping) else None
    if not isinstance(found, list):
        raise ConnectorError(
            "Bluesky returned no list of conversations.",
            code="connector.bad_answer",
            params={"network": "Bluesky"},
        )
    return [c for c in found if isinstance(c, Mapping) and c.get("id")]


@parser("Bluesky")
def message_item(message: Any, convo: str, me: str) -> RawItem:
    """A ``messageView`` as a private message of the conversation ``convo``."""
    if not isinstance(message, Mapping) or not message.get("id"):
        raise ConnectorError(
            "Bluesky answered without the message.",
            code="connector.bad_answer",
            params={"network": "Bluesky"},
        )
    sent = parse_datetime(message.get("sentAt"))
    if sent is None:
        raise ConnectorError(
            "Bluesky gave a message without a date.",
            code="connector.bad_answer",
            params={"network": "Bluesky"},
        )
    sender = message.get("sender") if isinstance(message.get("sender"), Mapping) else {}
    return RawItem(
        source="bluesky",
        external_id=f"chat:{convo}:{message['id']}",
        url=f"https://bsky.app/messages/{convo}",
        text=str(message.get("text") or ""),
        author=Author(id=str((sender or {}).get("did") or "")),
        created_at=sent,
        thread_id=f"chat:{convo}",
        kind=ItemKind.MESSAGE,
        raw=dict(message),
    )


def message_items(body: Any, convo: str, me: str) -> list[RawItem]:
    """The messages of a ``getMessages`` page, newest first as Bluesky gives them; deleted ones
    (``deletedMessageView``, which has no text) are left out."""
    messages = body.get("messages") if isinstance(body, Mapping) else None
    if not isinstance(messages, list):
        raise ConnectorError(
            "Bluesky returned no list of messages.",
            code="connector.bad_answer",
            params={"network": "Bluesky"},
        )
    return [
        message_item(m, convo, me)
        for m in messages
        if isinstance(m, Mapping) and m.get("$type") != DELETED
    ]


def rev_key(item: RawItem) -> str:
    """A message's ``rev``: sortable, later messages have larger ones."""
    return str(item.raw.get("rev") or "")
