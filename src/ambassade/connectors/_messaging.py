"""Private messages through Meta's Graph API: Messenger (a Facebook page) and Instagram messages
(a professional account linked to a page, with the page's token: "Instagram API with Facebook
Login"). The two share the Send API and the Conversations API; the platform differs.

- Send: ``POST /{page}/messages`` with ``{"recipient": {"id": PSID or IGSID}, "messaging_type":
  "RESPONSE", "message": {"text": …}}`` answers ``{"recipient_id", "message_id"}``. Meta lets a page
  answer a person only within **24 hours** of that person's last message (the standard messaging
  window); afterwards only with a message tag: ``HUMAN_AGENT`` (a person answering, up to 7 days,
  and only for an app granted the Human Agent feature). Outside the window the Send API refuses
  with code 10 (subcode 2018278 on Messenger, 2534022 on Instagram): a permanent error naming the
  window, never a missing permission. Permissions: ``pages_messaging`` (Messenger),
  ``instagram_manage_messages`` (Instagram), plus ``pages_read_engagement`` and
  ``pages_manage_metadata``.
- Read: ``GET /{page}/conversations?platform=messenger|instagram`` with each conversation's newest
  messages (``messages.limit(50){id,message,from,to,created_time}``); ``user_id`` narrows it to the
  conversation with one person. The Send API takes no idempotency key: a lost message is looked
  for in that conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ambassade.connectors import _graph
from ambassade.connectors._text import parse_datetime
from ambassade.connectors.base import (
    Author,
    ConnectorError,
    Cursor,
    FetchResult,
    ItemKind,
    Published,
    RawItem,
)
from ambassade.connectors.http import ErrorMap, HttpClient, Response

__all__ = [
    "HUMAN_AGENT_WINDOW",
    "WINDOW",
    "conversation_items",
    "conversations",
    "error_map",
    "fetch",
    "send",
]

#: The standard messaging window after the person's last message.
WINDOW = timedelta(hours=24)
#: The window of a message tagged HUMAN_AGENT.
HUMAN_AGENT_WINDOW = timedelta(days=7)
OUTSIDE_WINDOW = frozenset({2018278, 2534022})
MESSAGE_FIELDS = "id,message,from,to,created_time"
#: Conversations read per fetch (the most recently updated first).
PAGE = 25


def error_map(label: str, base: ErrorMap) -> ErrorMap:
    def classify(response: Response, message: str) -> ConnectorError | None:
        code, subcode, detail = _graph.error_details(response)
        detail = detail or message
        if code == 10 and (subcode in OUTSIDE_WINDOW or "outside of allowed window" in detail):
            return ConnectorError(
                f"{label} allows an answer only within 24 hours of the person's last message "
                f"(7 days for a person answering, with the Human Agent tag): {detail}",
                permanent=True,
                code="graph.outside_window",
                params={"network": label, "detail": detail},
            )
        if code == 551 or (code == 100 and subcode == 2018001):
            return ConnectorError(
                f"{label} cannot deliver to this person now (blocked, gone, or not reachable "
                f"by the page): {detail}",
                permanent=True,
                code="graph.person_unavailable",
                params={"network": label, "detail": detail},
            )
        return base(response, message)

    return classify


def send(
    http: HttpClient,
    url: str,
    token: str,
    recipient: str,
    text: str,
    *,
    human_agent: bool,
    errors: ErrorMap,
    label: str,
) -> Published:
    payload: dict[str, Any] = {
        "recipient": {"id": recipient},
        "messaging_type": "RESPONSE",
        "message": {"text": text},
    }
    if human_agent:
        payload |= {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    body = http.post(url, params={"access_token": token}, json=payload, error_map=errors).json()
    if not isinstance(body, Mapping) or not body.get("message_id"):
        raise ConnectorError(
            f"{label} answered without the message sent.",
            code="connector.bad_answer_maybe_received",
            params={"network": label},
        )
    return Published(str(body["message_id"]), "", datetime.now(UTC))


def conversations(
    http: HttpClient,
    url: str,
    token: str,
    platform: str,
    errors: ErrorMap,
    label: str,
    *,
    user_id: str | None = None,
) -> list[Mapping[str, Any]]:
    body = http.get(
        url,
        params={
            "platform": platform,
            "user_id": user_id,
            "fields": f"id,updated_time,messages.limit(50){{{MESSAGE_FIELDS}}}",
            "limit": PAGE,
            "access_token": token,
        },
        error_map=errors,
    ).json()
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list):
        raise ConnectorError(
            f"{label} returned no list of conversations.",
            code="connector.bad_answer",
            params={"network": label},
        )
    return [c for c in data if isinstance(c, Mapping) and c.get("id")]


def conversation_items(conversation: Mapping[str, Any], source: str) -> list[RawItem]:
    """The messages Meta gave with a conversation, oldest first."""
    box = conversation.get("messages")
    data = box.get("data") if isinstance(box, Mapping) else None
    items: list[RawItem] = []
    for message in data or []:
        if not isinstance(message, Mapping) or not message.get("id"):
            continue
        created = parse_datetime(message.get("created_time"))
        if created is None:
            continue
        sender = message.get("from") if isinstance(message.get("from"), Mapping) else {}
        handle = str((sender or {}).get("username") or "")
        items.append(
            RawItem(
                source=source,
                external_id=str(message["id"]),
                text=str(message.get("message") or ""),
                created_at=created,
                author=Author(
                    handle=handle,
                    name=str((sender or {}).get("name") or handle),
                    id=str((sender or {}).get("id") or ""),
                ),
                thread_id=f"conversation:{conversation['id']}",
                kind=ItemKind.MESSAGE,
                raw=dict(message),
            )
        )
    items.sort(key=lambda item: item.created_at)
    return items


def fetch(found: list[Mapping[str, Any]], source: str, cursor: Cursor | None) -> FetchResult:
    """The messages newer than those already returned, per conversation. Cursor: ``{"last":
    {conversation id: {"at": ISO time, "ids": [ids at that time]}}}``; the first fetch takes what
    Meta gives of the most recent conversations."""
    last: dict[str, Any] = dict((cursor or {}).get("last") or {})
    items: list[RawItem] = []
    for conversation in found:
        key = str(conversation["id"])
        seen = last.get(key) if isinstance(last.get(key), Mapping) else {}
        mark = parse_datetime((seen or {}).get("at"))
        ids = set((seen or {}).get("ids") or [])
        fresh = [
            item
            for item in conversation_items(conversation, source)
            if mark is None
            or item.created_at > mark
            or (item.created_at == mark and item.external_id not in ids)
        ]
        if not fresh:
            continue
        items += fresh
        newest = max(item.created_at for item in fresh)
        at_newest = [i.external_id for i in fresh if i.created_at == newest]
        if mark is not None and newest == mark:
            at_newest += list(ids)
        last[key] = {"at": newest.isoformat(), "ids": sorted(set(at_newest))}
    items.sort(key=lambda item: item.created_at)
    return FetchResult(items, {"last": last})
