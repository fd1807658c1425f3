"""Publishing to an Instagram business account with the Graph API (Facebook login).

Credentials: ``ig_user_id``, ``access_token`` (with ``instagram_basic``,
``instagram_content_publish`` and ``pages_read_engagement``), optional ``api_version`` and
``graph_url`` (default https://graph.facebook.com).

Instagram takes no upload: it fetches each image or video from a **public address**
(``MediaUpload.public_url``, the product's ``/m/<token>``), so ``upload_media`` only checks that
address, and ``publish`` does the two steps:

1. a media container, ``POST /{ig_user_id}/media`` with ``image_url`` (JPEG, with ``alt_text``) or
   ``video_url`` (``media_type=REELS``) and the ``caption``; for a carousel (2–10 items) one
   container per item with ``is_carousel_item=true``, then a ``CAROUSEL`` container naming them in
   ``children``. Each is polled (``GET /{container}?fields=status_code,status``) until ``FINISHED``,
   for a bounded time; ``ERROR`` is explained, ``EXPIRED`` or a long wait is temporary. A container
   never published is harmless (it expires after 24 hours), so creating one is retried freely. Each
   container made is reported at once (``Draft.on_container``); the outbox stores it with the
   variant and hands it back (``Draft.containers``), so that the next attempt, in any worker, takes
   it up, still processing or ready, instead of making another: the outbox bounds each attempt,
   and a video can take longer;
2. ``POST /{ig_user_id}/media_publish`` with ``creation_id``. This is the only call that publishes.
   After a 5xx or a timeout there, the container's ``status_code`` says whether it was published (a
   container publishes at most once): ``PUBLISHED`` → the post is the newest of
   ``GET /{ig_user_id}/media`` with this caption; otherwise the outcome stays unknown and the outbox
   reconciles it later from the same list, never repeating the call blindly.

A text alone is refused (Instagram needs an image or a video). Before publishing, ``GET
/{ig_user_id}/content_publishing_limit`` is read: a used-up quota (100 posts in 24 hours) is a rate
limit. ``read_back`` gives likes and comments.

Answering people (issue 12), with ``instagram_manage_comments`` and ``instagram_manage_messages``
added to the token's permissions:

- ``reply``: to a comment (``parent_kind`` comment or reply), ``POST /{comment}/replies``; to a post,
  ``POST /{media}/comments``. Instagram threads are two levels: a reply to a reply goes under its
  top-level comment. ``find_reply`` reads the replies (or comments) for the account's own.
- ``conversation``: a comment's top-level comment and its ``replies``; a post and its comments.
- Messages: :mod:`.._messaging` on ``/me/messages`` and ``/me/conversations?platform=instagram``
  (``me`` is the page of the page token); the 24-hour window applies, as on Messenger, and a
  message holds at most 1,000 bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from ambassade.connectors import _graph, _messaging
from ambassade.connectors._graph_publish import QUOTA_WAIT, ContainerPublisher
from ambassade.connectors._text import as_int, parse_datetime
from ambassade.connectors.base import (
    AuthExpired,
    Author,
    Capability,
    ConnectorError,
    Credentials,
    Cursor,
    DirectMessage,
    Draft,
    FetchResult,
    ItemKind,
    Published,
    RawItem,
    Reply,
    Thread,
)
from ambassade.connectors.http import Response

__all__ = ["API_VERSION", "QUOTA_WAIT", "InstagramPublisher"]

API_VERSION = "v23.0"
RECENT_PAGES = 20
MAX_ITEMS = 10
MEDIA_FIELDS = "id,caption,timestamp,permalink,media_type,like_count,comments_count"

#: Container error subcodes (``status`` when ``status_code`` is ERROR) in plain words, and whether
#: a later attempt may succeed.
CONTAINER_ERRORS: dict[str, tuple[str, bool]] = {
    "2207001": ("Instagram had an internal error", False),
    "2207003": ("downloading the media from Ambassade took too long", False),
    "2207004": ("the image is too large", True),
    "2207005": ("the image format is not supported (Instagram takes JPEG)", True),
    "2207009": ("the image's aspect ratio is not supported", True),
    "2207020": ("the prepared media expired", False),
    "2207026": ("the video format is not supported", True),
    "2207032": ("Instagram could not create the media", False),
    "2207052": ("Instagram could not fetch the media from Ambassade's address", True),
}

#: The message code of each (the product words them).
CONTAINER_ERROR_CODES = {
    "2207001": "instagram.media_2207001",
    "2207003": "instagram.media_2207003",
    "2207004": "instagram.media_2207004",
    "2207005": "instagram.media_2207005",
    "2207009": "instagram.media_2207009",
    "2207020": "instagram.media_2207020",
    "2207026": "instagram.media_2207026",
    "2207032": "instagram.media_2207032",
    "2207052": "instagram.media_2207052",
}


def _is_publish(response: Response) -> bool:
    path = response.url.split("?", 1)[0].rstrip("/")
    return path.endswith(("/media_publish", "/comments", "/replies", "/messages"))


_graph_errors = _messaging.error_map("Instagram", _graph.error_map("Instagram", _is_publish))
COMMENT_FIELDS = "id,text,timestamp,username,from{id,username},parent_id,media{id},like_count"


def _errors(response: Response, message: str) -> ConnectorError | None:
    _code, subcode, detail = _graph.error_details(response)
    if subcode == 2207042:
        return ConnectorError(
            f"Instagram's limit of posts in 24 hours is reached for this account: {detail}",
            permanent=False,
            retry_after=QUOTA_WAIT,
            code="graph.quota_reached",
            params={"network": "Instagram", "detail": detail},
        )
    return _graph_errors(response, message)


def _explain(detail: str) -> tuple[str, str, bool]:
    for subcode, (words, permanent) in CONTAINER_ERRORS.items():
        if subcode in detail:
            return CONTAINER_ERROR_CODES[subcode], words, permanent
    return "graph.media_failed", detail, True


class InstagramPublisher(ContainerPublisher):
    kind: ClassVar[str] = "instagram"
    label: ClassVar[str] = "Instagram"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.METRICS,
            Capability.DIRECT_MESSAGES,
            Capability.CONVERSATION,
        }
    )
    default_endpoints: ClassVar[Mapping[str, str]] = {"api": "https://graph.facebook.com"}
    #: Seconds after the person's last message during which the account may answer.
    message_window: ClassVar[int] = int(_messaging.WINDOW.total_seconds())
    api_version: ClassVar[str] = API_VERSION
    user_field: ClassVar[str] = "ig_user_id"
    possessive: ClassVar[str] = "Instagram's"
    quota_edge: ClassVar[str] = "content_publishing_limit"
    container_edge: ClassVar[str] = "media"
    publish_edge: ClassVar[str] = "media_publish"
    max_items: ClassVar[int] = MAX_ITEMS
    carousel_words: ClassVar[str] = "An Instagram carousel"

    def _error_map(self, response: Response, message: str) -> ConnectorError | None:
        return _errors(response, message)

    def _explain(self, detail: str) -> tuple[str, str, bool]:
        return _explain(detail)

    @staticmethod
    def _media_params(item: Mapping[str, str], carousel_item: bool) -> dict[str, Any]:
        if item["kind"] == "video":
            params: dict[str, Any] = {
                "media_type": "VIDEO" if carousel_item else "REELS",
                "video_url": item["url"],
            }
        else:
            params = {"image_url": item["url"]}
            if item["alt"]:
                params["alt_text"] = item["alt"]
        if carousel_item:
            params["is_carousel_item"] = "true"
        return params

    def publish(self, credentials: Credentials, draft: Draft) -> Published:
        creds = self._start(credentials, draft)
        if not draft.media_ids:
            raise ConnectorError(
                "Instagram needs an image or a video: a text alone cannot be published there.",
                permanent=True,
                code="instagram.media_required",
            )
        items = self._media_items(draft)
        return self._publish_prepared(
            creds, draft.text, lambda: self._prepare(creds, items, draft.text)
        )

    def _prepare(self, creds: Mapping[str, Any], items: list[dict[str, str]], text: str) -> str:
        """The container to publish, ready: made now, or kept from an earlier attempt."""
        if len(items) == 1:
            container = self._container(
                creds, {**self._media_params(items[0], False), "caption": text}
            )
        else:
            children = [
                self._container(creds, self._media_params(i, True), publishes=False) for i in items
            ]
            for child in children:
                self._wait(creds, child)
            container = self._container(
                creds, {"media_type": "CAROUSEL", "children": ",".join(children), "caption": text}
            )
        self._wait(creds, container)
        return container

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        """A comment, as the account, under one of its posts (``parent_kind`` None or post), or
        an answer to a comment, under its top-level comment."""
        creds = self._creds(credentials)
        if reply.parent_kind in (ItemKind.COMMENT, ItemKind.REPLY):
            target = f"{self._top(creds, reply.in_reply_to)}/replies"
        else:
            target = f"{reply.in_reply_to}/comments"
        body = self.http.post(
            f"{self._base(creds)}/{target}",
            data={"message": reply.text, "access_token": creds["access_token"]},
            error_map=_errors,
        ).json()
        if not isinstance(body, Mapping) or not body.get("id"):
            raise ConnectorError(
                "Instagram answered without the new comment's id.",
                code="connector.bad_answer",
                params={"network": "Instagram"},
            )
        return Published(str(body["id"]), "", datetime.now(UTC))

    @staticmethod
    def _item(media: Any) -> RawItem | None:
        if not isinstance(media, Mapping) or not media.get("id"):
            return None
        created = parse_datetime(media.get("timestamp"))
        if created is None:
            return None
        counts = {
            "likes": as_int(media.get("like_count")),
            "comments": as_int(media.get("comments_count")),
        }
        return RawItem(
            source="instagram",
            external_id=str(media["id"]),
            url=str(media.get("permalink") or ""),
            text=str(media.get("caption") or ""),
            created_at=created,
            metrics={name: value for name, value in counts.items() if value is not None},
            raw=dict(media),
        )

    def read_back(self, credentials: Credentials, external_id: str) -> RawItem | None:
        creds = self._creds(credentials)
        try:
            body = self.http.get(
                f"{self._base(creds)}/{external_id}",
                params={"fields": MEDIA_FIELDS, "access_token": creds["access_token"]},
                error_map=_errors,
            ).json()
        except _graph.GraphNotFound:
            return None
        return self._item(body)

    def recent_posts(self, credentials: Credentials, since: datetime) -> Sequence[RawItem]:
        """The account's posts since ``since`` (newest first), every page read; raises past
        :data:`RECENT_PAGES` pages rather than decide from a partial list."""
        creds = self._creds(credentials)
        items: list[RawItem] = []
        for page in _graph.pages(
            self.http,
            f"{self._user(creds)}/media",
            {"fields": MEDIA_FIELDS, "limit": 50, "access_token": creds["access_token"]},
            _errors,
            max_pages=RECENT_PAGES,
            label="Instagram",
        ):
            found = [item for item in map(self._item, page) if item is not None]
            items.extend(item for item in found if item.created_at >= since)
            if any(item.created_at < since for item in found):
                break
        return items

    # --- answering people ----------------------------------------------------------------------

    def _get(self, creds: Mapping[str, Any], path: str, fields: str) -> Any:
        return self.http.get(
            f"{self._base(creds)}/{path}",
            params={"fields": fields, "access_token": creds["access_token"]},
            error_map=_errors,
        ).json()

    def _top(self, creds: Mapping[str, Any], comment_id: str) -> str:
        body = self._get(creds, comment_id, "id,parent_id")
        parent = body.get("parent_id") if isinstance(body, Mapping) else None
        return str(parent or comment_id)

    @staticmethod
    def _comment(comment: Any, parent: str | None) -> RawItem | None:
        if not isinstance(comment, Mapping) or not comment.get("id"):
            return None
        created = parse_datetime(comment.get("timestamp"))
        if created is None:
            return None
        sender = comment.get("from") if isinstance(comment.get("from"), Mapping) else {}
        username = str(comment.get("username") or (sender or {}).get("username") or "")
        above = str(comment.get("parent_id") or "") or parent
        likes = as_int(comment.get("like_count"))
        return RawItem(
            source="instagram",
            external_id=str(comment["id"]),
            text=str(comment.get("text") or ""),
            created_at=created,
            author=Author(
                handle=username,
                name=username,
                id=str((sender or {}).get("id") or ""),
                url=f"https://www.instagram.com/{username}/" if username else "",
            ),
            parent_id=above,
            kind=ItemKind.REPLY if comment.get("parent_id") else ItemKind.COMMENT,
            metrics={"likes": likes} if likes is not None else {},
            raw=dict(comment),
        )

    def _edge(self, creds: Mapping[str, Any], parent: str, edge: str) -> tuple[list[RawItem], bool]:
        found: list[RawItem] = []
        try:
            for page in _graph.pages(
                self.http,
                f"{self._base(creds)}/{parent}/{edge}",
                {"fields": COMMENT_FIELDS, "limit": 50, "access_token": creds["access_token"]},
                _errors,
                max_pages=RECENT_PAGES,
                label="Instagram",
            ):
                found += [i for i in (self._comment(c, parent) for c in page) if i is not None]
        except ConnectorError as error:
            if error.code != "graph.too_many_pages":
                raise
            return found, False
        return found, True

    def _mine(self, creds: Mapping[str, Any], item: RawItem) -> bool:
        return item.author.id == str(creds["ig_user_id"]) or (
            bool(creds.get("username")) and item.author.handle == creds.get("username")
        )

    def find_reply(self, credentials: Credentials, reply: Reply, since: datetime) -> list[RawItem]:
        creds = self._creds(credentials)
        if reply.parent_kind in (ItemKind.COMMENT, ItemKind.REPLY):
            found, _complete = self._edge(creds, self._top(creds, reply.in_reply_to), "replies")
        else:
            found, _complete = self._edge(creds, reply.in_reply_to, "comments")
        return [item for item in found if self._mine(creds, item) and item.created_at >= since]

    def conversation(self, credentials: Credentials, external_id: str) -> Thread:
        """A comment's thread (its top-level comment and the replies), or, for a post, the post
        and its comments."""
        creds = self._creds(credentials)
        try:
            body = self._get(creds, external_id, COMMENT_FIELDS)
        except (AuthExpired, _graph.GraphNotFound):
            raise
        except ConnectorError as error:
            if not error.permanent:
                raise
            body = None  # a post: Graph refuses a comment's fields on a media object
        if isinstance(body, Mapping):
            top_id = str(body.get("parent_id") or external_id)
            top = body if top_id == external_id else self._get(creds, top_id, COMMENT_FIELDS)
            head = self._comment(top, None)
            replies, complete = self._edge(creds, top_id, "replies")
        else:
            head = self.read_back(credentials, external_id)
            replies, complete = self._edge(creds, external_id, "comments")
        if head is None:
            raise _graph.GraphNotFound(
                f"Instagram knows no such comment or post: {external_id}",
                code="graph.not_found",
                params={"network": "Instagram", "detail": external_id},
            )
        replies.sort(key=lambda item: item.created_at)
        return Thread(root_id=head.external_id, items=[head, *replies], complete=complete)

    def _page_url(self, creds: Mapping[str, Any], edge: str) -> str:
        return f"{self._base(creds)}/{creds.get('page_id') or 'me'}/{edge}"

    def send_message(self, credentials: Credentials, message: DirectMessage) -> Published:
        creds = self._creds(credentials)
        if len(message.text.encode()) > MAX_MESSAGE_BYTES:
            raise ConnectorError(
                f"An Instagram message holds at most {MAX_MESSAGE_BYTES} bytes.",
                permanent=True,
                code="instagram.message_too_long",
                params={"limit": MAX_MESSAGE_BYTES},
            )
        return _messaging.send(
            self.http,
            self._page_url(creds, "messages"),
            str(creds["access_token"]),
            message.recipient,
            message.text,
            human_agent=bool(message.options.get("human_agent")),
            errors=_errors,
            label="Instagram",
        )

    def find_message(
        self, credentials: Credentials, message: DirectMessage, since: datetime
    ) -> list[RawItem]:
        creds = self._creds(credentials)
        found = _messaging.conversations(
            self.http,
            self._page_url(creds, "conversations"),
            str(creds["access_token"]),
            "instagram",
            _errors,
            "Instagram",
            user_id=message.recipient,
        )
        return [
            item
            for conversation in found
            for item in _messaging.conversation_items(conversation, "instagram")
            if self._mine(creds, item) and item.created_at >= since
        ]

    def fetch_messages(self, credentials: Credentials, cursor: Cursor | None) -> FetchResult:
        creds = self._creds(credentials)
        found = _messaging.conversations(
            self.http,
            self._page_url(creds, "conversations"),
            str(creds["access_token"]),
            "instagram",
            _errors,
            "Instagram",
        )
        return _messaging.fetch(found, "instagram", cursor)


#: Instagram's limit on a text message.
MAX_MESSAGE_BYTES = 1000
