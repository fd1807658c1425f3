"""Publishing to a Telegram channel with a bot that is an administrator of it.

Credentials: ``bot_token`` and ``chat_id`` (``@channelname`` or the numeric id). Calls:
``sendMessage`` (4,096 characters) and ``sendPhoto`` (multipart, caption of 1,024 characters; Telegram
has no alt text). Every answer is ``{"ok": …}``; errors carry ``error_code``, ``description`` and, for
429, ``parameters.retry_after`` in the body rather than a header.

Telegram takes no idempotency key and a bot cannot read a channel's history, so an unknown outcome
cannot be checked: ``recent_posts`` raises a permanent error and the outbox asks a person to look at
the channel before retrying. Nor can a bot see a post's views or reactions: no metrics are read.
The token is part of the URL's path, so every error is scrubbed of it.
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
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    Draft,
    MediaUpload,
    Published,
    RawItem,
    Reply,
)
from ambassade.connectors.http import OutcomeUnknown, Response

__all__ = ["TelegramPublisher"]


def _body(response: Response) -> Mapping[str, Any]:
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, Mapping) else {}


def _error_map(response: Response, message: str) -> ConnectorError | None:
    body = _body(response)
    description = str(body.get("description") or message)
    code = response.status_code
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
        {Capability.PUBLISH, Capability.REPLY}
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
                fields.append(("reply_to_message_id", None, None, str(reply_to).encode()))
            content_type, body = _multipart.encode(fields)
            result = self._call(
                creds, "sendPhoto", headers={"Content-Type": content_type}, content=body
            )
        else:
            payload: dict[str, Any] = {"chat_id": creds["chat_id"], "text": draft.text}
            if reply_to:
                payload["reply_to_message_id"] = reply_to
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
        return self.publish(
            credentials,
            Draft(
                text=reply.text,
                idempotency_key=reply.idempotency_key,
                options={"reply_to_message_id": reply.in_reply_to.rsplit(":", 1)[-1]},
            ),
        )

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
