"""Publishing to a Threads profile with the Threads API (graph.threads.net).

Credentials: ``threads_user_id``, ``access_token`` (with ``threads_basic`` and
``threads_content_publish``; ``threads_manage_insights`` for metrics), optional ``graph_url``
(default https://graph.threads.net) and ``api_version`` (default ``v1.0``).

The same two steps as Instagram:

1. a container, ``POST /{user_id}/threads`` with ``media_type`` ``TEXT`` (``text``), ``IMAGE``
   (``image_url``, ``alt_text``) or ``VIDEO`` (``video_url``); several media make a carousel
   (children with ``is_carousel_item=true``, then ``CAROUSEL`` with ``children``, up to 20).
   ``topic_tag`` comes from the draft's options, ``reply_to_id`` makes a reply. Media are fetched by
   Threads from their public address (``MediaUpload.public_url``). The container is polled
   (``GET /{container}?fields=status,error_message``) until ``FINISHED``, for a bounded time, and
   reported at once (``Draft.on_container``): the outbox stores it with the variant and hands it
   back (``Draft.containers``) to the next attempt, in any worker, if its time runs out first;
2. ``POST /{user_id}/threads_publish`` with ``creation_id``: the only call that publishes. After a
   5xx or a timeout there, a ``PUBLISHED`` container means the post is the newest of
   ``GET /{user_id}/threads`` with this text; otherwise the outcome stays unknown and the outbox
   reconciles it from the same list.

``GET /{user_id}/threads_publishing_limit`` is read first: 250 posts in 24 hours, a used-up quota
is a rate limit. ``read_back`` adds ``/{media_id}/insights`` (views, likes, replies, reposts,
quotes) when the token has the scope, and quietly skips them otherwise. The 500-character limit
(each emoji its UTF-8 length) is checked by ``engine.publishing`` before a post gets here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from ambassade.connectors import _graph
from ambassade.connectors._graph_publish import QUOTA_WAIT, ContainerPublisher
from ambassade.connectors._text import as_int, parse_datetime
from ambassade.connectors.base import (
    JSON,
    Capability,
    ConnectorError,
    Credentials,
    Draft,
    Published,
    RawItem,
    Reply,
)
from ambassade.connectors.http import Response

__all__ = ["API_VERSION", "QUOTA_WAIT", "ThreadsPublisher"]

API_VERSION = "v1.0"
RECENT_PAGES = 20
MAX_ITEMS = 20
POST_FIELDS = "id,text,timestamp,permalink,media_type"

#: A container's ``error_message`` when its ``status`` is ERROR (Threads API, "Troubleshooting") in
#: plain words, and whether trying again cannot help.
CONTAINER_ERRORS: dict[str, tuple[str, bool]] = {
    "FAILED_DOWNLOADING_VIDEO": (
        "downloading the video from Ambassade's address failed",
        True,
    ),
    "FAILED_PROCESSING_AUDIO": ("the video's sound could not be read", True),
    "FAILED_PROCESSING_VIDEO": ("the video could not be read", True),
    "INVALID_ASPEC_RATIO": ("the video's aspect ratio is not one Threads accepts", True),
    "INVALID_ASPECT_RATIO": ("the video's aspect ratio is not one Threads accepts", True),
    "INVALID_BIT_RATE": ("the video's bit rate is not one Threads accepts", True),
    "INVALID_DURATION": ("the video is too long or too short for Threads", True),
    "INVALID_FRAME_RATE": ("the video's frame rate is not one Threads accepts", True),
    "INVALID_AUDIO_CHANNELS": ("the video's sound channels are not ones Threads accepts", True),
    "INVALID_AUDIO_CHANNEL_LAYOUT": (
        "the video's sound channels are not ones Threads accepts",
        True,
    ),
    "UNKNOWN": ("Threads had an internal error, a later attempt may work", False),
}

#: The message code of each (the product words them).
CONTAINER_ERROR_CODES = {
    "FAILED_DOWNLOADING_VIDEO": "threads.media_failed_downloading_video",
    "FAILED_PROCESSING_AUDIO": "threads.media_failed_processing_audio",
    "FAILED_PROCESSING_VIDEO": "threads.media_failed_processing_video",
    "INVALID_ASPEC_RATIO": "threads.media_invalid_aspec_ratio",
    "INVALID_ASPECT_RATIO": "threads.media_invalid_aspect_ratio",
    "INVALID_BIT_RATE": "threads.media_invalid_bit_rate",
    "INVALID_DURATION": "threads.media_invalid_duration",
    "INVALID_FRAME_RATE": "threads.media_invalid_frame_rate",
    "INVALID_AUDIO_CHANNELS": "threads.media_invalid_audio_channels",
    "INVALID_AUDIO_CHANNEL_LAYOUT": "threads.media_invalid_audio_channel_layout",
    "UNKNOWN": "threads.media_unknown",
}


def _explain(detail: str) -> tuple[str, str, bool]:
    key = detail.strip()
    if key in CONTAINER_ERRORS:
        words, permanent = CONTAINER_ERRORS[key]
        return CONTAINER_ERROR_CODES[key], words, permanent
    return "graph.media_failed", detail, True


INSIGHTS = ("views", "likes", "replies", "reposts", "quotes")


def _is_publish(response: Response) -> bool:
    return response.url.split("?", 1)[0].rstrip("/").endswith("/threads_publish")


_errors = _graph.error_map("Threads", _is_publish)


class ThreadsPublisher(ContainerPublisher):
    kind: ClassVar[str] = "threads"
    label: ClassVar[str] = "Threads"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PUBLISH, Capability.REPLY, Capability.METRICS}
    )
    default_endpoints: ClassVar[Mapping[str, str]] = {"api": "https://graph.threads.net"}
    api_version: ClassVar[str] = API_VERSION
    user_field: ClassVar[str] = "threads_user_id"
    user_word: ClassVar[str] = "profile"
    possessive: ClassVar[str] = "Threads'"
    container_word: ClassVar[str] = "post"
    quota_edge: ClassVar[str] = "threads_publishing_limit"
    container_edge: ClassVar[str] = "threads"
    publish_edge: ClassVar[str] = "threads_publish"
    max_items: ClassVar[int] = MAX_ITEMS
    carousel_words: ClassVar[str] = "A Threads carousel"
    status_field: ClassVar[str] = "status"
    detail_field: ClassVar[str] = "error_message"

    def _error_map(self, response: Response, message: str) -> ConnectorError | None:
        return _errors(response, message)

    def _explain(self, detail: str) -> tuple[str, str, bool]:
        return _explain(detail)

    @staticmethod
    def _media_params(item: Mapping[str, str]) -> dict[str, Any]:
        if item["kind"] == "video":
            params: dict[str, Any] = {"media_type": "VIDEO", "video_url": item["url"]}
        else:
            params = {"media_type": "IMAGE", "image_url": item["url"]}
        if item["alt"]:
            params["alt_text"] = item["alt"]
        return params

    def publish(self, credentials: Credentials, draft: Draft) -> Published:
        creds = self._start(credentials, draft)
        items = self._media_items(draft)
        extra: dict[str, Any] = {"text": draft.text}
        for option in ("topic_tag", "reply_to_id"):
            value: JSON = draft.options.get(option)
            if isinstance(value, str) and value:
                extra[option] = value
        return self._publish_prepared(creds, draft.text, lambda: self._prepare(creds, items, extra))

    def _prepare(
        self, creds: Mapping[str, Any], items: list[dict[str, str]], extra: Mapping[str, Any]
    ) -> str:
        """The container to publish, ready: made now, or kept from an earlier attempt."""
        if not items:
            container = self._container(creds, {"media_type": "TEXT", **extra})
        elif len(items) == 1:
            container = self._container(creds, {**self._media_params(items[0]), **extra})
        else:
            children = [
                self._container(
                    creds,
                    {**self._media_params(item), "is_carousel_item": "true"},
                    publishes=False,
                )
                for item in items
            ]
            for child in children:
                self._wait(creds, child)
            container = self._container(
                creds, {"media_type": "CAROUSEL", "children": ",".join(children), **extra}
            )
        self._wait(creds, container)
        return container

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        return self.publish(
            credentials,
            Draft(
                text=reply.text,
                idempotency_key=reply.idempotency_key,
                options={"reply_to_id": reply.in_reply_to},
            ),
        )

    @staticmethod
    def _item(post: Any, metrics: Mapping[str, int] | None = None) -> RawItem | None:
        if not isinstance(post, Mapping) or not post.get("id"):
            return None
        created = parse_datetime(post.get("timestamp"))
        if created is None:
            return None
        return RawItem(
            source="threads",
            external_id=str(post["id"]),
            url=str(post.get("permalink") or ""),
            text=str(post.get("text") or ""),
            created_at=created,
            metrics=dict(metrics or {}),
            raw=dict(post),
        )

    def _insights(self, creds: Mapping[str, Any], media_id: str) -> dict[str, int]:
        """The post's counters, or nothing when the token lacks ``threads_manage_insights`` (or
        the insights cannot be read now): metrics are a bonus, never a reason to fail."""
        try:
            body = self.http.get(
                f"{self._base(creds)}/{media_id}/insights",
                params={"metric": ",".join(INSIGHTS), "access_token": creds["access_token"]},
                error_map=_errors,
            ).json()
        except ConnectorError:
            return {}
        found: dict[str, int] = {}
        data = body.get("data") if isinstance(body, Mapping) else None
        for metric in data if isinstance(data, list) else []:
            if not isinstance(metric, Mapping) or metric.get("name") not in INSIGHTS:
                continue
            values = metric.get("values")
            total = metric.get("total_value")
            value = None
            if isinstance(values, list) and values and isinstance(values[0], Mapping):
                value = as_int(values[0].get("value"))
            elif isinstance(total, Mapping):
                value = as_int(total.get("value"))
            if value is not None:
                found[str(metric["name"])] = value
        return found

    def read_back(self, credentials: Credentials, external_id: str) -> RawItem | None:
        creds = self._creds(credentials)
        try:
            body = self.http.get(
                f"{self._base(creds)}/{external_id}",
                params={"fields": POST_FIELDS, "access_token": creds["access_token"]},
                error_map=_errors,
            ).json()
        except _graph.GraphNotFound:
            return None
        item = self._item(body)
        if item is None:
            return None
        return self._item(body, self._insights(creds, item.external_id))

    def recent_posts(self, credentials: Credentials, since: datetime) -> Sequence[RawItem]:
        """The profile's posts since ``since``, every page read; raises past
        :data:`RECENT_PAGES` pages rather than decide from a partial list."""
        creds = self._creds(credentials)
        items: list[RawItem] = []
        for page in _graph.pages(
            self.http,
            f"{self._user(creds)}/threads",
            {
                "fields": POST_FIELDS,
                "since": int(since.timestamp()),
                "limit": 100,
                "access_token": creds["access_token"],
            },
            _errors,
            max_pages=RECENT_PAGES,
            label="Threads",
        ):
            found = [item for item in map(self._item, page) if item is not None]
            items.extend(item for item in found if item.created_at >= since)
            if any(item.created_at < since for item in found):
                break
        return items
