"""Publishing to Bluesky over XRPC: a session, blobs with alt text, a post record with a key we choose.

- Session: ``com.atproto.server.createSession`` (identifier + app password) once, then the access
  token; an expired one (``400 ExpiredToken`` or 401) is renewed with ``refreshSession``, and only if
  that fails is a new session created. New tokens are left in ``refreshed`` for the vault.
- Media: ``com.atproto.repo.uploadBlob`` with the raw bytes; the returned blob and its alt text go
  into an ``app.bsky.embed.images`` embed. The media id handed to the outbox is that JSON.
- The post: ``com.atproto.repo.createRecord`` in ``app.bsky.feed.post`` with ``rkey`` set to the
  attempt's idempotency key (a TID, the record key format posts use). A record key names one record:
  a retry with the same key first reads ``com.atproto.repo.getRecord`` and returns the post already
  there, so the outbox may resend the same key at any time (``idempotent``, no window).
- Links, mentions and hashtags are facets computed by ``engine.publishing.bluesky_facets`` (UTF-8
  byte offsets); mentions are resolved to DIDs with ``com.atproto.identity.resolveHandle`` and left
  as plain text when the handle does not resolve.
- A thread's other parts are replies to the first (``reply.root``) and to the previous one
  (``reply.parent``), each under a record key derived from the draft's (the TID's clock id advanced).
- ``com.atproto.repo.listRecords`` lists the account's recent posts for reconciliation.
- ``app.bsky.feed.getPosts`` reads a published post back with its likes, reposts, replies and
  quotes (the PDS proxies it to the Bluesky AppView).

Answering people (issue 12):

- ``reply``: the parent is read (``getPosts``) for its ``cid`` and its thread's root; the answer is
  a post record with ``reply.root``/``reply.parent``, under the attempt's key as record key, so a
  retry can never answer twice (``key_window`` unlimited) and ``find_reply`` reads that record.
- ``conversation``: ``app.bsky.feed.getPostThread`` (parents up to ``parentHeight``, replies to
  ``depth``); a post not found or blocked in it makes the thread incomplete.
- Direct messages are Bluesky's chat (:mod:`.chat`), reached through the PDS with the
  ``atproto-proxy`` header; the app password must allow direct messages.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from ambassade.connectors._text import as_int as as_count
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
    MediaUpload,
    Published,
    RawItem,
    Reply,
    Thread,
)
from ambassade.connectors.bluesky import chat
from ambassade.connectors.bluesky.client import BlueskyConnector, _error_map, _xrpc_error
from ambassade.connectors.bluesky.parse import post_item
from ambassade.connectors.http import Response
from ambassade.connectors.publishers import part_key
from ambassade.engine import jsonlines
from ambassade.engine.publishing import EntityKind, bluesky_facets

__all__ = ["BlueskyPublisher"]

POST = "app.bsky.feed.post"


class _NotFound(ConnectorError):
    pass


def _publish_error_map(response: Response, message: str) -> ConnectorError | None:
    error = _xrpc_error(response)
    if "/xrpc/chat.bsky." in response.url:
        mapped = chat.error_map(response, error, message)
        if mapped is not None:
            return mapped
    if response.status_code in (400, 404) and error == "RecordNotFound":
        return _NotFound(
            message, permanent=True, code="bluesky.not_found", params={"detail": message}
        )
    if response.status_code == 413 or error == "BlobTooLarge":
        return ConnectorError(
            f"Bluesky refused the file: {message}",
            permanent=True,
            code="bluesky.file_refused",
            params={"detail": message},
        )
    return _error_map(response, message)


def _blob(value: Any) -> dict[str, Any] | None:
    """A blob reference as the record embeds it (``$type``, ``ref.$link``, ``mimeType``, ``size``),
    rebuilt from the upload's answer so that nothing else the network sent is stored or sent back;
    None when the answer has no such blob."""
    if not isinstance(value, Mapping):
        return None
    ref = value.get("ref")
    link = ref.get("$link") if isinstance(ref, Mapping) else None
    mime, size = value.get("mimeType"), value.get("size")
    if not isinstance(link, str) or not isinstance(mime, str):
        return None
    if not isinstance(size, int) or isinstance(size, bool):
        return None
    return {"$type": "blob", "ref": {"$link": link}, "mimeType": mime, "size": size}


def _images(media_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The embed's images from the handles :meth:`BlueskyPublisher.upload_media` wrote."""
    images = []
    for media_id in media_ids:
        try:
            handle = jsonlines.loads(media_id)
        except ValueError:  # JsonProblem: not JSON, or nested too deep
            handle = None
        blob = _blob(handle.get("blob")) if isinstance(handle, Mapping) else None
        if blob is None:
            raise ConnectorError(
                "A medium was not uploaded to Bluesky by this publisher.",
                permanent=True,
                code="connector.media_not_uploaded",
                params={"network": "Bluesky"},
            )
        images.append({"alt": str(handle.get("alt") or ""), "image": blob})
    return images


