"""Publishing to a Telegram channel with a bot that is an administrator of it.

Credentials: ``bot_token`` and ``chat_id`` (``@channelname`` or the numeric id). Calls:
``sendMessage`` (4,096 characters) and ``sendPhoto`` (multipart, caption of 1,024 characters; Telegram
has no alt text). Every answer is ``{"ok": …}``; errors carry ``error_code``, ``description`` and, for
429, ``parameters.retry_after`` in the body rather than a header.

Telegram takes no idempotency key and a bot cannot read a channel's history, so an unknown outcome
cannot be checked: ``recent_posts`` raises a permanent error and the outbox asks a person to look at
the channel before retrying. Nor can a bot see a post's views or reactions: no metrics are read.
The token is part of the URL's path, so every error is scrubbed of it.

Answering people (issue 12):

- ``reply``: ``sendMessage`` in the chat of the message answered (``in_reply_to`` is
  ``<chat id>:<message id>``, as items and ``Published`` name Telegram messages), with
  ``reply_parameters.message_id`` (Bot API 7.0; ``reply_to_message_id`` before it). A message gone
  is refused ("message to be replied not found"): permanent.
- Private messages: ``sendMessage`` to the person's chat id. A bot may write only to people who
  started it and have not blocked it ("bot can't initiate conversation", "bot was blocked by the
  user": permanent, not a token problem). ``fetch_messages`` polls ``getUpdates`` (``offset`` one
  past the last ``update_id``, which also confirms the earlier updates to Telegram); it cannot run
  while the bot has a webhook (409), nor see the bot's own messages.
- No idempotency key, and a bot cannot read a chat's history: a reply or message whose outcome
  is unknown cannot be checked (``find_reply``/``find_message`` raise ``telegram.cannot_check``),
  and no conversation can be read beyond the message a reply quotes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from ambassade.connectors import _multipart
from ambassade.connectors._scrub import scrubbed
from ambassade.connectors.base import (
    AuthExpired,
    Author,
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    Cursor,
    DirectMessage,
    Draft,
    FetchResult,
    ItemKind,
    MediaUpload,
    Published,
    RawItem,
    Reply,
)
from ambassade.connectors.http import OutcomeUnknown, Response
from ambassade.engine import jsonlines

__all__ = ["TelegramPublisher"]


def _body(response: Response) -> Mapping[str, Any]:
    try:
        body = jsonlines.loads(response.content)
    except ValueError:  # JsonProblem: not JSON, or nested too deep
        return {}
    return body if isinstance(body, Mapping) else {}


def _error_map(response: Response, message: str) -> ConnectorError | None:
    body = _body(response)
    description = str(body.get("description") or message)
    code = response.status_code
    lowered = description.lower()
    if code == 403 and any(
        words in lowered
        for words in ("blocked by the user", "can't initiate", "user is deactivated")
    ):
        return ConnectorError(
            f"Telegram cannot deliver to this person or chat: {description}",
            permanent=True,
            code="telegram.user_refuses",
            params={"detail": description},
        )
    if code == 400 and "replied not found" in lowered:
        return ConnectorError(
            f"The message answered is gone: {description}",
            permanent=True,
            code="telegram.parent_gone",
            params={"detail": description},
        )
    if code == 409:
        return ConnectorError(
            f"Telegram gives this bot's updates elsewhere (a webhook, or another reader): "
            f"{description}",
            permanent=True,
            code="telegram.updates_elsewhere",
            params={"detail": description},
        )
    if code == 401 or (code == 403 and "bot" in description.lower()):
        return AuthExpired(
            f"Telegram refused the bot: {description}",
            code="telegram.bot_refused",
            params={"detail": description},
        )
    if code == 429:
        retry = (body.get("parameters") or {}).get("retry_after")
        return ConnectorError(
            f"Telegram asks to wait: {description}",
            permanent=False,
            retry_after=float(retry) if isinstance(retry, int | float) else None,
            code="connector.rate_limited",
            params={"network": "Telegram", "detail": description},
        )
    if code >= 500:
        # Sent, and no usable answer: Telegram may have posted it. Never retried blindly.
        return OutcomeUnknown(
            f"Telegram failed ({code}): {description}",
            permanent=False,
            code="connector.failed_maybe_received",
            params={"network": "Telegram", "status": code, "detail": description},
        )
    return ConnectorError(
        f"Telegram refused the message: {description}",
        permanent=True,
        code="connector.post_refused",
        params={"network": "Telegram", "detail": description},
    )


class TelegramPublisher(Connector):
    kind: ClassVar[str] = "telegram"
    label: ClassVar[str] = "Telegram"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PUBLISH, Capability.REPLY, Capability.DIRECT_MESSAGES}
    )
    needs_credentials: ClassVar[bool] = True
    default_endpoints: ClassVar[Mapping[str, str]] = {"api": "https://api.telegram.org"}
    idempotent: ClassVar[bool] = False
    idempotency_window: ClassVar[int] = 0

    refreshed: dict[str, Any] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._files: dict[str, MediaUpload] = {}

    @staticmethod
    def _creds(credentials: Credentials) -> Mapping[str, Any]:
        if not credentials or not credentials.get("bot_token") or not credentials.get("chat_id"):
            raise AuthExpired(
                "The Telegram connection needs a bot token and a channel.",
                code="telegram.no_credentials",
            )
        return credentials

    def _call(self, creds: Mapping[str, Any], method: str, **kwargs: Any) -> Any:
        token = str(creds["bot_token"])
        with scrubbed(token):
            body = self.http.post(
                f"{self.endpoints['api']}/bot{token}/{method}", error_map=_error_map, **kwargs
            ).json()
        if not isinstance(body, Mapping) or not body.get("ok"):
            raise ConnectorError(
                "Telegram answered without a result.",
                permanent=False,
                code="connector.bad_answer",
                params={"network": "Telegram"},
            )
        return body.get("result")

    def upload_media(self, credentials: Credentials, media: MediaUpload) -> str:
        handle = f"file-{len(self._files)}"
        self._files[handle] = media
        return handle

    def publish(self, credentials: Credentials, draft: Draft) -> Published:
        creds = self._creds(credentials)
        files = [self._files[media_id] for media_id in draft.media_ids]
        if len(files) > 1:
            raise ConnectorError(
                "Ambassade sends one image per Telegram post.",
                permanent=True,
                code="telegram.one_image",
            )
        reply_to = draft.options.get("reply_to_message_id")
        if files:
            media = files[0]
            fields: list[_multipart.Part] = [
                ("chat_id", None, None, str(creds["chat_id"]).encode()),
                ("caption", None, None, draft.text.encode()),
                ("photo", media.filename, media.content_type, media.data),
            ]
            if reply_to:
                parameters = json.dumps({"message_id": int(str(reply_to))})
                fields.append(("reply_parameters", None, None, parameters.encode()))
            content_type, body = _multipart.encode(fields)
            result = self._call(
                creds, "sendPhoto", headers={"Content-Type": content_type}, content=body
            )
        else:
            chat = draft.options.get("chat_id") or creds["chat_id"]
            payload: dict[str, Any] = {"chat_id": chat, "text": draft.text}
            if reply_to:
                payload["reply_parameters"] = {"message_id": int(str(reply_to))}
            result = self._call(creds, "sendMessage", json=payload)
        return self._published(result)

    @staticmethod
    def _published(message: Any) -> Published:
        if not isinstance(message, Mapping) or "message_id" not in message:
            raise ConnectorError(
                "Telegram answered without the sent message.",
                code="connector.bad_answer",
                params={"network": "Telegram"},
            )
        chat = message.get("chat") or {}
        username = chat.get("username") if isinstance(chat, Mapping) else None
        url = f"https://t.me/{username}/{message['message_id']}" if username else ""
        created = datetime.fromtimestamp(int(message.get("date") or 0), UTC)
        return Published(f"{chat.get('id')}:{message['message_id']}", url, created)

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        chat, _, message = reply.in_reply_to.rpartition(":")
        options: dict[str, Any] = {"reply_to_message_id": message}
        if chat:
            options["chat_id"] = chat
        return self.publish(
            credentials,
            Draft(text=reply.text, idempotency_key=reply.idempotency_key, options=options),
        )

    def send_message(self, credentials: Credentials, message: DirectMessage) -> Published:
        creds = self._bot(credentials)
        payload: dict[str, Any] = {
            "chat_id": message.conversation_id or message.recipient,
            "text": message.text,
        }
        if message.in_reply_to:
            payload["reply_parameters"] = {
                "message_id": int(message.in_reply_to.rpartition(":")[2])
            }
        return self._published(self._call(creds, "sendMessage", json=payload))

    def _cannot_check(self) -> ConnectorError:
        return ConnectorError(
            "A Telegram bot cannot read the chat, so whether the message went out cannot be "
            "checked.",
            permanent=True,
            code="telegram.cannot_check",
        )

    def find_reply(self, credentials: Credentials, reply: Reply, since: datetime) -> list[RawItem]:
        raise self._cannot_check()

    def find_message(
        self, credentials: Credentials, message: DirectMessage, since: datetime
    ) -> list[RawItem]:
        raise self._cannot_check()

    def fetch_messages(self, credentials: Credentials, cursor: Cursor | None) -> FetchResult:
        """New messages to the bot (``getUpdates``): in private chats of kind ``message``, in
        groups a ``reply`` (to one of the channel's or bot's messages) or a ``post``. An edited
        message comes again under the same id with its new text. Cursor: ``{"offset": n}``."""
        creds = self._bot(credentials)
        offset = (cursor or {}).get("offset")
        updates = self._call(
            creds,
            "getUpdates",
            json={
                "offset": offset,
                "limit": UPDATES,
                "timeout": 0,
                "allowed_updates": ["message", "edited_message"],
            },
        )
        if not isinstance(updates, list):
            raise ConnectorError(
                "Telegram returned no list of updates.",
                code="connector.bad_answer",
                params={"network": "Telegram"},
            )
        items: list[RawItem] = []
        last = offset
        for update in updates:
            if not isinstance(update, Mapping) or not isinstance(update.get("update_id"), int):
                continue
            last = max(int(last or 0), int(update["update_id"]) + 1)
            message = update.get("message") or update.get("edited_message")
            item = _message_item(message)
            if item is not None:
                items.append(item)
        next_cursor = {"offset": last} if last is not None else dict(cursor or {})
        return FetchResult(items, next_cursor, more=len(updates) >= UPDATES)

    @staticmethod
    def _bot(credentials: Credentials) -> Mapping[str, Any]:
        if not credentials or not credentials.get("bot_token"):
            raise AuthExpired(
                "The Telegram connection needs a bot token and a channel.",
                code="telegram.no_credentials",
            )
        return credentials

    def read_back(self, credentials: Credentials, external_id: str) -> RawItem | None:
        """Nothing, without a call: the Bot API has no method to read a message back, and a
        channel post's view count is only shown to people in Telegram's own apps (the ``views``
        field belongs to the client API, not to bots). No number is made up in its place."""
        return None

    def recent_posts(self, credentials: Credentials, since: datetime) -> Sequence[RawItem]:
        raise ConnectorError(
            "A Telegram bot cannot read the channel, so whether the message went out cannot be "
            "checked.",
            permanent=True,
            code="telegram.cannot_check",
        )


#: Updates read per call (Telegram's maximum).
UPDATES = 100


def _message_item(message: Any) -> RawItem | None:
    """A Telegram ``Message`` as an item ``<chat id>:<message id>``; None without text."""
    if not isinstance(message, Mapping) or "message_id" not in message:
        return None
    chat = message.get("chat") if isinstance(message.get("chat"), Mapping) else {}
    text = message.get("text") or message.get("caption")
    if not isinstance(text, str) or not chat:
        return None
    sender = message.get("from") if isinstance(message.get("from"), Mapping) else {}
    username = str((sender or {}).get("username") or "")
    name = " ".join(str((sender or {}).get(k) or "") for k in ("first_name", "last_name")).strip()
    quoted = message.get("reply_to_message")
    parent = (
        f"{chat.get('id')}:{quoted['message_id']}"
        if isinstance(quoted, Mapping) and "message_id" in quoted
        else None
    )
    private = chat.get("type") == "private"
    public = chat.get("username")
    return RawItem(
        source="telegram",
        external_id=f"{chat.get('id')}:{message['message_id']}",
        url=f"https://t.me/{public}/{message['message_id']}" if public else "",
        text=text,
        created_at=datetime.fromtimestamp(int(message.get("date") or 0), UTC),
        author=Author(
            handle=username,
            name=name or username,
            id=str((sender or {}).get("id") or ""),
            url=f"https://t.me/{username}" if username else "",
        ),
        parent_id=parent,
        thread_id=f"chat:{chat.get('id')}",
        kind=ItemKind.MESSAGE if private else (ItemKind.REPLY if parent else ItemKind.POST),
        raw=dict(message),
    )
