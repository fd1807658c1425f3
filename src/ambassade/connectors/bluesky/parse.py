"""``app.bsky.feed.defs#postView`` objects to RawItems."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ambassade.connectors._guard import parser
from ambassade.connectors._text import as_int, parse_datetime
from ambassade.connectors.base import Author, ConnectorError, ItemKind, RawItem

__all__ = ["post_item", "sort_at"]


@parser("Bluesky")
def post_item(post: Any, *, source: str = "bluesky") -> RawItem:
    if not isinstance(post, Mapping) or not post.get("uri"):
        raise ConnectorError(
            "Bluesky returned a post without a uri.",
            code="connector.bad_answer",
            params={"network": "Bluesky"},
        )
    uri = str(post["uri"])
    record = post.get("record") or {}
    author = post.get("author") or {}
    if not isinstance(record, Mapping) or not isinstance(author, Mapping):
        raise ConnectorError(
            f"Bluesky post {uri} has no record or author.",
            code="connector.bad_answer",
            params={"network": "Bluesky"},
        )
    created_at = parse_datetime(record.get("createdAt")) or parse_datetime(post.get("indexedAt"))
    if created_at is None:
        raise ConnectorError(
            f"Bluesky post {uri} has no date.",
            code="connector.bad_answer",
            params={"network": "Bluesky"},
        )
    handle = str(author.get("handle") or "")
    rkey = uri.rsplit("/", 1)[-1]
    reply = record.get("reply") if isinstance(record.get("reply"), Mapping) else None
    parent = str((reply.get("parent") or {}).get("uri") or "") if reply else ""
    root = str((reply.get("root") or {}).get("uri") or "") if reply else ""
    langs = record.get("langs") or []
    quoted = _quoted_uri(record.get("embed"))
    metrics = {
        name: value
        for name, key in (
            ("replies", "replyCount"),
            ("reposts", "repostCount"),
            ("likes", "likeCount"),
            ("quotes", "quoteCount"),
        )
        if (value := as_int(post.get(key))) is not None
    }
    return RawItem(
        source=source,
        external_id=uri,
        url=f"https://bsky.app/profile/{handle or author.get('did')}/post/{rkey}",
        text=str(record.get("text") or ""),
        author=Author(
            handle=handle,
            name=str(author.get("displayName") or ""),
            id=str(author.get("did") or ""),
            url=f"https://bsky.app/profile/{handle}" if handle else "",
            followers=as_int(author.get("followersCount")),
            created_at=parse_datetime(author.get("createdAt")),
        ),
        created_at=created_at,
        lang=str(langs[0]).split("-")[0].lower() if langs else None,
        parent_id=parent or None,
        thread_id=root or None,
        quoted_id=quoted or None,
        kind=ItemKind.REPLY if parent else ItemKind.POST,
        metrics=metrics,
        raw=dict(post),
    )


def _quoted_uri(embed: Any) -> str:
    """The post a record quotes: ``app.bsky.embed.record`` (a strong reference) or
    ``app.bsky.embed.recordWithMedia`` (the same, with pictures), when it names a post (a record
    embed may also show a feed, a list or a starter pack)."""
    if not isinstance(embed, Mapping):
        return ""
    kind = embed.get("$type")
    ref = embed.get("record")
    if kind == "app.bsky.embed.recordWithMedia" and isinstance(ref, Mapping):
        ref = ref.get("record")
    elif kind != "app.bsky.embed.record":
        return ""
    uri = str(ref.get("uri") or "") if isinstance(ref, Mapping) else ""
    return uri if uri.startswith("at://") and "/app.bsky.feed.post/" in uri else ""


def sort_at(item: RawItem) -> float:
    """Bluesky sorts and filters (``since``) by sortAt: the earlier of createdAt and indexedAt, so a
    back-dated post cannot jump the queue."""
    indexed = parse_datetime(item.raw.get("indexedAt"))
    moments = [item.created_at.timestamp()]
    if indexed is not None:
        moments.append(indexed.timestamp())
    return min(moments)