class BlueskyPublisher(Connector):
    kind: ClassVar[str] = "bluesky"
    label: ClassVar[str] = "Bluesky"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.DIRECT_MESSAGES,
            Capability.CONVERSATION,
        }
    )
    needs_credentials: ClassVar[bool] = True
    default_endpoints: ClassVar[Mapping[str, str]] = BlueskyConnector.default_endpoints
    #: A record key names one record for good: resending it can never create a second post.
    idempotent: ClassVar[bool] = True
    idempotency_window: ClassVar[int] = 10 * 365 * 24 * 3600

    refreshed: dict[str, Any] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sessions = BlueskyConnector(self.http, endpoints=self.endpoints)
        self._creds: dict[str, Any] | None = None

    # --- session --------------------------------------------------------------------------------

    def _session(self, credentials: Credentials) -> dict[str, Any]:
        if self._creds is None:
            if not credentials:
                raise AuthExpired(
                    "The Bluesky connection has no identifier and app password.",
                    code="bluesky.no_credentials",
                )
            creds = dict(credentials)
            if not creds.get("access_jwt") or not creds.get("did"):
                creds = self._sessions.create_session(creds)
                self.refreshed = creds
            self._creds = creds
        return self._creds

    def _renew(self) -> dict[str, Any]:
        assert self._creds is not None
        try:
            creds = self._sessions.refresh_session(self._creds)
        except AuthExpired:
            creds = self._sessions.create_session(self._creds)
        self._creds = self.refreshed = creds
        return creds

    def _call(self, credentials: Credentials, method: str, nsid: str, **kwargs: Any) -> Response:
        creds = self._session(credentials)
        extra = kwargs.pop("headers", {})
        for attempt in (0, 1):
            headers = {"Authorization": f"Bearer {creds['access_jwt']}", **extra}
            try:
                return self.http.request(
                    method,
                    f"{self._sessions._service(creds)}/xrpc/{nsid}",
                    headers=headers,
                    error_map=_publish_error_map,
                    **kwargs,
                )
            except AuthExpired as error:
                if attempt or isinstance(error, chat.ScopeMissing):
                    raise
                creds = self._renew()
        raise AssertionError("unreachable")

    # --- Publisher ------------------------------------------------------------------------------

    def upload_media(self, credentials: Credentials, media: MediaUpload) -> str:
        body = self._call(
            credentials,
            "POST",
            "com.atproto.repo.uploadBlob",
            headers={"Content-Type": media.content_type},
            content=media.data,
            retry=True,  # an unreferenced blob is garbage-collected by the server
        ).json()
        blob = _blob(body.get("blob") if isinstance(body, Mapping) else None)
        if blob is None:
            raise ConnectorError(
                "Bluesky answered the upload without a blob.",
                code="connector.bad_answer",
                params={"network": "Bluesky"},
            )
        return json.dumps({"blob": blob, "alt": media.alt_text})

    def _facets(self, credentials: Credentials, text: str) -> list[dict[str, Any]]:
        facets = []
        for facet in bluesky_facets(text):
            did = None
            if facet.kind is EntityKind.MENTION:
                try:
                    body = self._call(
                        credentials,
                        "GET",
                        "com.atproto.identity.resolveHandle",
                        params={"handle": facet.value},
                    ).json()
                except AuthExpired:
                    raise
                except ConnectorError as error:
                    if not error.permanent:
                        raise
                    body = {}
                did = body.get("did") if isinstance(body, Mapping) else None
                if not did:
                    continue  # an unknown handle stays plain text, as in Bluesky's own app
            facets.append(facet.as_record(did))
        return facets

    def _get_record(self, credentials: Credentials, rkey: str) -> Any:
        creds = self._session(credentials)
        try:
            return self._call(
                credentials,
                "GET",
                "com.atproto.repo.getRecord",
                params={"repo": creds["did"], "collection": POST, "rkey": rkey},
            ).json()
        except _NotFound:
            return None

    def _existing(
        self, credentials: Credentials, rkey: str
    ) -> tuple[Published, dict[str, str]] | None:
        """The post already under ``rkey`` and its strong reference (uri, cid), or None."""
        creds = self._session(credentials)
        body = self._get_record(credentials, rkey)
        if not isinstance(body, Mapping) or not body.get("uri"):
            return None
        value = body.get("value") if isinstance(body, Mapping) else None
        created = parse_datetime((value or {}).get("createdAt")) or datetime.now(UTC)
        ref = {"uri": str(body["uri"]), "cid": str(body.get("cid") or "")}
        return Published(ref["uri"], self._web_url(creds, rkey), created), ref

    def _web_url(self, creds: Mapping[str, Any], rkey: str) -> str:
        who = creds.get("handle") or creds.get("identifier") or creds.get("did")
        if who and "@" in str(who):  # an e-mail address is no profile name
            who = creds.get("did")
        return f"https://bsky.app/profile/{who}/post/{rkey}"

    def publish(self, credentials: Credentials, draft: Draft) -> Published:
        """The post, then its thread's other parts as replies (``reply.root``/``reply.parent``),
        each under a record key derived from the draft's, so a retry finds them all again."""
        first: Published | None = None
        root: dict[str, str] | None = None
        parent: dict[str, str] | None = None
        images = _images(draft.media_ids)  # refused before anything is sent
        for index, text in enumerate([draft.text, *draft.thread]):
            reply = {"root": root, "parent": parent} if root and parent else None
            published, ref = self._post_one(
                credentials,
                part_key(draft.idempotency_key, index),
                text,
                images if index == 0 else [],
                reply or draft.options.get("reply"),
                draft.options.get("langs"),
            )
            first = first or published
            root = root or ref
            parent = ref
        assert first is not None
        return first

    def _post_one(
        self,
        credentials: Credentials,
        rkey: str,
        text: str,
        images: list[dict[str, Any]],
        reply: Any,
        langs: Any,
    ) -> tuple[Published, dict[str, str]]:
        creds = self._session(credentials)
        found = self._existing(credentials, rkey)
        if found is not None:
            return found
        now = datetime.now(UTC)
        record: dict[str, Any] = {
            "$type": POST,
            "text": text,
            "createdAt": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        }
        facets = self._facets(credentials, text)
        if facets:
            record["facets"] = facets
        if langs:
            record["langs"] = langs
        if images:
            record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
        if reply:
            record["reply"] = reply
        try:
            body = self._call(
                credentials,
                "POST",
                "com.atproto.repo.createRecord",
                json={"repo": creds["did"], "collection": POST, "rkey": rkey, "record": record},
            ).json()
        except ConnectorError as error:
            # Created by an earlier call whose answer was lost: the record is there.
            if error.permanent and "exist" in error.message.lower():
                again = self._existing(credentials, rkey)
                if again is not None:
                    return again
            raise
        if not isinstance(body, Mapping) or not body.get("uri"):
            raise ConnectorError(
                "Bluesky answered without the record's address.",
                code="connector.bad_answer",
                params={"network": "Bluesky"},
            )
        ref = {"uri": str(body["uri"]), "cid": str(body.get("cid") or "")}
        return Published(ref["uri"], self._web_url(self._creds or creds, rkey), now), ref

    def key_window(self, capability: Capability, credentials: Credentials = None) -> int:
        """A reply's record key is the attempt's key, as a post's; chat messages take no key."""
        if capability is Capability.REPLY:
            return self.idempotency_window
        return super().key_window(capability, credentials)

    def _parent_view(self, credentials: Credentials, uri: str) -> Mapping[str, Any]:
        body = self._call(
            credentials, "GET", "app.bsky.feed.getPosts", params=[("uris", uri)]
        ).json()
        posts = body.get("posts") if isinstance(body, Mapping) else None
        for post in posts if isinstance(posts, list) else []:
            if isinstance(post, Mapping) and post.get("uri") == uri and post.get("cid"):
                return post
        raise ConnectorError(
            f"Bluesky no longer shows the post {uri}.",
            permanent=True,
            code="bluesky.post_gone",
            params={"uri": uri},
        )

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        """A post replying to ``in_reply_to`` (an at:// URI): ``reply.parent`` is that post,
        ``reply.root`` its thread's root (the parent's own root, or the parent)."""
        if reply.idempotency_key:
            found = self._existing(credentials, reply.idempotency_key)
            if found is not None:
                return found[0]
        parent = self._parent_view(credentials, reply.in_reply_to)
        parent_ref = {"uri": str(parent["uri"]), "cid": str(parent["cid"])}
        record = parent.get("record") if isinstance(parent.get("record"), Mapping) else {}
        above = record.get("reply") if isinstance(record, Mapping) else None
        root = above.get("root") if isinstance(above, Mapping) else None
        if not isinstance(root, Mapping) or not root.get("uri") or not root.get("cid"):
            root = parent_ref
        thread = {
            "root": {"uri": str(root["uri"]), "cid": str(root["cid"])},
            "parent": parent_ref,
        }
        published, _ref = self._post_one(
            credentials,
            reply.idempotency_key,
            reply.text,
            [],
            thread,
            reply.options.get("langs"),
        )
        return published

    def find_reply(self, credentials: Credentials, reply: Reply, since: datetime) -> list[RawItem]:
        """The record made under the attempt's key, if any: the key names one record."""
        creds = self._session(credentials)
        item = self._item(creds, self._get_record(credentials, reply.idempotency_key))
        return [item] if item is not None else []

    def conversation(self, credentials: Credentials, external_id: str) -> Thread:
        body = self._call(
            credentials,
            "GET",
            "app.bsky.feed.getPostThread",
            params={"uri": external_id, "depth": 10, "parentHeight": 80},
        ).json()
        node = body.get("thread") if isinstance(body, Mapping) else None
        if not isinstance(node, Mapping) or not isinstance(node.get("post"), Mapping):
            raise ConnectorError(
                f"Bluesky does not show the thread of {external_id}.",
                permanent=True,
                code="bluesky.post_gone",
                params={"uri": external_id},
            )
        complete = True
        chain: list[RawItem] = []
        parent: Any = node.get("parent")
        while isinstance(parent, Mapping):
            if not isinstance(parent.get("post"), Mapping):  # notFoundPost, blockedPost
                complete = False
                break
            chain.append(post_item(parent["post"]))
            parent = parent.get("parent")
        if chain and chain[-1].parent_id:
            complete = False  # the chain stops below its root (parentHeight reached)
        items = list(reversed(chain))
        items.append(post_item(node["post"]))
        pending: list[Any] = list(reversed(node.get("replies") or []))
        while pending:
            child = pending.pop()
            if not isinstance(child, Mapping) or not isinstance(child.get("post"), Mapping):
                complete = False
                continue
            items.append(post_item(child["post"]))
            replies = child.get("replies")
            if replies is None and (as_count(child["post"].get("replyCount")) or 0) > 0:
                complete = False  # below the depth asked for
            pending.extend(reversed(replies or []))
        return Thread(root_id=items[0].external_id, items=items, complete=complete)

    # --- chat (direct messages) ------------------------------------------------------------------

    def _chat(self, credentials: Credentials, method: str, nsid: str, **kwargs: Any) -> Any:
        return self._call(
            credentials, method, nsid, headers={"atproto-proxy": chat.PROXY}, **kwargs
        ).json()

    def send_message(self, credentials: Credentials, message: DirectMessage) -> Published:
        creds = self._session(credentials)
        convo = message.conversation_id or chat.convo_id(
            self._chat(
                credentials,
                "GET",
                "chat.bsky.convo.getConvoForMembers",
                params=[("members", message.recipient)],
            )
        )
        sent = self._chat(
            credentials,
            "POST",
            "chat.bsky.convo.sendMessage",
            json={"convoId": convo, "message": {"text": message.text}},
        )
        item = chat.message_item(sent, convo, str(creds.get("did") or ""))
        return Published(item.external_id, "", item.created_at)

    def find_message(
        self, credentials: Credentials, message: DirectMessage, since: datetime
    ) -> list[RawItem]:
        """The account's own messages in the conversation since ``since`` (chat takes no key)."""
        creds = self._session(credentials)
        convo = message.conversation_id or chat.convo_id(
            self._chat(
                credentials,
                "GET",
                "chat.bsky.convo.getConvoForMembers",
                params=[("members", message.recipient)],
            )
        )
        body = self._chat(
            credentials,
            "GET",
            "chat.bsky.convo.getMessages",
            params={"convoId": convo, "limit": 100},
        )
        me = str(creds.get("did") or "")
        return [
            item
            for item in chat.message_items(body, convo, me)
            if item.author.id == me and item.created_at >= since
        ]

    def fetch_messages(self, credentials: Credentials, cursor: Cursor | None) -> FetchResult:
        """The conversations whose ``rev`` changed (``listConvos``), and in each the messages
        newer than the last one returned (``getMessages``, newest first, paged back to it).
        Cursor: ``{"revs": {convo id: rev}, "last": {convo id: last message id}}``."""
        creds = self._session(credentials)
        me = str(creds.get("did") or "")
        revs: dict[str, str] = dict((cursor or {}).get("revs") or {})
        last: dict[str, str] = dict((cursor or {}).get("last") or {})
        body = self._chat(credentials, "GET", "chat.bsky.convo.listConvos", params={"limit": 50})
        items: list[RawItem] = []
        for convo in chat.convos(body):
            convo_id, rev = str(convo["id"]), str(convo.get("rev") or "")
            if revs.get(convo_id) == rev:
                continue
            new, newest = self._new_messages(credentials, convo_id, me, last.get(convo_id))
            items += new
            revs[convo_id] = rev
            if newest:
                last[convo_id] = newest
        result = FetchResult(items, {"revs": revs, "last": last})
        if self.refreshed is not None:
            return FetchResult(result.items, result.next_cursor, credentials=self.refreshed)
        return result

    def _new_messages(
        self, credentials: Credentials, convo: str, me: str, after: str | None
    ) -> tuple[list[RawItem], str | None]:
        found: list[RawItem] = []
        token: str | None = None
        for _page in range(chat.MAX_PAGES):
            body = self._chat(
                credentials,
                "GET",
                "chat.bsky.convo.getMessages",
                params={"convoId": convo, "limit": 100, "cursor": token},
            )
            page = chat.message_items(body, convo, me)
            reached = False
            for item in page:
                if after is not None and chat.rev_key(item) <= after:
                    reached = True
                    break
                found.append(item)
            token = body.get("cursor") if isinstance(body, Mapping) else None
            if reached or not token or after is None:
                break
        newest = max((chat.rev_key(item) for item in found), default=None)
        return list(reversed(found)), newest

    def read_back(self, credentials: Credentials, external_id: str) -> RawItem | None:
        """The post as the AppView sees it (``app.bsky.feed.getPosts``, proxied by the account's
        PDS), with its likes, reposts, replies and quotes; None when it is gone."""
        creds = self._session(credentials)
        body = self._call(
            credentials, "GET", "app.bsky.feed.getPosts", params=[("uris", external_id)]
        ).json()
        posts = body.get("posts") if isinstance(body, Mapping) else None
        if not isinstance(posts, list):
            raise ConnectorError(
                "Bluesky returned no list of posts.",
                code="connector.bad_answer",
                params={"network": "Bluesky"},
            )
        for post in posts:
            if isinstance(post, Mapping) and post.get("uri") == external_id:
                return self._post_view(creds, post)
        return None

    def _post_view(self, creds: Mapping[str, Any], post: Mapping[str, Any]) -> RawItem | None:
        item = self._item(creds, {"uri": post.get("uri"), "value": post.get("record")})
        if item is None:
            return None
        metrics = {
            name: int(post[key])
            for name, key in (
                ("likes", "likeCount"),
                ("reposts", "repostCount"),
                ("replies", "replyCount"),
                ("quotes", "quoteCount"),
            )
            if isinstance(post.get(key), int) and not isinstance(post.get(key), bool)
        }
        return dataclasses.replace(item, metrics=metrics, raw=dict(post))

    def _item(self, creds: Mapping[str, Any], record: Any) -> RawItem | None:
        if not isinstance(record, Mapping) or not isinstance(record.get("value"), Mapping):
            return None
        value = record["value"]
        created = parse_datetime(value.get("createdAt"))
        if created is None:
            return None
        uri = str(record.get("uri") or "")
        return RawItem(
            source="bluesky",
            external_id=uri,
            url=self._web_url(creds, uri.rsplit("/", 1)[-1]),
            text=str(value.get("text") or ""),
            created_at=created,
            raw=dict(record),
        )

    def recent_posts(self, credentials: Credentials, since: datetime) -> Sequence[RawItem]:
        creds = self._session(credentials)
        body = self._call(
            credentials,
            "GET",
            "com.atproto.repo.listRecords",
            params={"repo": creds["did"], "collection": POST, "limit": 50},
        ).json()
        records = body.get("records") if isinstance(body, Mapping) else None
        if not isinstance(records, list):
            raise ConnectorError(
                "Bluesky returned no list of records.",
                code="connector.bad_answer",
                params={"network": "Bluesky"},
            )
        items = [self._item(creds, record) for record in records]
        return [item for item in items if item is not None and item.created_at >= since]
