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

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from ambassade.connectors import _graph
from ambassade.connectors._text import as_int, parse_datetime
from ambassade.connectors.base import (
    JSON,
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

__all__ = ["API_VERSION", "ThreadsPublisher"]

API_VERSION = "v1.0"
RECENT_PAGES = 20
#: How long before a lost call its post may be dated (clocks differ).
RECONCILE_MARGIN = timedelta(minutes=5)
MAX_ITEMS = 20
QUOTA_WAIT = 3600.0
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


class ThreadsPublisher(Connector):
    kind: ClassVar[str] = "threads"
    label: ClassVar[str] = "Threads"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PUBLISH, Capability.REPLY, Capability.METRICS}
    )
    needs_credentials: ClassVar[bool] = True
    default_endpoints: ClassVar[Mapping[str, str]] = {"api": "https://graph.threads.net"}
    idempotent: ClassVar[bool] = False
    idempotency_window: ClassVar[int] = 0
    max_wait: ClassVar[float] = 120.0

    refreshed: dict[str, Any] | None = None

    def __init__(self, *args: Any, sleep: Callable[[float], None] = time.sleep, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sleep = sleep
        #: Containers created by the last publish, newest last.
        self.containers: list[str] = []
        self._kept = _graph.KeptContainers(Draft("", ""))

    @staticmethod
    def _creds(credentials: Credentials) -> Mapping[str, Any]:
        if not credentials or not credentials.get("access_token"):
            raise AuthExpired(
                "The Threads connection has no access token.",
                code="connection.no_token",
                params={"network": "Threads"},
            )
        if not credentials.get("threads_user_id"):
            raise ConnectorError(
                "The Threads connection names no profile.",
                permanent=True,
                code="connection.no_account",
                params={"network": "Threads"},
            )
        return credentials

    def _base(self, creds: Mapping[str, Any]) -> str:
        root = str(creds.get("graph_url") or self.endpoints["api"]).rstrip("/")
        return f"{root}/{creds.get('api_version') or API_VERSION}"

    def _user(self, creds: Mapping[str, Any]) -> str:
        return f"{self._base(creds)}/{creds['threads_user_id']}"

    def upload_media(self, credentials: Credentials, media: MediaUpload) -> str:
        self._creds(credentials)
        return _graph.media_handle(media, "Threads")

    def _check_quota(self, creds: Mapping[str, Any]) -> None:
        try:
            body = self.http.get(
                f"{self._user(creds)}/threads_publishing_limit",
                params={"fields": "quota_usage,config", "access_token": creds["access_token"]},
                error_map=_errors,
            ).json()
        except AuthExpired:
            raise
        except ConnectorError:
            return  # a courtesy check: threads_publish enforces the quota anyway
        data = body.get("data") if isinstance(body, Mapping) else None
        row = data[0] if isinstance(data, list) and data else None
        if not isinstance(row, Mapping):
            return
        config = row.get("config")
        used = as_int(row.get("quota_usage"))
        total = as_int(config.get("quota_total")) if isinstance(config, Mapping) else None
        if used is not None and total is not None and used >= total:
            raise ConnectorError(
                f"This Threads profile has published {used} posts in 24 hours, Threads' limit is "
                f"{total}; Ambassade will try again later.",
                permanent=False,
                retry_after=QUOTA_WAIT,
                code="graph.quota_used",
                params={"network": "Threads", "used": used, "limit": total},
            )

    def _container(
        self, creds: Mapping[str, Any], params: Mapping[str, Any], *, publishes: bool = True
    ) -> str:
        key = _graph.container_key(str(creds["threads_user_id"]), params)

        def create() -> str:
            body = self.http.post(
                f"{self._user(creds)}/threads",
                data={**params, "access_token": creds["access_token"]},
                error_map=_errors,
                retry=True,  # an unpublished container is harmless; it expires
            ).json()
            if not isinstance(body, Mapping) or not body.get("id"):
                raise ConnectorError(
                    "Threads answered without the prepared post's id.",
                    code="connector.bad_answer",
                    params={"network": "Threads"},
                )
            container = str(body["id"])
            return container

        container = self._kept.reuse_or_create(
            key, lambda c: self._status(creds, c), create, publishes=publishes
        )
        self.containers.append(container)
        return container

    def container_status(self, credentials: Credentials, container: str) -> str:
        """The container's ``status`` (``IN_PROGRESS``, ``FINISHED``, ``PUBLISHED``, ``EXPIRED``,
        ``ERROR``): how the outbox settles a lost ``threads_publish``."""
        return self._status(self._creds(credentials), container)

    def _status(self, creds: Mapping[str, Any], container: str) -> str:
        body = self.http.get(
            f"{self._base(creds)}/{container}",
            params={"fields": "status", "access_token": creds["access_token"]},
            error_map=_errors,
        ).json()
        return str(body.get("status") or "") if isinstance(body, Mapping) else ""

    def _wait(self, creds: Mapping[str, Any], container: str) -> None:
        def read() -> tuple[str, str]:
            body = self.http.get(
                f"{self._base(creds)}/{container}",
                params={"fields": "status,error_message", "access_token": creds["access_token"]},
                error_map=_errors,
            ).json()
            if not isinstance(body, Mapping):
                return "", ""
            return str(body.get("status") or ""), str(body.get("error_message") or "")

        _graph.wait_for_container(
            read, label="Threads", sleep=self.sleep, max_wait=self.max_wait, explain=_explain
        )

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
        creds = self._creds(credentials)
        self.containers = []
        self._kept = _graph.KeptContainers(draft)
        if len(draft.media_ids) > MAX_ITEMS:
            raise ConnectorError(
                f"A Threads carousel holds at most {MAX_ITEMS} images or videos.",
                permanent=True,
                code="graph.carousel_too_long",
                params={"network": "Threads", "limit": MAX_ITEMS},
            )
        if draft.thread:
            raise ConnectorError(
                "Ambassade does not post a text in several parts to Threads.",
                permanent=True,
                code="connector.no_threads",
                params={"network": "Threads"},
            )
        items = [_graph.read_handle(value, "Threads") for value in draft.media_ids]
        extra: dict[str, Any] = {"text": draft.text}
        for option in ("topic_tag", "reply_to_id"):
            value: JSON = draft.options.get(option)
            if isinstance(value, str) and value:
                extra[option] = value
        self._check_quota(creds)
        try:
            container = self._prepare(creds, items, extra)
        except _graph.AlreadyPublished as done:
            return self._published_earlier(creds, done, draft.text)
        started = datetime.now(UTC)
        try:
            body = self.http.post(
                f"{self._user(creds)}/threads_publish",
                data={"creation_id": container, "access_token": creds["access_token"]},
                error_map=_errors,
            ).json()
        except OutcomeUnknown:
            found = self._published_from(creds, container, draft.text, started)
            if found is None:
                raise
            return found
        if not isinstance(body, Mapping) or not body.get("id"):
            raise ConnectorError(
                "Threads answered without the published post's id.",
                code="connector.bad_answer",
                params={"network": "Threads"},
            )
        media_id = str(body["id"])
        return Published(media_id, self._permalink(creds, media_id), datetime.now(UTC))

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

    def _published_earlier(
        self, creds: Mapping[str, Any], done: _graph.AlreadyPublished, text: str
    ) -> Published:
        found = self._published_from(creds, done.container, text, done.created)
        if found is None:
            raise OutcomeUnknown(
                "Threads says an earlier attempt published this post, but it is not among the "
                "profile's recent posts yet.",
                permanent=False,
                code="graph.published_not_listed",
                params={"network": "Threads"},
            )
        return found

    def _published_from(
        self, creds: Mapping[str, Any], container: str, text: str, started: datetime
    ) -> Published | None:
        """After a lost answer to threads_publish: a container is published at most once, and its
        status says whether it was. If it was, the post is the only one with this text since the
        attempt; if it was not, nothing can be read now, or several posts fit, None (the outbox
        reconciles later, never resends)."""
        try:
            status = self.http.get(
                f"{self._base(creds)}/{container}",
                params={"fields": "status", "access_token": creds["access_token"]},
                error_map=_errors,
            ).json()
            if not isinstance(status, Mapping) or status.get("status") != "PUBLISHED":
                return None
            items = self.recent_posts(creds, started - RECONCILE_MARGIN)
        except ConnectorError:
            return None
        same = [item for item in items if item.text.strip() == text.strip()]
        if len(same) != 1:
            # Two posts alike (two without a caption, say) cannot be told apart here: the outbox
            # does it, knowing which posts its other variants already are.
            return None
        return Published(same[0].external_id, same[0].url, same[0].created_at)

    def _permalink(self, creds: Mapping[str, Any], media_id: str) -> str:
        try:
            body = self.http.get(
                f"{self._base(creds)}/{media_id}",
                params={"fields": "permalink", "access_token": creds["access_token"]},
                error_map=_errors,
            ).json()
        except ConnectorError:
            return ""  # the post is out; only its address is missing
        return str(body.get("permalink") or "") if isinstance(body, Mapping) else ""

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
