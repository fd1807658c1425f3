"""Publishing to Mastodon: media with a description, statuses with an ``Idempotency-Key``, read-back.

- ``POST /api/v2/media`` (multipart ``file`` + ``description``, the alt text). It answers 200 when the
  file is ready or 202 with ``url: null`` while it is processed; ``GET /api/v1/media/:id`` answers 206
  until it is ready. A status that names media still in processing is refused with 422, which is
  temporary here.
- ``POST /api/v1/statuses`` with the header ``Idempotency-Key``: the server keeps the key for an hour
  and answers a repeated request with the status it already created, so the outbox may resend the
  same key after an unknown outcome within that hour (``idempotent``, ``idempotency_window``). A
  thread's other parts are replies (``in_reply_to_id``), each with a key derived from the draft's.
- ``GET /api/v2/instance`` gives the server's limits (``max_characters``, media types and sizes),
  which the composer counts against.
- ``GET /api/v1/statuses/:id`` reads a status back; ``GET /api/v1/accounts/:id/statuses`` lists the
  account's own recent statuses for reconciliation (the account id comes from the connection, or from
  ``GET /api/v1/accounts/verify_credentials``).

Answering people (issue 12):

- ``reply``: ``POST /api/v1/statuses`` with ``in_reply_to_id`` and the same ``Idempotency-Key``
  guarantee. The parent is read first (``GET /api/v1/statuses/:id``): the answer takes its
  visibility (a reply to a direct message stays direct) and starts with ``@author`` when the text
  does not name them, as Mastodon's own app does (Mastodon delivers a reply to the people it
  mentions). A parent known by its ActivityPub URI (listening's id) is looked up first with
  ``GET /api/v2/search?resolve=true``.
- ``send_message``: a status of visibility ``direct`` mentioning the recipient (an ``acct`` or an
  account URI, resolved the same way); Mastodon's "private mentions".
- ``conversation``: ``GET /api/v1/statuses/:id/context`` (ancestors and descendants);
  ``fetch_messages``: ``GET /api/v1/conversations`` and the context of each conversation whose last
  status changed.
- ``find_reply``/``find_message``: the account's own statuses among the parent's descendants (or in
  the conversation with the recipient), since the attempt.

Credentials: ``access_token`` (scopes ``write:statuses write:media read:statuses``; answering also
needs ``read:search`` to look up a URI, and direct messages ``read:statuses`` for conversations),
``instance`` (the server's address) or an ``account_name`` like ``@brand@mastodon.social`` to
derive it from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote

from ambassade.connectors._text import parse_datetime
from ambassade.connectors.base import (
    AuthExpired,
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
from ambassade.connectors.mastodon.client import _error_map as _listening_error_map
from ambassade.connectors.mastodon.client import _id_key
from ambassade.connectors.mastodon.parse import status_item
from ambassade.connectors.publishers import part_key
from ambassade.engine.publishing import Limits

__all__ = ["MastodonPublisher"]

PAGE = 40


def _error_map(response: Response, message: str) -> ConnectorError | None:
    mapped = _listening_error_map(response, message)
    if mapped is not None:
        return mapped
    if response.status_code == 422 and "processing" in message.lower():
        return ConnectorError(
            f"Mastodon is still processing the media ({message}).",
            permanent=False,
            retry_after=30,
            code="mastodon.processing",
            params={"detail": message},
        )
    if response.status_code == 404 and "/statuses/" in response.url:
        return ConnectorError(
            f"Mastodon no longer has this status: {message}",
            permanent=True,
            code="mastodon.status_gone",
            params={"detail": message},
        )
    if response.status_code == 422:
        return ConnectorError(
            f"Mastodon refused the post: {message}",
            permanent=True,
            code="connector.post_refused",
            params={"network": "Mastodon", "detail": message},
        )
    return None


def instance_of(credentials: Mapping[str, Any]) -> str:
    instance = str(credentials.get("instance") or "").rstrip("/")
    if instance:
        return instance
    account = str(credentials.get("account_name") or "").lstrip("@")
    _, _, host = account.partition("@")
    if not host:
        raise ConnectorError(
            "The Mastodon connection names no server: its account must look like @name@server.",
            permanent=True,
            code="mastodon.no_server",
        )
    return f"https://{host}"


class MastodonPublisher(Connector):
    kind: ClassVar[str] = "mastodon"
    label: ClassVar[str] = "Mastodon"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.DIRECT_MESSAGES,
            Capability.CONVERSATION,
        }
    )
    needs_credentials: ClassVar[bool] = True
    #: The server deduplicates statuses by Idempotency-Key for an hour; keep a margin.
    idempotent: ClassVar[bool] = True
    idempotency_window: ClassVar[int] = 50 * 60

    refreshed: dict[str, Any] | None = None

    # --- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _creds(credentials: Credentials) -> Mapping[str, Any]:
        if not credentials or not credentials.get("access_token"):
            raise AuthExpired(
                "The Mastodon connection has no access token.",
                code="connection.no_token",
                params={"network": "Mastodon"},
            )
        return credentials

    def _headers(self, creds: Mapping[str, Any], **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {creds['access_token']}", **extra}

    def _url(self, creds: Mapping[str, Any], path: str) -> str:
        return instance_of(creds) + path

    # --- Publisher -------------------------------------------------------------------------------

    def limits(self, credentials: Credentials) -> Limits:
        """The server's own limits (``GET /api/v2/instance``): ``max_characters`` differs from one
        server to another (500 by default, thousands on some)."""
        creds = self._creds(credentials)
        response = self.http.get(self._url(creds, "/api/v2/instance"), error_map=_error_map)
        body = response.json()
        if not isinstance(body, Mapping):
            raise ConnectorError(
                "Mastodon described its server in an unexpected format.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        return Limits.from_mastodon_instance(body)

    def upload_media(self, credentials: Credentials, media: MediaUpload) -> str:
        creds = self._creds(credentials)
        body = self._multipart(media)
        response = self.http.post(
            self._url(creds, "/api/v2/media"),
            headers=self._headers(creds, **{"Content-Type": body[0]}),
            content=body[1],
            error_map=_error_map,
            retry=True,  # an orphan attachment is harmless and expires on the server
        )
        data = response.json()
        if not isinstance(data, Mapping) or not data.get("id"):
            raise ConnectorError(
                "Mastodon answered the upload without a media id.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        return str(data["id"])

    @staticmethod
    def _multipart(media: MediaUpload) -> tuple[str, bytes]:
        boundary = "ambassade-" + "b7f3c1d2e4a5968"
        name = media.filename.replace('"', "").replace("\r", "").replace("\n", "") or "file"
        parts = [
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{name}"\r\nContent-Type: {media.content_type}\r\n\r\n'
            ).encode()
            + media.data
            + b"\r\n"
        ]
        if media.alt_text:
            parts.append(
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n'
                    f"{media.alt_text}\r\n"
                ).encode()
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return f"multipart/form-data; boundary={boundary}", b"".join(parts)

    def publish(self, credentials: Credentials, draft: Draft) -> Published:
        """The post, and its thread's other parts as replies to it, each with its own key derived
        from the draft's: a retry finds the parts already created instead of adding them again."""
        creds = self._creds(credentials)
        first: Published | None = None
        parent = draft.options.get("in_reply_to_id")
        for index, text in enumerate([draft.text, *draft.thread]):
            payload: dict[str, Any] = {
                "status": text,
                "media_ids": list(draft.media_ids) if index == 0 else [],
            }
            for key in ("visibility", "language", "spoiler_text", "sensitive"):
                if key in draft.options:
                    payload[key] = draft.options[key]
            if parent:
                payload["in_reply_to_id"] = parent
            response = self.http.post(
                self._url(creds, "/api/v1/statuses"),
                headers=self._headers(
                    creds, **{"Idempotency-Key": part_key(draft.idempotency_key, index)}
                ),
                json=payload,
                error_map=_error_map,
            )
            published = self._published(response.json())
            parent = published.external_id
            first = first or published
        assert first is not None
        return first

    def key_window(self, capability: Capability, credentials: Credentials = None) -> int:
        """Replies and direct messages are statuses: the same ``Idempotency-Key`` hour."""
        if capability in (Capability.REPLY, Capability.DIRECT_MESSAGES):
            return self.idempotency_window
        return super().key_window(capability, credentials)

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        creds = self._creds(credentials)
        parent = self._status(creds, self._local_id(creds, reply.in_reply_to))
        visibility = str(reply.options.get("visibility") or parent.get("visibility") or "public")
        author = parent.get("account") if isinstance(parent.get("account"), Mapping) else {}
        text = _addressed(reply.text, str((author or {}).get("acct") or ""), self._me(creds))
        return self._send_status(creds, text, reply.idempotency_key, str(parent["id"]), visibility)

    def send_message(self, credentials: Credentials, message: DirectMessage) -> Published:
        """A ``direct`` status that mentions the recipient (Mastodon's private mention)."""
        creds = self._creds(credentials)
        acct = self._acct(creds, message.recipient)
        parent = self._local_id(creds, message.in_reply_to) if message.in_reply_to else None
        text = _addressed(message.text, acct, "")
        return self._send_status(creds, text, message.idempotency_key, parent, "direct")

    def _send_status(
        self, creds: Mapping[str, Any], text: str, key: str, parent: str | None, visibility: str
    ) -> Published:
        payload: dict[str, Any] = {"status": text, "visibility": visibility}
        if parent:
            payload["in_reply_to_id"] = parent
        status = self.http.post(
            self._url(creds, "/api/v1/statuses"),
            headers=self._headers(creds, **{"Idempotency-Key": key}),
            json=payload,
            error_map=_error_map,
        ).json()
        published = self._published(status)
        return replace(published, item_id=str(status.get("uri") or ""))

    @staticmethod
    def _published(status: Any) -> Published:
        if not isinstance(status, Mapping) or not status.get("id"):
            raise ConnectorError(
                "Mastodon answered without the created status.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        created = parse_datetime(status.get("created_at"))
        if created is None:
            raise ConnectorError(
                "Mastodon answered with a status without a valid date.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        return Published(
            external_id=str(status["id"]),
            url=str(status.get("url") or status.get("uri") or ""),
            published_at=created,
        )

    def read_back(self, credentials: Credentials, external_id: str) -> RawItem | None:
        creds = self._creds(credentials)
        response = self.http.get(
            self._url(creds, f"/api/v1/statuses/{external_id}"),
            headers=self._headers(creds),
            error_map=_error_map,
            ok=(404,),
        )
        if response.status_code == 404:
            return None
        return status_item(response.json())

    def account_id(self, creds: Mapping[str, Any]) -> str:
        if creds.get("account_id"):
            return str(creds["account_id"])
        account = self.http.get(
            self._url(creds, "/api/v1/accounts/verify_credentials"),
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()
        if not isinstance(account, Mapping) or not account.get("id"):
            raise ConnectorError(
                "Mastodon did not say which account the token belongs to.",
                code="connector.no_account_id",
                params={"network": "Mastodon"},
            )
        return str(account["id"])

    def recent_posts(self, credentials: Credentials, since: datetime) -> Sequence[RawItem]:
        creds = self._creds(credentials)
        statuses = self.http.get(
            self._url(creds, f"/api/v1/accounts/{self.account_id(creds)}/statuses"),
            params={"limit": PAGE, "exclude_reblogs": "true"},
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()
        if not isinstance(statuses, list):
            raise ConnectorError(
                "Mastodon returned something other than a list of statuses.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        items = []
        for status in statuses:
            item = status_item(status)
            if item is not None and item.created_at >= since:
                # The local id, which read_back and the post's page use.
                items.append(replace(item, external_id=str(status["id"])))
        return items

    # --- answering people ----------------------------------------------------------------------

    def _status(self, creds: Mapping[str, Any], local_id: str) -> Mapping[str, Any]:
        status = self.http.get(
            self._url(creds, f"/api/v1/statuses/{quote(local_id, safe='')}"),
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()
        if not isinstance(status, Mapping) or not status.get("id"):
            raise ConnectorError(
                "Mastodon answered without the status.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        return status

    def _search(self, creds: Mapping[str, Any], query: str, kind: str) -> list[Any]:
        body = self.http.get(
            self._url(creds, "/api/v2/search"),
            params={"q": query, "type": kind, "resolve": "true", "limit": 1},
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()
        found = body.get(kind) if isinstance(body, Mapping) else None
        return found if isinstance(found, list) else []

    def _local_id(self, creds: Mapping[str, Any], ref: str) -> str:
        """The status's id on the account's server: ``ref`` itself, or the status found there for
        an ActivityPub URI or address (listening keeps URIs: the same on every server)."""
        if "://" not in ref:
            return ref
        for status in self._search(creds, ref, "statuses"):
            if isinstance(status, Mapping) and status.get("id"):
                return str(status["id"])
        raise ConnectorError(
            f"Mastodon's server does not find the status {ref}.",
            permanent=True,
            code="mastodon.status_unknown",
            params={"uri": ref},
        )

    def _acct(self, creds: Mapping[str, Any], recipient: str) -> str:
        """``user@server`` for a recipient given as an acct (with or without ``@``) or as the
        account's URI or address."""
        recipient = recipient.strip()
        if "://" not in recipient:
            return recipient.lstrip("@")
        for account in self._search(creds, recipient, "accounts"):
            if isinstance(account, Mapping) and account.get("acct"):
                return str(account["acct"])
        raise ConnectorError(
            f"Mastodon's server does not find the account {recipient}.",
            permanent=True,
            code="mastodon.account_unknown",
            params={"account": recipient},
        )

    @staticmethod
    def _me(creds: Mapping[str, Any]) -> str:
        """The account's own ``user@server`` (from the connection's ``account_name``)."""
        return str(creds.get("account_name") or "").strip().lstrip("@")

    def _context(self, creds: Mapping[str, Any], local_id: str) -> tuple[list[Any], list[Any]]:
        body = self.http.get(
            self._url(creds, f"/api/v1/statuses/{quote(local_id, safe='')}/context"),
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()
        ancestors = body.get("ancestors") if isinstance(body, Mapping) else None
        descendants = body.get("descendants") if isinstance(body, Mapping) else None
        if not isinstance(ancestors, list) or not isinstance(descendants, list):
            raise ConnectorError(
                "Mastodon answered the context without ancestors and descendants.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        return ancestors, descendants

    def conversation(self, credentials: Credentials, external_id: str) -> Thread:
        """The status, its ancestors and its descendants in order. Items keep listening's
        identity (the URI) and name their parent by its URI when the parent is in the thread.
        Incomplete when the first ancestor is itself a reply (the server could not read further
        up: a deleted or unreachable status)."""
        creds = self._creds(credentials)
        local = self._local_id(creds, external_id)
        status = self._status(creds, local)
        ancestors, descendants = self._context(creds, local)
        items = _thread_items([*ancestors, status, *descendants])
        complete = bool(items) and items[0].parent_id is None
        return Thread(
            root_id=items[0].external_id if items else external_id,
            items=items,
            complete=complete,
            private=status.get("visibility") == "direct",
        )

    def _own_statuses(
        self, creds: Mapping[str, Any], statuses: Sequence[Any], parent: str | None, since: datetime
    ) -> list[RawItem]:
        me = self.account_id(creds)
        found = []
        for status in statuses:
            if not isinstance(status, Mapping) or not isinstance(status.get("account"), Mapping):
                continue
            if str(status["account"].get("id")) != me:
                continue
            if parent is not None and str(status.get("in_reply_to_id") or "") != parent:
                continue
            item = status_item(status)
            if item is not None and item.created_at >= since:
                found.append(replace(item, external_id=str(status["id"])))
        return found

    def find_reply(self, credentials: Credentials, reply: Reply, since: datetime) -> list[RawItem]:
        creds = self._creds(credentials)
        parent = self._local_id(creds, reply.in_reply_to)
        _ancestors, descendants = self._context(creds, parent)
        return self._own_statuses(creds, descendants, parent, since)

    def find_message(
        self, credentials: Credentials, message: DirectMessage, since: datetime
    ) -> list[RawItem]:
        """In reply to a message: among its descendants. Otherwise: in the account's direct
        conversations with the recipient (``GET /api/v1/conversations``), the context of each
        conversation's last status."""
        creds = self._creds(credentials)
        if message.in_reply_to:
            parent = self._local_id(creds, message.in_reply_to)
            return self._own_statuses(creds, self._context(creds, parent)[1], parent, since)
        acct = self._acct(creds, message.recipient).casefold()
        found: list[RawItem] = []
        for conversation in self._conversations(creds, {}):
            accounts = conversation.get("accounts") or []
            if not any(
                isinstance(a, Mapping) and str(a.get("acct") or "").casefold() == acct
                for a in accounts
            ):
                continue
            last = conversation.get("last_status")
            if not isinstance(last, Mapping) or not last.get("id"):
                continue
            ancestors, descendants = self._context(creds, str(last["id"]))
            found += self._own_statuses(creds, [*ancestors, last, *descendants], None, since)
        return found

    def _conversations(
        self, creds: Mapping[str, Any], params: Mapping[str, Any]
    ) -> list[Mapping[str, Any]]:
        body = self.http.get(
            self._url(creds, "/api/v1/conversations"),
            params={"limit": PAGE, **params},
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()
        if not isinstance(body, list):
            raise ConnectorError(
                "Mastodon returned something other than a list of conversations.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        return [c for c in body if isinstance(c, Mapping) and c.get("id")]

    def fetch_messages(self, credentials: Credentials, cursor: Cursor | None) -> FetchResult:
        """The direct conversations whose last status changed since the cursor, each read whole
        (the context of its last status), both sides. Cursor: ``{"last": {conversation id: last
        status id}}``; the first fetch reads the newest page of conversations."""
        creds = self._creds(credentials)
        seen: dict[str, str] = dict((cursor or {}).get("last") or {})
        items: dict[str, RawItem] = {}
        conversations = self._conversations(creds, {})
        changed = 0
        for conversation in conversations:
            last = conversation.get("last_status")
            if not isinstance(last, Mapping) or not last.get("id"):
                continue
            key, last_id = str(conversation["id"]), str(last["id"])
            if seen.get(key) == last_id:
                continue
            changed += 1
            ancestors, descendants = self._context(creds, last_id)
            for item in _thread_items([*ancestors, last, *descendants]):
                if item.kind is ItemKind.MESSAGE:
                    items[item.external_id] = replace(item, thread_id=f"conversation:{key}")
            seen[key] = last_id
        # Keep the cursor bounded: the conversations of the latest pages only.
        kept = dict(sorted(seen.items(), key=lambda kv: _id_key(kv[1]))[-1000:])
        more = changed == len(conversations) == PAGE and cursor is not None
        return FetchResult(list(items.values()), {"last": kept}, more=more)


def _addressed(text: str, acct: str, me: str) -> str:
    """``@acct text`` unless the text already names them (or they are the account itself)."""
    own = acct.casefold()
    if not acct or own == me.casefold() or ("@" not in own and own == me.casefold().split("@")[0]):
        return text
    short = acct.split("@", 1)[0]
    words = {word.lstrip("@").casefold() for word in text.split() if word.startswith("@")}
    if acct.casefold() in words or (short.casefold() in words and "@" not in acct):
        return text
    return f"@{acct} {text}"


def _thread_items(statuses: Sequence[Any]) -> list[RawItem]:
    """RawItems of a thread's statuses in order, each naming its parent by the parent's URI when
    the parent is in the thread (listening's identity), else by its local id."""
    uris = {
        str(s["id"]): str(s.get("uri") or s["id"])
        for s in statuses
        if isinstance(s, Mapping) and s.get("id")
    }
    items: list[RawItem] = []
    seen: set[str] = set()
    for status in statuses:
        item = status_item(status)
        if item is None or item.external_id in seen:
            continue
        seen.add(item.external_id)
        parent = item.parent_id
        items.append(replace(item, parent_id=uris.get(parent, parent) if parent else None))
    return items
