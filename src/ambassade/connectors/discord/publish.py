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

Answering people (issue 12), with a bot:

- ``reply``: a message with ``message_reference`` (``in_reply_to`` is ``<channel id>:<message id>``,
  or a message id in the connection's channel) and the same ``nonce`` guarantee as a post;
  ``find_reply`` reads the messages after the parent for the bot's own answer to it.
- Private messages: ``POST /users/@me/channels`` (``recipient_id``) opens or finds the DM channel,
  then a message in it with a ``nonce``. Discord refuses a person who shares no server with the bot
  or does not accept messages (code 50007): permanent. A bot learns of a DM channel a person opened
  only through the Gateway (a websocket Ambassade does not run): ``fetch_messages`` reads the DM
  channels it was given (``dm_channel_ids`` in the credentials, the ones Ambassade opened).
- ``conversation``: the chain of replies up to the first message (``referenced_message``), and the
  replies to any of them among the next 100 messages of the channel.

Files travel in the message's own request (``files[n]`` + ``payload_json`` with each attachment's
``description``, Discord's alt text): ``upload_media`` keeps them until ``publish``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from ambassade.connectors import _multipart
from ambassade.connectors._scrub import scrubbed
from ambassade.connectors._text import parse_datetime
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
    Thread,
)
from ambassade.connectors.http import Response

__all__ = ["DiscordPublisher"]


