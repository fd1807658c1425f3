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
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

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
from ambassade.connectors.bluesky.client import BlueskyConnector, _error_map, _xrpc_error
from ambassade.connectors.http import Response
from ambassade.connectors.publishers import part_key
from ambassade.engine.publishing import EntityKind, bluesky_facets

__all__ = ["BlueskyPublisher"]

POST = "app.bsky.feed.post"


class _NotFound(ConnectorError):
    pass


def _publish_error_map(response: Response, message: str) -> ConnectorError | None:
    error = _xrpc_error(response)
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


class BlueskyPublisher(Connector):
    kind: ClassVar[str] = "bluesky"
    label: ClassVar[str] = "Bluesky"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PUBLISH, Capability.REPLY}
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
            except AuthExpired:
                if attempt:
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
        blob = body.get("blob") if isinstance(body, Mapping) else None
        if not isinstance(blob, Mapping):
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
        for index, text in enumerate([draft.text, *draft.thread]):
            reply = {"root": root, "parent": parent} if root and parent else None
            published, ref = self._post_one(
                credentials,
                part_key(draft.idempotency_key, index),
                text,
                draft.media_ids if index == 0 else (),
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
        media_ids: Sequence[str],
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
        if media_ids:
            images = [json.loads(media_id) for media_id in media_ids]
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [
                    {"alt": image.get("alt", ""), "image": image["blob"]} for image in images
                ],
            }
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

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        raise ConnectorError(
            "Replying on Bluesky needs the parent's record.",
            permanent=True,
            code="bluesky.reply_needs_parent",
        )

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
