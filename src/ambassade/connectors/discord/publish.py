"""Publishing to a Discord channel.

Two ways to connect, chosen by the credentials:

- a **bot** (``bot_token``, ``channel_id``, optional ``guild_id``): ``POST
  /channels/{channel_id}/messages`` with ``nonce`` set to the attempt's key and ``enforce_nonce:
  true``. Discord then answers a repeated nonce from the same author, within a few minutes, with the
  message it already created, so the outbox may resend the key for a short while (``idempotent``,
  ``idempotency_window``, and ``deduplicates(credentials)`` true for a bot); after that it reads
  ``GET /channels/{channel_id}/messages``.
- a **webhook** (``webhook_url``): ``POST {webhook_url}?wait=true``. Webhooks take no nonce and
  cannot list the channel, so an unknown outcome cannot be checked: reading raises a permanent error
  and the outbox asks a person to look at the channel.

``read_back`` reads the message (``GET /channels/{channel_id}/messages/{id}``, or the webhook's
``GET {webhook_url}/messages/{id}``) with its reactions and, when it started a thread, the thread's
message count.

Files travel in the message's own request (``files[n]`` + ``payload_json`` with each attachment's
``description``, Discord's alt text): ``upload_media`` keeps them until ``publish``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from ambassade.connectors import _multipart
from ambassade.connectors._scrub import scrubbed
from ambassade.connectors._text import parse_datetime
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
from ambassade.connectors.http import Response

__all__ = ["DiscordPublisher"]


def _error_map(response: Response, message: str) -> ConnectorError | None:
    if response.status_code == 401:
        return AuthExpired(
            f"Discord refused the token: {message}",
            code="discord.token_refused",
            params={"detail": message},
        )
    if response.status_code == 403:
        return AuthExpired(
            f"Discord refused access to the channel: {message}",
            code="discord.channel_refused",
            params={"detail": message},
        )
    if response.status_code == 404:
        return AuthExpired(
            f"Discord does not know this channel or webhook any more: {message}",
            code="discord.channel_unknown",
            params={"detail": message},
        )
    return None


def _metrics(message: Mapping[str, Any]) -> dict[str, int]:
    """Reactions (every emoji's ``count``, super reactions included; Discord leaves ``reactions``
    out of a message nobody reacted to) and, when the message started a thread, the thread's
    ``message_count`` as replies."""
    reactions = message.get("reactions") or []
    metrics = {
        "reactions": sum(
            int(reaction["count"])
            for reaction in reactions
            if isinstance(reaction, Mapping)
            and isinstance(reaction.get("count"), int)
            and not isinstance(reaction.get("count"), bool)
        )
        if isinstance(reactions, list)
        else 0
    }
    thread = message.get("thread")
    if isinstance(thread, Mapping) and isinstance(thread.get("message_count"), int):
        metrics["replies"] = int(thread["message_count"])
    return metrics


class DiscordPublisher(Connector):
    kind: ClassVar[str] = "discord"
    label: ClassVar[str] = "Discord"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PUBLISH, Capability.REPLY}
    )
    needs_credentials: ClassVar[bool] = True
    default_endpoints: ClassVar[Mapping[str, str]] = {"api": "https://discord.com/api/v10"}
    idempotent: ClassVar[bool] = True
    #: Discord checks a nonce's uniqueness "in the past few minutes".
    idempotency_window: ClassVar[int] = 120

    refreshed: dict[str, Any] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._files: dict[str, MediaUpload] = {}

    def deduplicates(self, credentials: Credentials) -> bool:
        """Whether a retry with the same key is safe through these credentials: only the bot API
        takes a ``nonce``; a webhook does not, so ``idempotent`` holds for a bot connection only."""
        creds = credentials or {}
        return bool(creds.get("bot_token") and creds.get("channel_id"))

    @staticmethod
    def _is_bot(creds: Mapping[str, Any]) -> bool:
        if creds.get("bot_token") and creds.get("channel_id"):
            return True
        if creds.get("webhook_url"):
            return False
        raise AuthExpired(
            "The Discord connection has neither a bot token and channel nor a webhook.",
            code="discord.no_credentials",
        )

    def _headers(self, creds: Mapping[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bot {creds['bot_token']}"}

    def upload_media(self, credentials: Credentials, media: MediaUpload) -> str:
        handle = f"file-{len(self._files)}"
        self._files[handle] = media
        return handle

    def publish(self, credentials: Credentials, draft: Draft) -> Published:
        creds = credentials or {}
        bot = self._is_bot(creds)
        files = [self._files[media_id] for media_id in draft.media_ids]
        payload: dict[str, Any] = {"content": draft.text, "allowed_mentions": {"parse": []}}
        if bot:
            payload |= {"nonce": draft.idempotency_key, "enforce_nonce": True}
        if "message_reference" in draft.options:
            payload["message_reference"] = draft.options["message_reference"]
        if files:
            payload["attachments"] = [
                {"id": index, "filename": media.filename, "description": media.alt_text[:1024]}
                for index, media in enumerate(files)
            ]
        if bot:
            url = f"{self.endpoints['api']}/channels/{creds['channel_id']}/messages"
            headers = self._headers(creds)
            params: dict[str, Any] | None = None
        else:
            url, headers, params = str(creds["webhook_url"]), {}, {"wait": "true"}
        webhook = "" if bot else str(creds["webhook_url"]).rstrip("/").rsplit("/", 1)[-1]
        with scrubbed(webhook):
            response = self._send(url, params, headers, payload, files)
        return self._published(creds, response.json())

    def _send(
        self,
        url: str,
        params: dict[str, Any] | None,
        headers: dict[str, str],
        payload: dict[str, Any],
        files: list[MediaUpload],
    ) -> Response:
        if files:
            parts: list[_multipart.Part] = [
                ("payload_json", None, "application/json", json.dumps(payload).encode())
            ]
            parts += [
                (f"files[{index}]", media.filename, media.content_type, media.data)
                for index, media in enumerate(files)
            ]
            content_type, body = _multipart.encode(parts)
            return self.http.post(
                url,
                params=params,
                headers={**headers, "Content-Type": content_type},
                content=body,
                error_map=_error_map,
            )
        return self.http.post(
            url, params=params, headers=headers, json=payload, error_map=_error_map
        )

    def _url(self, creds: Mapping[str, Any], message: Mapping[str, Any]) -> str:
        guild = message.get("guild_id") or creds.get("guild_id") or "@me"
        return f"https://discord.com/channels/{guild}/{message.get('channel_id')}/{message['id']}"

    def _published(self, creds: Mapping[str, Any], message: Any) -> Published:
        if not isinstance(message, Mapping) or not message.get("id"):
            raise ConnectorError(
                "Discord answered without the created message.",
                code="connector.bad_answer",
                params={"network": "Discord"},
            )
        created = parse_datetime(message.get("timestamp"))
        if created is None:
            raise ConnectorError(
                "Discord answered with a message without a valid date.",
                code="connector.bad_answer",
                params={"network": "Discord"},
            )
        return Published(str(message["id"]), self._url(creds, message), created)

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        return self.publish(
            credentials,
            Draft(
                text=reply.text,
                idempotency_key=reply.idempotency_key,
                options={"message_reference": {"message_id": reply.in_reply_to}},
            ),
        )

    def _item(self, creds: Mapping[str, Any], message: Any) -> RawItem | None:
        if not isinstance(message, Mapping) or not message.get("id"):
            return None
        created = parse_datetime(message.get("timestamp"))
        if created is None:
            return None
        return RawItem(
            source="discord",
            external_id=str(message["id"]),
            url=self._url(creds, message),
            text=str(message.get("content") or ""),
            created_at=created,
            metrics=_metrics(message),
            raw=dict(message),
        )

    def read_back(self, credentials: Credentials, external_id: str) -> RawItem | None:
        creds = credentials or {}
        if self._is_bot(creds):
            url = f"{self.endpoints['api']}/channels/{creds['channel_id']}/messages/{external_id}"
            headers = self._headers(creds)
        else:
            url, headers = f"{creds['webhook_url']}/messages/{external_id}", {}
        try:
            with scrubbed(str(creds.get("webhook_url") or "").rstrip("/").rsplit("/", 1)[-1]):
                response = self.http.get(url, headers=headers, error_map=_error_map)
        except AuthExpired:
            return None  # a deleted message is a 404 here
        return self._item(creds, response.json())

    def recent_posts(self, credentials: Credentials, since: datetime) -> Sequence[RawItem]:
        creds = credentials or {}
        if not self._is_bot(creds):
            raise ConnectorError(
                "A Discord webhook cannot read the channel, so whether the message went out "
                "cannot be checked.",
                permanent=True,
                code="discord.webhook_cannot_check",
            )
        messages = self.http.get(
            f"{self.endpoints['api']}/channels/{creds['channel_id']}/messages",
            params={"limit": 50},
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()
        if not isinstance(messages, list):
            raise ConnectorError(
                "Discord returned something other than a list of messages.",
                code="connector.bad_answer",
                params={"network": "Discord"},
            )
        items = [self._item(creds, message) for message in messages]
        return [item for item in items if item is not None and item.created_at >= since]