def _json_code(response: Response) -> int | None:
    try:
        body = response.json()
    except ConnectorError:
        return None
    code = body.get("code") if isinstance(body, Mapping) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _error_map(response: Response, message: str) -> ConnectorError | None:
    code = _json_code(response)
    if code == 50007:
        return ConnectorError(
            f"Discord cannot deliver to this person: {message}",
            permanent=True,
            code="discord.user_refuses",
            params={"detail": message},
        )
    if code == 10008:
        return ConnectorError(
            f"Discord no longer has this message: {message}",
            permanent=True,
            code="discord.message_gone",
            params={"detail": message},
        )
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
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.DIRECT_MESSAGES,
            Capability.CONVERSATION,
        }
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
        self._bot_id: str | None = None

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

    def key_window(self, capability: Capability, credentials: Credentials = None) -> int:
        """A bot's replies and direct messages carry the same nonce as its posts."""
        if capability in (Capability.REPLY, Capability.DIRECT_MESSAGES):
            creds = credentials or {}
            return self.idempotency_window if creds.get("bot_token") else 0
        return super().key_window(capability, credentials)

    def _where(self, creds: Mapping[str, Any], ref: str) -> tuple[str, str]:
        """``(channel id, message id)`` of ``<channel>:<message>`` or of a message id in the
        connection's channel."""
        channel, _, message = ref.rpartition(":")
        return channel or str(creds.get("channel_id") or ""), message

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        creds = dict(credentials or {})
        channel, message = self._where(creds, reply.in_reply_to)
        if creds.get("bot_token"):
            creds["channel_id"] = channel
        published = self.publish(
            creds,
            Draft(
                text=reply.text,
                idempotency_key=reply.idempotency_key,
                options={
                    "message_reference": {
                        "message_id": message,
                        "channel_id": channel,
                        "fail_if_not_exists": True,
                    }
                },
            ),
        )
        return dataclasses.replace(published, item_id=f"{channel}:{published.external_id}")

    # --- answering people (a bot) -------------------------------------------------------------

    def _bot(self, credentials: Credentials) -> Mapping[str, Any]:
        creds = credentials or {}
        if not creds.get("bot_token"):
            raise ConnectorError(
                "Only a Discord bot can answer people; a webhook can only post.",
                permanent=True,
                code="discord.needs_bot",
            )
        return creds

    def _get(
        self, creds: Mapping[str, Any], path: str, params: Mapping[str, Any] | None = None
    ) -> Any:
        return self.http.get(
            f"{self.endpoints['api']}{path}",
            params=params,
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()

    def _me(self, creds: Mapping[str, Any]) -> str:
        if self._bot_id is None:
            user = self._get(creds, "/users/@me")
            if not isinstance(user, Mapping) or not user.get("id"):
                raise ConnectorError(
                    "Discord did not say which bot the token belongs to.",
                    code="connector.no_account_id",
                    params={"network": "Discord"},
                )
            self._bot_id = str(user["id"])
        return self._bot_id

    def _messages(self, creds: Mapping[str, Any], channel: str, **params: Any) -> list[Any]:
        found = self._get(creds, f"/channels/{channel}/messages", {"limit": 100, **params})
        if not isinstance(found, list):
            raise ConnectorError(
                "Discord returned something other than a list of messages.",
                code="connector.bad_answer",
                params={"network": "Discord"},
            )
        return [m for m in found if isinstance(m, Mapping) and m.get("id")]

    def find_reply(self, credentials: Credentials, reply: Reply, since: datetime) -> list[RawItem]:
        creds = self._bot(credentials)
        channel, message = self._where(creds, reply.in_reply_to)
        me = self._me(creds)
        found = []
        for candidate in self._messages(creds, channel, after=message):
            reference = candidate.get("message_reference") or {}
            author = candidate.get("author") or {}
            if str(reference.get("message_id") or "") != message or str(author.get("id")) != me:
                continue
            item = _message_item(candidate, creds)
            if item is not None and item.created_at >= since:
                found.append(item)
        return found

    def conversation(self, credentials: Credentials, external_id: str) -> Thread:
        creds = self._bot(credentials)
        channel, message = self._where(creds, external_id)
        current: Any = self._get(creds, f"/channels/{channel}/messages/{message}")
        chain: list[Mapping[str, Any]] = []
        complete = True
        for _step in range(MAX_CHAIN):
            chain.append(current)
            reference = current.get("message_reference")
            if not isinstance(reference, Mapping) or not reference.get("message_id"):
                break
            above = current.get("referenced_message")
            if not isinstance(above, Mapping) or not above.get("id"):
                complete = False  # the message answered was deleted
                break
            if above.get("message_reference") and not above.get("referenced_message"):
                above = self._get(creds, f"/channels/{channel}/messages/{above['id']}")
            current = above
        else:
            complete = False
        chain.reverse()
        members = {str(m["id"]) for m in chain}
        later = sorted(
            self._messages(creds, channel, after=chain[0]["id"]), key=lambda m: int(m["id"])
        )
        if len(later) >= 100:
            complete = False
        replies = []
        for candidate in later:
            reference = candidate.get("message_reference") or {}
            if (
                str(reference.get("message_id") or "") in members
                and str(candidate["id"]) not in members
            ):
                members.add(str(candidate["id"]))
                replies.append(candidate)
        items = [
            item
            for item in (_message_item(m, creds, channel) for m in [*chain, *replies])
            if item is not None
        ]
        return Thread(root_id=items[0].external_id, items=items, complete=complete)

    def _dm_channel(self, creds: Mapping[str, Any], message: DirectMessage) -> str:
        if message.conversation_id:
            return message.conversation_id
        channel = self.http.post(
            f"{self.endpoints['api']}/users/@me/channels",
            headers=self._headers(creds),
            json={"recipient_id": message.recipient},
            error_map=_error_map,
            retry=True,  # opening a DM channel twice gives the same channel
        ).json()
        if not isinstance(channel, Mapping) or not channel.get("id"):
            raise ConnectorError(
                "Discord answered without the direct message channel.",
                code="connector.bad_answer",
                params={"network": "Discord"},
            )
        return str(channel["id"])

    def send_message(self, credentials: Credentials, message: DirectMessage) -> Published:
        creds = dict(self._bot(credentials))
        creds["channel_id"] = self._dm_channel(creds, message)
        options: dict[str, Any] = {}
        if message.in_reply_to:
            options["message_reference"] = {
                "message_id": message.in_reply_to.rpartition(":")[2],
                "fail_if_not_exists": False,
            }
        published = self.publish(
            creds,
            Draft(text=message.text, idempotency_key=message.idempotency_key, options=options),
        )
        return dataclasses.replace(
            published, item_id=f"{creds['channel_id']}:{published.external_id}"
        )

    def find_message(
        self, credentials: Credentials, message: DirectMessage, since: datetime
    ) -> list[RawItem]:
        creds = self._bot(credentials)
        channel = self._dm_channel(creds, message)
        me = self._me(creds)
        return [
            item
            for item in (
                _message_item(m, creds, channel) for m in self._messages(creds, channel, limit=50)
            )
            if item is not None and item.author.id == me and item.created_at >= since
        ]

    def fetch_messages(self, credentials: Credentials, cursor: Cursor | None) -> FetchResult:
        """The new messages of the DM channels in ``dm_channel_ids``, oldest first. Cursor:
        ``{"after": {channel id: last message id}}``; a channel's first read takes its latest 100."""
        creds = self._bot(credentials)
        after: dict[str, str] = dict((cursor or {}).get("after") or {})
        items: list[RawItem] = []
        more = False
        for channel in [str(c) for c in creds.get("dm_channel_ids") or []]:
            params = {"after": after[channel]} if channel in after else {}
            found = sorted(self._messages(creds, channel, **params), key=lambda m: int(m["id"]))
            more = more or len(found) >= 100
            for m in found:
                item = _message_item(m, creds, channel)
                if item is not None:
                    items.append(item)
            if found:
                after[channel] = str(found[-1]["id"])
        return FetchResult(items, {"after": after}, more=more)

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


#: Replies followed up towards the first message at most.
MAX_CHAIN = 25


def _message_item(message: Any, creds: Mapping[str, Any], channel: str = "") -> RawItem | None:
    """A Discord message as an item ``<channel id>:<message id>``; a DM channel's messages are of
    kind ``message``."""
    if not isinstance(message, Mapping) or not message.get("id"):
        return None
    created = parse_datetime(message.get("timestamp"))
    if created is None:
        return None
    channel = str(message.get("channel_id") or channel)
    author = message.get("author") if isinstance(message.get("author"), Mapping) else {}
    reference = message.get("message_reference")
    parent = (
        f"{reference.get('channel_id') or channel}:{reference['message_id']}"
        if isinstance(reference, Mapping) and reference.get("message_id")
        else None
    )
    direct = channel in {str(c) for c in creds.get("dm_channel_ids") or []} or not (
        message.get("guild_id") or creds.get("guild_id")
    )
    guild = message.get("guild_id") or creds.get("guild_id") or "@me"
    username = str((author or {}).get("username") or "")
    return RawItem(
        source="discord",
        external_id=f"{channel}:{message['id']}",
        url=f"https://discord.com/channels/{guild}/{channel}/{message['id']}",
        text=str(message.get("content") or ""),
        created_at=created,
        author=Author(
            handle=username,
            name=str((author or {}).get("global_name") or username),
            id=str((author or {}).get("id") or ""),
        ),
        parent_id=parent,
        thread_id=f"channel:{channel}",
        kind=ItemKind.MESSAGE if direct else (ItemKind.REPLY if parent else ItemKind.POST),
        raw=dict(message),
    )
