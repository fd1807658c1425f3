"""``search#searchListResponse`` and ``youtube#commentThreadListResponse`` items to RawItems."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ambassade.connectors._guard import parser
from ambassade.connectors._text import as_int, html_to_text, parse_datetime
from ambassade.connectors.base import Author, ConnectorError, ItemKind, RawItem

__all__ = ["comment_thread_item", "items_of", "video_item"]

WATCH = "https://www.youtube.com/watch?v={}"
CHANNEL = "https://www.youtube.com/channel/{}"


@parser("YouTube")
def items_of(body: Any) -> list[Mapping[str, Any]]:
    if not isinstance(body, Mapping) or not isinstance(body.get("items", []), list):
        raise ConnectorError(
            "YouTube returned a response without a list of items.",
            code="connector.bad_answer",
            params={"network": "YouTube"},
        )
    return [item for item in body.get("items", []) if isinstance(item, Mapping)]


@parser("YouTube")
def video_item(result: Mapping[str, Any], *, source: str = "youtube") -> RawItem | None:
    """A search result; None for a channel or playlist result."""
    ident = result.get("id") or {}
    snippet = result.get("snippet") or {}
    video_id = ident.get("videoId") if isinstance(ident, Mapping) else None
    if not video_id:
        return None
    created_at = parse_datetime(snippet.get("publishedAt"))
    if created_at is None:
        raise ConnectorError(
            f"YouTube video {video_id} has no publishedAt.",
            code="connector.bad_answer",
            params={"network": "YouTube"},
        )
    title = html_to_text(str(snippet.get("title") or ""))  # search snippets are HTML-escaped
    description = html_to_text(str(snippet.get("description") or ""))
    channel = str(snippet.get("channelId") or "")
    return RawItem(
        source=source,
        external_id=f"video:{video_id}",
        url=WATCH.format(video_id),
        text=f"{title}\n\n{description}".strip(),
        author=Author(
            handle=channel,
            name=str(snippet.get("channelTitle") or ""),
            id=channel,
            url=CHANNEL.format(channel) if channel else "",
        ),
        created_at=created_at,
        kind=ItemKind.POST,
        raw=dict(result),
    )


@parser("YouTube")
def comment_thread_item(thread: Mapping[str, Any], *, source: str = "youtube") -> RawItem:
    snippet = thread.get("snippet") or {}
    top = snippet.get("topLevelComment") or {}
    comment = top.get("snippet") or {}
    comment_id = str(top.get("id") or thread.get("id") or "")
    if not comment_id:
        raise ConnectorError(
            "YouTube returned a comment thread without an id.",
            code="connector.bad_answer",
            params={"network": "YouTube"},
        )
    created_at = parse_datetime(comment.get("publishedAt"))
    if created_at is None:
        raise ConnectorError(
            f"YouTube comment {comment_id} has no publishedAt.",
            code="connector.bad_answer",
            params={"network": "YouTube"},
        )
    video_id = str(snippet.get("videoId") or comment.get("videoId") or "")
    channel = comment.get("authorChannelId") or {}
    author_channel = str(channel.get("value") or "") if isinstance(channel, Mapping) else ""
    text = str(comment.get("textOriginal") or "") or html_to_text(
        str(comment.get("textDisplay") or "")
    )
    metrics = {
        name: value
        for name, value in (
            ("likes", as_int(comment.get("likeCount"))),
            ("replies", as_int(snippet.get("totalReplyCount"))),
        )
        if value is not None
    }
    display = str(comment.get("authorDisplayName") or "")
    return RawItem(
        source=source,
        external_id=f"comment:{comment_id}",
        url=(WATCH.format(video_id) + f"&lc={comment_id}") if video_id else "",
        text=text,
        author=Author(
            handle=display.lstrip("@") or author_channel,
            name=display,
            id=author_channel,
            url=str(comment.get("authorChannelUrl") or ""),
        ),
        created_at=created_at,
        parent_id=f"video:{video_id}" if video_id else None,
        thread_id=str(thread.get("id") or comment_id),
        kind=ItemKind.COMMENT,
        metrics=metrics,
        raw=dict(thread),
    )
