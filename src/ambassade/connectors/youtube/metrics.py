"""YouTube's numbers of a channel, with the Data API v3 (3 quota units a poll, of 10,000 a day):

- ``GET /channels?part=snippet,statistics,contentDetails`` with ``mine=true`` (the brand's own
  channel, OAuth token), ``id=UC…`` or ``forHandle=@name`` (any channel, API key or token) gives
  ``subscriberCount`` (None when the channel hides it, ``hiddenSubscriberCount``), ``videoCount``
  and the playlist of its uploads;
- ``GET /playlistItems?part=contentDetails&playlistId=<uploads>&maxResults=50`` the latest videos;
- ``GET /videos?part=snippet,statistics&id=…`` (50 at a time) their ``viewCount``, ``likeCount``
  and ``commentCount``.

What the Data API hides: dislikes (private since December 2021), impressions, reach, shares and
click-through, which only the channel owner's YouTube Analytics reports give; and public subscriber
counts are rounded down to three significant figures (12,345 is given as 12,300). A spent quota
(403 ``quotaExceeded``) waits until midnight Pacific time (``retry_after``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import unquote

from ambassade.connectors._text import as_int, parse_datetime
from ambassade.connectors.base import AuthExpired, Capability, ConnectorError, Credentials
from ambassade.connectors.metrics import (
    AccountReport,
    AccountStats,
    PostStats,
    clean_counts,
    mapping,
)
from ambassade.connectors.youtube.account import YoutubeAccount
from ambassade.connectors.youtube.client import _error_map as _key_error_map
from ambassade.connectors.youtube.parse import WATCH, items_of

__all__ = ["YoutubeMetrics"]

PAGE = 50
MAX_PAGES = 2
HIDDEN = frozenset({"impressions", "reach", "shares", "clicks", "saves", "reposts"})


def channel_filter(handle: str) -> dict[str, str]:
    """The ``channels.list`` filter naming a channel: ``id`` or ``forHandle``."""
    text = unquote(handle.strip())
    for prefix in ("https://www.youtube.com/", "https://youtube.com/", "https://m.youtube.com/"):
        if text.startswith(prefix):
            text = text.removeprefix(prefix).split("?", 1)[0].strip("/")
            text = text.removeprefix("channel/")
            break
    if text.startswith("UC") and len(text) == 24:
        return {"id": text}
    name = text.lstrip("@")
    if not name or "/" in name:
        raise ConnectorError(
            f"A YouTube channel is written @name or UC…, not {handle!r}.",
            permanent=True,
            code="metrics.bad_handle",
            params={"network": "YouTube", "handle": handle, "example": "@name"},
        )
    return {"forHandle": "@" + name}


class YoutubeMetrics(YoutubeAccount):
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.METRICS})

    def _get(self, credentials: Credentials, path: str, params: dict[str, Any]) -> Any:
        creds = credentials or {}
        if creds.get("access_token"):
            return self._call(credentials, "GET", path, params=params)
        if not creds.get("api_key"):
            raise AuthExpired(
                "Reading YouTube needs a connection with an API key or a channel token.",
                code="metrics.needs_connection",
                params={"network": "YouTube"},
            )
        return self.http.get(
            f"{self.endpoints['api']}{path}",
            params={**params, "key": creds["api_key"]},
            error_map=_key_error_map,
        ).json()

    def read_account(
        self, credentials: Credentials, handle: str, *, since: datetime, max_posts: int = 100
    ) -> AccountReport:
        creds = credentials or {}
        if handle:
            which = channel_filter(handle)
        elif creds.get("access_token"):
            which = {"mine": "true"}
        elif creds.get("channel_id") or creds.get("account_id"):
            which = {"id": str(creds.get("channel_id") or creds.get("account_id"))}
        else:
            raise ConnectorError(
                "The YouTube connection names no channel.",
                permanent=True,
                code="metrics.no_own_account",
                params={"network": "YouTube"},
            )
        found = items_of(
            self._get(
                credentials,
                "/channels",
                {"part": "snippet,statistics,contentDetails", **which},
            )
        )
        if not found:
            raise ConnectorError(
                f"YouTube has no channel {handle or 'for this token'}.",
                permanent=True,
                code="metrics.no_account",
                params={"network": "YouTube", "detail": handle},
            )
        channel = found[0]
        snippet = mapping(channel.get("snippet"))
        statistics = channel.get("statistics")
        statistics = statistics if isinstance(statistics, Mapping) else {}
        details = channel.get("contentDetails")
        details = details if isinstance(details, Mapping) else {}
        playlists = details.get("relatedPlaylists")
        uploads = str(playlists.get("uploads") or "") if isinstance(playlists, Mapping) else ""
        channel_id = str(channel.get("id") or "")
        custom = str(snippet.get("customUrl") or "")
        stats = AccountStats(
            handle=custom or channel_id,
            id=channel_id,
            name=str(snippet.get("title") or ""),
            url=f"https://www.youtube.com/{custom}"
            if custom
            else f"https://www.youtube.com/channel/{channel_id}",
            followers=None
            if statistics.get("hiddenSubscriberCount")
            else as_int(statistics.get("subscriberCount")),
            posts=as_int(statistics.get("videoCount")),
        )
        video_ids: list[str] = []
        token: str | None = None
        for _ in range(MAX_PAGES if uploads else 0):
            body = self._get(
                credentials,
                "/playlistItems",
                {
                    "part": "contentDetails",
                    "playlistId": uploads,
                    "maxResults": PAGE,
                    "pageToken": token,
                },
            )
            older = False
            for item in items_of(body):
                content = item.get("contentDetails")
                if not isinstance(content, Mapping) or not content.get("videoId"):
                    continue
                at = parse_datetime(content.get("videoPublishedAt"))
                if at is not None and at < since:
                    older = True
                    continue
                video_ids.append(str(content["videoId"]))
            token = (
                str(body.get("nextPageToken") or "") or None if isinstance(body, Mapping) else None
            )
            if older or token is None or len(video_ids) >= max_posts:
                break
        posts: list[PostStats] = []
        video_ids = video_ids[:max_posts]
        for start in range(0, len(video_ids), PAGE):
            body = self._get(
                credentials,
                "/videos",
                {"part": "snippet,statistics", "id": ",".join(video_ids[start : start + PAGE])},
            )
            for video in items_of(body):
                post = self._post(video)
                if post is not None and post.published_at >= since:
                    posts.append(post)
        posts.sort(key=lambda post: post.published_at, reverse=True)
        return AccountReport(stats, posts, hidden=HIDDEN, credentials=self.refreshed)

    @staticmethod
    def _post(video: Mapping[str, Any]) -> PostStats | None:
        snippet = video.get("snippet")
        statistics = video.get("statistics")
        if not isinstance(snippet, Mapping) or not video.get("id"):
            return None
        published = parse_datetime(snippet.get("publishedAt"))
        if published is None:
            return None
        statistics = statistics if isinstance(statistics, Mapping) else {}
        return PostStats(
            external_id=f"video:{video['id']}",
            published_at=published,
            url=WATCH.format(video["id"]),
            text=str(snippet.get("title") or "")[:500],
            metrics=clean_counts(
                {
                    "views": statistics.get("viewCount"),
                    "likes": statistics.get("likeCount"),
                    "comments": statistics.get("commentCount"),
                }
            ),
        )
