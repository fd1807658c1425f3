"""Publishing to a Facebook page with the Graph API.

Credentials: ``page_id``, ``access_token`` (a Page access token with ``pages_manage_posts`` and
``pages_read_engagement``), optional ``api_version`` (default :data:`API_VERSION`) and
``graph_url`` (default https://graph.facebook.com).

- Text (and a link): ``POST /{page_id}/feed`` with ``message`` (and ``link``) answers
  ``{"id": "{page_id}_{post_id}"}``.
- Photos (up to 10): each is uploaded unpublished (``POST /{page_id}/photos`` with
  ``published=false`` and its ``alt_text_custom``), then the feed post names them in
  ``attached_media``. An unpublished photo never attached is invisible, so its upload may be retried.
- One video: ``POST /{page_id}/videos`` with the file and the text as ``description``; the upload is
  the publication, so ``upload_media`` only keeps the file until ``publish``.
- Errors: see :mod:`ambassade.connectors._graph` (190 → reconnect, 4/17/32/613 → wait, 506 duplicate).
  Facebook takes no idempotency key: a 5xx or a timeout after a post was sent is an unknown outcome,
  reconciled by reading ``GET /{page_id}/published_posts``.
- ``read_back`` gives reactions, comments and shares.

Answering people (issue 12), with a page token that also has ``pages_manage_engagement`` (comments
as the page), ``pages_read_user_content`` (people's comments) and ``pages_messaging`` (Messenger):

- ``reply``: ``POST /{post or comment}/comments`` as the page; ``find_reply`` reads the parent's
  comments (``GET /{id}/comments?order=reverse_chronological``) for the page's own since the attempt.
- ``conversation``: a post and its comments with their replies (``filter=stream``, each naming its
  ``parent``), or a comment's top-level comment and its replies. Facebook threads are two levels.
- Messenger: :mod:`.._messaging` (24-hour window, ``HUMAN_AGENT`` tag with ``options={"human_agent":
  true}``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from ambassade.connectors import _graph, _messaging, _multipart
from ambassade.connectors._text import as_int, parse_datetime
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

__all__ = ["API_VERSION", "FacebookPublisher"]

#: The Graph API version called by default (each is supported about two years).
API_VERSION = "v23.0"
#: Pages of 100 posts read back when reconciling a post whose outcome is unknown.
RECENT_PAGES = 20
MAX_PHOTOS = 10
POST_FIELDS = (
    "id,message,created_time,permalink_url,shares,"
    "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
)
VIDEO_FIELDS = (
    "id,description,created_time,permalink_url,"
    "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
)


def _is_publish(response: Response) -> bool:
    path = response.url.split("?", 1)[0].rstrip("/")
    return path.endswith(("/feed", "/videos", "/comments", "/messages"))


_errors = _messaging.error_map("Facebook", _graph.error_map("Facebook", _is_publish))
COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id},permalink_url"
#: Pages of 100 comments read at most for a thread.
THREAD_PAGES = 10


def _summary(value: Any) -> int | None:
    summary = value.get("summary") if isinstance(value, Mapping) else None
    return as_int(summary.get("total_count")) if isinstance(summary, Mapping) else None


class FacebookPublisher(Connector):
    kind: ClassVar[str] = "facebook"
    label: ClassVar[str] = "Facebook"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.METRICS,
            Capability.DIRECT_MESSAGES,
            Capability.CONVERSATION,
        }
    )
    needs_credentials: ClassVar[bool] = True
    default_endpoints: ClassVar[Mapping[str, str]] = {"api": "https://graph.facebook.com"}
    #: Messenger: seconds after the person's last message during which the page may answer.
    message_window: ClassVar[int] = int(_messaging.WINDOW.total_seconds())
    idempotent: ClassVar[bool] = False
    idempotency_window: ClassVar[int] = 0

    refreshed: dict[str, Any] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Videos wait here between upload_media and publish: uploading one publishes it.
        self._videos: dict[str, MediaUpload] = {}

    @staticmethod
    def _creds(credentials: Credentials) -> Mapping[str, Any]:
        if not credentials or not credentials.get("access_token"):
            raise AuthExpired(
                "The Facebook connection has no access token.",
                code="connection.no_token",
                params={"network": "Facebook"},
            )
        if not credentials.get("page_id"):
            raise ConnectorError(
                "The Facebook connection names no page.",
                permanent=True,
                code="connection.no_page",
                params={"network": "Facebook"},
            )
        return credentials

    def _base(self, creds: Mapping[str, Any]) -> str:
        root = str(creds.get("graph_url") or self.endpoints["api"]).rstrip("/")
        return f"{root}/{creds.get('api_version') or API_VERSION}"

    def _page(self, creds: Mapping[str, Any]) -> str:
        return f"{self._base(creds)}/{creds['page_id']}"

    @staticmethod
    def _post_url(post_id: str) -> str:
        page, _, post = post_id.partition("_")
        if post:
            return f"https://www.facebook.com/{page}/posts/{post}"
        return f"https://www.facebook.com/{post_id}"

    def upload_media(self, credentials: Credentials, media: MediaUpload) -> str:
        creds = self._creds(credentials)
        if media.content_type.startswith("video/"):
            key = f"video:{len(self._videos)}"
            self._videos[key] = media
            return key
        if not media.content_type.startswith("image/"):
            raise ConnectorError(
                "Ambassade sends only photos and videos to Facebook.",
                permanent=True,
                code="facebook.media_kind",
            )
        parts: list[_multipart.Part] = [
            ("source", media.filename, media.content_type, media.data),
            ("published", None, None, b"false"),
        ]
        if media.alt_text:
            parts.append(("alt_text_custom", None, None, media.alt_text.encode()))
        content_type, body = _multipart.encode(parts)
        uploaded = self.http.post(
            f"{self._page(creds)}/photos",
            params={"access_token": creds["access_token"]},
            headers={"Content-Type": content_type},
            content=body,
            error_map=_errors,
            retry=True,  # an unpublished photo nobody attaches stays invisible
        ).json()
        if not isinstance(uploaded, Mapping) or not uploaded.get("id"):
            raise ConnectorError(
                "Facebook answered the photo upload without its id.",
                code="connector.bad_answer",
                params={"network": "Facebook"},
            )
        return str(uploaded["id"])

    def publish(self, credentials: Credentials, draft: Draft) -> Published:
        creds = self._creds(credentials)
        if draft.thread:
            raise ConnectorError(
                "Ambassade does not post a text in several parts to a Facebook page.",
                permanent=True,
                code="connector.no_threads",
                params={"network": "Facebook"},
            )
        videos = [m for m in draft.media_ids if m.startswith("video:")]
        if videos:
            if len(draft.media_ids) > 1:
                raise ConnectorError(
                    "A Facebook post carries up to 10 photos or one video, not both.",
                    permanent=True,
                    code="facebook.photos_or_video",
                )
            return self._publish_video(creds, draft.text, self._videos[videos[0]])
        if len(draft.media_ids) > MAX_PHOTOS:
            raise ConnectorError(
                f"A Facebook post carries at most {MAX_PHOTOS} photos.",
                permanent=True,
                code="facebook.too_many_photos",
                params={"limit": MAX_PHOTOS},
            )
        data: dict[str, Any] = {"message": draft.text, "access_token": creds["access_token"]}
        link = draft.options.get("link")
        if isinstance(link, str) and link:
            data["link"] = link
        for index, photo in enumerate(draft.media_ids):
            data[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo})
        body = self.http.post(f"{self._page(creds)}/feed", data=data, error_map=_errors).json()
        if not isinstance(body, Mapping) or not body.get("id"):
            raise ConnectorError(
                "Facebook answered without the new post's id.",
                code="connector.bad_answer",
                params={"network": "Facebook"},
            )
        post_id = str(body["id"])
        return Published(post_id, self._post_url(post_id), datetime.now(UTC))

    def _publish_video(self, creds: Mapping[str, Any], text: str, video: MediaUpload) -> Published:
        content_type, payload = _multipart.encode(
            [
                ("source", video.filename, video.content_type, video.data),
                ("description", None, None, text.encode()),
            ]
        )
        body = self.http.post(
            f"{self._page(creds)}/videos",
            params={"access_token": creds["access_token"]},
            headers={"Content-Type": content_type},
            content=payload,
            error_map=_errors,
        ).json()
        if not isinstance(body, Mapping) or not body.get("id"):
            raise ConnectorError(
                "Facebook answered the video upload without its id.",
                code="connector.bad_answer",
                params={"network": "Facebook"},
            )
        video_id = str(body["id"])
        url = f"https://www.facebook.com/{creds['page_id']}/videos/{video_id}/"
        return Published(video_id, url, datetime.now(UTC))

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        """A comment, as the page, under a post or another comment."""
        creds = self._creds(credentials)
        body = self.http.post(
            f"{self._base(creds)}/{reply.in_reply_to}/comments",
            data={"message": reply.text, "access_token": creds["access_token"]},
            error_map=_errors,
        ).json()
        if not isinstance(body, Mapping) or not body.get("id"):
            raise ConnectorError(
                "Facebook answered without the new comment's id.",
                code="connector.bad_answer",
                params={"network": "Facebook"},
            )
        comment_id = str(body["id"])
        return Published(comment_id, f"https://www.facebook.com/{comment_id}", datetime.now(UTC))

    def _item(self, post: Any) -> RawItem | None:
        if not isinstance(post, Mapping) or not post.get("id"):
            return None
        created = parse_datetime(post.get("created_time"))
        if created is None:
            return None
        url = str(post.get("permalink_url") or "")
        if url.startswith("/"):  # videos give a path
            url = "https://www.facebook.com" + url
        shares = post.get("shares")
        counts = {
            "reactions": _summary(post.get("reactions")),
            "comments": _summary(post.get("comments")),
            "shares": as_int(shares.get("count")) if isinstance(shares, Mapping) else None,
        }
        return RawItem(
            source="facebook",
            external_id=str(post["id"]),
            url=url or self._post_url(str(post["id"])),
            text=str(post.get("message") or post.get("description") or ""),
            created_at=created,
            metrics={name: value for name, value in counts.items() if value is not None},
            raw=dict(post),
        )

    def read_back(self, credentials: Credentials, external_id: str) -> RawItem | None:
        creds = self._creds(credentials)
        # A feed post's id is "{page}_{post}"; a bare id is a video, whose text is "description".
        fields = POST_FIELDS if "_" in external_id else VIDEO_FIELDS
        try:
            body = self.http.get(
                f"{self._base(creds)}/{external_id}",
                params={"fields": fields, "access_token": creds["access_token"]},
                error_map=_errors,
            ).json()
        except _graph.GraphNotFound:
            return None
        return self._item(body)

    def recent_posts(self, credentials: Credentials, since: datetime) -> Sequence[RawItem]:
        """Every post of the page since ``since``, newest first, following the pages to the end
        (or raising past :data:`RECENT_PAGES`: a partial list could hide the post looked for)."""
        creds = self._creds(credentials)
        items: list[RawItem] = []
        for page in _graph.pages(
            self.http,
            f"{self._page(creds)}/published_posts",
            {
                "fields": "id,message,created_time,permalink_url",
                "since": int(since.timestamp()),
                "limit": 100,
                "access_token": creds["access_token"],
            },
            _errors,
            max_pages=RECENT_PAGES,
            label="Facebook",
        ):
            found = [item for item in map(self._item, page) if item is not None]
            items.extend(item for item in found if item.created_at >= since)
            if any(item.created_at < since for item in found):
                break
        return items

    # --- answering people --------------------------------------------------------------------------

    def _comments(
        self, creds: Mapping[str, Any], parent: str, params: Mapping[str, Any]
    ) -> tuple[list[RawItem], bool]:
        found: list[RawItem] = []
        try:
            for page in _graph.pages(
                self.http,
                f"{self._base(creds)}/{parent}/comments",
                {
                    "fields": COMMENT_FIELDS,
                    "limit": 100,
                    "access_token": creds["access_token"],
                    **params,
                },
                _errors,
                max_pages=THREAD_PAGES,
                label="Facebook",
            ):
                found += [i for i in (self._comment(c, parent) for c in page) if i is not None]
        except ConnectorError as error:
            if error.code != "graph.too_many_pages":
                raise
            return found, False
        return found, True

    @staticmethod
    def _comment(comment: Any, parent: str) -> RawItem | None:
        if not isinstance(comment, Mapping) or not comment.get("id"):
            return None
        created = parse_datetime(comment.get("created_time"))
        if created is None:
            return None
        sender = comment.get("from") if isinstance(comment.get("from"), Mapping) else {}
        above = comment.get("parent") if isinstance(comment.get("parent"), Mapping) else None
        return RawItem(
            source="facebook",
            external_id=str(comment["id"]),
            url=str(comment.get("permalink_url") or f"https://www.facebook.com/{comment['id']}"),
            text=str(comment.get("message") or ""),
            created_at=created,
            author=Author(
                name=str((sender or {}).get("name") or ""), id=str((sender or {}).get("id") or "")
            ),
            parent_id=str(above["id"]) if above and above.get("id") else parent,
            kind=ItemKind.REPLY if above else ItemKind.COMMENT,
            raw=dict(comment),
        )

    def find_reply(self, credentials: Credentials, reply: Reply, since: datetime) -> list[RawItem]:
        creds = self._creds(credentials)
        found, _complete = self._comments(
            creds,
            reply.in_reply_to,
            {"order": "reverse_chronological", "since": int(since.timestamp())},
        )
        page = str(creds["page_id"])
        return [item for item in found if item.author.id == page and item.created_at >= since]

    def conversation(self, credentials: Credentials, external_id: str) -> Thread:
        """A post (``{page}_{post}``) with its comments and their replies, or the thread of a
        comment: its top-level comment and that comment's replies."""
        creds = self._creds(credentials)
        if "_" in external_id and external_id.split("_", 1)[0] == str(creds["page_id"]):
            head = self.read_back(credentials, external_id)
            if head is None:
                raise _graph.GraphNotFound(
                    f"Facebook knows no such post: {external_id}",
                    code="graph.not_found",
                    params={"network": "Facebook", "detail": external_id},
                )
            found, complete = self._comments(
                creds, external_id, {"filter": "stream", "order": "chronological"}
            )
            return Thread(root_id=head.external_id, items=[head, *found], complete=complete)
        body = self.http.get(
            f"{self._base(creds)}/{external_id}",
            params={"fields": COMMENT_FIELDS, "access_token": creds["access_token"]},
            error_map=_errors,
        ).json()
        above = body.get("parent") if isinstance(body, Mapping) else None
        top_id = str(above["id"]) if isinstance(above, Mapping) and above.get("id") else external_id
        if top_id != external_id:
            body = self.http.get(
                f"{self._base(creds)}/{top_id}",
                params={"fields": COMMENT_FIELDS, "access_token": creds["access_token"]},
                error_map=_errors,
            ).json()
        top = self._comment(body, "")
        if top is None:
            raise ConnectorError(
                "Facebook answered without the comment.",
                code="connector.bad_answer",
                params={"network": "Facebook"},
            )
        top = dataclasses.replace(top, parent_id=None)
        replies, complete = self._comments(creds, top_id, {"order": "chronological"})
        # The post above the comment is not read: the thread starts at the comment.
        return Thread(root_id=top.external_id, items=[top, *replies], complete=complete)

    def send_message(self, credentials: Credentials, message: DirectMessage) -> Published:
        creds = self._creds(credentials)
        return _messaging.send(
            self.http,
            f"{self._page(creds)}/messages",
            str(creds["access_token"]),
            message.recipient,
            message.text,
            human_agent=bool(message.options.get("human_agent")),
            errors=_errors,
            label="Facebook",
        )

    def find_message(
        self, credentials: Credentials, message: DirectMessage, since: datetime
    ) -> list[RawItem]:
        creds = self._creds(credentials)
        found = _messaging.conversations(
            self.http,
            f"{self._page(creds)}/conversations",
            str(creds["access_token"]),
            "messenger",
            _errors,
            "Facebook",
            user_id=message.recipient,
        )
        page = str(creds["page_id"])
        return [
            item
            for conversation in found
            for item in _messaging.conversation_items(conversation, "facebook")
            if item.author.id == page and item.created_at >= since
        ]

    def fetch_messages(self, credentials: Credentials, cursor: Cursor | None) -> FetchResult:
        creds = self._creds(credentials)
        found = _messaging.conversations(
            self.http,
            f"{self._page(creds)}/conversations",
            str(creds["access_token"]),
            "messenger",
            _errors,
            "Facebook",
        )
        return _messaging.fetch(found, "facebook", cursor)
